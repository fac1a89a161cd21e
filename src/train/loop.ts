/**
 * The training loop: epochs of seeded, shuffled, optionally augmented batches through one
 * training-step graph on onnxruntime; a learning-rate schedule; evaluation every k epochs; a
 * NaN/inf guard; progress callbacks; a budget in epochs, steps or wall-clock seconds;
 * checkpoints; and the trained forward model with its learned weights and BN statistics.
 *
 * Determinism: the order of epoch e is a shuffle seeded by (seed, e), and the augmentation of
 * batch s of epoch e is seeded by (seed, e, s). Nothing random carries over from one step to the
 * next outside the checkpointed state, so a run resumed at any step continues exactly as an
 * uninterrupted one with the same seed (onnxruntime's Dropout generator excepted).
 *
 * Batches have a fixed size (the graph is built for it, which onnxruntime's blocked convolutions
 * need); the examples left over after the last whole batch of an epoch are not used in that
 * epoch (PyTorch's drop_last), and the next epoch's shuffle brings them in.
 * @example
 * const { train: data, test } = loadDataset('mnist');
 * const result = await train(buildZooModel('resnet20,input=1x28x28'), {
 *   backend: onnxruntimeNode, threads: 2, train: data, test, batchSize: 128,
 *   budget: { epochs: 3 }, learningRate: 0.1, schedule: { kind: 'cosine' },
 * });
 * saveModelFile('trained.onnx', result.model);
 */
