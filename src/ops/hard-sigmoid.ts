/** HardSigmoid: max(0, min(1, alpha * x + beta)) (MobileNetV3 gates; PyTorch exports alpha = 1/6). */
import type { BackwardRule } from './backward.js';
import { masked } from './backward-common.js';
import { PASS_THROUGH } from './channels.js';
import { spec } from './attributes.js';
import { unaryRule } from './common.js';

// alpha·dY where 0 < alpha·x + beta < 1 (strict, as PyTorch's hardsigmoid), 0 elsewhere.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const alpha = ctx.attrs.float('alpha');
    const linear = ctx.op('Add', [ctx.op('Mul', [ctx.input(0), ctx.scalar(alpha)]), ctx.scalar(ctx.attrs.float('beta'))]);
    const inside = ctx.op('And', [ctx.op('Greater', [linear, ctx.scalar(0)]), ctx.op('Less', [linear, ctx.scalar(1)])]);
    return [masked(ctx, ctx.op('Mul', [ctx.outputGrads[0]!, ctx.scalar(alpha)]), inside)];
  },
};

export const HardSigmoid = {
  ...unaryRule({
    opType: 'HardSigmoid',
    channels: PASS_THROUGH,
    summary: 'Piecewise-linear sigmoid, max(0, min(1, alpha * x + beta)).',
    attributes: { alpha: spec.float(0.2), beta: spec.float(0.5) },
  }),
  backward,
};
