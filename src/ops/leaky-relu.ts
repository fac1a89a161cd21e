/** LeakyRelu: x for x >= 0, alpha * x otherwise. */
import { PASS_THROUGH } from './channels.js';
import { spec } from './attributes.js';
import { unaryRule } from './common.js';

export const LeakyRelu = unaryRule({
  opType: 'LeakyRelu',
  channels: PASS_THROUGH,
  summary: 'Leaky rectified linear unit: x, or alpha * x below zero.',
  attributes: { alpha: spec.float(0.01) },
});
