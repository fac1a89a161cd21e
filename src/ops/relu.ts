/** Relu: max(x, 0). */
import type { BackwardRule } from './backward.js';
import { masked } from './backward-common.js';
import { PASS_THROUGH } from './channels.js';
import { unaryRule } from './common.js';
import type { OpRule } from './rule.js';
import { ELEMENTWISE_PATTERN } from './pattern.js';
import { EQUIVARIANT } from './scaling.js';

// The mask reads the output (y > 0 exactly where x > 0), so the input need not be kept; at 0 the
// gradient is 0, as in PyTorch.
const backward: BackwardRule = {
  differentiable: [0],
  monotoneMaskFromOutput: true,
  emit: (ctx) => [masked(ctx, ctx.outputGrads[0]!, ctx.op('Greater', [ctx.output(0), ctx.scalar(0)]))],
};

export const Relu = { ...unaryRule({ opType: 'Relu', summary: 'Rectified linear unit, max(x, 0).', channels: PASS_THROUGH }), backward, scaling: () => EQUIVARIANT, pattern: () => ELEMENTWISE_PATTERN } satisfies OpRule;
