/** `sculpt train`: trains a model on a dataset with onnxruntime and writes the trained ONNX model. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DATASET_SPEC_USAGE,
  defaultMilestones,
  encodeModel,
  hasCheckpointFile,
  headlineMetric,
  loadCheckpointFile,
  loadDataset,
  loadModelFile,
  onnxruntimeNode,
  saveCheckpointFile,
  SculptError,
  train,
  checkpointPath,
  type EpochRecord,
  type LossOptions,
  type Metrics,
  type Model,
  type OptimizerOptions,
  type ScheduleOptions,
  type Tensor,
  type TrainBudget,
  type TrainResult,
} from '../../index.js';
import type { ParsedArgs } from '../args.js';
import { OUTPUT_OPTIONS, type Command, type CommandContext } from '../command.js';
import { formatInteger } from '../format.js';
import type { ProgressBar } from '../progress.js';
import { dataSummary, formatMetrics, metricsJson, parseNumber, type DataJson, type MetricsJson } from './eval.js';

/**
 * The --json object of `sculpt train`. `metrics` is the final evaluation on the test part
 * (classification: accuracy; segmentation: per-class Dice and IoU, null for a class absent from
 * both prediction and labels); `history` has one entry per epoch.
 */
export interface TrainJson {
  readonly model: string;
  readonly output: string;
  readonly bytes: number;
  readonly data: DataJson;
  readonly steps: number;
  readonly epochs: number;
  readonly seconds: number;
  readonly stoppedBy: TrainResult['stoppedBy'];
  /** Mean of the epochs' training throughput (evaluation excluded). */
  readonly imagesPerSecond: number;
  readonly metrics: MetricsJson | null;
  readonly history: readonly {
    readonly epoch: number;
    readonly step: number;
    readonly trainLoss: number;
    readonly learningRate: number;
    readonly imagesPerSecond: number;
    readonly seconds: number;
    readonly partial: boolean;
    readonly metrics: MetricsJson | null;
  }[];
  readonly checkpoint: string | null;
}

