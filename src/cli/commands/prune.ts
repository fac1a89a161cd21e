/**
 * `sculpt prune`: a physically smaller model. Structured methods score channels (l1, l2, bn,
 * taylor, random) and cut the lowest until a target is met, or delete channels that are already
 * zero (structured-zero); upai and reconvene prune at initialisation with a scorer.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  buildDependencyGraph,
  CHANNEL_CRITERIA,
  feedInputs,
  inferModel,
  limitDataset,
  loadDataset,
  taylorGradients,
  layerCosts,
  layerWidths,
  onnxruntimeNode,
  pruneModelChannels,
  reconvenePrune,
  SculptError,
  structuredZero,
  totalCost,
  encodeModel,
  upaiPrune,
  type ChannelCriterionName,
  type Dataset,
  type LabelledBatch,
  type LayerWidth,
  type Model,
  type ModelSize,
  type PruneScope,
  type PruneTarget,
  type Shape,
  type WeightGradients,
} from '../../index.js';
import { OUTPUT_OPTIONS, type Command, type CommandContext, type ResolvedModel } from '../command.js';
import { formatBytes, formatCount, formatInteger, formatMs, formatRatio, formatTable } from '../format.js';
import { parseInputShapes, resolvedInputShapes } from '../model-arg.js';

const CRITERION_METHODS = Object.keys(CHANNEL_CRITERIA) as ChannelCriterionName[];
const INIT_METHODS = ['upai', 'reconvene'] as const;
const METHODS = ['upai', 'reconvene', 'structured-zero', ...CRITERION_METHODS] as const;
const SCORERS = ['rand', 'mag', 'snip', 'grasp', 'synflow'] as const;
/** Scorers that differentiate the loss on labelled data. */
const DATA_SCORERS = ['snip', 'grasp'] as const;
const TARGETS: readonly PruneTarget[] = ['channels', 'params', 'macs'];
const SCOPES: readonly PruneScope[] = ['global', 'local'];
/** Options that only channel criteria read. */
const CRITERION_OPTIONS = ['target', 'scope', 'steps', 'round-to', 'min-channels'] as const;
/** Options that only criteria reading data (taylor) use. */
const DATA_OPTIONS = ['data', 'batches', 'batch-size'] as const;

type Method = (typeof METHODS)[number];

/** The --json object of `sculpt prune`. */
export interface PruneJson {
  readonly method: Method;
  readonly output: string;
  readonly before: ModelSize;
  readonly after: ModelSize;
  /** Wall time of the pruning (reading --data, scoring, selection, surgery, self-tests), without reading the model and writing the output. */
  readonly timeMs: number;
  readonly layers: readonly LayerWidth[];
  /** Groups that could lose channels (criterion methods; empty for structured-zero): widths in group indices, producers by node name. */
  readonly groups: readonly { readonly group: number; readonly producers: readonly string[]; readonly before: number; readonly after: number }[];
  /** The equivalence self-test over all cuts, or null with --no-self-test. */
  readonly selfTest: { readonly cuts: number; readonly maxError: number } | null;
}

