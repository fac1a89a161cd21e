/** Concat: joins tensors along an axis (U-Net skip connections join along channels). */
import { spec } from './attributes.js';
import type { BackwardRule } from './backward.js';
import { requireInput } from './common.js';
import { concatTensors } from './fold.js';
import type { OpRule } from './rule.js';
import { formatShape, normalizeAxis } from './shapes.js';
import type { Dim } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';

// dX_i: the slice of dY that input i filled.
const backward: BackwardRule = {
  differentiable: 'all',
  emit: (ctx) => {
    const rank = ctx.inputs[0]!.shape.length;
    const axis = normalizeAxis(ctx.attrs.int('axis'), rank)!;
    const sizes = ctx.inputs.map((t, i) => {
      const d = t?.shape[axis];
      return typeof d === 'number' ? d : ctx.fail(`the gradient needs a static size of input ${i} along axis ${axis}`);
    });
    if (sizes.length === 1) return [ctx.outputGrads[0]];
    return ctx.split(ctx.outputGrads[0]!, axis, sizes);
  },
};

export const Concat = {
  opType: 'Concat',
  summary: 'Concatenates its inputs along `axis`.',
  inputCount: [1, Infinity],
  outputCount: [1, 1],
  attributes: { axis: spec.int() },
  inferTypes(ctx) {
    const first = requireInput(ctx, 0, 'input 0');
    const rank = first.shape.length;
    const axis = normalizeAxis(ctx.attrs.int('axis'), rank);
    if (axis === undefined) return ctx.fail(`axis ${ctx.attrs.int('axis')} is out of range for rank ${rank}`);
    const shape = [...first.shape];
    let total: number | string = first.shape[axis]!;
    for (let i = 1; i < ctx.inputs.length; i++) {
      const t = requireInput(ctx, i, `input ${i}`);
      if (t.dtype !== first.dtype) ctx.fail(`input ${i} is ${t.dtype} but input 0 is ${first.dtype}`);
      if (t.shape.length !== rank) ctx.fail(`input ${i} ${formatShape(t.shape)} has a different rank from input 0 ${formatShape(first.shape)}`);
      t.shape.forEach((d, j) => {
        if (j !== axis && typeof d === 'number' && typeof shape[j] === 'number' && d !== shape[j]) {
          ctx.fail(`input ${i} ${formatShape(t.shape)} differs from input 0 ${formatShape(first.shape)} outside axis ${axis}`);
        }
      });
      const d = t.shape[axis]!;
      total = typeof total === 'number' && typeof d === 'number' ? total + d : '';
    }
    shape[axis] = total;
    return [{ dtype: first.dtype, shape }];
  },
  fold(ctx) {
    const parts = ctx.node.inputs.map((_, i) => ctx.constant(i));
    if (!parts.every((p): p is Tensor => p !== undefined)) return undefined;
    const axis = normalizeAxis(ctx.attrs.int('axis'), parts[0]!.dims.length)!;
    const result = concatTensors(parts, axis);
    return result ? [result] : undefined;
  },
  // Shape arithmetic: [batch] ++ [-1] for x.view(x.size(0), -1).
  foldShapeValue(ctx) {
    const parts = ctx.node.inputs.map((_, i) => ctx.shapeValue(i));
    if (ctx.inputs[0]?.shape.length !== 1 || !parts.every((p): p is readonly Dim[] => p !== undefined)) return undefined;
    return [parts.flat()];
  },
  scaling: () => ({ kind: 'equivariant', scaledInputs: 'all' }),
  parameterInputs: [],
  channels: { kind: 'concat' },
  macs: () => 0,
  backward,
} satisfies OpRule;
