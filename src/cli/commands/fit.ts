/** `sculpt fit`: the smallest model that meets deployment criteria, found by pruning, training and measuring a compression ladder. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildDependencyGraph,
  buildZooModel,
  channelMethod,
  CHANNEL_ALLOCATIONS,
  CHANNEL_CRITERIA,
  checkResumable,
  createFitServices,
  DATASET_SPEC_USAGE,
  describeConfig,
  describeCriteria,
  directoryStore,
  effectiveParams,
  encodeModel,
  fit,
  fitResultsFile,
  formatFactor,
  hashBytes,
  inferModel,
  limitDataset,
  loadDataset,
  onnxruntimeNode,
  parseCriteria,
  parseLadder,
  parseLatencyConfigs,
  parseZooSpec,
  describeMachine,
  validateResults,
  formatZooSpec,
  SculptError,
  SEARCH_STRATEGIES,
  taylorGradients,
  uniformMethod,
  initialisationMethod,
  SCORERS,
  scorerName,
  writeAtomic,
  type CandidateRecord,
  type ChannelAllocation,
  type ChannelCriterionName,
  type Dataset,
  type FitEvent,
  type FitFingerprint,
  type FitMethod,
  type FitResult,
  type LabelledBatch,
  type LatencyConfig,
  type Model,
  type SearchStrategy,
  type TrainProgress,
  type WeightGradients,
} from '../../index.js';
import type { ParsedArgs } from '../args.js';
import type { Command, CommandContext, ResolvedModel } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { formatBytes, formatCount, formatMs, formatTable } from '../format.js';
import type { ProgressBar } from '../progress.js';
import { ZOO_PREFIX } from '../model-arg.js';
import { parseBudget } from './train.js';
import { parseNumber } from './eval.js';

const METHODS = ['channel', 'uniform', 'reconvene', 'upai'] as const;
type MethodName = (typeof METHODS)[number];
/** The channel criterion `--method channel` uses unless --criterion says otherwise (see EXPERIMENTS.md for the measurement behind it). */
const DEFAULT_CRITERION: ChannelCriterionName = 'l1';
const DEFAULT_BUDGET = '2ep';
/** The scorer of --method reconvene/upai: data-free, and designed not to empty whole layers at the extreme sparsities of a long ladder. */
const DEFAULT_SCORER = 'synflow';
const DEFAULT_OUT_DIR = 'sculpt-fit';

/** The --json object of `sculpt fit`. */
export interface FitJson {
  readonly model: string;
  readonly data: string;
  readonly method: string;
  readonly criteria: FitResult['criteria'];
  readonly chosen: { readonly id: string; readonly reason: string; readonly file: string } | null;
  /** When nothing meets the criteria: why, and the closest candidates. */
  readonly failure: string | null;
  readonly closest: FitResult['closest'];
  readonly baseline: FitResult['baseline'];
  readonly candidates: readonly CandidateRecord[];
  readonly unreachable: FitResult['unreachable'];
  readonly searched: readonly string[];
  readonly trainedNow: readonly string[];
  readonly pareto: FitResult['pareto'];
  readonly files: { readonly state: string; readonly results: string; readonly chosen: string | null };
}

