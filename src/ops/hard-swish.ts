/** HardSwish: x * max(0, min(1, x / 6 + 1 / 2)), an op from opset 14 (MobileNetV3). */
import type { BackwardRule } from './backward.js';
import { PASS_THROUGH } from './channels.js';
import { unaryRule } from './common.js';
import type { OpRule } from './rule.js';

// PyTorch's hardswish_backward: 0 below -3, x/3 + 1/2 up to 3 (inclusive), 1 above.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const x = ctx.input(0);
    const ramp = ctx.op('Add', [ctx.op('Mul', [x, ctx.scalar(1 / 3)]), ctx.scalar(0.5)]);
    const upper = ctx.op('Where', [ctx.op('LessOrEqual', [x, ctx.scalar(3)]), ramp, ctx.scalar(1)]);
    const slope = ctx.op('Where', [ctx.op('Less', [x, ctx.scalar(-3)]), ctx.scalar(0), upper]);
    return [ctx.op('Mul', [ctx.outputGrads[0]!, slope])];
  },
};

export const HardSwish = {
  ...unaryRule({ opType: 'HardSwish', summary: 'x * HardSigmoid(x) with alpha = 1/6, beta = 1/2.', channels: PASS_THROUGH }),
  opsets: [14, Infinity],
  opsetNote: 'export with opset 14 or later, or as x * HardSigmoid(x)',
  backward,
} satisfies OpRule;
