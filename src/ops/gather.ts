/** Gather: takes entries of `data` along `axis` at `indices` (x.size(0) in exports is Shape → Gather). */
import type { BackwardRule } from './backward.js';
import { int64 } from '../ir/tensor.js';
import { spec } from './attributes.js';
import { requireInput } from './common.js';
import { gatherTensor, isIntegerType } from './fold.js';
import type { OpContext, OpRule } from './rule.js';
import { normalizeAxis } from './shapes.js';
import { toNumbers } from '../ir/tensor.js';
import { EQUIVARIANT } from './scaling.js';

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

// dX scatters dY back to the gathered positions, adding where an index repeats (constant indices,
// ScatterElements with reduction from opset 16). Gathers of shape arithmetic carry no gradient.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const data = ctx.inputs[0]!;
    const axis = gatherAxis(ctx, data.shape.length);
    const size = data.shape[axis]!;
    const indices = typeof size === 'number' ? constantIndices(ctx, size) : undefined;
    if (!indices) return ctx.fail('the gradient needs constant indices and a static size on the gathered axis');
    if (ctx.opset < 16) return ctx.fail(`the gradient needs ScatterElements with reduction (opset 16 or later; the graph has ${ctx.opset})`);
    const flat = data.shape.map((d, i) => (i === axis ? indices.length : d));
    if (!flat.every((d, i) => typeof d === 'number' || (i === 0 && axis > 0))) return ctx.fail('the gradient needs static dims');
    const updates = ctx.reshape(ctx.outputGrads[0]!, flat.map((d) => (typeof d === 'number' ? d : 0)));
    const where = ctx.constantTensor(int64(data.shape.map((_, i) => (i === axis ? indices.length : 1)), indices));
    const spread = ctx.op('Expand', [where, ctx.op('Shape', [updates])]);
    const zeros = ctx.op('ConstantOfShape', [ctx.shapeOf(ctx.input(0), data)]);
    return [ctx.op('ScatterElements', [zeros, spread, updates], { axis, reduction: 'add' })];
  },
};

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
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: { kind: 'barrier', reason: 'selects entries by index, which can pick, drop or reorder channels' },
  macs: () => 0,
  backward,
} satisfies OpRule;

