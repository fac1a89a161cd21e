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
  const scope = options.scope ?? 'global';
  if (scope !== 'global' && scope !== 'local') throw new SculptError('BAD_ARGUMENT', `mask scope '${String(scope)}' is not known (allowed: global, local)`);
  if (scores.size === 0) throw new SculptError('NOT_PRUNABLE', 'no scores to mask: the model has no prunable weight');
  for (const [name, t] of scores) checkScores(name, t.data);
  const masks = new Map<string, Tensor<'float32'>>();
  if (scope === 'global') {
    const values = [...scores.values()].map((t) => t.data);
    const threshold = thresholdFor(values, options.sparsity);
    for (const [name, t] of scores) masks.set(name, maskAbove(t, threshold));
  } else {
    for (const [name, t] of scores) masks.set(name, maskAbove(t, thresholdFor([t.data], options.sparsity)));
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
  for (let i = 0; i < data.length; i++) {
    if (Number.isNaN(data[i]!)) throw new SculptError('NUMERIC', `the score of '${name}' is NaN at element ${i}; scores must be numbers (check the scorer's inputs)`);
  }
}

function maskAbove(scores: Tensor<'float32'>, threshold: number): Tensor<'float32'> {
  const data = scores.data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! > threshold ? 1 : 0;
  return tensor('float32', scores.dims, out);
}

/**
 * The k-th smallest value (1-based) over several float arrays, by radix selection on the IEEE bit
 * patterns mapped to unsigned keys that sort like the floats: two counting passes of 16 bits each,
 * linear in n and without copying or sorting the (possibly 100M+) scores.
 */
export function kthSmallest(values: readonly Float32Array[], k: number): number {
  const n = values.reduce((sum, v) => sum + v.length, 0);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new SculptError('BAD_ARGUMENT', `k = ${k} is out of range for ${n} values (allowed: 1-${n})`);
  const keys = values.map((v) => new Uint32Array(v.buffer, v.byteOffset, v.length));
  const high = new Float64Array(65536);
  for (const key of keys) {
    for (let i = 0; i < key.length; i++) {
      const bin = sortKey(key[i]!) >>> 16;
      high[bin] = high[bin]! + 1;
    }
  }
  let rank = k;
  let bucket = 0;
  while (rank > high[bucket]!) rank -= high[bucket++]!;
  const low = new Float64Array(65536);
  for (const key of keys) {
    for (let i = 0; i < key.length; i++) {
      const s = sortKey(key[i]!);
      if (s >>> 16 === bucket) low[s & 0xffff] = low[s & 0xffff]! + 1;
    }
  }
  let lowBits = 0;
  while (rank > low[lowBits]!) rank -= low[lowBits++]!;
  return fromSortKey(((bucket << 16) | lowBits) >>> 0);
}

/** An unsigned key that orders like the float whose bits are `bits` (-0 as +0). */
function sortKey(bits: number): number {
  if (bits === 0x80000000) return 0x80000000;
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

function fromSortKey(key: number): number {
  scratchBits[0] = key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0;
  return scratch[0]!;
}

