/** Clip: clamps to [min, max]; min and max are optional inputs from opset 11 (ReLU6 in MobileNetV2 exports). */
import { PASS_THROUGH } from './channels.js';
import { requireInput } from './common.js';
import type { OpRule } from './rule.js';

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
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
} satisfies OpRule;
