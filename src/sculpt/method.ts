/**
 * What a sculpting method is, and the services a search uses. A method makes the untrained
 * candidate at a compression factor (prune a trained model, prune an initialised one, or build a
 * narrower one); the services train, evaluate and time models. Both are injected into `fit`, so
 * the search is tested with fake trainers and clocks, and the CLI wires onnxruntime in.
 */
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { LatencyMeasurement, LayerWidthRecord, TrainingRecord } from './candidate.js';
import type { LatencyConfig } from './criteria.js';

/** An untrained candidate, as a method makes it. */
export interface PreparedCandidate {
  readonly model: Model;
  /** 0/1 masks by weight name, for unstructured methods: masked weights stay zero in training. */
  readonly masks?: ReadonlyMap<string, Tensor>;
  /** Non-zero parameters, when masks leave zeros in dense tensors. */
  readonly nonzeroParams?: number;
  /** Share of prunable weights masked. */
  readonly sparsity?: number;
  /** Output widths of the weighted layers, before and after. */
  readonly layers?: readonly LayerWidthRecord[];
}

/** A way of making candidates. */
export interface FitMethod {
  /** The CLI's name: 'channel', 'reconvene', 'upai', 'uniform'. */
  readonly name: string;
  /** What candidate ids start with: 'channel-l1', 'reconvene-synflow', 'uniform'. */
  readonly idPrefix: string;
  /** The results file's method slug ('l1', 'taylor', 'reconvene', 'upai', 'uniform'). */
  readonly slug: string;
  /** The scorer or criterion, when there is one. */
  readonly scorer?: string;
  /** 'fine-tune' keeps the trained model's weights; 'from-scratch' trains newly initialised ones. */
  readonly training: 'fine-tune' | 'from-scratch';
  /** Makes the candidate with about `1 / target` of the unpruned model's parameters. */
  prepare(unpruned: Model, target: number): Promise<PreparedCandidate>;
}

/** What the trainer is told about the model it trains. */
export interface TrainRequest {
  /** The candidate's id ('dense' for the unpruned model). */
  readonly id: string;
  readonly masks?: ReadonlyMap<string, Tensor>;
}

/** A trained model and its quality on the held-out set. */
export interface TrainedModel {
  readonly model: Model;
  readonly quality: number;
  readonly training: TrainingRecord;
}

/** Training, evaluation and latency measurement, as a search uses them. */
export interface FitServices {
  /** Trains (or fine-tunes) for the search's budget and evaluates on the held-out set. */
  train(model: Model, request: TrainRequest): Promise<TrainedModel>;
  /** Quality of a model on the held-out set. */
  evaluate(model: Model): Promise<number>;
  /** Median latencies of the models (interleaved) at each configuration: one list per model, configurations in order. */
  measureLatency(models: readonly Model[], configs: readonly LatencyConfig[]): Promise<LatencyMeasurement[][]>;
}

const unreachable = new WeakSet<SculptError>();

/**
 * The error a method throws when a rung's compression cannot be reached (every layer already at
 * its minimum, parameters that cannot be pruned): the search skips that rung and goes on.
 */
export function unreachableRung(message: string): SculptError {
  const error = new SculptError('BAD_ARGUMENT', message);
  unreachable.add(error);
  return error;
}

/** True for errors made by `unreachableRung`. */
export function isUnreachableRung(error: unknown): error is SculptError {
  return error instanceof SculptError && unreachable.has(error);
}
