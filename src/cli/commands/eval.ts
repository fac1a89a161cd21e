/** `sculpt eval`: a model's accuracy, or per-class Dice and IoU, on a dataset. */
import { DATASET_SPEC_USAGE, evaluate, loadDataset, onnxruntimeNode, SculptError, type Dataset, type Metrics } from '../../index.js';
import type { Command } from '../command.js';
import { formatInteger, formatTable } from '../format.js';

/** The dataset part a result is about. */
export interface DataJson {
  readonly spec: string;
  /** The part evaluated ('test' or 'train') and its name ('mnist/test'). */
  readonly part: 'test' | 'train';
  readonly name: string;
  readonly count: number;
  /** Training examples (train only). */
  readonly trainCount?: number;
  readonly task: 'classification' | 'segmentation';
  readonly classes: number;
}

/**
 * Metrics in JSON. Classification: loss, accuracy, correct, count. Segmentation: loss, count
 * (pixels), pixelAccuracy, per-class `classes` [{ name, dice, iou }] (null where a class is neither
 * labelled nor predicted), and the means (foreground: without class 0).
 */
export type MetricsJson =
  | { readonly task: 'classification'; readonly loss: number; readonly accuracy: number; readonly correct: number; readonly count: number }
  | {
      readonly task: 'segmentation';
      readonly loss: number;
      readonly count: number;
      readonly pixelAccuracy: number;
      readonly meanForegroundDice: number;
      readonly meanForegroundIoU: number;
      readonly meanDice: number;
      readonly meanIoU: number;
      readonly classes: readonly { readonly name: string; readonly dice: number | null; readonly iou: number | null }[];
    };

/** The --json object of `sculpt eval`. */
export interface EvalJson {
  readonly model: string;
  readonly data: DataJson;
  readonly metrics: MetricsJson;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a model on a dataset: accuracy, or per-class Dice and IoU',
  description:
    'Runs the model (BN in inference mode) over the test part of the dataset (or --part train) on\n' +
    'onnxruntime. Classification reports top-1 accuracy; segmentation reports Dice and IoU per class\n' +
    'from pixel counts summed over the whole set, and their means over the foreground classes (class\n' +
    '0 is the background) and over all classes. Pixels holding the dataset’s ignore label are not\n' +
    'counted. The loss is the mean cross-entropy.\n' +
    `Datasets: ${DATASET_SPEC_USAGE.join(' | ')}`,
  positionals: [{ name: 'model', description: 'an .onnx file or zoo:<name>' }],
  options: [
    { name: 'data', kind: 'value', valueName: 'spec', description: 'the dataset: mnist, cifar10:<dir>, phantom[:size], folder:<dir>, ... (see above)' },
    { name: 'part', kind: 'value', valueName: 'name', description: 'test or train', defaultText: 'test' },
    { name: 'batch', kind: 'value', valueName: 'n', description: 'examples per run', defaultText: '100' },
    { name: 'limit', kind: 'value', valueName: 'n', description: 'evaluate at most n examples (seeded, stratified)' },
    { name: 'threads', kind: 'value', valueName: 'n', description: 'onnxruntime intra-op threads', defaultText: 'all cores' },
  ],
  examples: ['sculpt eval resnet20-mnist.onnx --data mnist', 'sculpt eval unet.onnx --data phantom:64 --json', 'sculpt eval model.onnx --data cifar10:/data/cifar --part train --limit 5000'],
  async run(ctx) {
    const resolved = await ctx.resolveModel(ctx.args.positionals[0]!);
    const { args } = ctx;
    const dataSpec = args.string('data');
    if (dataSpec === undefined) throw new SculptError('BAD_ARGUMENT', `sculpt eval needs --data <spec>; allowed: ${DATASET_SPEC_USAGE.join(' | ')}`);
    const part = args.string('part') ?? 'test';
    if (part !== 'test' && part !== 'train') throw new SculptError('BAD_ARGUMENT', `--part got '${part}'; allowed: test, train`);
    const limit = args.has('limit') ? args.integer('limit', { default: 0, min: 1 }) : undefined;
    const loaded = loadDataset(dataSpec, { seed: ctx.seed, ...(limit !== undefined ? { limit } : {}) });
    const data = part === 'test' ? loaded.test : loaded.train;
    const bar = ctx.progress(`eval ${data.name}`, data.count, 'img');
    let metrics: Metrics;
    try {
      metrics = await evaluate(resolved.model, data, {
        backend: onnxruntimeNode,
        batchSize: args.integer('batch', { default: 100, min: 1, max: 65536 }),
        onProgress: (done) => bar.update(done),
        ...(args.has('threads') ? { threads: args.integer('threads', { default: 1, min: 1, max: 256 }) } : {}),
      });
    } finally {
      bar.finish();
    }
    if (ctx.json) {
      const json: EvalJson = { model: resolved.spec, data: dataSummary(loaded.spec.text, data, part), metrics: metricsJson(metrics, data.classNames) };
      ctx.printJson(json);
      return;
    }
    for (const line of formatMetrics(metrics, data)) ctx.print(line);
    ctx.print(`evaluated ${resolved.label} on ${data.name} (${formatInteger(data.count)} examples)`);
  },
};