export const prune: Command = {
  name: 'prune',
  summary: 'remove channels: by a criterion to a target, all-zero channels, or pruning at initialisation',
  description:
    'Structured methods score every prunable channel group and remove the lowest-scored channels until\n' +
    'the target is met: l1/l2 (norms of the filters making a channel), bn (|BatchNorm gamma|), taylor\n' +
    '(|activation x gradient| on labelled data, needs --data) and random. --ratio R keeps R of the\n' +
    'target (channels of the prunable groups, parameters or MACs); --sparsity P removes P (R = 1 - P).\n' +
    'Global scope divides scores by their group’s maximum and lets channels compete across groups;\n' +
    'local scope keeps the same share of every group. structured-zero deletes channels that are zero\n' +
    'across their whole group, nothing else. upai and reconvene prune at initialisation with --scorer.\n' +
    'Every cut is checked: the smaller model must equal the original with those channels zeroed.',
  positionals: [{ name: 'model', description: 'an .onnx file or zoo:<name>' }],
  options: [
    { name: 'method', kind: 'value', valueName: 'name', description: `${METHODS.join(', ')}` },
    { name: 'scorer', kind: 'value', valueName: 'name', description: `scorer of upai/reconvene: ${SCORERS.join(', ')}` },
    { name: 'ratio', kind: 'value', valueName: 'R', description: 'fraction of the target to keep, in (0, 1]' },
    { name: 'sparsity', kind: 'value', valueName: 'P', description: 'fraction to remove, in [0, 1) (weights for upai/reconvene, the target otherwise)' },
    { name: 'target', kind: 'value', valueName: 'what', description: 'what --ratio counts: channels, params, macs', defaultText: 'channels' },
    { name: 'scope', kind: 'value', valueName: 'scope', description: 'global (normalised scores compete across groups) or local (same share per group)', defaultText: 'global' },
    { name: 'steps', kind: 'value', valueName: 'k', description: 'iterative schedule: k cuts, re-scoring between them', defaultText: '1' },
    { name: 'round-to', kind: 'value', valueName: 'n', description: 'round kept widths of pruned groups up to a multiple of n (e.g. 4, 8)', defaultText: '1' },
    { name: 'min-channels', kind: 'value', valueName: 'n', description: 'channels every group keeps at least', defaultText: '1' },
    { name: 'data', kind: 'value', valueName: 'spec', description: 'labelled data for taylor (and data-driven scorers), as a dataset spec (e.g. cifar10, phantom,n=200)' },
    { name: 'batches', kind: 'value', valueName: 'n', description: 'taylor: labelled batches the scores are averaged over (seeded draw from the training part)', defaultText: '4' },
    { name: 'batch-size', kind: 'value', valueName: 'n', description: 'taylor: examples per batch', defaultText: '32' },
    { name: 'input-shape', kind: 'value', valueName: 'dims', repeatable: true, description: 'input shape, e.g. 1,3,32,32 (name:1,3,32,32 for one of several inputs)' },
    { name: 'no-self-test', kind: 'flag', description: 'skip the equivalence self-test after each cut' },
    ...OUTPUT_OPTIONS,
  ],
  examples: [
    'sculpt prune model.onnx --method l1 --ratio 0.5 --target params -o small.onnx',
    'sculpt prune zoo:resnet20 --method bn --sparsity 0.3 --scope local --round-to 8 -o r20.onnx --json',
    'sculpt prune model.onnx --method structured-zero -o shifted.onnx',
    'sculpt prune model.onnx --method taylor --data cifar10:/data/cifar,limit=256 --ratio 0.6 --steps 3 -o small.onnx',
  ],
  async run(ctx) {
    const plan = parsePlan(ctx);
    const resolved = await ctx.resolveModel(ctx.args.positionals[0]!);
    const output = requireOutput(ctx, resolved);
    const given = parseInputShapes(ctx.args.strings('input-shape'), resolved.model, resolved.label);
    const inputShapes = resolvedInputShapes(resolved.model, given, resolved.label);
    const method = requireMethod(plan);
    const started = performance.now();
    const result = await runMethod(ctx, method, plan, resolved, inputShapes);
    const timeMs = performance.now() - started;
    ctx.writeOutput(output, result.encoded);
    if (ctx.json) {
      const json: PruneJson = { method, output, before: result.before, after: result.after, timeMs, layers: result.layers, groups: result.groups, selfTest: result.selfTest ?? null };
      ctx.printJson(json);
      return;
    }
    printResult(ctx, { method, label: resolved.label, output, timeMs, result });
  },
};

/** Everything the options say, checked before the model is read. */
interface Plan {
  readonly method?: Method;
  readonly scorer?: (typeof SCORERS)[number];
  /** Fraction of the target to keep. */
  readonly keepRatio?: number;
  readonly target: PruneTarget;
  readonly scope: PruneScope;
  readonly steps: number;
  readonly roundTo: number;
  readonly minChannels: number;
  readonly data?: string;
  readonly batches: number;
  readonly batchSize: number;
  readonly selfTest: boolean;
}

