/**
 * `pruneModel`: one entry point for every pruning method Sculpt has — pruning at initialisation
 * (UPaI, Reconvene) with a weight scorer, post-training channel criteria to a target, and the
 * deletion of channels that are already zero — with one result shape.
 */
import type { Dataset } from '../data/dataset.js';
import { limitDataset } from '../data/dataset.js';
import { buildDependencyGraph } from '../deps/groups.js';
import { SculptError } from '../errors.js';
import { feedInputs, type Model, type Shape } from '../ir/graph.js';
import { inferModel } from '../ops/infer.js';
import { layerWidths, pruneModelChannels, type LayerWidth, type PruneScope, type PruneTarget } from '../prune/channel-pruner.js';
import { reconvenePrune, type ReconveneReport, type SensitivityOptions } from '../prune/reconvene/index.js';
import { structuredZero } from '../prune/structured-zero.js';
import { upaiPrune, type UpaiReport } from '../prune/upai.js';
import { onnxruntimeNode } from '../runtime/onnxruntime-node.js';
import type { Backend } from '../runtime/backend.js';
import { CHANNEL_CRITERIA, taylorGradients, type ChannelCriterionName, type LabelledBatch } from '../score/channel/index.js';
import { scorerName } from '../score/index.js';
import type { Scorer } from '../score/scorer.js';
import type { WeightMasks } from '../score/weights.js';
import { inspectModel } from './models.js';
import { resolveData, type DataSource } from './data.js';

/** Every method pruneModel takes. */
export const PRUNE_METHODS = ['upai', 'reconvene', 'structured-zero', ...(Object.keys(CHANNEL_CRITERIA) as ChannelCriterionName[])] as const;
/** A pruning method: 'upai' | 'reconvene' (at initialisation, need `scorer`), 'structured-zero', or a channel criterion ('l1', 'l2', 'bn', 'taylor', 'random'). */
export type PruneMethod = (typeof PRUNE_METHODS)[number];

/** Options of pruneModel. Give exactly one of `sparsity` and `ratio` (not for structured-zero). */
export interface PruneModelOptions {
  readonly method: PruneMethod;
  /** upai/reconvene: 'random', 'magnitude', 'snip', 'grasp', 'synflow' (or a scorer function). */
  readonly scorer?: string | Scorer;
  /** Fraction to remove: of the prunable weights (upai/reconvene) or of the target (channel criteria). */
  readonly sparsity?: number;
  /** Fraction of the target to keep (channel criteria); ratio = 1 − sparsity. */
  readonly ratio?: number;
  /** Labelled data for snip, grasp and taylor: a dataset spec ('mnist,limit=256'), a Dataset, or loadDataset's result. */
  readonly data?: DataSource;
  /** taylor: labelled batches averaged over (default 4); snip/grasp read one. */
  readonly batches?: number;
  /** Examples per batch of `data`. Default 32. */
  readonly batchSize?: number;
  /** Channel criteria: what `ratio` counts. Default 'channels'. */
  readonly target?: PruneTarget;
  /** Channel criteria: 'global' or 'local'; upai/reconvene: the mask scope. Default 'global'. */
  readonly scope?: PruneScope;
  /** Channel criteria: cuts with re-scoring between them. Default 1. */
  readonly steps?: number;
  /** Channel criteria: kept widths rounded up to a multiple of this. Default 1. */
  readonly roundTo?: number;
  /** Channels a group keeps at least (channel criteria default 1; Reconvene default 16). */
  readonly minChannels?: number;
  /** Reconvene's sensitivity rule (see docs/RECONVENE.md). */
  readonly sensitivity?: SensitivityOptions;
  /** SynFlow rounds. Default 100. */
  readonly rounds?: number;
  /** Run the equivalence self-test after every cut. Default true. */
  readonly selfTest?: boolean;
  /** Seed of random scorers, re-initialised layers and self-test inputs. Default 0. */
  readonly seed?: number;
  /** Shapes for inputs with symbolic dims. */
  readonly inputShapes?: Readonly<Record<string, Shape>>;
  /** Default onnxruntime-node. */
  readonly backend?: Backend;
}

