/**
 * The one signature every pruning-at-initialisation scorer has: a model and one options object in,
 * a score per prunable weight out (see weights.ts). Each scorer reads the options it needs and
 * says so in its doc; the registry is ./index.ts.
 */
import type { Model } from '../ir/graph.js';
import type { Backend } from '../runtime/backend.js';
import type { WeightScores } from './weights.js';
import type { LabelledBatch } from './channel/taylor.js';

/** A labelled batch (input [N, ...] float32, labels int64 [N] or [N, H, W]): the type the channel criteria use too. */
export type { LabelledBatch } from './channel/taylor.js';

/** Options shared by all scorers; each scorer's doc lists the fields it reads. */
export interface ScoreOptions {
  /** Seed of the random scorer. Default 0. */
  readonly seed?: number;
  /** Runs the gradient graphs (SNIP, GraSP, SynFlow). */
  readonly backend?: Backend;
  /** The labelled batch the data-driven scorers (SNIP, GraSP) differentiate the loss on. */
  readonly data?: LabelledBatch;
  /** Target sparsity of iterative scorers (SynFlow prunes towards it over its rounds). */
  readonly sparsity?: number;
  /** Rounds of iterative scorers (SynFlow). Default 100; 1 gives single-shot scores. */
  readonly rounds?: number;
  /** How iterative scorers mask between rounds: one threshold over all weights, or one per layer. Default 'global'. */
  readonly scope?: 'global' | 'local';
  /** Per-sample input shape [C, H, W] for data-free scorers when the model's input shape is symbolic. */
  readonly inputShape?: readonly number[];
  /** onnxruntime threads inside one op (the backend's default when absent). */
  readonly threads?: number;
}

/** A pruning-at-initialisation scorer: higher scores mark weights to keep. */
export type Scorer = (model: Model, options: ScoreOptions) => Promise<WeightScores>;
