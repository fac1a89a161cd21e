/**
 * Unstructured masks from scores, as DNNShifter and the SynFlow reference code make them. Global:
 * flatten the scores of all weights, find the threshold t, the k-th smallest score with
 * k = ceil(p · n) of the n weights, and keep exactly the weights whose score is above t. Local: the
 * same within each weight tensor. Ties at t are all removed, as the reference's
 * `score > kthvalue` does, so the kept count is never above n - k and is exactly n - k whenever t
 * is unique; the result is deterministic either way.
 *
 * This lives with the scorers because iterative SynFlow masks between its rounds; src/prune/masks.ts
 * is the public home of masks (it re-exports masksFromScores).
 */
import { SculptError } from '../errors.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import type { WeightMasks, WeightScores } from './weights.js';

/** Options of masksFromScores. */
export interface MaskOptions {
  /** Share of weights to remove, in [0, 1). */
  readonly sparsity: number;
  /** One threshold over all weights ('global', the default) or one per weight tensor ('local'). */
  readonly scope?: 'global' | 'local';
}

/** Throws BAD_ARGUMENT unless 0 <= sparsity < 1. */
export function checkSparsity(sparsity: number): void {
  if (typeof sparsity !== 'number' || !(sparsity >= 0 && sparsity < 1)) {
    throw new SculptError('BAD_ARGUMENT', `sparsity ${sparsity} is out of range: give the share of weights to remove, at least 0 and below 1 (0.9 removes 90%)`);
  }
}

/** Masks that keep the weights scoring above the ceil(p · n)-th smallest score (see the file comment). */
export function masksFromScores(scores: WeightScores, options: MaskOptions): WeightMasks {
  checkSparsity(options.sparsity);
  if (scores.size === 0) throw new SculptError('NOT_PRUNABLE', 'no scores to mask: the model has no prunable weight');
  for (const [name, t] of scores) checkScores(name, t.data);
  return fillMasks(scores, options, new Map());
}

/**
 * masksFromScores writing into `into` (mask buffers reused by weight name, allocated when
 * missing): iterative scorers mask every round without allocating. Scores are not checked.
 */
export function fillMasks(scores: WeightScores, options: MaskOptions, into: Map<string, Float32Array>): WeightMasks {
  const scope = options.scope ?? 'global';
  if (scope !== 'global' && scope !== 'local') throw new SculptError('BAD_ARGUMENT', `mask scope '${String(scope)}' is not known (allowed: global, local)`);
  const global = scope === 'global' ? thresholdFor([...scores.values()].map((t) => t.data), options.sparsity) : 0;
  const masks = new Map<string, Tensor<'float32'>>();
  for (const [name, t] of scores) {
    let out = into.get(name);
    if (!out || out.length !== t.data.length) into.set(name, (out = new Float32Array(t.data.length)));
    const threshold = scope === 'global' ? global : thresholdFor([t.data], options.sparsity);
    maskAbove(t.data, threshold, out);
    masks.set(name, tensor('float32', t.dims, out));
  }
  return masks;
}

/** The k-th smallest score, k = ceil(p · n), or -Infinity when k is 0 (nothing to remove). */
function thresholdFor(values: readonly Float32Array[], sparsity: number): number {
  const n = values.reduce((sum, v) => sum + v.length, 0);
  const k = Math.ceil(sparsity * n);
  return k === 0 ? -Infinity : kthSmallest(values, k);
}

function checkScores(name: string, data: Float32Array): void {
  for (let i = 0, n = data.length; i < n; i++) {
    const v = data[i]!;
    // NaN is the only value unequal to itself (Number.isNaN would cost a call per element).
    if (v !== v) throw new SculptError('NUMERIC', `the score of '${name}' is NaN at element ${i}; scores must be numbers (check the scorer's inputs)`);
  }
}

function maskAbove(data: Float32Array, threshold: number, out: Float32Array): void {
  const t = Math.fround(threshold);
  for (let i = 0, n = data.length; i < n; i++) out[i] = data[i]! > t ? 1 : 0;
}

/**
 * The k-th smallest value (1-based) over several float arrays, by radix selection on the IEEE bit
 * patterns mapped to unsigned keys that sort like the floats (b ^ 0x80000000 for positive b, ~b
 * for negative): two counting passes of 16 bits each, linear in n and without copying or sorting
 * the (possibly 100M+) scores. -0 sorts just below +0, which compare equal anyway.
 */
export function kthSmallest(values: readonly Float32Array[], k: number): number {
  const n = values.reduce((sum, v) => sum + v.length, 0);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new SculptError('BAD_ARGUMENT', `k = ${k} is out of range for ${n} values (allowed: 1-${n})`);
  const keys = values.map((v) => new Int32Array(v.buffer, v.byteOffset, v.length));
  const high = new Uint32Array(65536);
  for (const key of keys) {
    for (let i = 0, length = key.length; i < length; i++) {
      const b = key[i]!;
      high[(b ^ ((b >> 31) | 0x80000000)) >>> 16]!++;
    }
  }
  let rank = k;
  let bucket = 0;
  while (rank > high[bucket]!) rank -= high[bucket++]!;
  const low = new Uint32Array(65536);
  for (const key of keys) {
    for (let i = 0, length = key.length; i < length; i++) {
      const b = key[i]!;
      const sorted = (b ^ ((b >> 31) | 0x80000000)) >>> 0;
      if (sorted >>> 16 === bucket) low[sorted & 0xffff]!++;
    }
  }
  let lowBits = 0;
  while (rank > low[lowBits]!) rank -= low[lowBits++]!;
  return fromSortKey(((bucket << 16) | lowBits) >>> 0);
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

function fromSortKey(key: number): number {
  scratchBits[0] = key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0;
  return scratch[0]!;
}

