/** Add: element-wise sum with broadcasting (residual connections). */
import type { BackwardRule } from './backward.js';
import { broadcastBinaryRule } from './common.js';
import type { OpRule } from './rule.js';
import type { ScalingRule } from './scaling.js';

const backward: BackwardRule = {
  differentiable: [0, 1],
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const y = ctx.outputs[0]!;
    return [0, 1].map((i) => (ctx.needsGrad(i) ? ctx.unbroadcast(dy, y, ctx.inputs[i]!) : undefined));
  },
};

export const Add = {
  ...broadcastBinaryRule('Add', 'Element-wise sum with numpy broadcasting.', {
    number: (a, b) => a + b,
    bigint: (a, b) => a + b,
  }),
  backward,
  scaling: (): ScalingRule => ({ kind: 'equivariant', scaledInputs: [0, 1] }),
} satisfies OpRule;
