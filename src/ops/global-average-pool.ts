/** GlobalAveragePool: the mean over all spatial positions of each channel. */
import { PASS_THROUGH } from './channels.js';
import { requireInput, requireRank } from './common.js';
import type { OpRule } from './rule.js';

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
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
} satisfies OpRule;
