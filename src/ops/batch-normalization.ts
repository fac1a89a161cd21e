/** BatchNormalization: per-channel affine normalisation with running statistics. */
import { spec } from './attributes.js';
import { requireInput } from './common.js';
import type { OpRule } from './rule.js';
import { formatShape } from './shapes.js';

export const BatchNormalization = {
  opType: 'BatchNormalization',
  summary: 'Normalises each channel with running mean and variance, then scales and shifts it.',
  inputCount: [5, 5],
  outputCount: [1, 3],
  attributes: {
    epsilon: spec.float(1e-5),
    momentum: spec.float(0.9),
    training_mode: spec.int(0, [0, 1]),
  },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'X');
    if (x.shape.length < 2) ctx.fail(`X must have a channel axis, got ${formatShape(x.shape)}`);
    const channels = x.shape[1]!;
    const names = ['scale', 'B', 'input_mean', 'input_var'];
    names.forEach((name, i) => {
      const t = requireInput(ctx, i + 1, name);
      if (t.shape.length !== 1 || (typeof channels === 'number' && t.shape[0] !== channels)) {
        ctx.fail(`${name} ${formatShape(t.shape)} must be [${channels}] to match X ${formatShape(x.shape)}`);
      }
    });
    const stat = { dtype: x.dtype, shape: [channels] };
    return [x, stat, stat].slice(0, ctx.node.outputs.length);
  },
  parameterInputs: [1, 2],
  channels: {
    kind: 'passThrough',
    perChannelInputs: [1, 2, 3, 4],
    affine: { scale: 1, bias: 2, mean: 3, variance: 4, epsilonAttribute: 'epsilon', trainingModeAttribute: 'training_mode' },
  },
  macs: () => 0,
} satisfies OpRule;
