/** Gather: takes entries of `data` along `axis` at `indices` (x.size(0) in exports is Shape → Gather). */
import { spec } from './attributes.js';
import { requireInput } from './common.js';
import { gatherTensor, isIntegerType } from './fold.js';
import type { OpContext, OpRule } from './rule.js';
import { normalizeAxis } from './shapes.js';
import { toNumbers } from '../ir/tensor.js';

function gatherAxis(ctx: OpContext, rank: number): number {
  const axis = normalizeAxis(ctx.attrs.int('axis'), rank);
  if (axis === undefined) return ctx.fail(`axis ${ctx.attrs.int('axis')} is out of range for rank ${rank}`);
  return axis;
}

/** Constant indices with negatives resolved against `size`, or undefined when not constant. */
function constantIndices(ctx: OpContext, size: number | string): number[] | undefined {
  const indices = ctx.constant(1);
  if (!indices) return undefined;
  return toNumbers(indices).map((i) => {
    if (typeof size !== 'number') return i;
    if (i < -size || i >= size) ctx.fail(`index ${i} is out of range for a dim of size ${size}`);
    return i < 0 ? i + size : i;
  });
}

export const Gather = {
  opType: 'Gather',
  summary: 'Entries of data along an axis at the given indices.',
  inputCount: [2, 2],
  outputCount: [1, 1],
  attributes: { axis: spec.int(0) },
  inferTypes(ctx) {
    const data = requireInput(ctx, 0, 'data');
    const indices = requireInput(ctx, 1, 'indices');
    if (!isIntegerType(indices.dtype)) ctx.fail(`indices must be int32 or int64, got ${indices.dtype}`);
    const axis = gatherAxis(ctx, data.shape.length);
    constantIndices(ctx, data.shape[axis]!);
    return [{ dtype: data.dtype, shape: [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)] }];
  },
  fold(ctx) {
    const data = ctx.constant(0);
    const indices = ctx.constant(1);
    if (!data || !indices) return undefined;
    const axis = gatherAxis(ctx, data.dims.length);
    const result = gatherTensor(data, constantIndices(ctx, data.dims[axis]!)!, indices.dims, axis);
    return result ? [result] : undefined;
  },
  foldShapeValue(ctx) {
    const dims = ctx.shapeValue(0);
    const data = ctx.inputs[0];
    if (!dims || data?.shape.length !== 1) return undefined;
    const indices = constantIndices(ctx, dims.length);
    return indices ? [indices.map((i) => dims[i]!)] : undefined;
  },
  parameterInputs: [],
  channels: { kind: 'barrier', reason: 'selects entries by index, which can pick, drop or reorder channels' },
  macs: () => 0,
} satisfies OpRule;

