/**
 * The criteria search in the curated API: `fitModel` is `sculpt fit` as a function — the most
 * compressed model (over a ladder of compression factors) that meets deployment criteria on
 * quality, latency, parameters and bytes, pruned, trained and measured on onnxruntime-node.
 * Criteria are given as the CLI writes them ('0.96x', '5ms@b1', '100k', '1MB') or already parsed.
 */
import type { Dataset } from '../data/dataset.js';
import { limitDataset } from '../data/dataset.js';
import { buildDependencyGraph } from '../deps/groups.js';
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { encodeModel } from '../onnx/encode.js';
import { inferModel } from '../ops/infer.js';
import type { Backend } from '../runtime/backend.js';
import { onnxruntimeNode } from '../runtime/onnxruntime-node.js';
import { CHANNEL_CRITERIA, taylorGradients, type ChannelCriterionName } from '../score/channel/index.js';
import { scorerName, SCORERS } from '../score/index.js';
import { noCriteria, parseCriteria, parseLatencyConfigs, type CriteriaText, type FitCriteria, type LatencyConfig } from '../sculpt/criteria.js';
import { fit, type FitEvent, type FitResult, type FitStore } from '../sculpt/fit.js';
import type { FitMethod } from '../sculpt/method.js';
import { CHANNEL_ALLOCATIONS, channelMethod, initialisationMethod, uniformMethod, type ChannelAllocation } from '../sculpt/methods.js';
import { SEARCH_STRATEGIES, type SearchStrategy } from '../sculpt/search.js';
import { createFitServices } from '../sculpt/services.js';
import { hashBytes } from '../sculpt/state.js';
import { memoryStore } from '../sculpt/store.js';
import type { AugmentSettings, TrainBudget, TrainProgress } from '../train/options.js';
import { buildZooModel, formatZooSpec, parseZooSpec } from '../zoo/index.js';
import { resolveData, type DataSource } from './data.js';
import { loadModel, ZOO_PREFIX } from './models.js';
import { toBatches } from './prune.js';

/** How fitModel makes a candidate of each rung (see `sculpt fit --help`). */
export const FIT_METHODS = ['channel', 'uniform', 'reconvene', 'upai'] as const;

/** One of FIT_METHODS. */
export type FitMethodName = (typeof FIT_METHODS)[number];

/** Options of fitModel. */
export interface FitModelOptions {
  /** Training data and the held-out set quality is measured on (a spec such as 'phantom:64', or `{ train, test }`). */
  readonly data: DataSource;
  /** At least one criterion, as text (`{ minQuality: '0.96x', maxLatency: '5ms@b1', maxParams: '100k', maxBytes: '1MB' }`) or parsed. */
  readonly criteria: CriteriaText | FitCriteria;
  /** Default 'channel' (post-training channel pruning, then fine-tuning). */
  readonly method?: FitMethodName;
  /** Channel criterion of method 'channel'. Default 'l1'. */
  readonly criterion?: ChannelCriterionName;
  /** How method 'channel' spreads the budget over layers. Default 'cap'. */
  readonly allocation?: ChannelAllocation;
  /** Pruning-at-initialisation scorer of methods 'reconvene' and 'upai'. Default 'synflow'. */
  readonly scorer?: string;
  /** The zoo architecture (e.g. 'unet,base=16,depth=3,out=4,input=1x64x64') that 'uniform', 'reconvene' and 'upai' rebuild; taken from a zoo spec model. */
  readonly arch?: string;
  /** Train the model for the budget before the search, as the unpruned baseline. Default: true when the model is given as a zoo spec. */
  readonly trainBaseline?: boolean;
  /** Compression factors in parameters, ascending. Default 2, 4, ..., 2048. */
  readonly ladder?: readonly number[];
  /** 'binary' (default: about log2(rungs) candidates trained) or 'all'. */
  readonly search?: SearchStrategy;
  /** Configurations every model is timed at besides the criterion's, e.g. 'b1,b8@t2'. Default batch 1, 1 thread. */
  readonly latencyAt?: string | readonly LatencyConfig[];
  /** Training per candidate: epochs, or `{ epochs, steps, seconds }`. Default 2 epochs. */
  readonly budget?: number | TrainBudget;
  /** Default 16. */
  readonly batchSize?: number;
  /** Adam's learning rate. Default 0.001. */
  readonly learningRate?: number;
  /** Random crop (padding) and flip of training batches. Default none. */
  readonly augment?: AugmentSettings;
  /** Timed latency runs per model and configuration. Default 30. */
  readonly latencyRuns?: number;
  /** onnxruntime threads for training and evaluation. Default all cores. */
  readonly threads?: number;
  /** Seeds zoo weights, data subsets, scoring batches and training. Default 0. */
  readonly seed?: number;
  /** Where the state and trained candidates go. Default in memory; `directoryStore(dir)` keeps them in a folder as `sculpt fit` does. */
  readonly store?: FitStore;
  /** Default onnxruntime-node. */
  readonly backend?: Backend;
  readonly onEvent?: (event: FitEvent) => void;
  readonly onTrainProgress?: (id: string, progress: TrainProgress) => void;
  /** Aborting stops the training in progress; the search then rejects with INTERRUPTED. */
  readonly signal?: AbortSignal;
}

