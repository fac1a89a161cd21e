/**
 * Softmax along `axis`. Before opset 13 the input is coerced to 2-D at `axis` (default 1) and the
 * softmax runs over all dims from it; from 13 it runs over the one axis (default -1). The output
 * shape is the input's either way; the semantics matter to autodiff.
 */
import type { BackwardRule } from './backward.js';
import { passThroughUnless } from './channels.js';
import { spec } from './attributes.js';
import { requireInput } from './common.js';
import type { OpRule } from './rule.js';
import { normalizeAxis } from './shapes.js';

/** The axis a Softmax node uses, with the opset's default. */
export function softmaxAxis(axis: number | undefined, opset: number): number {
  return axis ?? (opset < 13 ? 1 : -1);
}

// dX = y ⊙ (dY - Σ dY ⊙ y) over the normalised dims: the one axis from opset 13, every dim from
// the axis on before it.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const rank = ctx.inputs[0]!.shape.length;
    const axis = normalizeAxis(softmaxAxis(ctx.attrs.has('axis') ? ctx.attrs.int('axis') : undefined, ctx.opset), rank)!;
    const axes = ctx.opset >= 13 ? [axis] : Array.from({ length: rank - axis }, (_, i) => axis + i);
    const inner = ctx.reduceSum(ctx.op('Mul', [dy, ctx.output(0)]), axes, true);
    return [ctx.op('Mul', [ctx.output(0), ctx.op('Sub', [dy, inner])])];
  },
};

export const Softmax = {
  opType: 'Softmax',
  summary: 'Normalised exponentials along an axis (from opset 13) or over the dims from it (before 13).',
  inputCount: [1, 1],
  outputCount: [1, 1],
  attributes: { axis: spec.int() },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'input');
    const axis = softmaxAxis(ctx.attrs.has('axis') ? ctx.attrs.int('axis') : undefined, ctx.opset);
    if (normalizeAxis(axis, x.shape.length) === undefined) ctx.fail(`axis ${axis} is out of range for rank ${x.shape.length}`);
    return [x];
  },
  parameterInputs: [],
  // Before opset 13 Softmax normalises over every dim from `axis` on; from 13 over `axis` only.
  channels: passThroughUnless((ctx) => {
    const rank = ctx.inputs[0]!.shape.length;
    const axis = normalizeAxis(softmaxAxis(ctx.attrs.has('axis') ? ctx.attrs.int('axis') : undefined, ctx.opset), rank)!;
    return (ctx.opset < 13 ? axis <= 1 : axis === 1) ? 'normalises across channels' : undefined;
  }),
  macs: () => 0,
  backward,
} satisfies OpRule;
