/**
 * What a training run is told: the options of `train`, its result, and `planRun`, which checks
 * the options at the public boundary and fills in the defaults (optimizer, learning rate,
 * schedule, loss by task) so the loop itself reads only settled values.
 */
import type { LossOptions } from '../autodiff/losses.js';
import { checkOptimizer, type OptimizerOptions } from '../autodiff/optimizers.js';
import type { Dataset } from '../data/dataset.js';
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { KernelTarget } from '../ops/backward.js';
import type { Backend } from '../runtime/backend.js';
import { checkResumeSettings, type CheckpointSettings, type EpochRecord, type TrainCheckpoint } from './checkpoint.js';
import { checkModelForDataset } from './evaluate.js';
import type { Metrics } from './metrics.js';
import { checkSchedule, type ScheduleOptions } from './schedule.js';

/** When to stop: the first limit reached ends the run. At least one is required. */
export interface TrainBudget {
  readonly epochs?: number;
  readonly steps?: number;
  /** Wall-clock seconds of this process's training and evaluation (checked before each step). */
  readonly seconds?: number;
}

/** Geometric augmentation of training batches (the same transform on image and mask for segmentation). */
export interface AugmentSettings {
  /** Random crop: shifts of up to this many pixels each way, uncovered pixels filled with 0 (the normalised mean). */
  readonly padding: number;
  /** Horizontal flip of half the examples. */
  readonly flip: boolean;
}

/** Where a run stands, for progress bars. */
export interface TrainProgress {
  readonly phase: 'train' | 'eval';
  /** 0-based epoch in progress. */
  readonly epoch: number;
  /** Epoch budget, when there is one. */
  readonly epochs?: number;
  /** Steps taken in the whole run. */
  readonly step: number;
  /** The run's planned steps, when known (epoch or step budget). */
  readonly totalSteps?: number;
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  /** Loss of the last step. */
  readonly loss: number;
  /** Mean loss of the epoch so far. */
  readonly epochLoss: number;
  readonly learningRate: number;
  /** Training throughput of this process so far (evaluation excluded). */
  readonly imagesPerSecond: number;
  /** Seconds since the run (this process) started. */
  readonly elapsedSeconds: number;
  /** Estimated seconds to the end of the budget; NaN when unknown. */
  readonly etaSeconds: number;
  /** Evaluation phase: examples evaluated so far, and the total. */
  readonly evalDone?: number;
  readonly evalTotal?: number;
}

/** Options of `train`. */
export interface TrainOptions {
  readonly backend: Backend;
  /** onnxruntime intra-op threads; default: the runtime's choice (all cores). */
  readonly threads?: number;
  readonly train: Dataset;
  /** Evaluated every `evalEvery` epochs and at the end. */
  readonly test?: Dataset;
  /** Default 64. */
  readonly batchSize?: number;
  /** Examples per eval run. Default 100. */
  readonly evalBatchSize?: number;
  readonly budget: TrainBudget;
  /** Base learning rate. Default 0.1 for SGD, 0.001 for Adam/AdamW. */
  readonly learningRate?: number;
  /** Default SGD, momentum 0.9, weight decay 1e-4. */
  readonly optimizer?: OptimizerOptions;
  /** Default constant. */
  readonly schedule?: ScheduleOptions;
  /** Default: cross-entropy (classification); cross-entropy + soft Dice (segmentation); both skip the dataset's ignore label. */
  readonly loss?: LossOptions;
  /** Augmentation of training batches; default none. */
  readonly augment?: AugmentSettings;
  /** Evaluate every k epochs. Default 1. */
  readonly evalEvery?: number;
  /** 0/1 masks by parameter name: masked weights start and stay exactly zero (unstructured pruning). */
  readonly masks?: ReadonlyMap<string, Tensor>;
  /** Parameters to train (initialiser names); default all. */
  readonly trainable?: readonly string[];
  /** Seeds shuffling and augmentation (and Dropout). Default 0. */
  readonly seed?: number;
  /** Runtime-specific kernels; default: what `detectKernels(backend)` finds. */
  readonly kernels?: KernelTarget;
  /** Continue this checkpoint's run (its model replaces `model`'s weights; the settings must match). */
  readonly resume?: TrainCheckpoint;
  /** Called after every step and every eval batch. */
  readonly onProgress?: (progress: TrainProgress) => void;
  /** Called after every epoch (and evaluation) with its record. */
  readonly onEpoch?: (record: EpochRecord) => void;
  /** Called with a checkpoint after every epoch and when a budget stops the run; awaited. */
  readonly onCheckpoint?: (checkpoint: TrainCheckpoint) => void | Promise<void>;
  /** Milliseconds; default performance.now(). */
  readonly clock?: () => number;
  /** Aborting stops the run before its next step (Ctrl-C): it returns with `stoppedBy: 'interrupted'` after the last checkpoint. */
  readonly signal?: AbortSignal;
}

/** Why a run ended. */
export type StopReason = 'epochs' | 'steps' | 'time' | 'interrupted';

/** What `train` returns. */
export interface TrainResult {
  /** The forward model with the learned weights and running statistics (masked weights exactly zero). */
  readonly model: Model;
  /** One record per epoch, over the whole run (including the epochs before a resume). */
  readonly history: readonly EpochRecord[];
  /** The final evaluation on `test`, when given (the latest one, when the run was interrupted). */
  readonly metrics?: Metrics;
  /** Steps taken in the whole run. */
  readonly steps: number;
  /** Epochs completed in the whole run (a partial epoch not counted). */
  readonly epochs: number;
  /** Wall-clock seconds of this process's run. */
  readonly seconds: number;
  readonly stoppedBy: StopReason;
  /** The final state, to continue training later. */
  readonly checkpoint: TrainCheckpoint;
}

