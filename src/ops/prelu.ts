/** PRelu: x for x >= 0, slope * x otherwise, with a trainable slope broadcast to x (per channel: [C, 1, 1]). */
import { BROADCAST } from './channels.js';
import { requireInput } from './common.js';
import type { OpRule } from './rule.js';
import { broadcastsTo, formatShape } from './shapes.js';

export const PRelu = {
  opType: 'PRelu',
  summary: 'Parametric ReLU: x, or slope * x below zero, with a learned slope.',
  inputCount: [2, 2],
  outputCount: [1, 1],
  attributes: {},
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'X');
    const slope = requireInput(ctx, 1, 'slope');
    if (slope.dtype !== x.dtype) ctx.fail(`slope is ${slope.dtype} but X is ${x.dtype}`);
    if (!broadcastsTo(slope.shape, x.shape)) ctx.fail(`slope ${formatShape(slope.shape)} does not broadcast to X ${formatShape(x.shape)}`);
    return [x];
  },
  parameterInputs: [1],
  channels: BROADCAST,
  macs: () => 0,
} satisfies OpRule;
