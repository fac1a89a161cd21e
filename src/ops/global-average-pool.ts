/** GlobalAveragePool: the mean over all spatial positions of each channel. */
import type { BackwardRule } from './backward.js';
import { PASS_THROUGH } from './channels.js';
import { requireInput, requireRank } from './common.js';
import { staticSpatial } from './conv-backward.js';
import type { OpRule } from './rule.js';
import { EQUIVARIANT } from './scaling.js';

// dX: dY spread evenly over the positions each mean read.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const area = staticSpatial(ctx, ctx.inputs[0], 'X').reduce((a, b) => a * b, 1);
    const scaled = ctx.op('Mul', [ctx.outputGrads[0]!, ctx.scalar(1 / area)]);
    return [ctx.op('Expand', [scaled, ctx.shapeOf(ctx.input(0), ctx.inputs[0]!)])];
  },
};

export const GlobalAveragePool = {
  opType: 'GlobalAveragePool',
  summary: 'Mean over all spatial positions of each channel; spatial dims become 1.',
  inputCount: [1, 1],
  outputCount: [1, 1],
  attributes: {},
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'X');
    requireRank(ctx, x, [3, 4, 5], 'X');
    return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)] }];
  },
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
  backward,
} satisfies OpRule;