/** The defaults of `TrainOptions.optimizer` and `learningRate`. */
export const DEFAULT_OPTIMIZER: OptimizerOptions = { kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 };

/** The default base learning rate for an optimizer. */
export function defaultLearningRate(optimizer: OptimizerOptions): number {
  return optimizer.kind === 'sgd' ? 0.1 : 1e-3;
}

/** The settings of a run, checked, with defaults filled in. */
export interface RunPlan {
  readonly data: Dataset;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number | undefined;
  readonly budget: TrainBudget;
  readonly seed: number;
  readonly learningRate: number;
  readonly optimizer: OptimizerOptions;
  readonly schedule: ScheduleOptions;
  readonly loss: LossOptions;
  readonly augment: AugmentSettings | undefined;
  readonly evalEvery: number;
  readonly settings: CheckpointSettings;
}

/** Checks the options against the model and data and fills in the defaults. */
export function planRun(model: Model, options: TrainOptions): RunPlan {
  const data = options.train;
  checkModelForDataset(model, data);
  if (options.test) {
    checkModelForDataset(model, options.test);
    if (options.test.task !== data.task || options.test.numClasses !== data.numClasses) {
      throw new SculptError('BAD_DATA', `the test set '${options.test.name}' (${options.test.task}, ${options.test.numClasses} classes) does not match the training set '${data.name}' (${data.task}, ${data.numClasses} classes)`);
    }
  }
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new SculptError('BAD_ARGUMENT', `the batch size must be a positive integer, got ${batchSize}`);
  const stepsPerEpoch = Math.floor(data.count / batchSize);
  if (stepsPerEpoch < 1) throw new SculptError('BAD_ARGUMENT', `the batch size ${batchSize} is larger than the training set '${data.name}' (${data.count} examples); use a batch of at most ${data.count}`);
  const budget = options.budget;
  const positive = (v: number | undefined, what: string, integer: boolean): void => {
    if (v !== undefined && !((integer ? Number.isInteger(v) : Number.isFinite(v)) && v > 0)) throw new SculptError('BAD_ARGUMENT', `the budget's ${what} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  };
  positive(budget.epochs, 'epochs', true);
  positive(budget.steps, 'steps', true);
  positive(budget.seconds, 'seconds', false);
  if (budget.epochs === undefined && budget.steps === undefined && budget.seconds === undefined) {
    throw new SculptError('BAD_ARGUMENT', 'a training budget is required: epochs, steps or seconds (e.g. { epochs: 2 })');
  }
  const candidates = [budget.epochs !== undefined ? budget.epochs * stepsPerEpoch : undefined, budget.steps].filter((v): v is number => v !== undefined);
  const totalSteps = candidates.length > 0 ? Math.min(...candidates) : undefined;
  const optimizer = options.optimizer ?? DEFAULT_OPTIMIZER;
  checkOptimizer(optimizer);
  const learningRate = options.learningRate ?? defaultLearningRate(optimizer);
  if (!(Number.isFinite(learningRate) && learningRate >= 0)) throw new SculptError('BAD_ARGUMENT', `the learning rate must be a finite number of at least 0, got ${learningRate}`);
  const schedule = options.schedule ?? { kind: 'constant' };
  checkSchedule(schedule, totalSteps);
  const evalEvery = options.evalEvery ?? 1;
  if (!Number.isInteger(evalEvery) || evalEvery < 1) throw new SculptError('BAD_ARGUMENT', `evalEvery must be a positive whole number of epochs, got ${evalEvery}`);
  const augment = options.augment;
  if (augment && !(Number.isInteger(augment.padding) && augment.padding >= 0)) throw new SculptError('BAD_ARGUMENT', `augmentation padding must be a whole number of pixels, got ${augment.padding}`);
  checkFinite(data);
  const seed = options.seed ?? 0;
  const ignoreIndex = data.ignoreLabel;
  const loss: LossOptions = options.loss ?? (data.task === 'classification' ? { kind: 'cross-entropy' } : { kind: 'cross-entropy+dice', ...(ignoreIndex !== undefined ? { ignoreIndex } : {}) });
  const settings: CheckpointSettings = { seed, batchSize, trainCount: data.count, optimizer: JSON.stringify(optimizer) };
  if (options.resume) checkResumeSettings(options.resume.settings, settings);
  return { data, batchSize, stepsPerEpoch, totalSteps, budget, seed, learningRate, optimizer, schedule, loss, augment: augment && (augment.padding > 0 || augment.flip) ? augment : undefined, evalEvery, settings };
}

/** Refuses NaN/inf pixels up front: they would surface as a diverged loss that no learning rate fixes. */
function checkFinite(data: Dataset): void {
  const images = data.images;
  for (let i = 0; i < images.length; i++) {
    if (!Number.isFinite(images[i]!)) {
      const per = data.channels * data.height * data.width;
      throw new SculptError('BAD_DATA', `dataset '${data.name}': example ${Math.floor(i / per)} holds a non-finite pixel value (${images[i]}); fix or drop it before training`);
    }
  }
}
