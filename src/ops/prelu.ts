/** PRelu: x for x >= 0, slope * x otherwise, with a trainable slope broadcast to x (per channel: [C, 1, 1]). */
import type { BackwardRule } from './backward.js';
import { masked } from './backward-common.js';
import { BROADCAST } from './channels.js';
import { requireInput } from './common.js';
import type { OpRule } from './rule.js';
import { broadcastsTo, formatShape } from './shapes.js';
import { EQUIVARIANT } from './scaling.js';
import { ELEMENTWISE_PATTERN } from './pattern.js';

// dX = dY where x > 0, slope·dY elsewhere; dSlope = Σ dY·min(x, 0) over the axes the slope broadcasts.
const backward: BackwardRule = {
  differentiable: [0, 1],
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const x = ctx.input(0);
    let dx: string | undefined;
    if (ctx.needsGrad(0)) {
      const negative = ctx.op('Mul', [dy, ctx.input(1)]);
      const positive = ctx.op('Sub', [dy, negative]);
      dx = ctx.op('Add', [negative, masked(ctx, positive, ctx.op('Greater', [x, ctx.scalar(0)]))]);
    }
    const dSlope = ctx.needsGrad(1) ? ctx.unbroadcast(ctx.op('Mul', [dy, ctx.op('Min', [x, ctx.scalar(0)])]), ctx.outputs[0]!, ctx.inputs[1]!) : undefined;
    return [dx, dSlope];
  },
};

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
  scaling: () => EQUIVARIANT,
  pattern: () => ELEMENTWISE_PATTERN,
  parameterInputs: [1],
  channels: BROADCAST,
  macs: () => 0,
  backward,
} satisfies OpRule;