const OPTIMIZERS = ['sgd', 'adam', 'adamw'] as const;
const SCHEDULES = ['cosine', 'step', 'constant'] as const;
const LOSSES = ['cross-entropy', 'dice', 'cross-entropy+dice'] as const;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model on a dataset (onnxruntime training graphs) and write the trained ONNX model',
  description:
    'Trains with Sculpt’s ONNX training-step graph on onnxruntime: seeded shuffling, augmentation\n' +
    '(random crop with padding H/8 and horizontal flip; the same transform on image and mask for\n' +
    'segmentation), a learning-rate schedule, evaluation on the test part after every epoch, and a\n' +
    'guard that stops on NaN/inf. The output is the forward model with the learned weights and BN\n' +
    'statistics (masked weights exactly zero). The budget is --epochs and/or --budget (2ep, 500steps,\n' +
    '90s, 10m, 1h): the first limit reached ends the run; the cosine schedule needs an epoch or step\n' +
    'budget. With --checkpoint-dir a checkpoint (ONNX model + optimizer state + position) is written\n' +
    'atomically after every epoch and on Ctrl-C; --resume continues it exactly.\n' +
    'Masks (--masks): an .onnx file whose initialisers are 0/1 float tensors named like the weights\n' +
    'they mask, or "zeros" to keep every weight that is exactly zero in the model at zero.\n' +
    `Datasets: ${DATASET_SPEC_USAGE.join(' | ')}`,
  positionals: [{ name: 'model', description: 'an .onnx file or zoo:<name> (e.g. zoo:resnet20,input=1x28x28)' }],
  options: [
    { name: 'data', kind: 'value', valueName: 'spec', description: 'the dataset: mnist, cifar10:<dir>, phantom[:size], folder:<dir>, ... (see above)' },
    { name: 'epochs', kind: 'value', valueName: 'n', description: 'epochs to train', defaultText: '10 unless --budget is given' },
    { name: 'budget', kind: 'value', valueName: 'limit', description: 'stop after 2ep, 500steps, 90s, 10m or 1h (whichever limit comes first)' },
    { name: 'batch', kind: 'value', valueName: 'n', description: 'training batch size (the last partial batch of an epoch is skipped)', defaultText: '64' },
    { name: 'lr', kind: 'value', valueName: 'x', description: 'base learning rate', defaultText: '0.1 (sgd), 0.001 (adam, adamw)' },
    { name: 'optimizer', kind: 'value', valueName: 'name', description: 'sgd, adam or adamw', defaultText: 'sgd' },
    { name: 'momentum', kind: 'value', valueName: 'x', description: 'SGD momentum', defaultText: '0.9' },
    { name: 'nesterov', kind: 'flag', description: 'Nesterov momentum (SGD)' },
    { name: 'weight-decay', kind: 'value', valueName: 'x', description: 'weight decay (L2 for sgd/adam, decoupled for adamw)', defaultText: '1e-4 (sgd, adam), 0.01 (adamw)' },
    { name: 'schedule', kind: 'value', valueName: 'name', description: 'cosine, step or constant', defaultText: 'cosine with an epoch/step budget, else constant' },
    { name: 'milestones', kind: 'value', valueName: 'epochs', description: 'step schedule: epochs where the rate is multiplied by --gamma', defaultText: 'one half and three quarters of --epochs' },
    { name: 'gamma', kind: 'value', valueName: 'x', description: 'step schedule factor', defaultText: '0.1' },
    { name: 'warmup', kind: 'value', valueName: 'k', description: 'linear warm-up: k steps, or Nep epochs', defaultText: '0' },
    { name: 'loss', kind: 'value', valueName: 'name', description: 'cross-entropy, dice or cross-entropy+dice', defaultText: 'cross-entropy; cross-entropy+dice for segmentation' },
    { name: 'augment', kind: 'flag', description: 'random crop (padding H/8) and horizontal flip (the default)' },
    { name: 'no-augment', kind: 'flag', description: 'no augmentation' },
    { name: 'no-flip', kind: 'flag', description: 'augment by random crop only (digits, text)' },
    { name: 'masks', kind: 'value', valueName: 'file|zeros', description: 'keep masked weights at zero: a masks .onnx file, or zeros' },
    { name: 'limit', kind: 'value', valueName: 'n', description: 'use at most n training and n test examples (seeded, stratified)' },
    { name: 'eval-every', kind: 'value', valueName: 'k', description: 'evaluate every k epochs (and always at the end)', defaultText: '1' },
    { name: 'eval-batch', kind: 'value', valueName: 'n', description: 'evaluation batch size', defaultText: '100' },
    { name: 'checkpoint-dir', kind: 'value', valueName: 'dir', description: 'write <dir>/checkpoint.onnx after every epoch' },
    { name: 'resume', kind: 'flag', description: 'continue the run in --checkpoint-dir (same seed, batch and data)' },
    { name: 'threads', kind: 'value', valueName: 'n', description: 'onnxruntime intra-op threads', defaultText: 'all cores' },
    ...OUTPUT_OPTIONS,
  ],
  examples: [
    'sculpt train zoo:resnet20,input=1x28x28 --data mnist --epochs 3 --batch 128 --no-flip -o resnet20-mnist.onnx',
    'sculpt train zoo:unet,base=16,depth=3,out=4,input=1x64x64 --data phantom:64 --optimizer adam --lr 3e-3 --budget 5m -o unet.onnx',
    'sculpt train model.onnx --data cifar10:/data/cifar --epochs 160 --schedule step --milestones 80,120 --checkpoint-dir ckpt -o trained.onnx',
    'sculpt train model.onnx --data cifar10:/data/cifar --epochs 160 --schedule step --checkpoint-dir ckpt --resume -o trained.onnx',
    'sculpt train upai.onnx --data mnist --masks zeros --budget 500steps --json -o trained.onnx',
  ],
  async run(ctx) {
    const resolved = await ctx.resolveModel(ctx.args.positionals[0]!);
    const { args } = ctx;
    const output = args.string('output');
    if (output === undefined) throw new SculptError('BAD_ARGUMENT', "sculpt train needs -o <path> for the trained model (see 'sculpt train --help')");
    // Checked now rather than when writing, so a long run never ends in a refused write.
    if (resolved.path !== undefined && resolve(resolved.path) === resolve(output)) throw new SculptError('BAD_ARGUMENT', `refusing to overwrite the input file '${output}'; choose another output path`);
    if (existsSync(output) && !args.flag('force')) throw new SculptError('BAD_ARGUMENT', `'${output}' already exists; pass --force to replace it`);
    const dataSpec = args.string('data');
    if (dataSpec === undefined) throw new SculptError('BAD_ARGUMENT', `sculpt train needs --data <spec>; allowed: ${DATASET_SPEC_USAGE.join(' | ')}`);
    const settings = readSettings(args);
    const checkpointDir = args.string('checkpoint-dir');
    if (args.flag('resume') && checkpointDir === undefined) throw new SculptError('BAD_ARGUMENT', '--resume needs --checkpoint-dir <dir> (the folder of the run to continue)');
    const limit = args.has('limit') ? args.integer('limit', { default: 0, min: 1 }) : undefined;
    const { spec, train: trainSet, test } = loadDataset(dataSpec, { seed: ctx.seed, ...(limit !== undefined ? { limit } : {}) });
    const resume = args.flag('resume') ? loadCheckpointFile(checkpointDir!) : undefined;
    if (!args.flag('resume') && checkpointDir !== undefined && hasCheckpointFile(checkpointDir) && !args.flag('force')) {
      throw new SculptError('BAD_ARGUMENT', `'${checkpointPath(checkpointDir)}' exists from an earlier run; pass --resume to continue it or --force to start over`);
    }
    const masks = settings.masks === undefined ? undefined : readMasks(settings.masks, resolved.model);
    const padding = Math.max(1, Math.round(trainSet.height / 8));
    const augment = args.flag('no-augment') ? undefined : { padding, flip: !args.flag('no-flip') };
    const budget = settings.budget;
    const horizon = budget.epochs !== undefined || budget.steps !== undefined;
    const schedule: ScheduleOptions = scheduleFrom(args, settings, horizon, Math.floor(trainSet.count / settings.batchSize));
    const loss = lossFrom(args, trainSet.task, trainSet.ignoreLabel);
    const abort = new AbortController();
    const onInterrupt = (): void => abort.abort();
    process.once('SIGINT', onInterrupt);
    const bars = new EpochBars(ctx, trainSet.count - (trainSet.count % settings.batchSize), budget.epochs);
    let result: TrainResult;
    try {
      result = await train(resolved.model, {
        backend: onnxruntimeNode,
        train: trainSet,
        test,
        budget,
        batchSize: settings.batchSize,
        optimizer: settings.optimizer,
        schedule,
        seed: ctx.seed,
        evalEvery: args.integer('eval-every', { default: 1, min: 1 }),
        evalBatchSize: args.integer('eval-batch', { default: 100, min: 1 }),
        signal: abort.signal,
        ...(settings.learningRate !== undefined ? { learningRate: settings.learningRate } : {}),
        ...(args.has('threads') ? { threads: args.integer('threads', { default: 1, min: 1, max: 256 }) } : {}),
        ...(loss ? { loss } : {}),
        ...(augment ? { augment } : {}),
        ...(masks ? { masks } : {}),
        ...(resume ? { resume } : {}),
        onProgress: (p) => bars.update(p.phase, p.epoch, p.stepInEpoch * settings.batchSize, p.evalDone, p.evalTotal),
        onEpoch: (record) => {
          bars.finish();
          if (!ctx.json) ctx.print(formatEpoch(record, budget.epochs));
        },
        ...(checkpointDir !== undefined ? { onCheckpoint: (c) => void saveCheckpointFile(checkpointDir, c) } : {}),
      });
    } finally {
      bars.finish();
      process.removeListener('SIGINT', onInterrupt);
    }
    if (result.stoppedBy === 'interrupted') {
      const at = `epoch ${result.checkpoint.position.epoch + 1}, step ${result.steps}`;
      throw new SculptError('INTERRUPTED', checkpointDir !== undefined ? `interrupted at ${at}; '${checkpointPath(checkpointDir)}' holds the state: rerun with --resume to continue` : `interrupted at ${at}; nothing was written (give --checkpoint-dir to be able to resume)`);
    }
    const bytes = encodeModel(result.model);
    ctx.writeOutput(output, bytes);
    const last = result.history.at(-1);
    const rates = result.history.map((r) => r.imagesPerSecond).filter(Number.isFinite);
    const meanRate = rates.length > 0 ? rates.reduce((a, b) => a + b, 0) / rates.length : NaN;
    if (ctx.json) {
      const json: TrainJson = {
        model: resolved.spec,
        output,
        bytes: bytes.byteLength,
        data: dataSummary(spec.text, test, 'test', trainSet.count),
        steps: result.steps,
        epochs: result.epochs,
        seconds: result.seconds,
        stoppedBy: result.stoppedBy,
        imagesPerSecond: meanRate,
        metrics: result.metrics ? metricsJson(result.metrics, test.classNames) : null,
        history: result.history.map((r) => ({
          epoch: r.epoch,
          step: r.step,
          trainLoss: r.trainLoss,
          learningRate: r.learningRate,
          imagesPerSecond: r.imagesPerSecond,
          seconds: r.seconds,
          partial: r.partial ?? false,
          metrics: r.metrics ? metricsJson(r.metrics, test.classNames) : null,
        })),
        checkpoint: checkpointDir !== undefined ? checkpointPath(checkpointDir) : null,
      };
      ctx.printJson(json);
      return;
    }
    ctx.print();
    if (result.metrics) for (const line of formatMetrics(result.metrics, test)) ctx.print(line);
    const headline = result.metrics ? headlineMetric(result.metrics) : undefined;
    ctx.print(
      `trained ${resolved.label} for ${formatInteger(result.steps)} steps (${result.epochs} epoch${result.epochs === 1 ? '' : 's'}${last?.partial ? ' and part of one' : ''}, stopped by ${result.stoppedBy}) in ${result.seconds.toFixed(0)} s` +
        `${headline ? `; ${headline.name} ${formatValue(headline.value)}` : ''}; wrote ${output}`,
    );
  },
};

