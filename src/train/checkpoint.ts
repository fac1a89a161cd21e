/**
 * Training checkpoints as one ONNX model: the forward model with the current parameters and
 * running statistics as its initialisers (so a checkpoint is itself a model any ONNX tool can
 * run), the optimizer state as extra initialisers named `sculpt.optimizer/<state input>`, and
 * the run's position, settings and metrics history as JSON in the metadata entry
 * `sculpt.checkpoint`. One file means one atomic write (src/platform/node/checkpoint-files.ts).
 *
 * Shuffling and augmentation are seeded from (seed, epoch, step), so the position alone restores
 * the random streams: resuming gives the same weights as never stopping. (Dropout's generator
 * lives inside onnxruntime and restarts on resume: models with Dropout resume on another stream.)
 */
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { Metrics } from './metrics.js';

/** Prefix of the initialisers that hold optimizer state. */
export const OPTIMIZER_PREFIX = 'sculpt.optimizer/';
/** The metadata key of the checkpoint's JSON. */
export const CHECKPOINT_METADATA_KEY = 'sculpt.checkpoint';
const FORMAT_VERSION = 1;

/** The next step to run. */
export interface TrainPosition {
  /** Epoch of the next step (0-based); equals the epochs completed when `stepInEpoch` is 0. */
  readonly epoch: number;
  /** Steps of that epoch already taken. */
  readonly stepInEpoch: number;
  /** Steps taken in the whole run. */
  readonly step: number;
  /** Sum and count of the training losses of the epoch so far (its mean survives a resume). */
  readonly epochLossSum: number;
  readonly epochLossCount: number;
}

/** What one completed (or final, interrupted) epoch measured. */
export interface EpochRecord {
  /** 1-based epoch number. */
  readonly epoch: number;
  /** Steps taken in the whole run at its end. */
  readonly step: number;
  /** Mean training loss over its steps (training-mode forward, on augmented batches). */
  readonly trainLoss: number;
  /** The learning rate of its last step. */
  readonly learningRate: number;
  /** Training throughput over its steps (evaluation excluded). */
  readonly imagesPerSecond: number;
  /** Wall-clock seconds of the run at its end (this process only). */
  readonly seconds: number;
  /** True when a budget ended it before its last step. */
  readonly partial?: boolean;
  /** The evaluation after it, when one ran. */
  readonly metrics?: Metrics;
}

/** Settings a resumed run must share with the run that wrote the checkpoint (else it would not continue it). */
export interface CheckpointSettings {
  readonly seed: number;
  readonly batchSize: number;
  readonly trainCount: number;
  readonly optimizer: string;
}

/** A training run's state between steps. */
export interface TrainCheckpoint {
  /** The forward model with the current parameters and running statistics. */
  readonly model: Model;
  /** Optimizer state tensors (momentum, Adam moments, step count) by training-graph input name. */
  readonly optimizerState: ReadonlyMap<string, Tensor>;
  readonly position: TrainPosition;
  readonly history: readonly EpochRecord[];
  readonly settings: CheckpointSettings;
}

interface CheckpointJson {
  readonly version: number;
  readonly position: TrainPosition;
  readonly history: readonly EpochRecord[];
  readonly settings: CheckpointSettings;
}

/** The checkpoint as one ONNX model (see the module doc). */
export function checkpointToModel(checkpoint: TrainCheckpoint): Model {
  const { model } = checkpoint;
  const initializers = new Map(model.graph.initializers);
  for (const [name, value] of checkpoint.optimizerState) initializers.set(OPTIMIZER_PREFIX + name, value);
  const json: CheckpointJson = { version: FORMAT_VERSION, position: checkpoint.position, history: checkpoint.history, settings: checkpoint.settings };
  const metadata = [...model.metadata.filter((m) => m.key !== CHECKPOINT_METADATA_KEY), { key: CHECKPOINT_METADATA_KEY, value: JSON.stringify(json) }];
  return { ...model, metadata, graph: { ...model.graph, initializers } };
}

/** True when a model carries a Sculpt checkpoint. */
export function isCheckpointModel(model: Model): boolean {
  return model.metadata.some((m) => m.key === CHECKPOINT_METADATA_KEY);
}

/** Reads a checkpoint back from its model; `source` names it in errors. */
export function checkpointFromModel(model: Model, source = 'the model'): TrainCheckpoint {
  const entry = model.metadata.find((m) => m.key === CHECKPOINT_METADATA_KEY);
  if (!entry) throw new SculptError('BAD_ARGUMENT', `${source} is not a Sculpt training checkpoint (no '${CHECKPOINT_METADATA_KEY}' metadata); resume from the checkpoint.onnx a run wrote to its --checkpoint-dir`);
  let json: CheckpointJson;
  try {
    json = JSON.parse(entry.value) as CheckpointJson;
  } catch (error) {
    throw new SculptError('BAD_MODEL', `${source}: the checkpoint metadata is not valid JSON; the file is damaged, start the run again`, { cause: error });
  }
  if (json.version !== FORMAT_VERSION || !json.position || !json.settings || !Array.isArray(json.history)) {
    throw new SculptError('BAD_MODEL', `${source}: checkpoint format ${String(json.version)} is not the supported version ${FORMAT_VERSION}; start the run again`);
  }
  const initializers = new Map<string, Tensor>();
  const optimizerState = new Map<string, Tensor>();
  for (const [name, value] of model.graph.initializers) {
    if (name.startsWith(OPTIMIZER_PREFIX)) optimizerState.set(name.slice(OPTIMIZER_PREFIX.length), value);
    else initializers.set(name, value);
  }
  const metadata = model.metadata.filter((m) => m.key !== CHECKPOINT_METADATA_KEY);
  return {
    model: { ...model, metadata, graph: { ...model.graph, initializers } },
    optimizerState,
    position: json.position,
    history: json.history.map(revive),
    settings: json.settings,
  };
}

/** Checks that a run with `settings` continues the checkpoint's run. */
export function checkResumeSettings(saved: CheckpointSettings, current: CheckpointSettings): void {
  const names: Record<keyof CheckpointSettings, string> = { seed: '--seed', batchSize: '--batch', trainCount: 'the number of training examples', optimizer: 'the optimizer settings' };
  for (const key of Object.keys(names) as (keyof CheckpointSettings)[]) {
    if (saved[key] !== current[key]) {
      throw new SculptError('BAD_ARGUMENT', `cannot resume: the checkpoint was written with ${names[key]} = ${saved[key]}, this run has ${current[key]}; resume with the same settings (or start without --resume)`);
    }
  }
}

/** JSON writes NaN as null; metrics read back as NaN so they stay numbers. */
function revive(record: EpochRecord): EpochRecord {
  const number = (v: unknown): number => (typeof v === 'number' ? v : NaN);
  const metrics = record.metrics;
  if (!metrics) return { ...record, trainLoss: number(record.trainLoss), imagesPerSecond: number(record.imagesPerSecond) };
  const fixed: Metrics =
    metrics.task === 'classification'
      ? { ...metrics, loss: number(metrics.loss), accuracy: number(metrics.accuracy) }
      : {
          ...metrics,
          loss: number(metrics.loss),
          pixelAccuracy: number(metrics.pixelAccuracy),
          meanForegroundDice: number(metrics.meanForegroundDice),
          meanForegroundIoU: number(metrics.meanForegroundIoU),
          meanDice: number(metrics.meanDice),
          meanIoU: number(metrics.meanIoU),
        };
  return { ...record, trainLoss: number(record.trainLoss), imagesPerSecond: number(record.imagesPerSecond), metrics: fixed };
}
