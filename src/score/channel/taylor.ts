/**
 * First-order Taylor criterion (Molchanov et al. 2017): the loss change from removing a channel,
 * to first order, is |sum over positions of activation x gradient| for that channel. Removing a
 * channel of a group means every node that absorbs it (a Conv's input-channel slice, a Gemm's
 * columns) stops reading it, which is the same as scaling those weight slices by m = 0. For a
 * consumer linear in its input, dL/dm at m = 1 is sum over the slice of w * dL/dw, and it equals
 * sum over positions (and the batch) of a * dL/da along the path through that consumer. So the
 * score of channel i is |sum over the group's absorbing slices of w * dL/dw| per batch, averaged
 * over batches: it needs only weight gradients, and it counts every path the channel takes.
 */
import { SculptError } from '../../errors.js';
import { toFloat32 } from '../../ir/tensor.js';
import { describeChannelGroup, parameterValue, type ChannelCriterion } from './criterion.js';

/** Score of channel i: mean over batches of |sum over absorbing slices of w * dL/dw|. */
export const taylorCriterion: ChannelCriterion = {
  name: 'taylor',
  summary: 'first-order Taylor: |sum of activation x gradient| per channel, averaged over labelled batches (needs --data)',
  needsGradients: true,
  score(group, context) {
    const { deps, gradients } = context;
    if (!gradients || gradients.length === 0) {
      throw new SculptError('BAD_ARGUMENT', 'the taylor criterion needs weight gradients on at least one labelled batch; give data (--data <spec>)');
    }
    const slices = group.parameters.filter((p) => p.absorbs);
    if (slices.length === 0) {
      throw new SculptError('NOT_PRUNABLE', `${describeChannelGroup(group)} reaches no weight that reads its channels, so the taylor criterion cannot score it; use --method l1 for this model`);
    }
    const scores = new Float64Array(group.width);
    for (const batch of gradients) {
      const sums = new Float64Array(group.width);
      for (const p of slices) {
        const value = parameterValue(deps, p);
        const gradient = batch.get(p.value);
        if (!gradient || gradient.length !== value.data.length) {
          throw new SculptError('BAD_ARGUMENT', `no gradient of '${p.value}' (${value.dims.join('x')}) was given for the taylor criterion; compute the gradients of every parameter of this model`);
        }
        const w = toFloat32(value);
        const n = value.dims[p.axis]!;
        let inner = 1;
        for (let a = p.axis + 1; a < value.dims.length; a++) inner *= value.dims[a]!;
        const perAxis = new Float64Array(n);
        for (let k = 0; k < w.length; k++) perAxis[Math.floor(k / inner) % n]! += w[k]! * gradient[k]!;
        for (let i = 0; i < group.width; i++) for (const j of p.indices[i]!) sums[i]! += perAxis[j]!;
      }
      for (let i = 0; i < group.width; i++) scores[i]! += Math.abs(sums[i]!) / gradients.length;
    }
    return scores;
  },
};
