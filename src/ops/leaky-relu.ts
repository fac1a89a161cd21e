/** LeakyRelu: x for x >= 0, alpha * x otherwise. */
import type { BackwardRule } from './backward.js';
import { masked } from './backward-common.js';
import { PASS_THROUGH } from './channels.js';
import { spec } from './attributes.js';
import { unaryRule } from './common.js';
import type { OpRule } from './rule.js';
import { ELEMENTWISE_PATTERN } from './pattern.js';
import { EQUIVARIANT } from './scaling.js';

// dY where x > 0, alpha·dY elsewhere (PyTorch's convention at 0): dY·(alpha + (1 - alpha)·[x > 0]).
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const alpha = ctx.attrs.float('alpha');
    const dy = ctx.outputGrads[0]!;
    const positive = masked(ctx, ctx.op('Mul', [dy, ctx.scalar(1 - alpha)]), ctx.op('Greater', [ctx.input(0), ctx.scalar(0)]));
    return [ctx.op('Add', [positive, ctx.op('Mul', [dy, ctx.scalar(alpha)])])];
  },
};

export const LeakyRelu = {
  ...unaryRule({
    opType: 'LeakyRelu',
    channels: PASS_THROUGH,
    summary: 'Leaky rectified linear unit: x, or alpha * x below zero.',
    attributes: { alpha: spec.float(0.01) },
  }),
  backward,
  scaling: () => EQUIVARIANT,
  pattern: () => ELEMENTWISE_PATTERN,
} satisfies OpRule;
