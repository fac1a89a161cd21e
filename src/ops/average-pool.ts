/** AveragePool: the mean over each window (count_include_pad decides whether padding counts). */
import { PASS_THROUGH } from './channels.js';
import { inOpsets, spec } from './attributes.js';
import { AUTO_PAD_VALUES } from './conv.js';
import { pooledType } from './pool.js';
import type { OpRule } from './rule.js';

export const AveragePool = {
  opType: 'AveragePool',
  summary: 'Mean over each sliding window.',
  inputCount: [1, 1],
  outputCount: [1, 1],
  attributes: {
    auto_pad: spec.string('NOTSET', AUTO_PAD_VALUES),
    ceil_mode: spec.int(0, [0, 1]),
    count_include_pad: spec.int(0, [0, 1]),
    dilations: inOpsets(spec.ints(), 19),
    kernel_shape: spec.ints(),
    pads: spec.ints(),
    strides: spec.ints(),
  },
  inferTypes: (ctx) => [pooledType(ctx)],
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
} satisfies OpRule;
