/**
 * Unstructured pruning at initialisation (UPaI): score the weights of an initialised model with a
 * scorer, mask them globally (or per layer) at a sparsity, and zero the masked weights. The
 * tensors keep their dense shapes; the masks go to the training engine, which keeps masked
 * weights at zero.
 *
 * @example
 * const { model: pruned, masks } = await upaiPrune(model, { scorer: 'magnitude', sparsity: 0.9 });
 */
import type { Model } from '../ir/graph.js';
import { scorerFor, scorerName } from '../score/index.js';
import type { Scorer, ScoreOptions } from '../score/scorer.js';
import { checkFinite, type WeightScores } from '../score/weights.js';
import { materializeSharedParameters } from '../transform/shared-parameters.js';
import { applyMasks, checkSparsity, countMasks, masksFromScores, type MaskCount, type WeightMasks } from './masks.js';

/** Options of upaiPrune: the scorer, the sparsity and the mask scope, plus what the scorer reads. */
export interface UpaiOptions extends ScoreOptions {
  /** A scorer name ('random', 'magnitude', ... or the aliases rand, mag) or a scorer function. */
  readonly scorer: string | Scorer;
  /** Share of prunable weights to remove, in [0, 1). */
  readonly sparsity: number;
}

/** What UPaI did: the masks' kept counts per weight and overall, and where the time went. */
export interface UpaiReport {
  readonly scorer: string;
  readonly sparsity: number;
  readonly scope: 'global' | 'local';
  readonly total: number;
  readonly kept: number;
  readonly density: number;
  readonly weights: readonly MaskCount[];
  readonly timeMs: { readonly score: number; readonly mask: number };
}

/** The masked model (shared parameters made separate, masked weights zero), the masks, the scores and the report. */
export interface UpaiResult {
  readonly model: Model;
  readonly masks: WeightMasks;
  readonly scores: WeightScores;
  readonly report: UpaiReport;
}

/** Scores, masks and zeroes the weights of an initialised model (see the file comment). */
export async function upaiPrune(model: Model, options: UpaiOptions): Promise<UpaiResult> {
  checkSparsity(options.sparsity);
  const scorer = typeof options.scorer === 'string' ? scorerFor(options.scorer) : options.scorer;
  const name = typeof options.scorer === 'string' ? (scorerName(options.scorer) ?? options.scorer) : options.scorer.name || 'custom';
  const scope = options.scope ?? 'global';
  const separate = materializeSharedParameters(model);
  const start = performance.now();
  const scores = await scorer(separate, options);
  checkFinite(scores, name);
  const scored = performance.now();
  const masks = masksFromScores(scores, { sparsity: options.sparsity, scope });
  const counts = countMasks(masks);
  const masked = performance.now();
  return {
    model: applyMasks(separate, masks),
    masks,
    scores,
    report: { scorer: name, sparsity: options.sparsity, scope, ...counts, timeMs: { score: scored - start, mask: masked - scored } },
  };
}