/**
 * Finds the most compressed model meeting every criterion; `chosenModel` is it, trained (undefined when nothing meets them: see `failure` and `closest`).
 * @example const found = await fitModel('zoo:unet,base=8,depth=2,out=4,input=1x32x32', { data: 'phantom:32', criteria: { maxParams: '10k' }, budget: 2 });
 */
export async function fitModel(model: Model | string, options: FitModelOptions): Promise<FitResult> {
  const seed = options.seed ?? 0;
  const spec = typeof model === 'string' && model.startsWith(ZOO_PREFIX) ? model.slice(ZOO_PREFIX.length) : undefined;
  const unpruned = typeof model === 'string' ? loadModel(model, { seed }) : model;
  const criteria = isParsed(options.criteria) ? options.criteria : parseCriteria(options.criteria);
  if (noCriteria(criteria)) throw new SculptError('BAD_ARGUMENT', "fitModel needs at least one criterion: { minQuality: '0.96x' }, { maxLatency: '5ms@b1' }, { maxParams: '100k' } or { maxBytes: '1MB' }");
  const method = options.method ?? 'channel';
  if (!(FIT_METHODS as readonly string[]).includes(method)) throw new SculptError('BAD_ARGUMENT', `fitModel: method '${method}' is unknown; allowed: ${FIT_METHODS.join(', ')}`);
  const search = options.search ?? 'binary';
  if (!SEARCH_STRATEGIES.includes(search)) throw new SculptError('BAD_ARGUMENT', `fitModel: search '${search}' is unknown; allowed: ${SEARCH_STRATEGIES.join(', ')}`);
  if (typeof options.budget === 'number' && (!Number.isInteger(options.budget) || options.budget < 1)) {
    throw new SculptError('BAD_ARGUMENT', `fitModel: budget ${options.budget} must be a whole number of epochs (at least 1) or { epochs, steps, seconds }`);
  }
  const budget: TrainBudget = options.budget === undefined ? { epochs: 2 } : typeof options.budget === 'number' ? { epochs: options.budget } : options.budget;
  const { train, test } = resolveData(options.data, { seed });
  if (!test) throw new SculptError('BAD_ARGUMENT', 'fitModel needs held-out data to measure quality: a spec with a test part, or { train, test }');
  const backend = options.backend ?? onnxruntimeNode;
  const fitMethod = makeMethod(method, options, spec, train, backend, seed);

  const services = createFitServices({
    backend,
    train,
    test,
    budget,
    seed,
    ...pick(options, ['threads', 'batchSize', 'learningRate', 'augment', 'latencyRuns', 'onTrainProgress', 'signal']),
  });
  const latencyConfigs = typeof options.latencyAt === 'string' ? parseLatencyConfigs(options.latencyAt) : options.latencyAt;
  const training = `${JSON.stringify(budget)} batch ${options.batchSize ?? 16} adam lr ${options.learningRate ?? 1e-3}`;
  return fit({
    model: unpruned,
    method: fitMethod,
    criteria,
    services,
    store: options.store ?? memoryStore(),
    fingerprint: { model: hashBytes(encodeModel(unpruned)), data: typeof options.data === 'string' ? options.data : train.name, method: `${fitMethod.name}:${fitMethod.slug}`, training, seed },
    strategy: search,
    trainBaseline: options.trainBaseline ?? spec !== undefined,
    metric: test.task === 'segmentation' ? 'Dice' : 'accuracy',
    ...(latencyConfigs ? { latencyConfigs } : {}),
    ...(options.ladder ? { ladder: options.ladder } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}

function isParsed(criteria: CriteriaText | FitCriteria): criteria is FitCriteria {
  return Object.values(criteria).every((value) => typeof value !== 'string');
}

function makeMethod(name: FitMethodName, options: FitModelOptions, spec: string | undefined, train: Dataset, backend: Backend, seed: number): FitMethod {
  if (name === 'channel') {
    if (options.scorer !== undefined) throw new SculptError('BAD_ARGUMENT', "fitModel: scorer belongs to method 'reconvene' and 'upai', not 'channel' (the channel method takes criterion)");
    const criterionName = options.criterion ?? 'l1';
    const criterion = CHANNEL_CRITERIA[criterionName];
    if (!criterion) throw new SculptError('BAD_ARGUMENT', `fitModel: criterion '${criterionName}' is unknown; allowed: ${Object.keys(CHANNEL_CRITERIA).join(', ')}`);
    const allocation = options.allocation ?? 'cap';
    if (!CHANNEL_ALLOCATIONS.includes(allocation)) throw new SculptError('BAD_ARGUMENT', `fitModel: allocation '${allocation}' is unknown; allowed: ${CHANNEL_ALLOCATIONS.join(', ')}`);
    const batches = criterion.needsGradients ? toBatches(limitDataset(train, { limit: 64, seed }), 16) : [];
    const loss = { kind: 'cross-entropy' as const, ...(train.ignoreLabel !== undefined ? { ignoreIndex: train.ignoreLabel } : {}) };
    return channelMethod({
      criterion,
      allocation,
      backend,
      seed,
      ...(criterion.needsGradients ? { gradients: (model: Model) => taylorGradients(model, batches, { backend, loss, dependencies: buildDependencyGraph(inferModel(model)) }) } : {}),
    });
  }
  for (const key of ['criterion', 'allocation'] as const) {
    if (options[key] !== undefined) throw new SculptError('BAD_ARGUMENT', `fitModel: ${key} belongs to method 'channel', not '${name}'`);
  }
  // The other methods rebuild the architecture from the zoo: narrower (uniform) or newly initialised (reconvene, upai).
  const text = options.arch ?? spec;
  if (text === undefined) throw new SculptError('BAD_ARGUMENT', `fitModel: method '${name}' rebuilds the architecture from the zoo; give the model as 'zoo:<spec>' or give arch (e.g. 'unet,base=64,depth=4,out=4,input=1x64x64')`);
  const zoo = parseZooSpec(text.startsWith(ZOO_PREFIX) ? text.slice(ZOO_PREFIX.length) : text);
  const baseWidth = typeof zoo.options['width'] === 'number' ? zoo.options['width'] : 1;
  const build = (width: number): Model => buildZooModel(formatZooSpec({ ...zoo, options: { ...zoo.options, width: baseWidth * width } }), { seed });
  if (name === 'uniform') return uniformMethod({ build });
  const scorer = options.scorer ?? 'synflow';
  const scorerKey = scorerName(scorer);
  if (scorerKey === undefined) throw new SculptError('BAD_ARGUMENT', `fitModel: scorer '${scorer}' is unknown; allowed: ${Object.keys(SCORERS).join(', ')}`);
  const data = scorerKey === 'snip' || scorerKey === 'grasp' ? toBatches(limitDataset(train, { limit: 16, seed }), 16)[0] : undefined;
  return initialisationMethod({ kind: name, scorer, build: () => build(1), backend, seed, ...(data ? { data } : {}) });
}

/** The fields of `source` named in `keys` that are set (for exactOptionalPropertyTypes). */
function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): { [P in K]?: Exclude<T[P], undefined> } {
  const out: Partial<Record<K, unknown>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out as { [P in K]?: Exclude<T[P], undefined> };
}
