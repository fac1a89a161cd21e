/** MaxPool: the maximum over each window, optionally with the flat indices of the maxima. */
import { PASS_THROUGH } from './channels.js';
import { spec } from './attributes.js';
import { AUTO_PAD_VALUES } from './conv.js';
import { pooledType } from './pool.js';
import type { OpRule } from './rule.js';

export const MaxPool = {
  opType: 'MaxPool',
  summary: 'Maximum over each sliding window.',
  inputCount: [1, 1],
  outputCount: [1, 2],
  attributes: {
    auto_pad: spec.string('NOTSET', AUTO_PAD_VALUES),
    ceil_mode: spec.int(0, [0, 1]),
    dilations: spec.ints(),
    kernel_shape: spec.ints(),
    pads: spec.ints(),
    storage_order: spec.int(0, [0]),
    strides: spec.ints(),
  },
  inferTypes(ctx) {
    const y = pooledType(ctx);
    return ctx.node.outputs.length > 1 ? [y, { dtype: 'int64', shape: y.shape }] : [y];
  },
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
} satisfies OpRule;