/** A model's size before or after pruning. */
export interface PrunedSize {
  readonly params: number;
  readonly nonzeroParams: number;
  readonly macs: number;
  readonly bytes: number;
}

/** What pruneModel returns. */
export interface PruneModelResult {
  /** The pruned model (masked weights exactly zero). */
  readonly model: Model;
  /** upai/reconvene: 0/1 masks by weight name — pass them to trainModel to keep pruned weights at zero. */
  readonly masks?: WeightMasks;
  readonly method: PruneMethod;
  readonly before: PrunedSize;
  readonly after: PrunedSize;
  /** Every node with a prunable weight: output width before and after. */
  readonly layers: readonly LayerWidth[];
  /** Wall time of the pruning (scoring, masking, surgery, self-tests). */
  readonly seconds: number;
  /** The method's own report, for upai and reconvene. */
  readonly upai?: UpaiReport;
  readonly reconvene?: ReconveneReport;
}

/**
 * Prunes a model with any of Sculpt's methods and reports its size before and after.
 * @example const pruned = await pruneModel(model, { method: 'reconvene', scorer: 'synflow', sparsity: 0.95 });
 * @example const smaller = await pruneModel(trained, { method: 'l1', ratio: 0.5, target: 'params' });
 */
export async function pruneModel(model: Model, options: PruneModelOptions): Promise<PruneModelResult> {
  const method = options.method;
  if (!(PRUNE_METHODS as readonly string[]).includes(method)) throw new SculptError('BAD_ARGUMENT', `pruneModel: method '${String(method)}' is unknown; allowed: ${PRUNE_METHODS.join(', ')}`);
  const backend = options.backend ?? onnxruntimeNode;
  const seed = options.seed ?? 0;
  const inputShapes = options.inputShapes ? { inputShapes: options.inputShapes } : {};
  const before = sizeOf(model, options);
  const started = performance.now();
  let pruned: Model;
  let extra: Pick<PruneModelResult, 'masks' | 'upai' | 'reconvene'> = {};
  if (method === 'upai' || method === 'reconvene') {
    const scorer = options.scorer;
    if (scorer === undefined) throw new SculptError('BAD_ARGUMENT', `pruneModel: method '${method}' needs a scorer: random, magnitude, snip, grasp or synflow`);
    const sparsity = requireSparsity(options, method);
    const needsData = typeof scorer === 'string' && (scorerName(scorer) === 'snip' || scorerName(scorer) === 'grasp');
    const data = needsData ? labelledBatches(model, options, 1)[0] : undefined;
    const common = {
      scorer,
      sparsity,
      seed,
      backend,
      ...inputShapes,
      ...(data ? { data } : {}),
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.rounds !== undefined ? { rounds: options.rounds } : {}),
    };
    if (method === 'upai') {
      const result = await upaiPrune(model, common);
      pruned = result.model;
      extra = { masks: result.masks, upai: result.report };
    } else {
      const result = await reconvenePrune(model, {
        ...common,
        selfTest: options.selfTest === false ? false : { seed },
        ...(options.sensitivity ? { sensitivity: options.sensitivity } : {}),
        ...(options.minChannels !== undefined ? { minChannels: options.minChannels } : {}),
      });
      pruned = result.model;
      extra = { masks: result.masks, upai: result.report.upai, reconvene: result.report };
    }
  } else if (method === 'structured-zero') {
    pruned = (await structuredZero(model, { backend, seed, selfTest: options.selfTest ?? true, ...inputShapes })).model;
  } else {
    const criterion = CHANNEL_CRITERIA[method];
    const keepRatio = 1 - requireSparsity(options, method);
    const batches = criterion.needsGradients ? labelledBatches(model, options, options.batches ?? 4) : [];
    const result = await pruneModelChannels(model, {
      criterion,
      keepRatio,
      seed,
      backend,
      selfTest: options.selfTest === false ? false : { seed },
      ...inputShapes,
      ...(options.target ? { target: options.target } : {}),
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.steps !== undefined ? { steps: options.steps } : {}),
      ...(options.roundTo !== undefined ? { roundTo: options.roundTo } : {}),
      ...(options.minChannels !== undefined ? { minChannels: options.minChannels } : {}),
      ...(criterion.needsGradients
        ? { gradients: (current: Model) => taylorGradients(current, batches, { backend, dependencies: buildDependencyGraph(inferModel(current, inputShapes)) }) }
        : {}),
    });
    pruned = result.model;
  }
  const seconds = (performance.now() - started) / 1000;
  const layers = layerWidths(inferModel(model, inputShapes), inferModel(pruned, inputShapes));
  return { model: pruned, method, before, after: sizeOf(pruned, options), layers, seconds, ...extra };
}