interface Settings {
  readonly budget: TrainBudget;
  readonly batchSize: number;
  readonly optimizer: OptimizerOptions;
  readonly learningRate: number | undefined;
  readonly masks: string | undefined;
}

function readSettings(args: ParsedArgs): Settings {
  const budget = parseBudget(args.string('budget'), args.has('epochs') ? args.integer('epochs', { default: 10, min: 1 }) : undefined);
  const batchSize = args.integer('batch', { default: 64, min: 1, max: 65536 });
  const kind = choice(args, 'optimizer', OPTIMIZERS, 'sgd');
  const weightDecay = args.has('weight-decay') ? parseNumber(args.string('weight-decay')!, '--weight-decay', { min: 0 }) : undefined;
  if (kind !== 'sgd' && (args.has('momentum') || args.flag('nesterov'))) throw new SculptError('BAD_ARGUMENT', `--momentum and --nesterov are SGD options; --optimizer ${kind} has its own moments`);
  const optimizer: OptimizerOptions =
    kind === 'sgd'
      ? { kind, momentum: args.has('momentum') ? parseNumber(args.string('momentum')!, '--momentum', { min: 0, max: 1 }) : 0.9, nesterov: args.flag('nesterov'), weightDecay: weightDecay ?? 1e-4 }
      : { kind, ...(weightDecay !== undefined ? { weightDecay } : {}) };
  const learningRate = args.has('lr') ? parseNumber(args.string('lr')!, '--lr', { min: 0 }) : undefined;
  if (args.flag('augment') && args.flag('no-augment')) throw new SculptError('BAD_ARGUMENT', '--augment and --no-augment contradict each other; give one');
  return { budget, batchSize, optimizer, learningRate, masks: args.string('masks') };
}

