/** Mul: element-wise product with broadcasting (squeeze-excitation gates, HardSwish exports). */
import type { BackwardRule } from './backward.js';
import { broadcastBinaryRule } from './common.js';
import type { OpRule } from './rule.js';
import type { ScalingRule } from './scaling.js';

const backward: BackwardRule = {
  differentiable: [0, 1],
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const y = ctx.outputs[0]!;
    // d(a*b)/da = b: each input's gradient is dY times the other input, summed over broadcast axes.
    return [0, 1].map((i) => (ctx.needsGrad(i) ? ctx.unbroadcast(ctx.op('Mul', [dy, ctx.input(1 - i)]), y, ctx.inputs[i]!) : undefined));
  },
};

export const Mul = {
  ...broadcastBinaryRule('Mul', 'Element-wise product with numpy broadcasting.', {
    number: (a, b) => a * b,
    bigint: (a, b) => a * b,
  }),
  backward,
  scaling: (): ScalingRule => ({ kind: 'product' }),
} satisfies OpRule;
