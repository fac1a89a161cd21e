/**
 * Unstructured masks from pruning-at-initialisation scores: masksFromScores (src/score/threshold.ts,
 * where the global and local thresholds are defined) makes them, applyMasks zeroes the masked
 * weights, countMasks counts what they keep.
 *
 * Masks are Float32 0/1 tensors keyed by initialiser name and shaped like the weight: the form
 * the training engine takes (masked weights start at zero and stay zero).
 *
 * @example
 * const masks = masksFromScores(await snipScores(model, options), { sparsity: 0.9 });
 * const pruned = applyMasks(model, masks);
 */
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { toFloat32 } from '../ir/tensor.js';
import type { WeightMasks } from '../score/weights.js';

export { checkSparsity, kthSmallest, masksFromScores, type MaskOptions } from '../score/threshold.js';
export type { WeightMasks } from '../score/weights.js';

/** The sparsities of the Reconvene/DNNShifter experiments: 1 - 2^-k for k = 1..8 (compression 2x to 256x). */
export const SPARSITY_LEVELS: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => 1 - 2 ** -k);

/**
 * The model with every masked weight set to zero (weights keep their names). Throws BAD_ARGUMENT
 * for a mask without a matching float weight or with other dims.
 */
export function applyMasks(model: Model, masks: WeightMasks): Model {
  const initializers = new Map(model.graph.initializers);
  for (const [name, mask] of masks) {
    const weight = initializers.get(name);
    if (!weight || (weight.dtype !== 'float32' && weight.dtype !== 'float64')) {
      throw new SculptError('BAD_ARGUMENT', `mask for '${name}': the model has no float initialiser of that name; give masks keyed by weight names`);
    }
    if (weight.dims.join() !== mask.dims.join()) {
      throw new SculptError('SHAPE_MISMATCH', `mask for '${name}' has dims [${mask.dims.join(', ')}] but the weight has [${weight.dims.join(', ')}]`);
    }
    const source = weight.data as Float32Array | Float64Array;
    const out = source.slice();
    const keep = mask.data;
    for (let i = 0; i < out.length; i++) if (keep[i] === 0) out[i] = 0;
    initializers.set(name, { dtype: weight.dtype, dims: [...weight.dims], data: out });
  }
  return { ...model, graph: { ...model.graph, initializers } };
}

/** Kept and total weights of one mask. */
export interface MaskCount {
  readonly weight: string;
  readonly total: number;
  readonly kept: number;
  readonly density: number;
}

/** Kept counts per weight and overall. */
export function countMasks(masks: WeightMasks): { readonly total: number; readonly kept: number; readonly density: number; readonly weights: readonly MaskCount[] } {
  const weights: MaskCount[] = [];
  let total = 0;
  let kept = 0;
  for (const [weight, mask] of masks) {
    const data = toFloat32(mask);
    let ones = 0;
    for (let i = 0; i < data.length; i++) if (data[i] !== 0) ones++;
    weights.push({ weight, total: data.length, kept: ones, density: data.length ? ones / data.length : 0 });
    total += data.length;
    kept += ones;
  }
  return { total, kept, density: total ? kept / total : 0, weights };
}