function parsePlan(ctx: CommandContext): Plan {
  const args = ctx.args;
  const method = choice(args.string('method'), METHODS, '--method');
  const scorer = choice(args.string('scorer'), SCORERS, '--scorer');
  const ratioText = args.string('ratio');
  const sparsityText = args.string('sparsity');
  if (ratioText !== undefined && sparsityText !== undefined) {
    throw new SculptError('BAD_ARGUMENT', '--ratio and --sparsity say the same thing (ratio = 1 - sparsity); give one of them');
  }
  let keepRatio: number | undefined;
  if (ratioText !== undefined) keepRatio = fraction(ratioText, '--ratio', 'in (0, 1] (the fraction to keep)', (x) => x > 0 && x <= 1);
  if (sparsityText !== undefined) keepRatio = 1 - fraction(sparsityText, '--sparsity', 'in [0, 1) (the fraction to remove)', (x) => x >= 0 && x < 1);
  const data = args.string('data');
  if (method !== undefined) checkMethodOptions(ctx, method, scorer, keepRatio, data);
  return {
    ...(method !== undefined ? { method } : {}),
    ...(scorer !== undefined ? { scorer } : {}),
    ...(keepRatio !== undefined ? { keepRatio } : {}),
    target: choice(args.string('target'), TARGETS, '--target') ?? 'channels',
    scope: choice(args.string('scope'), SCOPES, '--scope') ?? 'global',
    steps: args.integer('steps', { default: 1, min: 1, max: 1000 }),
    roundTo: args.integer('round-to', { default: 1, min: 1, max: 4096 }),
    minChannels: args.integer('min-channels', { default: 1, min: 1, max: 1 << 20 }),
    ...(data !== undefined ? { data } : {}),
    batches: args.integer('batches', { default: 4, min: 1, max: 10000 }),
    batchSize: args.integer('batch-size', { default: 32, min: 1, max: 65536 }),
    selfTest: !args.flag('no-self-test'),
  };
}

/** Refuses option combinations that a method would ignore. */
function checkMethodOptions(ctx: CommandContext, method: Method, scorer: string | undefined, keepRatio: number | undefined, data: string | undefined): void {
  const initMethod = (INIT_METHODS as readonly string[]).includes(method);
  if (!initMethod && scorer !== undefined) {
    throw new SculptError('BAD_ARGUMENT', `--scorer applies to --method upai and reconvene (pruning at initialisation); --method ${method} ranks channels itself: drop --scorer`);
  }
  if (method === 'structured-zero') {
    const extra = ['ratio', 'sparsity', ...DATA_OPTIONS, ...CRITERION_OPTIONS].find((o) => ctx.args.has(o));
    if (extra) throw new SculptError('BAD_ARGUMENT', `--method structured-zero removes exactly the channels that are already zero; it takes no --${extra}`);
    return;
  }
  if (initMethod) {
    if (scorer === undefined) throw new SculptError('BAD_ARGUMENT', `--method ${method} needs --scorer (${SCORERS.join(', ')})`);
    if (keepRatio === undefined) throw new SculptError('BAD_ARGUMENT', `--method ${method} needs --sparsity P, the fraction of weights to remove, e.g. 0.9`);
    const scorerNeedsData = (DATA_SCORERS as readonly string[]).includes(scorer);
    if (scorerNeedsData && data === undefined) throw new SculptError('BAD_ARGUMENT', `--scorer ${scorer} needs labelled data: give --data <spec> (one batch of --batch-size examples), e.g. --data cifar10`);
    const dataOption = DATA_OPTIONS.find((o) => ctx.args.has(o));
    if (!scorerNeedsData && dataOption !== undefined) throw new SculptError('BAD_ARGUMENT', `--scorer ${scorer} does not read data; drop --${dataOption} (snip and grasp use it)`);
    return;
  }
  if (keepRatio === undefined) {
    throw new SculptError('BAD_ARGUMENT', `--method ${method} needs --ratio R (the fraction of the target to keep, e.g. 0.5) or --sparsity P (the fraction to remove)`);
  }
  const needsData = CHANNEL_CRITERIA[method as ChannelCriterionName].needsGradients;
  if (needsData && data === undefined) throw new SculptError('BAD_ARGUMENT', `--method ${method} needs labelled data: give --data <spec>, e.g. --data cifar10:/data/cifar,limit=256`);
  const dataOption = DATA_OPTIONS.find((o) => ctx.args.has(o));
  if (!needsData && dataOption !== undefined) throw new SculptError('BAD_ARGUMENT', `--method ${method} does not read data; drop --${dataOption} (taylor is the criterion that uses it)`);
}

