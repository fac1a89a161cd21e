/**
 * BatchNormalization: per-channel affine normalisation with running statistics. Opset 14 added
 * `training_mode` (outputs: Y, running_mean, running_var); before it, training exports may list
 * five outputs (Y, mean, var, saved_mean, saved_var).
 */
import { inOpsets, spec } from './attributes.js';
import { requireInput } from './common.js';
import type { OpRule } from './rule.js';
import { formatShape } from './shapes.js';
import { toNumbers } from '../ir/tensor.js';

export const BatchNormalization = {
  opType: 'BatchNormalization',
  summary: 'Normalises each channel with running mean and variance, then scales and shifts it.',
  inputCount: [5, 5],
  outputCount: [1, 5],
  attributes: {
    epsilon: spec.float(1e-5),
    momentum: spec.float(0.9),
    training_mode: inOpsets(spec.int(0, [0, 1]), 14),
  },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'X');
    if (x.shape.length < 2) ctx.fail(`X must have a channel axis, got ${formatShape(x.shape)}`);
    const maxOutputs = ctx.opset >= 14 ? 3 : 5;
    if (ctx.node.outputs.length > maxOutputs) ctx.fail(`has ${ctx.node.outputs.length} outputs; in opset ${ctx.opset} BatchNormalization produces at most ${maxOutputs}`);
    const channels = x.shape[1]!;
    const names = ['scale', 'B', 'input_mean', 'input_var'];
    names.forEach((name, i) => {
      const t = requireInput(ctx, i + 1, name);
      if (t.shape.length !== 1 || (typeof channels === 'number' && t.shape[0] !== channels)) {
        ctx.fail(`${name} ${formatShape(t.shape)} must be [${channels}] to match X ${formatShape(x.shape)}`);
      }
    });
    const stat = { dtype: x.dtype, shape: [channels] };
    return [x, stat, stat, stat, stat].slice(0, ctx.node.outputs.length);
  },
  // In inference: y = x * scale/sqrt(var + eps) + (B - mean * scale/sqrt(var + eps)), per channel.
  perChannelAffine(ctx) {
    if (ctx.attrs.int('training_mode') !== 0 || ctx.node.outputs.filter(Boolean).length > 1) return undefined;
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => ctx.constant(i));
    if (!gamma || !beta || !mean || !variance) return undefined;
    const epsilon = ctx.attrs.float('epsilon');
    const g = toNumbers(gamma);
    const b = toNumbers(beta);
    const m = toNumbers(mean);
    const v = toNumbers(variance);
    const scale = Float64Array.from(g, (gi, c) => gi / Math.sqrt(v[c]! + epsilon));
    const shift = Float64Array.from(b, (bi, c) => bi - m[c]! * scale[c]!);
    return { input: 0, axis: 1, scale, shift, scaleInput: 1 };
  },
  parameterInputs: [1, 2],
  channels: { kind: 'passThrough', perChannelInputs: [1, 2, 3, 4] },
  macs: () => 0,
} satisfies OpRule;
