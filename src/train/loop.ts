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
import { buildTrainingGraph } from '../autodiff/training-graph.js';
import { Augmenter } from '../data/augment.js';
import { Batcher } from '../data/batch.js';
import { SculptError } from '../errors.js';
import type { Attribute, Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import type { CheckpointSettings, EpochRecord, TrainCheckpoint, TrainPosition } from './checkpoint.js';
import { batchTensors, Evaluator } from './evaluate.js';
import type { Metrics } from './metrics.js';
import { planRun, type StopReason, type TrainOptions, type TrainProgress, type TrainResult } from './options.js';
import { learningRateAt } from './schedule.js';
import { StepRunner } from './step-runner.js';

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