export const fitCommand: Command = {
  name: 'fit',
  summary: 'find the smallest model meeting deployment criteria (quality, latency, size) over a compression ladder',
  description:
    'Makes one candidate per rung of a compression ladder (parameters 2x to 2048x fewer by default),\n' +
    'measures its parameters, MACs, bytes and onnxruntime-node latency (interleaved with the unpruned\n' +
    'model), trains the candidates the search needs for --budget each, measures quality on the held-out\n' +
    'part of --data (mean foreground Dice for segmentation, accuracy for classification), and returns\n' +
    'the most compressed candidate that meets every criterion. Size and latency do not depend on the\n' +
    'weights, so rungs that miss them are never trained; --search binary (default) assumes quality\n' +
    'falls with compression and trains about log2(rungs) candidates, --search all trains every rung.\n' +
    'Methods: channel (a post-training channel criterion, --criterion, picks the channels each layer\n' +
    'keeps, at most C per layer by default (--allocation cap), then fine-tuning: the model should be\n' +
    'trained), uniform (the zoo architecture at a narrower width, trained from scratch), and reconvene\n' +
    'and upai (the architecture newly initialised, pruned at initialisation by --scorer to the rung’s\n' +
    'non-zero parameters, Reconvene rebuilding insensitive layers narrower and dense, so it reaches\n' +
    'less compression than the rung asks: the table shows what was reached; trained from scratch).\n' +
    'A zoo:<spec> model is first trained for the budget as the unpruned baseline.\n' +
    'Writes <out-dir>/fit-state.json after every step (--resume continues without retraining finished\n' +
    'candidates), candidates/<id>.onnx, results.json (for sculpt report) and chosen.onnx. Exit code 5\n' +
    'when nothing meets the criteria; the closest candidates are reported.\n' +
    'Criteria: --min-quality 0.96x (of the unpruned model) or 0.85; --max-latency 5ms@b1 (@b8, @t2:\n' +
    'batch and threads; 1 thread unless given); --max-params 100k; --max-bytes 1MB (powers of 1024).\n' +
    `Datasets: ${DATASET_SPEC_USAGE.join(' | ')}`,
  positionals: [{ name: 'model', description: 'a trained .onnx file, or zoo:<spec> (trained first for the budget)' }],
  options: [
    { name: 'data', kind: 'value', valueName: 'spec', description: 'the dataset: phantom:64, brain,size=64, mnist, ... (see above)' },
    { name: 'min-quality', kind: 'value', valueName: 'q', description: 'quality floor: 0.96x of the unpruned model, or absolute (0.85, 85%)' },
    { name: 'max-latency', kind: 'value', valueName: 'time', description: 'median latency ceiling on this machine: 5ms@b1, 20ms@b8@t2' },
    { name: 'max-params', kind: 'value', valueName: 'n', description: 'parameter ceiling: 100k, 2.5M' },
    { name: 'max-bytes', kind: 'value', valueName: 'size', description: 'file size ceiling: 1MB, 512KB' },
    { name: 'method', kind: 'value', valueName: 'name', description: 'channel, uniform, reconvene or upai', defaultText: 'channel' },
    { name: 'criterion', kind: 'value', valueName: 'name', description: `channel criterion: ${Object.keys(CHANNEL_CRITERIA).join(', ')}`, defaultText: DEFAULT_CRITERION },
    { name: 'scorer', kind: 'value', valueName: 'name', description: `reconvene/upai: pruning-at-initialisation scorer: ${Object.keys(SCORERS).join(', ')}`, defaultText: DEFAULT_SCORER },
    { name: 'allocation', kind: 'value', valueName: 'how', description: 'channel: how the budget spreads over layers: cap (every layer at most C channels), global, local', defaultText: 'cap' },
    { name: 'arch', kind: 'value', valueName: 'zoo-spec', description: 'uniform, reconvene, upai: the zoo architecture of a model file, e.g. unet,base=64,depth=4,out=4,input=1x64x64' },
    { name: 'ladder', kind: 'value', valueName: 'list', description: 'compression factors in parameters', defaultText: '2,4,...,2048' },
    { name: 'budget', kind: 'value', valueName: 'limit', description: 'training per candidate: 2ep, 500steps, 90s, 10m', defaultText: DEFAULT_BUDGET },
    { name: 'search', kind: 'value', valueName: 'how', description: 'binary (about log2 rungs trained) or all (every rung)', defaultText: 'binary' },
    { name: 'latency-at', kind: 'value', valueName: 'list', description: 'configurations every model is timed at, besides the criterion’s: b1,b8,b8@t2', defaultText: 'b1' },
    { name: 'runs', kind: 'value', valueName: 'n', description: 'timed latency runs per model and configuration', defaultText: '30' },
    { name: 'batch', kind: 'value', valueName: 'n', description: 'training batch size', defaultText: '16' },
    { name: 'lr', kind: 'value', valueName: 'x', description: 'Adam learning rate (cosine schedule with an epoch or step budget)', defaultText: '0.001' },
    { name: 'no-augment', kind: 'flag', description: 'no random crop and flip in training' },
    { name: 'limit', kind: 'value', valueName: 'n', description: 'use at most n training and n held-out examples (seeded)' },
    { name: 'threads', kind: 'value', valueName: 'n', description: 'onnxruntime threads for training and evaluation', defaultText: 'all cores' },
    { name: 'out-dir', kind: 'value', valueName: 'dir', description: 'where the state, candidates and results go', defaultText: DEFAULT_OUT_DIR },
    { name: 'resume', kind: 'flag', description: 'continue the search in --out-dir (same model, data, method, budget and seed)' },
    { name: 'force', kind: 'flag', description: 'start over even if --out-dir holds an earlier search' },
  ],
  examples: [
    'sculpt fit unet.onnx --data phantom:64 --min-quality 0.96x --max-latency 5ms@b1 --out-dir fit-unet',
    'sculpt fit unet.onnx --data phantom:64 --min-quality 0.96x --search all --latency-at b1,b8 --budget 1ep',
    'sculpt fit zoo:unet,base=16,depth=3,out=4,input=1x64x64 --data phantom:64 --max-params 50k --method uniform --budget 2m',
    'sculpt fit unet.onnx --data brain,size=64 --min-quality 0.9 --max-bytes 1MB --criterion taylor --ladder 4,16,64,256',
    'sculpt fit unet.onnx --data phantom:64 --min-quality 0.96x --out-dir fit-unet --resume',
  ],
  async run(ctx) {
    const { args } = ctx;
    const criteria = parseCriteria({
      ...optional('minQuality', args.string('min-quality')),
      ...optional('maxLatency', args.string('max-latency')),
      ...optional('maxParams', args.string('max-params')),
      ...optional('maxBytes', args.string('max-bytes')),
    });
    if (Object.keys(criteria).length === 0) throw new SculptError('BAD_ARGUMENT', "sculpt fit needs at least one criterion: --min-quality, --max-latency, --max-params or --max-bytes (see 'sculpt fit --help')");
    const dataSpec = args.string('data');
    if (dataSpec === undefined) throw new SculptError('BAD_ARGUMENT', `sculpt fit needs --data <spec>; allowed: ${DATASET_SPEC_USAGE.join(' | ')}`);
    const methodName = choice(args, 'method', METHODS, 'channel');
    const criterionName = choice(args, 'criterion', Object.keys(CHANNEL_CRITERIA) as ChannelCriterionName[], DEFAULT_CRITERION);
    const allocation = choice(args, 'allocation', CHANNEL_ALLOCATIONS, 'cap');
    for (const option of ['criterion', 'allocation']) {
      if (args.has(option) && methodName !== 'channel') throw new SculptError('BAD_ARGUMENT', `--${option} belongs to --method channel, not ${methodName}`);
    }
    const scorer = args.string('scorer') ?? DEFAULT_SCORER;
    if (args.has('scorer') && methodName !== 'reconvene' && methodName !== 'upai') throw new SculptError('BAD_ARGUMENT', `--scorer belongs to --method reconvene and upai, not ${methodName}`);
    if (scorerName(scorer) === undefined) throw new SculptError('BAD_ARGUMENT', `--scorer got '${scorer}'; allowed: ${Object.keys(SCORERS).join(', ')}`);
    const ladder = args.has('ladder') ? parseLadder(args.string('ladder')!) : undefined;
    const budgetText = args.string('budget') ?? DEFAULT_BUDGET;
    const budget = parseBudget(budgetText, undefined);
    const strategy = choice(args, 'search', SEARCH_STRATEGIES, 'binary');
    const latencyConfigs: LatencyConfig[] = args.has('latency-at') ? parseLatencyConfigs(args.string('latency-at')!) : [{ batch: 1, threads: 1 }];
    const runs = args.integer('runs', { default: 30, min: 1 });
    const batchSize = args.integer('batch', { default: 16, min: 1, max: 65536 });
    const learningRate = args.has('lr') ? parseNumber(args.string('lr')!, '--lr', { min: 0 }) : 1e-3;
    const limit = args.has('limit') ? args.integer('limit', { default: 0, min: 1 }) : undefined;
    const threads = args.has('threads') ? args.integer('threads', { default: 1, min: 1, max: 256 }) : undefined;
    const outDir = args.string('out-dir') ?? DEFAULT_OUT_DIR;

    const resolved = await ctx.resolveModel(ctx.args.positionals[0]!);
    const trainBaseline = resolved.spec.startsWith(ZOO_PREFIX);
    const { spec, train: trainSet, test } = loadDataset(dataSpec, { seed: ctx.seed, ...(limit !== undefined ? { limit } : {}) });
    const method = makeMethod(ctx, { name: methodName, criterion: criterionName, allocation, scorer }, resolved, args.string('arch'), trainSet);
    const training = `${budgetText} batch ${batchSize} adam lr ${learningRate}${args.flag('no-augment') ? ' no-augment' : ''}${limit !== undefined ? ` limit ${limit}` : ''}`;
    const fingerprint: FitFingerprint = { model: hashBytes(resolved.bytes), data: spec.text, method: `${method.name}:${method.slug}`, training, seed: ctx.seed };

    const store = directoryStore(outDir);
    const earlier = store.readState();
    if (args.flag('resume')) {
      if (!earlier) throw new SculptError('BAD_ARGUMENT', `--resume: '${store.statePath}' does not exist; there is no search to continue in '${outDir}' (drop --resume to start one)`);
      checkResumable(earlier, fingerprint, store.statePath);
    } else if (earlier && !args.flag('force')) {
      throw new SculptError('BAD_ARGUMENT', `'${store.statePath}' holds an earlier search; pass --resume to continue it or --force to start over (or choose another --out-dir)`);
    } else if (!earlier && !args.flag('force')) {
      // A folder without a search may still hold another run's results (a demo's, a report's): never replace them silently.
      for (const name of ['results.json', 'chosen.onnx']) {
        const path = join(outDir, name);
        if (existsSync(path)) throw new SculptError('BAD_ARGUMENT', `'${path}' already exists; pass --force to replace it or choose another --out-dir`);
      }
    }

    const abort = new AbortController();
    const onInterrupt = (): void => abort.abort();
    process.once('SIGINT', onInterrupt);
    const bars = new CandidateBars(ctx);
    const padding = Math.max(1, Math.round(trainSet.height / 8));
    const services = createFitServices({
      backend: onnxruntimeNode,
      ...(threads !== undefined ? { threads } : {}),
      train: trainSet,
      test,
      budget,
      batchSize,
      learningRate,
      seed: ctx.seed,
      latencyRuns: runs,
      signal: abort.signal,
      ...(args.flag('no-augment') ? {} : { augment: { padding, flip: true } }),
      onTrainProgress: (id, p) => bars.train(id, p),
      onLatencyProgress: (done, total) => bars.timing(done, total),
    });
    const metric = test.task === 'segmentation' ? 'Dice' : 'accuracy';
    let result: FitResult;
    try {
      result = await fit({
        model: resolved.model,
        method,
        criteria,
        services,
        store,
        fingerprint,
        strategy,
        latencyConfigs,
        trainBaseline,
        metric,
        ...(ladder ? { ladder } : {}),
        ...(args.flag('resume') && earlier ? { resume: earlier } : {}),
        onEvent: (event) => {
          bars.finish();
          const line = describeEvent(event, metric);
          if (line !== undefined) ctx.note(line);
        },
      });
    } finally {
      bars.finish();
      process.removeListener('SIGINT', onInterrupt);
    }

    const resultsPath = join(outDir, 'results.json');
    const chosenPath = join(outDir, 'chosen.onnx');
    const protect = resolved.path !== undefined ? [resolved.path] : [];
    if (result.chosenModel) writeAtomic(chosenPath, encodeModel(result.chosenModel), { force: true, protect });
    const results = fitResultsFile(result, {
      task: { dataset: spec.text, task: test.task, metric: test.task === 'segmentation' ? 'dice' : 'accuracy', inputShape: [1, test.channels, test.height, test.width] },
      run: { date: new Date().toISOString(), command: commandLine(), seed: ctx.seed, machine: describeMachine() },
    });
    // Checked against the results model `sculpt report` reads, so a report of this search never fails on its input.
    validateResults(results, resultsPath);
    writeAtomic(resultsPath, `${JSON.stringify(results, null, 1)}\n`, { force: true, protect });
    if (ctx.json) {
      const json: FitJson = {
        model: resolved.spec,
        data: spec.text,
        method: `${method.name}${method.name !== method.slug ? ` (${method.slug})` : ''}`,
        criteria: result.criteria,
        chosen: result.chosen ? { id: result.chosen.id, reason: result.chosen.reason, file: chosenPath } : null,
        failure: result.chosen ? null : result.failure,
        closest: result.closest,
        baseline: result.baseline,
        candidates: result.candidates,
        unreachable: result.unreachable,
        searched: result.searched,
        trainedNow: result.trainedNow,
        pareto: result.pareto,
        files: { state: store.statePath, results: resultsPath, chosen: result.chosen ? chosenPath : null },
      };
      ctx.printJson(json);
    } else {
      printSummary(ctx, result, { criteria: describeCriteria(criteria, result.criteria, metric), metric, resultsPath, chosenPath, statePath: store.statePath });
    }
    return result.chosen ? EXIT.OK : EXIT.CRITERIA_NOT_MET;
  },
};

