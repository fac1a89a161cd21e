/**
 * Training and evaluation in the curated API: `trainModel` runs Sculpt's ONNX training-step graph
 * on onnxruntime-node with the loop of src/train (seeded, resumable, masks kept at zero);
 * `evaluateModel` measures a model on held-out data.
 */
import type { LossOptions } from '../autodiff/losses.js';
import type { OptimizerOptions } from '../autodiff/optimizers.js';
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { Backend } from '../runtime/backend.js';
import { onnxruntimeNode } from '../runtime/onnxruntime-node.js';
import type { EpochRecord } from '../train/checkpoint.js';
import { evaluate } from '../train/evaluate.js';
import { train } from '../train/loop.js';
import { headlineMetric, type Metrics } from '../train/metrics.js';
import type { AugmentSettings, TrainBudget, TrainProgress, TrainResult } from '../train/options.js';
import type { ScheduleOptions } from '../train/schedule.js';
import { resolveData, type DataSource } from './data.js';

/** Options of trainModel. */
export interface TrainModelOptions {
  /** Training data (and the test set evaluated after training, when it has one). */
  readonly data: DataSource;
  /** When to stop: a number of epochs, or `{ epochs, steps, seconds }` (the first limit reached ends the run). */
  readonly budget: number | TrainBudget;
  /** Default 64. */
  readonly batchSize?: number;
  /** Default 0.1 for SGD, 0.001 for Adam/AdamW. */
  readonly learningRate?: number;
  /** Default SGD with momentum 0.9 and weight decay 1e-4. */
  readonly optimizer?: OptimizerOptions;
  /** Default cosine with an epoch or step budget, else constant. */
  readonly schedule?: ScheduleOptions;
  readonly loss?: LossOptions;
  /** Random crop (padding) and flip of training batches; default none. */
  readonly augment?: AugmentSettings;
  /** 0/1 masks by weight name (pruneModel's `masks`): masked weights start and stay zero. */
  readonly masks?: ReadonlyMap<string, Tensor> | undefined;
  /** Evaluate every k epochs (and at the end). Default 1. */
  readonly evalEvery?: number;
  /** Seeds shuffling and augmentation. Default 0. */
  readonly seed?: number;
  /** onnxruntime intra-op threads; default all cores. */
  readonly threads?: number;
  /** Default onnxruntime-node. */
  readonly backend?: Backend;
  readonly onProgress?: (progress: TrainProgress) => void;
  readonly onEpoch?: (record: EpochRecord) => void;
  /** Aborting stops the run before its next step (stoppedBy 'interrupted'). */
  readonly signal?: AbortSignal;
}

/** What trainModel returns: the loop's result plus the headline quality. */
export interface TrainModelResult extends TrainResult {
  /** Accuracy (classification) or mean foreground Dice (segmentation) on the test set; undefined without one. */
  readonly quality?: number;
}

/**
 * Trains a model on onnxruntime and returns the trained model with its history and test metrics.
 * @example const trained = await trainModel(pruned.model, { data: 'mnist,limit=6000', budget: 2, masks: pruned.masks });
 */
export async function trainModel(model: Model, options: TrainModelOptions): Promise<TrainModelResult> {
  const budget: TrainBudget = typeof options.budget === 'number' ? { epochs: options.budget } : options.budget;
  if (typeof options.budget === 'number' && (!Number.isInteger(options.budget) || options.budget < 1)) {
    throw new SculptError('BAD_ARGUMENT', `trainModel: budget ${options.budget} must be a whole number of epochs (at least 1) or { epochs, steps, seconds }`);
  }
  const { train: trainSet, test } = resolveData(options.data, options.seed !== undefined ? { seed: options.seed } : {});
  const horizon = budget.epochs !== undefined || budget.steps !== undefined;
  const result = await train(model, {
    backend: options.backend ?? onnxruntimeNode,
    train: trainSet,
    budget,
    schedule: options.schedule ?? { kind: horizon ? 'cosine' : 'constant' },
    ...(test ? { test } : {}),
    ...pick(options, ['batchSize', 'learningRate', 'optimizer', 'loss', 'augment', 'masks', 'evalEvery', 'seed', 'threads', 'onProgress', 'onEpoch', 'signal']),
  });
  return result.metrics ? { ...result, quality: headlineMetric(result.metrics).value } : result;
}

/** Options of evaluateModel. */
export interface EvaluateModelOptions {
  /** The evaluation data: a Dataset, or a spec / pair whose test part is used. */
  readonly data: DataSource;
  /** Examples per run. Default 100. */
  readonly batchSize?: number;
  readonly threads?: number;
  readonly seed?: number;
  readonly backend?: Backend;
}

/**
 * Evaluates a model: loss and accuracy (classification) or Dice and IoU (segmentation).
 * @example const { accuracy } = (await evaluateModel(model, { data: 'mnist' })) as ClassificationMetrics;
 */
export async function evaluateModel(model: Model, options: EvaluateModelOptions): Promise<Metrics> {
  const parts = resolveData(options.data, options.seed !== undefined ? { seed: options.seed } : {});
  const data = typeof options.data === 'object' && 'images' in options.data ? parts.train : (parts.test ?? parts.train);
  return evaluate(model, data, { backend: options.backend ?? onnxruntimeNode, ...pick(options, ['batchSize', 'threads']) });
}

/** The fields of `source` named in `keys` that are set (for exactOptionalPropertyTypes). */
function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): { [P in K]?: Exclude<T[P], undefined> } {
  const out: Partial<Record<K, unknown>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out as { [P in K]?: Exclude<T[P], undefined> };
}
