/**
 * Pad: adds (or, when negative, removes) elements at both ends of axes. `pads` is an input
 * ([begins..., ends...]); `axes` an input from opset 18; mode 'wrap' is from opset 19, but
 * onnxruntime runs it in earlier opsets too, so it is accepted there.
 */
import type { BackwardRule } from './backward.js';
import { passThroughUnless } from './channels.js';
import { spec } from './attributes.js';
import { requireInput, requireInputOpset, requireIntegers } from './common.js';
import type { OpRule } from './rule.js';
import { formatShape, normalizeAxes } from './shapes.js';

// Constant padding: dX is dY with the pads taken off again, a Pad by the negated pads (negative
// pads crop). Reflect, edge and wrap copy values and are not supported.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const rank = ctx.inputs[0]!.shape.length;
    const pads = ctx.shapeValue(1);
    const given = ctx.node.inputs[3] ? ctx.shapeValue(3) : [...Array(rank).keys()];
    if (!pads || !given || !pads.every((p) => typeof p === 'number') || !given.every((a) => typeof a === 'number')) return ctx.fail('the gradient needs constant pads and axes');
    const axes = normalizeAxes(given as number[], rank)!;
    const full = new Array<number>(2 * rank).fill(0);
    axes.forEach((axis, i) => {
      full[axis] = -(pads[i] as number);
      full[axis + rank] = -(pads[i + axes.length] as number);
    });
    if (ctx.attrs.string('mode') !== 'constant' && full.some((p) => p !== 0)) return ctx.fail(`the gradient of mode '${ctx.attrs.string('mode')}' is not supported (constant only)`);
    return [ctx.op('Pad', [ctx.outputGrads[0]!, ctx.ints(full)])];
  },
};

export const Pad = {
  opType: 'Pad',
  summary: 'Pads axes at both ends (constant, reflect, edge or wrap).',
  inputCount: [2, 4],
  outputCount: [1, 1],
  attributes: { mode: spec.string('constant', ['constant', 'reflect', 'edge', 'wrap']) },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    requireInputOpset(ctx, 3, 'axes', 18);
    const value = ctx.inputs[2];
    if (value && (value.dtype !== x.dtype || value.shape.some((d) => d !== 1))) ctx.fail(`constant_value must be one ${x.dtype} element`);
    const rank = x.shape.length;
    const given = ctx.node.inputs[3] ? requireIntegers(ctx, 3, 'axes') : [...Array(rank).keys()];
    const axes = normalizeAxes(given, rank);
    if (!axes) return ctx.fail(`axes [${given.join(', ')}] must be distinct and within rank ${rank}`);
    const pads = requireIntegers(ctx, 1, 'pads');
    if (pads.length !== 2 * axes.length) ctx.fail(`pads [${pads.join(', ')}] must hold ${2 * axes.length} values (begins, then ends, for ${axes.length} axes)`);
    const shape = [...x.shape];
    axes.forEach((axis, i) => {
      const d = shape[axis]!;
      if (typeof d !== 'number') {
        if (pads[i] !== 0 || pads[i + axes.length] !== 0) shape[axis] = '';
        return;
      }
      const size = d + pads[i]! + pads[i + axes.length]!;
      if (size < 0) ctx.fail(`pads [${pads.join(', ')}] remove more than axis ${axis} of ${formatShape(x.shape)} holds`);
      shape[axis] = size;
    });
    return [{ dtype: x.dtype, shape }];
  },
  scaling: () => ({ kind: 'equivariant', scaledInputs: [2] }),
  parameterInputs: [],
  channels: passThroughUnless((ctx) => {
    const rank = ctx.inputs[0]!.shape.length;
    const pads = ctx.shapeValue(1);
    const given = ctx.node.inputs[3] ? ctx.shapeValue(3) : [...Array(rank).keys()];
    if (!pads || !given || !pads.every((p) => typeof p === 'number') || !given.every((a) => typeof a === 'number')) return 'pads are computed, not constants';
    const k = (normalizeAxes(given, rank) ?? []).indexOf(1);
    return k >= 0 && (pads[k] !== 0 || pads[k + given.length] !== 0) ? 'pads the channel axis' : undefined;
  }),
  macs: () => 0,
  backward,
} satisfies OpRule;