import { detectKernels } from '../autodiff/kernels.js';
import type { LossOptions } from '../autodiff/losses.js';
import { checkOptimizer, type OptimizerOptions } from '../autodiff/optimizers.js';
import { buildTrainingGraph } from '../autodiff/training-graph.js';
import { Augmenter } from '../data/augment.js';
import { Batcher } from '../data/batch.js';
import type { Dataset } from '../data/dataset.js';
import { SculptError } from '../errors.js';
import type { Attribute, Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { KernelTarget } from '../ops/backward.js';
import type { Backend } from '../runtime/backend.js';
import { Random } from '../util/random.js';
import { checkResumeSettings, type CheckpointSettings, type EpochRecord, type TrainCheckpoint, type TrainPosition } from './checkpoint.js';
import { batchTensors, checkModelForDataset, Evaluator } from './evaluate.js';
import type { Metrics } from './metrics.js';
import { checkSchedule, learningRateAt, type ScheduleOptions } from './schedule.js';
import { StepRunner } from './step-runner.js';

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

/** A 32-bit seed mixed from integers (splitmix-style), so (seed, epoch, step) streams never overlap in practice. */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The example order of an epoch: a permutation of 0..count−1 seeded by (seed, epoch). */
export function epochOrder(seed: number, epoch: number, count: number): Int32Array {
  return new Random(mixSeed(seed, epoch, 0x5eed)).shuffle(Int32Array.from({ length: count }, (_, i) => i)) as Int32Array;
}

/** Trains a model; see the module doc. */
export async function train(model: Model, options: TrainOptions): Promise<TrainResult> {
  const plan = planRun(model, options);
  const { data, batchSize, stepsPerEpoch, totalSteps, budget, seed } = plan;
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const elapsed = (): number => (clock() - started) / 1000;
  const kernels = options.kernels ?? (await detectKernels(options.backend));
  const runnerOptions = { backend: options.backend, ...(options.threads !== undefined ? { threads: options.threads } : {}) };
  const startModel = withFloat32Attributes(options.resume?.model ?? model);
  const graph = buildTrainingGraph(startModel, {
    batchSize,
    kernels,
    loss: plan.loss,
    optimizer: plan.optimizer,
    seed,
    outputLogits: false,
    ...(options.masks ? { masks: options.masks } : {}),
    ...(options.trainable ? { trainable: options.trainable } : {}),
  });
  const runner = await StepRunner.create(graph, runnerOptions);
  let evaluator: Evaluator | undefined;
  try {
    if (options.resume) runner.setState(options.resume.optimizerState);
    // A partial epoch's record is written again, whole, when the resumed run finishes that epoch.
    const history: EpochRecord[] = (options.resume?.history ?? []).filter((r) => !r.partial);
    let position: TrainPosition = options.resume?.position ?? { epoch: 0, stepInEpoch: 0, step: 0, epochLossSum: 0, epochLossCount: 0 };
    const batcher = new Batcher(data, { batchSize });
    const { images, labels } = batchTensors(batcher.batch([]));
    let trainSeconds = 0;
    let trainedImages = 0;
    let epochSeconds = 0;
    let epochImages = 0;
    let learningRate = 0;
    let lastLoss = NaN;
    let lastMetrics: { metrics: Metrics; step: number } | undefined;
    let stoppedBy: StopReason | undefined;
    const checkpoint = (): TrainCheckpoint => makeCheckpoint(runner, position, history, plan.settings, options.masks);
    const rate = (): number => (trainSeconds > 0 ? trainedImages / trainSeconds : NaN);
    const eta = (): number => {
      const stepRate = trainSeconds > 0 ? trainedImages / batchSize / trainSeconds : NaN;
      const bySteps = totalSteps !== undefined ? (totalSteps - position.step) / stepRate : Infinity;
      const byTime = budget.seconds !== undefined ? Math.max(0, budget.seconds - elapsed()) : Infinity;
      const value = Math.min(bySteps, byTime);
      return Number.isFinite(value) ? value : NaN;
    };
    const progress = (phase: 'train' | 'eval', extra: { evalDone?: number; evalTotal?: number } = {}): TrainProgress => ({
      phase,
      epoch: position.epoch,
      ...(budget.epochs !== undefined ? { epochs: budget.epochs } : {}),
      step: position.step,
      ...(totalSteps !== undefined ? { totalSteps } : {}),
      stepInEpoch: position.stepInEpoch,
      stepsPerEpoch,
      loss: lastLoss,
      epochLoss: position.epochLossCount > 0 ? position.epochLossSum / position.epochLossCount : NaN,
      learningRate,
      imagesPerSecond: rate(),
      elapsedSeconds: elapsed(),
      etaSeconds: eta(),
      ...extra,
    });
    if (options.test) {
      const onProgress = options.onProgress ? (evalDone: number, evalTotal: number) => options.onProgress!(progress('eval', { evalDone, evalTotal })) : undefined;
      evaluator = await Evaluator.create(startModel, options.test, {
        ...runnerOptions,
        kernels,
        ...(options.evalBatchSize !== undefined ? { batchSize: options.evalBatchSize } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
    }
    const evaluate = async (): Promise<Metrics> => {
      const metrics = await evaluator!.run(options.test!, runner.parameters());
      lastMetrics = { metrics, step: position.step };
      return metrics;
    };
    const endEpoch = async (partial: boolean): Promise<void> => {
      const completed = position.epoch + 1;
      const due = !partial && completed % plan.evalEvery === 0;
      // The last epoch of a run is always evaluated, unless the run was interrupted (the user wants out).
      const last = stoppedBy !== undefined && stoppedBy !== 'interrupted';
      const metrics = evaluator && (due || last) ? await evaluate() : undefined;
      const record: EpochRecord = {
        epoch: completed,
        step: position.step,
        trainLoss: position.epochLossCount > 0 ? position.epochLossSum / position.epochLossCount : NaN,
        learningRate,
        imagesPerSecond: epochSeconds > 0 ? epochImages / epochSeconds : NaN,
        seconds: elapsed(),
        ...(partial ? { partial: true } : {}),
        ...(metrics ? { metrics } : {}),
      };
      history.push(record);
      options.onEpoch?.(record);
    };

    outer: while (true) {
      if (position.stepInEpoch === 0 && budget.epochs !== undefined && position.epoch >= budget.epochs) {
        stoppedBy = 'epochs';
        break;
      }
      const order = epochOrder(seed, position.epoch, data.count);
      if (position.stepInEpoch === 0) {
        epochSeconds = 0;
        epochImages = 0;
      }
      for (let s = position.stepInEpoch; s < stepsPerEpoch; s++) {
        if (options.signal?.aborted) stoppedBy = 'interrupted';
        else if (budget.steps !== undefined && position.step >= budget.steps) stoppedBy = 'steps';
        else if (budget.seconds !== undefined && elapsed() >= budget.seconds) stoppedBy = 'time';
        if (stoppedBy) {
          if (position.stepInEpoch > 0) await endEpoch(true);
          break outer;
        }
        const t0 = clock();
        const batch = batcher.batch(order.subarray(s * batchSize, (s + 1) * batchSize));
        if (plan.augment) {
          // A generator per batch, seeded by its place in the run: a resumed run draws the same transforms.
          const ignore = data.ignoreLabel;
          new Augmenter({ seed: mixSeed(seed, position.epoch, s), padding: plan.augment.padding, flip: plan.augment.flip, ...(ignore !== undefined ? { maskFill: ignore } : {}) }).apply(batch);
        }
        learningRate = learningRateAt(plan.learningRate, plan.schedule, { step: position.step, epoch: position.epoch, stepsPerEpoch, ...(totalSteps !== undefined ? { totalSteps } : {}) });
        const loss = await runner.step(images, labels, learningRate);
        if (!Number.isFinite(loss)) {
          throw new SculptError(
            'NUMERIC',
            `training diverged: the loss is ${loss} at epoch ${position.epoch + 1}, step ${s + 1} of ${stepsPerEpoch} (step ${position.step + 1} of the run), learning rate ${learningRate.toPrecision(3)}; lower the learning rate (e.g. ${(plan.learningRate / 10).toPrecision(2)}) or add warm-up`,
          );
        }
        const seconds = (clock() - t0) / 1000;
        trainSeconds += seconds;
        epochSeconds += seconds;
        trainedImages += batchSize;
        epochImages += batchSize;
        lastLoss = loss;
        position = { epoch: position.epoch, stepInEpoch: s + 1, step: position.step + 1, epochLossSum: position.epochLossSum + loss, epochLossCount: position.epochLossCount + 1 };
        options.onProgress?.(progress('train'));
      }
      if (budget.steps !== undefined && position.step >= budget.steps) stoppedBy = 'steps';
      else if (budget.epochs !== undefined && position.epoch + 1 >= budget.epochs) stoppedBy = 'epochs';
      await endEpoch(false);
      position = { epoch: position.epoch + 1, stepInEpoch: 0, step: position.step, epochLossSum: 0, epochLossCount: 0 };
      if (stoppedBy) break;
      await options.onCheckpoint?.(checkpoint());
    }
    const final = checkpoint();
    await options.onCheckpoint?.(final);
    if (evaluator && stoppedBy !== 'interrupted' && lastMetrics?.step !== position.step) await evaluate();
    return {
      model: final.model,
      history,
      ...(lastMetrics ? { metrics: lastMetrics.metrics } : {}),
      steps: position.step,
      epochs: position.epoch,
      seconds: elapsed(),
      stoppedBy: stoppedBy ?? 'epochs',
      checkpoint: final,
    };
  } finally {
    await runner.release();
    await evaluator?.release();
  }
}

/** The settings of a run, checked, with defaults filled in. */
interface RunPlan {
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

function planRun(model: Model, options: TrainOptions): RunPlan {
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

function makeCheckpoint(runner: StepRunner, position: TrainPosition, history: readonly EpochRecord[], settings: CheckpointSettings, masks: ReadonlyMap<string, Tensor> | undefined): TrainCheckpoint {
  const optimizerState = new Map<string, Tensor>();
  for (const s of runner.graph.state) if (s.role === 'optimizer') optimizerState.set(s.input, runner.currentState().get(s.input)!);
  return { model: applyMasks(runner.exportModel(), masks), optimizerState, position, history: [...history], settings };
}

/**
 * The model with float attributes rounded to float32, as an ONNX file stores them. A model built in
 * memory (the zoo) holds doubles (BN momentum 0.9), one read from a file float32 (0.8999999762);
 * rounding both alike makes a run resumed from a checkpoint file compute exactly what the
 * uninterrupted in-memory run computed.
 */
function withFloat32Attributes(model: Model): Model {
  const round = (attribute: Attribute): Attribute =>
    attribute.type === 'float' ? { type: 'float', value: Math.fround(attribute.value) } : attribute.type === 'floats' ? { type: 'floats', value: attribute.value.map(Math.fround) } : attribute;
  const nodes = model.graph.nodes.map((node) => ({ ...node, attributes: Object.fromEntries(Object.entries(node.attributes).map(([key, value]) => [key, round(value)])) }));
  return { ...model, graph: { ...model.graph, nodes } };
}

/** Multiplies masked weights by their masks, so pruned weights are exactly zero in the exported model whatever the graph computed. */
function applyMasks(model: Model, masks: ReadonlyMap<string, Tensor> | undefined): Model {
  if (!masks || masks.size === 0) return model;
  const initializers = new Map(model.graph.initializers);
  for (const [name, mask] of masks) {
    const value = initializers.get(name);
    if (!value) continue;
    const data = (value.data as Float32Array).slice();
    const m = mask.data as Float32Array;
    for (let i = 0; i < data.length; i++) if (m[i] === 0) data[i] = 0;
    initializers.set(name, { ...value, data });
  }
  return { ...model, graph: { ...model.graph, initializers } };
}
