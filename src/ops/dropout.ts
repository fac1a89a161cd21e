/** Dropout: the identity at inference; Sculpt's training graphs drop it (see autodiff). */
import { PASS_THROUGH } from './channels.js';
import { spec } from './attributes.js';
import { requireInput } from './common.js';
import type { OpRule } from './rule.js';

export const Dropout = {
  opType: 'Dropout',
  summary: 'Randomly zeroes elements in training; the identity at inference.',
  inputCount: [1, 3],
  outputCount: [1, 2],
  attributes: { seed: spec.int() },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    return ctx.node.outputs.length > 1 ? [x, { dtype: 'bool', shape: x.shape }] : [x];
  },
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
} satisfies OpRule;
