/** HardSigmoid: max(0, min(1, alpha * x + beta)) (MobileNetV3 gates; PyTorch exports alpha = 1/6). */
import { PASS_THROUGH } from './channels.js';
import { spec } from './attributes.js';
import { unaryRule } from './common.js';

export const HardSigmoid = unaryRule({
  opType: 'HardSigmoid',
  channels: PASS_THROUGH,
  summary: 'Piecewise-linear sigmoid, max(0, min(1, alpha * x + beta)).',
  attributes: { alpha: spec.float(0.2), beta: spec.float(0.5) },
});