function requireMethod(plan: Plan): Method {
  if (plan.method === undefined) throw new SculptError('BAD_ARGUMENT', `give --method: ${METHODS.join(', ')} (see 'sculpt prune --help')`);
  return plan.method;
}

/** The -o path, refused early (before any work) when the frame's writeOutput would refuse it. */
function requireOutput(ctx: CommandContext, resolved: ResolvedModel): string {
  const output = ctx.args.string('output');
  if (output === undefined) throw new SculptError('BAD_ARGUMENT', "give the output path with -o, e.g. -o pruned.onnx (the input model is never modified)");
  if (resolved.path !== undefined && resolve(resolved.path) === resolve(output)) {
    throw new SculptError('BAD_ARGUMENT', `refusing to overwrite the input file '${output}'; choose another output path`);
  }
  if (!ctx.args.flag('force') && existsSync(output)) throw new SculptError('BAD_ARGUMENT', `'${output}' already exists; pass --force to replace it`);
  return output;
}

interface MethodResult {
  readonly encoded: Uint8Array;
  readonly before: ModelSize;
  readonly after: ModelSize;
  readonly layers: readonly LayerWidth[];
  readonly groups: PruneJson['groups'];
  /** Cuts and the largest self-test error, when the self-test ran. */
  readonly selfTest?: { readonly cuts: number; readonly maxError: number };
  readonly notes: readonly string[];
}

async function runMethod(ctx: CommandContext, method: Method, plan: Plan, resolved: ResolvedModel, inputShapes: Record<string, Shape>): Promise<MethodResult> {
  if ((INIT_METHODS as readonly string[]).includes(method)) return runInitMethod(ctx, method, plan, resolved, inputShapes);
  if (method === 'structured-zero') return runStructuredZero(ctx, plan, resolved, inputShapes);
  const criterion = CHANNEL_CRITERIA[method as ChannelCriterionName];
  const bar = ctx.progress('prune', plan.steps, 'steps');
  try {
    const result = await pruneModelChannels(resolved.model, {
      criterion,
      keepRatio: plan.keepRatio!,
      target: plan.target,
      scope: plan.scope,
      steps: plan.steps,
      roundTo: plan.roundTo,
      minChannels: plan.minChannels,
      seed: ctx.seed,
      backend: onnxruntimeNode,
      selfTest: plan.selfTest ? { seed: ctx.seed } : false,
      inputShapes,
      originalBytes: resolved.storedBytes,
      ...(criterion.needsGradients ? { gradients: gradientsFromData(ctx, plan, resolved.model, inputShapes) } : {}),
      onStep: (step) => bar.update(step.step),
    });
    const tests = result.steps.flatMap((s) => (s.selfTest ? [s.selfTest.maxError] : []));
    const notes = result.steps.length < plan.steps ? [`${plan.steps - result.steps.length} of ${plan.steps} steps had nothing to remove (the target was already met).`] : [];
    return {
      encoded: result.encoded,
      before: result.before,
      after: result.after,
      layers: result.layers,
      groups: result.groups.map(({ group, producers, before, after }) => ({ group, producers, before, after })),
      ...(tests.length > 0 ? { selfTest: { cuts: tests.length, maxError: Math.max(...tests) } } : {}),
      notes,
    };
  } finally {
    bar.finish();
  }
}

/**
 * Taylor's weight gradients: a seeded draw of `--batches` x `--batch-size` examples from the
 * training part of the --data spec, the same batches at every step (each step differentiates the
 * current model). Cross-entropy, skipping the dataset's ignore label.
 */
function gradientsFromData(ctx: CommandContext, plan: Plan, model: Model, inputShapes: Record<string, Shape>): (model: Model) => Promise<readonly WeightGradients[]> {
  const { train } = loadDataset(plan.data!, { seed: ctx.seed });
  checkDataFitsModel(train, plan.data!, model, inputShapes);
  const batches = labelledBatches(train, plan, ctx.seed);
  const loss = { kind: 'cross-entropy' as const, ...(train.ignoreLabel !== undefined ? { ignoreIndex: train.ignoreLabel } : {}) };
  return (current) => taylorGradients(current, batches, { backend: onnxruntimeNode, loss, dependencies: buildDependencyGraph(inferModel(current, { inputShapes })) });
}

