/** Div: element-wise quotient with broadcasting; integer division truncates toward zero, as onnxruntime's does. */
import type { BackwardRule } from './backward.js';
import { broadcastBinaryRule } from './common.js';
import type { OpRule } from './rule.js';
import type { ScalingRule } from './scaling.js';

// d(a/b)/da = 1/b, d(a/b)/db = -a/b² = -y/b; each summed over its broadcast axes.
const backward: BackwardRule = {
  differentiable: [0, 1],
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const y = ctx.outputs[0]!;
    const da = ctx.needsGrad(0) ? ctx.unbroadcast(ctx.op('Div', [dy, ctx.input(1)]), y, ctx.inputs[0]!) : undefined;
    const db = ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Neg', [ctx.op('Div', [ctx.op('Mul', [dy, ctx.output(0)]), ctx.input(1)])]), y, ctx.inputs[1]!) : undefined;
    return [da, db];
  },
};

export const Div = {
  ...broadcastBinaryRule('Div', 'Element-wise quotient with numpy broadcasting.', {
    number: (a, b) => a / b,
    // A zero integer divisor leaves the value unfolded: it is onnxruntime's error to report, not a constant.
    bigint: (a, b) => (b === 0n ? undefined : a / b),
  }),
  backward,
  scaling: (): ScalingRule => ({ kind: 'quotient' }),
} satisfies OpRule;