function sizeOf(model: Model, options: PruneModelOptions): PrunedSize {
  const { params, nonzeroParams, macs, bytes } = inspectModel(model, options.inputShapes ? { inputShapes: options.inputShapes } : {});
  return { params, nonzeroParams, macs, bytes };
}

function requireSparsity(options: PruneModelOptions, method: string): number {
  const { sparsity, ratio } = options;
  if (sparsity !== undefined && ratio !== undefined) throw new SculptError('BAD_ARGUMENT', 'pruneModel: sparsity and ratio say the same thing (ratio = 1 − sparsity); give one of them');
  const value = sparsity ?? (ratio !== undefined ? 1 - ratio : undefined);
  if (value === undefined || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new SculptError('BAD_ARGUMENT', `pruneModel: method '${method}' needs sparsity in [0, 1) (the fraction to remove) or ratio in (0, 1], got ${String(sparsity ?? ratio)}`);
  }
  return value;
}

/** Labelled batches from `options.data`: a seeded draw of count × batchSize training examples. */
function labelledBatches(model: Model, options: PruneModelOptions, count: number): LabelledBatch[] {
  if (options.data === undefined) throw new SculptError('BAD_ARGUMENT', `pruneModel: method '${options.method}'${options.scorer ? ` with scorer '${String(options.scorer)}'` : ''} needs labelled data: give data, e.g. 'mnist,limit=256'`);
  const seed = options.seed ?? 0;
  const { train } = resolveData(options.data, { seed });
  checkDataFits(model, train, options.inputShapes);
  return toBatches(limitDataset(train, { limit: count * (options.batchSize ?? 32), seed }), options.batchSize ?? 32);
}

/** Consecutive batches of a dataset as input and int64 label tensors. */
export function toBatches(data: Dataset, batchSize: number): LabelledBatch[] {
  const pixels = data.channels * data.height * data.width;
  const perLabel = data.labels.length / data.count;
  const batches: LabelledBatch[] = [];
  for (let start = 0; start < data.count; start += batchSize) {
    const n = Math.min(batchSize, data.count - start);
    const labels = data.labels.subarray(start * perLabel, (start + n) * perLabel);
    batches.push({
      input: { dtype: 'float32', dims: [n, data.channels, data.height, data.width], data: data.images.slice(start * pixels, (start + n) * pixels) },
      labels: { dtype: 'int64', dims: perLabel === 1 ? [n] : [n, data.height, data.width], data: BigInt64Array.from(labels, (v) => BigInt(v)) },
    });
  }
  return batches;
}

function checkDataFits(model: Model, data: Dataset, inputShapes: Readonly<Record<string, Shape>> | undefined): void {
  const input = feedInputs(model.graph)[0];
  const shape = input ? (inputShapes?.[input.name] ?? input.shape) : undefined;
  const want = shape ? shape.slice(1).join('x') : '?';
  const have = `${data.channels}x${data.height}x${data.width}`;
  if (want !== have) throw new SculptError('BAD_ARGUMENT', `data '${data.name}' has ${have} images, but the model's input takes ${want}; choose data of that size`);
}