function checkDataFitsModel(data: Dataset, spec: string, model: Model, inputShapes: Record<string, Shape>): void {
  const inputs = feedInputs(model.graph);
  if (inputs.length !== 1) throw new SculptError('BAD_ARGUMENT', `--method taylor feeds data to a model with one input; this model has ${inputs.length}`);
  const shape = inputShapes[inputs[0]!.name] ?? [];
  const want = shape.slice(1).join('x');
  const have = `${data.channels}x${data.height}x${data.width}`;
  if (want !== have) {
    throw new SculptError('BAD_ARGUMENT', `--data '${spec}' has ${have} images, but the model's input '${inputs[0]!.name}' takes ${want}; choose data of that size (or --input-shape for a model with symbolic dims)`);
  }
}

/** Consecutive batches of a seeded subset of the dataset (fewer, smaller ones for a small dataset). */
function labelledBatches(data: Dataset, plan: Plan, seed: number): LabelledBatch[] {
  const subset = limitDataset(data, { limit: plan.batches * plan.batchSize, seed });
  const pixels = subset.channels * subset.height * subset.width;
  const perLabel = subset.labels.length / subset.count;
  const batches: LabelledBatch[] = [];
  for (let start = 0; start < subset.count; start += plan.batchSize) {
    const n = Math.min(plan.batchSize, subset.count - start);
    const labels = subset.labels.subarray(start * perLabel, (start + n) * perLabel);
    batches.push({
      input: { dtype: 'float32', dims: [n, subset.channels, subset.height, subset.width], data: subset.images.slice(start * pixels, (start + n) * pixels) },
      labels: { dtype: 'int64', dims: perLabel === 1 ? [n] : [n, subset.height, subset.width], data: BigInt64Array.from(labels, (v) => BigInt(v)) },
    });
  }
  return batches;
}

/** upai / reconvene: score at initialisation, mask, and (reconvene) rebuild the insensitive layers narrower. */
async function runInitMethod(ctx: CommandContext, method: Method, plan: Plan, resolved: ResolvedModel, inputShapes: Record<string, Shape>): Promise<MethodResult> {
  const model = resolved.model;
  let data: LabelledBatch | undefined;
  if (plan.data !== undefined) {
    const { train } = loadDataset(plan.data, { seed: ctx.seed });
    checkDataFitsModel(train, plan.data, model, inputShapes);
    data = labelledBatches(train, { ...plan, batches: 1 }, ctx.seed)[0];
  }
  const input = feedInputs(model.graph)[0];
  const shape = input ? inputShapes[input.name] : undefined;
  const options = {
    scorer: plan.scorer!,
    sparsity: 1 - plan.keepRatio!,
    seed: ctx.seed,
    backend: onnxruntimeNode,
    inputShapes,
    ...(data ? { data } : {}),
    ...(shape && shape.slice(1).every((d) => typeof d === 'number') ? { inputShape: shape.slice(1) as number[] } : {}),
  };
  const notes: string[] = [];
  let pruned: Model;
  let selfTest: MethodResult['selfTest'];
  if (method === 'upai') {
    const result = await upaiPrune(model, options);
    pruned = result.model;
    notes.push(`UPaI (${result.report.scorer}) kept ${formatInteger(result.report.kept)} of ${formatInteger(result.report.total)} prunable weights (${(100 * result.report.density).toFixed(2)}%); masked weights are zero in the output.`);
  } else {
    const result = await reconvenePrune(model, { ...options, selfTest: plan.selfTest ? { seed: ctx.seed } : false });
    pruned = result.model;
    const rectified = result.report.layers.filter((l) => l.outcome === 'rectified').length;
    notes.push(
      `Reconvene (${result.report.upai.scorer}, PSE rule ${result.report.rule} at ${result.report.threshold.toPrecision(3)}): ${rectified} layer(s) rebuilt narrower and dense, ` +
        `${result.report.layers.length - rectified} keep their UPaI masks (zeros in the output); ${formatInteger(result.report.keptWeights)} prunable weights kept.`,
    );
    if (result.report.selfTest) selfTest = { cuts: 1, maxError: result.report.selfTest.maxError };
  }
  return wholeModelResult(model, pruned, resolved.storedBytes, inputShapes, selfTest, notes);
}

