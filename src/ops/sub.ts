/** Sub: element-wise difference with broadcasting. */
import type { BackwardRule } from './backward.js';
import { broadcastBinaryRule } from './common.js';
import type { OpRule } from './rule.js';
import type { ScalingRule } from './scaling.js';

const backward: BackwardRule = {
  differentiable: [0, 1],
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const y = ctx.outputs[0]!;
    return [
      ctx.needsGrad(0) ? ctx.unbroadcast(dy, y, ctx.inputs[0]!) : undefined,
      ctx.needsGrad(1) ? ctx.op('Neg', [ctx.unbroadcast(dy, y, ctx.inputs[1]!)]) : undefined,
    ];
  },
};

export const Sub = {
  ...broadcastBinaryRule('Sub', 'Element-wise difference with numpy broadcasting.', {
    number: (a, b) => a - b,
    bigint: (a, b) => a - b,
  }),
  backward,
  scaling: (): ScalingRule => ({ kind: 'equivariant', scaledInputs: [0, 1] }),
} satisfies OpRule;