/**
 * Parses --budget: `2ep`/`2epochs`, `500steps`, `90s`, `10m`/`10min`, `1h`; combined with --epochs.
 * @example parseBudget('10m', 5) // { epochs: 5, seconds: 600 }
 */
export function parseBudget(text: string | undefined, epochs: number | undefined): TrainBudget {
  if (text === undefined) return { epochs: epochs ?? 10 };
  const match = /^(\d+(?:\.\d+)?)\s*(ep|epochs?|steps?|s|sec|m|min|h)$/.exec(text.trim());
  if (!match) throw new SculptError('BAD_ARGUMENT', `--budget got '${text}'; allowed: a number with a unit, e.g. 2ep, 500steps, 90s, 10m, 1h`);
  const value = Number(match[1]);
  const unit = match[2]!;
  const whole = (what: string): number => {
    if (!Number.isInteger(value) || value < 1) throw new SculptError('BAD_ARGUMENT', `--budget ${text}: ${what} must be a whole number of at least 1`);
    return value;
  };
  if (value <= 0) throw new SculptError('BAD_ARGUMENT', `--budget ${text} must be more than zero`);
  const extra = epochs !== undefined ? { epochs } : {};
  if (unit.startsWith('ep')) {
    if (epochs !== undefined && epochs !== value) throw new SculptError('BAD_ARGUMENT', `--epochs ${epochs} and --budget ${text} contradict each other; give one`);
    return { epochs: whole('epochs') };
  }
  if (unit.startsWith('step')) return { ...extra, steps: whole('steps') };
  const seconds = unit === 'h' ? value * 3600 : unit.startsWith('m') ? value * 60 : value;
  return { ...extra, seconds };
}

function choice<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const value = args.string(name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new SculptError('BAD_ARGUMENT', `--${name} got '${value}'; allowed: ${allowed.join(', ')}`);
  return value as T;
}