/** The `data` field of the JSON outputs. */
export function dataSummary(spec: string, data: Dataset, part: 'test' | 'train', trainCount?: number): DataJson {
  return { spec, part, name: data.name, count: data.count, ...(trainCount !== undefined ? { trainCount } : {}), task: data.task, classes: data.numClasses };
}

/** Metrics as JSON (class names from the dataset where it has them). */
export function metricsJson(metrics: Metrics, classNames: readonly string[] | undefined): MetricsJson {
  if (metrics.task === 'classification') {
    const { task, loss, accuracy, correct, count } = metrics;
    return { task, loss, accuracy, correct, count };
  }
  return {
    task: metrics.task,
    loss: metrics.loss,
    count: metrics.count,
    pixelAccuracy: metrics.pixelAccuracy,
    meanForegroundDice: metrics.meanForegroundDice,
    meanForegroundIoU: metrics.meanForegroundIoU,
    meanDice: metrics.meanDice,
    meanIoU: metrics.meanIoU,
    classes: metrics.dice.map((dice, c) => ({ name: classNames?.[c] ?? String(c), dice, iou: metrics.iou[c] ?? null })),
  };
}

function score(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '-' : value.toFixed(4);
}

/** Human-readable lines: accuracy, or a per-class Dice/IoU table with the means. */
export function formatMetrics(metrics: Metrics, data: Dataset): string[] {
  if (metrics.task === 'classification') {
    return [`accuracy ${(100 * metrics.accuracy).toFixed(2)}% (${formatInteger(metrics.correct)} of ${formatInteger(metrics.count)}), loss ${metrics.loss.toFixed(4)}`];
  }
  const rows = metrics.dice.map((dice, c) => [String(c), data.classNames?.[c] ?? '', score(dice), score(metrics.iou[c] ?? null)]);
  return [
    ...formatTable(['class', 'name', 'Dice', 'IoU'], rows, ['right', 'left', 'right', 'right']),
    `mean foreground Dice ${score(metrics.meanForegroundDice)}, IoU ${score(metrics.meanForegroundIoU)} (classes 1..${metrics.dice.length - 1}); all classes Dice ${score(metrics.meanDice)}, IoU ${score(metrics.meanIoU)}`,
    `pixel accuracy ${(100 * metrics.pixelAccuracy).toFixed(2)}% of ${formatInteger(metrics.count)} pixels, loss ${metrics.loss.toFixed(4)}`,
  ];
}

/** A finite number option within an optional range. */
export function parseNumber(raw: string, what: string, range: { readonly min?: number; readonly max?: number } = {}): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value)) throw new SculptError('BAD_ARGUMENT', `${what} must be a number, got '${raw}'`);
  if (range.min !== undefined && value < range.min) throw new SculptError('BAD_ARGUMENT', `${what} must be at least ${range.min}, got ${value}`);
  if (range.max !== undefined && value > range.max) throw new SculptError('BAD_ARGUMENT', `${what} must be at most ${range.max}, got ${value}`);
  return value;
}
