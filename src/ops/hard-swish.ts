/** HardSwish: x * max(0, min(1, x / 6 + 1 / 2)), an op from opset 14 (MobileNetV3). */
import { PASS_THROUGH } from './channels.js';
import { unaryRule } from './common.js';
import type { OpRule } from './rule.js';

export const HardSwish = {
  ...unaryRule({ opType: 'HardSwish', summary: 'x * HardSigmoid(x) with alpha = 1/6, beta = 1/2.', channels: PASS_THROUGH }),
  opsets: [14, Infinity],
  opsetNote: 'export with opset 14 or later, or as x * HardSigmoid(x)',
} satisfies OpRule;