/** A method's result when it rewrites the whole model at once (no per-group cuts to list). */
function wholeModelResult(
  model: Model,
  pruned: Model,
  storedBytes: number,
  inputShapes: Record<string, Shape>,
  selfTest: MethodResult['selfTest'],
  notes: readonly string[],
): MethodResult {
  const encoded = encodeModel(pruned);
  const beforeTyped = inferModel(model, { inputShapes });
  const afterTyped = inferModel(pruned, { inputShapes });
  const size = (typed: typeof beforeTyped, bytes: number): ModelSize => ({ ...totalCost(layerCosts(typed)), bytes });
  return {
    encoded,
    before: size(beforeTyped, storedBytes),
    after: size(afterTyped, encoded.byteLength),
    layers: layerWidths(beforeTyped, afterTyped),
    groups: [],
    ...(selfTest ? { selfTest } : {}),
    notes,
  };
}

async function runStructuredZero(ctx: CommandContext, plan: Plan, resolved: ResolvedModel, inputShapes: Record<string, Shape>): Promise<MethodResult> {
  const model = resolved.model;
  const result = await structuredZero(model, { backend: onnxruntimeNode, seed: ctx.seed, selfTest: plan.selfTest, inputShapes });
  const notes = result.folded.length > 0 ? [`Folded ${result.folded.length} BatchNormalization node(s) with zero scales into their convolutions first.`] : [];
  if (result.removed.length === 0) notes.push('No channel is zero across its whole group: the model is unchanged.');
  const selfTest = result.selfTest ? { cuts: 1, maxError: result.selfTest.maxError } : undefined;
  return wholeModelResult(model, result.model, resolved.storedBytes, inputShapes, selfTest, notes);
}

function printResult(ctx: CommandContext, run: { method: Method; label: string; output: string; timeMs: number; result: MethodResult }): void {
  const { result } = run;
  const { before, after } = result;
  const rows = [
    ['before', formatInteger(before.params), formatInteger(before.macs), formatBytes(before.bytes)],
    ['after', formatInteger(after.params), formatInteger(after.macs), formatBytes(after.bytes)],
    ['after/before', formatRatio(after.params / before.params), formatRatio(after.macs / before.macs), formatRatio(after.bytes / before.bytes)],
  ];
  for (const line of formatTable(['', 'params', 'MACs/sample', 'bytes'], rows, ['left', 'right', 'right', 'right'])) ctx.print(line);
  ctx.print();
  const layerRows = result.layers.map((l, i) => [String(i), l.name || '(unnamed)', l.op, String(l.before), String(l.after), l.before > 0 ? `${((100 * l.after) / l.before).toFixed(0)}%` : '-']);
  for (const line of formatTable(['#', 'layer', 'op', 'channels', 'after', 'kept'], layerRows, ['right', 'left', 'left', 'right', 'right', 'right'])) ctx.print(line);
  ctx.print();
  for (const note of result.notes) ctx.print(note);
  if (result.selfTest) ctx.print(`Self-test passed on ${result.selfTest.cuts} cut(s): largest output error ${result.selfTest.maxError.toExponential(1)}.`);
  else if (run.method === 'upai') ctx.print('UPaI cuts no channels: nothing to self-test.');
  else ctx.print('Self-test skipped (--no-self-test).');
  ctx.print(
    `${run.label} -> ${run.output}: ${formatCount(after.params)} parameters, ${formatCount(after.macs)} MACs per sample, ${formatBytes(after.bytes)}; ` +
      `pruned by ${run.method} in ${formatMs(run.timeMs)} ms.`,
  );
}

/** A value from a fixed set, or undefined when the option was not given. */
function choice<T extends string>(raw: string | undefined, choices: readonly T[], name: string): T | undefined {
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) throw new SculptError('BAD_ARGUMENT', `${name} got '${raw}'; allowed: ${choices.join(', ')}`);
  return raw as T;
}

/** A number option that must satisfy `ok` (described by `allowed`). */
function fraction(raw: string, name: string, allowed: string, ok: (x: number) => boolean): number {
  const value = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(value) || !ok(value)) throw new SculptError('BAD_ARGUMENT', `${name} must be a number ${allowed}, got '${raw}'`);
  return value;
}