function scheduleFrom(args: ParsedArgs, settings: Settings, horizon: boolean, stepsPerEpoch: number): ScheduleOptions {
  const kind = choice(args, 'schedule', SCHEDULES, horizon ? 'cosine' : 'constant');
  const warmupText = args.string('warmup');
  let warmupSteps = 0;
  if (warmupText !== undefined) {
    const match = /^(\d+)(ep)?$/.exec(warmupText.trim());
    if (!match) throw new SculptError('BAD_ARGUMENT', `--warmup got '${warmupText}'; allowed: a number of steps (500) or epochs (2ep)`);
    warmupSteps = Number(match[1]) * (match[2] ? stepsPerEpoch : 1);
  }
  const gamma = args.has('gamma') ? parseNumber(args.string('gamma')!, '--gamma', { min: 0 }) : undefined;
  const milestonesText = args.string('milestones');
  const milestones = milestonesText !== undefined ? args.integerList('milestones', { default: [], min: 1 }) : kind === 'step' && settings.budget.epochs !== undefined ? defaultMilestones(settings.budget.epochs) : undefined;
  if (kind !== 'step' && (milestonesText !== undefined || gamma !== undefined)) throw new SculptError('BAD_ARGUMENT', `--milestones and --gamma belong to --schedule step, not ${kind}`);
  return { kind, ...(warmupSteps !== 0 ? { warmupSteps } : {}), ...(milestones ? { milestones } : {}), ...(gamma !== undefined ? { gamma } : {}) };
}

function lossFrom(args: ParsedArgs, task: 'classification' | 'segmentation', ignoreIndex: number | undefined): LossOptions | undefined {
  const name = args.string('loss');
  if (name === undefined) return undefined;
  const kind = choice(args, 'loss', LOSSES, 'cross-entropy');
  if (kind !== 'cross-entropy' && task === 'classification') throw new SculptError('BAD_ARGUMENT', `--loss ${kind} is for segmentation data; classification trains with cross-entropy`);
  return { kind, ...(ignoreIndex !== undefined ? { ignoreIndex } : {}) };
}

/** Masks from a file of 0/1 initialisers, or from the model's exact zeros. */
function readMasks(source: string, model: Model): Map<string, Tensor> {
  const masks = new Map<string, Tensor>();
  if (source === 'zeros') {
    for (const [name, value] of model.graph.initializers) {
      if (value.dtype !== 'float32' || value.dims.length < 2) continue;
      const data = value.data as Float32Array;
      if (!data.includes(0)) continue;
      masks.set(name, { dtype: 'float32', dims: [...value.dims], data: Float32Array.from(data, (v) => (v === 0 ? 0 : 1)) });
    }
    if (masks.size === 0) throw new SculptError('BAD_ARGUMENT', '--masks zeros: no weight tensor of the model holds an exact zero; give a masks .onnx file or drop --masks');
    return masks;
  }
  for (const [name, value] of loadModelFile(source).graph.initializers) masks.set(name, value);
  if (masks.size === 0) throw new SculptError('BAD_ARGUMENT', `--masks '${source}' holds no initialisers; a masks file holds one 0/1 float tensor per masked weight, named like the weight`);
  return masks;
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : 'n/a';
}

function formatEpoch(record: EpochRecord, epochs: number | undefined): string {
  const metrics: Metrics | undefined = record.metrics;
  const headline = metrics ? headlineMetric(metrics) : undefined;
  return (
    `epoch ${record.epoch}${epochs !== undefined ? `/${epochs}` : ''}${record.partial ? ' (partial)' : ''}: train loss ${formatValue(record.trainLoss)}, lr ${record.learningRate.toPrecision(3)}, ` +
    `${Number.isFinite(record.imagesPerSecond) ? record.imagesPerSecond.toFixed(0) : '?'} img/s` +
    `${metrics ? `; test loss ${formatValue(metrics.loss)}, ${headline!.name} ${formatValue(headline!.value)}` : ''}`
  );
}

/** One progress bar per epoch (images done, images/s, ETA), and one per evaluation. */
class EpochBars {
  private bar: ProgressBar | undefined;
  private key = '';

  constructor(
    private readonly ctx: CommandContext,
    private readonly imagesPerEpoch: number,
    private readonly epochs: number | undefined,
  ) {}

  update(phase: 'train' | 'eval', epoch: number, images: number, evalDone: number | undefined, evalTotal: number | undefined): void {
    const key = `${phase}${epoch}`;
    if (key !== this.key) {
      this.finish();
      this.key = key;
      const label = `${phase === 'train' ? 'epoch' : 'eval after epoch'} ${epoch + 1}${this.epochs !== undefined ? `/${this.epochs}` : ''}`;
      this.bar = this.ctx.progress(label, phase === 'train' ? this.imagesPerEpoch : evalTotal ?? 0, 'img');
    }
    this.bar!.update(phase === 'train' ? images : evalDone ?? 0);
  }

  finish(): void {
    this.bar?.finish();
    this.bar = undefined;
    this.key = '';
  }
}