/** The command as typed, when this process is the CLI (the frame does not keep the raw words). */
function commandLine(): string {
  const words = process.argv.slice(2);
  return words[0] === 'fit' ? `sculpt ${words.join(' ')}` : 'sculpt fit';
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function choice<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const value = args.string(name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new SculptError('BAD_ARGUMENT', `--${name} got '${value}'; allowed: ${allowed.join(', ')}`);
  return value as T;
}

function makeMethod(ctx: CommandContext, choice: { name: MethodName; criterion: ChannelCriterionName; allocation: ChannelAllocation; scorer: string }, resolved: ResolvedModel, arch: string | undefined, trainSet: Dataset): FitMethod {
  if (choice.name === 'channel') {
    const criterion = CHANNEL_CRITERIA[choice.criterion];
    return channelMethod({
      criterion,
      allocation: choice.allocation,
      backend: onnxruntimeNode,
      seed: ctx.seed,
      ...(criterion.needsGradients ? { gradients: taylorGradientsFrom(trainSet, ctx.seed) } : {}),
    });
  }
  // The other methods rebuild the architecture from the zoo: narrower (uniform) or newly initialised (reconvene, upai).
  const text = arch ?? (resolved.spec.startsWith(ZOO_PREFIX) ? resolved.spec.slice(ZOO_PREFIX.length) : undefined);
  if (text === undefined) {
    throw new SculptError('BAD_ARGUMENT', `--method ${choice.name} rebuilds the architecture from the zoo; give the model as zoo:<spec>, or --arch <spec> naming the architecture of '${resolved.label}' (e.g. unet,base=64,depth=4,out=4,input=1x64x64)`);
  }
  const zoo = parseZooSpec(text.startsWith(ZOO_PREFIX) ? text.slice(ZOO_PREFIX.length) : text);
  const baseWidth = typeof zoo.options['width'] === 'number' ? zoo.options['width'] : 1;
  const build = (width: number): Model => buildZooModel(formatZooSpec({ ...zoo, options: { ...zoo.options, width: baseWidth * width } }), { seed: ctx.seed });
  if (choice.name === 'uniform') return uniformMethod({ build });
  const data = scorerNeedsData(choice.scorer) ? labelledBatches(trainSet, ctx.seed)[0] : undefined;
  return initialisationMethod({ kind: choice.name, scorer: choice.scorer, build: () => build(1), backend: onnxruntimeNode, seed: ctx.seed, ...(data ? { data } : {}) });
}

/** SNIP and GraSP differentiate a loss on labelled data; the others are data-free. */
function scorerNeedsData(scorer: string): boolean {
  const name = scorerName(scorer);
  return name === 'snip' || name === 'grasp';
}

/** Up to 4 seeded batches of 16 training examples. */
function labelledBatches(data: Dataset, seed: number): LabelledBatch[] {
  const subset = limitDataset(data, { limit: 64, seed });
  const pixels = subset.channels * subset.height * subset.width;
  const perLabel = subset.labels.length / subset.count;
  const batches: LabelledBatch[] = [];
  for (let start = 0; start < subset.count; start += 16) {
    const n = Math.min(16, subset.count - start);
    const labels = subset.labels.subarray(start * perLabel, (start + n) * perLabel);
    batches.push({
      input: { dtype: 'float32', dims: [n, subset.channels, subset.height, subset.width], data: subset.images.slice(start * pixels, (start + n) * pixels) },
      labels: { dtype: 'int64', dims: perLabel === 1 ? [n] : [n, subset.height, subset.width], data: BigInt64Array.from(labels, (v) => BigInt(v)) },
    });
  }
  return batches;
}

/** Taylor's gradients on those batches, cross-entropy skipping the dataset's ignore label. */
function taylorGradientsFrom(data: Dataset, seed: number): (model: Model) => Promise<readonly WeightGradients[]> {
  const batches = labelledBatches(data, seed);
  const loss = { kind: 'cross-entropy' as const, ...(data.ignoreLabel !== undefined ? { ignoreIndex: data.ignoreLabel } : {}) };
  return (model) => taylorGradients(model, batches, { backend: onnxruntimeNode, loss, dependencies: buildDependencyGraph(inferModel(model)) });
}

function describeEvent(event: FitEvent, metric: string): string | undefined {
  switch (event.kind) {
    case 'baseline': {
      const b = event.baseline;
      return `unpruned: ${formatCount(b.params)} parameters, ${formatCount(b.macs)} MACs, ${metric} ${b.quality?.toFixed(4) ?? 'n/a'}${event.resumed ? ' (from the state)' : b.trainedBySearch ? ' (trained for the budget)' : ''}`;
    }
    case 'prepared':
      return `made ${event.id}: ${formatCount(event.params)} parameters in ${event.seconds.toFixed(1)} s`;
    case 'unreachable':
      return `skipped ${event.id}: ${event.reason}`;
    case 'timing':
      return `timing ${event.models} models at ${event.configs.map(describeConfig).join('; ')}`;
    case 'training':
      return `training ${event.id} (search step ${event.position})`;
    case 'candidate': {
      const r = event.record;
      const verdict = event.misses.length === 0 ? 'meets every criterion' : `misses: ${event.misses.map((m) => m.message).join(', ')}`;
      return `${r.id}: ${formatCount(effectiveParams(r))} parameters, ${metric} ${r.quality?.toFixed(4) ?? 'n/a'}${event.resumed ? ' (from the state)' : ''}; ${verdict}`;
    }
  }
}

function printSummary(ctx: CommandContext, result: FitResult, info: { criteria: string; metric: string; resultsPath: string; chosenPath: string; statePath: string }): void {
  const configs = result.baseline.latency.map((l) => ({ batch: l.batch, threads: l.threads }));
  const latencyHeaders = configs.map((c) => `ms b${c.batch}/t${c.threads}`);
  const rows = [
    ['dense', '1x', formatCount(result.baseline.params), formatCount(result.baseline.macs), formatBytes(result.baseline.bytes), ...configs.map((c) => latencyCell(result.baseline, c)), result.baseline.quality?.toFixed(4) ?? '-', 'unpruned'],
    ...result.candidates.map((c) => [
      c.id,
      `${c.compression >= 10 ? c.compression.toFixed(0) : c.compression.toFixed(1)}x`,
      formatCount(effectiveParams(c)),
      formatCount(c.macs),
      formatBytes(c.bytes),
      ...configs.map((config) => latencyCell(c, config)),
      c.quality?.toFixed(4) ?? '-',
      result.chosen?.id === c.id ? 'chosen' : c.trained ? (result.pareto.params.includes(c.id) ? 'trained, front' : 'trained') : 'not trained',
    ]),
  ];
  ctx.print(`Criteria: ${info.criteria}.`);
  ctx.print();
  for (const line of formatTable(['model', 'compr.', 'params', 'MACs', 'bytes', ...latencyHeaders, info.metric, ''], rows, ['left', 'right', 'right', 'right', 'right', ...configs.map(() => 'right' as const), 'right', 'left'])) ctx.print(line);
  ctx.print();
  for (const u of result.unreachable) ctx.print(`Skipped ${u.id}: ${u.reason}`);
  ctx.print(`Searched (${result.strategy}): ${result.searched.join(', ') || 'nothing to train'}; trained now: ${result.trainedNow.length}.`);
  ctx.print(`Pareto front, ${info.metric} vs parameters: ${result.pareto.params.join(', ')}.`);
  ctx.print(`Pareto front, ${info.metric} vs latency at ${describeConfig(result.pareto.latencyConfig)}: ${result.pareto.latency.join(', ')}.`);
  ctx.print();
  if (result.chosen) {
    ctx.print(result.chosen.reason);
    ctx.print(`Wrote ${info.chosenPath}, ${info.resultsPath} and ${info.statePath}.`);
  } else {
    ctx.print(result.failure);
    ctx.print(`Wrote ${info.resultsPath} and ${info.statePath}; nothing chosen (exit code 5). Relax a criterion, extend --ladder or raise --budget.`);
  }
}

function latencyCell(measures: { readonly latency: CandidateRecord['latency'] }, config: LatencyConfig): string {
  const l = measures.latency.find((m) => m.batch === config.batch && m.threads === config.threads);
  return l ? formatMs(l.medianMs) : '-';
}

/** One progress bar per candidate's training (steps, or seconds for a time budget) and one for timing. */
class CandidateBars {
  private bar: ProgressBar | undefined;
  private key = '';

  constructor(private readonly ctx: CommandContext) {}

  train(id: string, p: TrainProgress): void {
    if (p.phase !== 'train') return;
    this.open(`train ${id}`, p.totalSteps ?? p.stepsPerEpoch, 'steps');
    this.bar!.update(p.step);
  }

  timing(done: number, total: number): void {
    this.open('latency', total, 'runs');
    this.bar!.update(done);
  }

  private open(key: string, total: number, unit: string): void {
    if (key === this.key) return;
    this.finish();
    this.key = key;
    this.bar = this.ctx.progress(key, total, unit);
  }

  finish(): void {
    this.bar?.finish();
    this.bar = undefined;
    this.key = '';
  }
}
