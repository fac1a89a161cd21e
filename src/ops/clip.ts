/** Clip: clamps to [min, max]; min and max are optional inputs from opset 11 (ReLU6 in MobileNetV2 exports). */
import type { BackwardRule } from './backward.js';
import { masked } from './backward-common.js';
import { PASS_THROUGH } from './channels.js';
import { requireInput } from './common.js';
import type { OpRule } from './rule.js';
import { ELEMENTWISE_PATTERN } from './pattern.js';

// The gradient passes where min < x < max (strict, as PyTorch's hardtanh/ReLU6); the bounds get none.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const x = ctx.input(0);
    const above = ctx.input(1) ? ctx.op('Greater', [x, ctx.input(1)]) : undefined;
    const below = ctx.input(2) ? ctx.op('Less', [x, ctx.input(2)]) : undefined;
    const inside = above && below ? ctx.op('And', [above, below]) : (above ?? below);
    return [inside ? masked(ctx, ctx.outputGrads[0]!, inside) : ctx.outputGrads[0]];
  },
};

export const Clip = {
  opType: 'Clip',
  summary: 'Clamps every element to [min, max] (ReLU6 when min=0, max=6).',
  inputCount: [1, 3],
  outputCount: [1, 1],
  attributes: {},
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'input');
    for (const i of [1, 2]) {
      const bound = ctx.inputs[i];
      if (bound && bound.shape.length !== 0) ctx.fail(`${i === 1 ? 'min' : 'max'} must be a scalar`);
    }
    return [x];
  },
  scaling: () => ({ kind: 'equivariant', scaledInputs: [1, 2] }),
  pattern: () => ELEMENTWISE_PATTERN,
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
  backward,
} satisfies OpRule;
