/**
 * Dropout: the identity at inference. Before opset 12 the ratio is an attribute; from 12 ratio and
 * training_mode are inputs (and `seed` an attribute). Sculpt's training graphs drop it (see autodiff).
 */
import { inOpsets, spec } from './attributes.js';
import { PASS_THROUGH } from './channels.js';
import { requireInput, requireInputOpset } from './common.js';
import type { OpRule } from './rule.js';
import { toNumbers } from '../ir/tensor.js';

export const Dropout = {
  opType: 'Dropout',
  summary: 'Randomly zeroes elements in training; the identity at inference.',
  inputCount: [1, 3],
  outputCount: [1, 2],
  attributes: { ratio: inOpsets(spec.float(0.5), 1, 11), seed: inOpsets(spec.int(), 12) },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    requireInputOpset(ctx, 1, 'ratio', 12, "use the 'ratio' attribute");
    requireInputOpset(ctx, 2, 'training_mode', 12);
    const ratio = ctx.inputs[1];
    if (ratio && ratio.shape.length !== 0) ctx.fail('ratio must be a scalar');
    const training = ctx.inputs[2];
    if (training && (training.dtype !== 'bool' || training.shape.length !== 0)) ctx.fail('training_mode must be a bool scalar');
    return ctx.node.outputs.length > 1 ? [x, { dtype: 'bool', shape: x.shape }] : [x];
  },
  // The output is the input unless training_mode is given and not a constant false.
  identityInput(ctx) {
    if (!ctx.node.inputs[2]) return 0;
    const training = ctx.constant(2);
    return training && toNumbers(training).every((v) => v === 0) ? 0 : undefined;
  },
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
} satisfies OpRule;
