/**
 * BN-scale criterion (Network Slimming, Liu et al. 2017): a channel matters as much as the learned
 * scale (gamma) of the per-channel affine op (eval-mode BatchNormalization) that normalises it,
 * since gamma is the standard deviation the channel leaves that op with.
 */
import { SculptError } from '../../errors.js';
import { toFloat32 } from '../../ir/tensor.js';
import { nodeContext, ruleFor } from '../../ops/infer.js';
import { axisSums, describeChannelGroup, parameterValue, perIndex, type ChannelCriterion } from './criterion.js';

/** Score of channel i: the sum over the group's per-channel affine ops of |gamma[i]|. */
export const bnScaleCriterion: ChannelCriterion = {
  name: 'bn',
  summary: '|gamma| of the BatchNormalization (per-channel affine) ops in each channel’s group',
  needsGradients: false,
  score(group, context) {
    const { deps } = context;
    const nodes = deps.typed.graph.nodes;
    const scaleInputs = new Map<number, number | undefined>();
    const scaleInput = (nodeIndex: number): number | undefined => {
      if (!scaleInputs.has(nodeIndex)) {
        const node = nodes[nodeIndex]!;
        scaleInputs.set(nodeIndex, ruleFor(node).perChannelAffine?.(nodeContext(deps.typed, node))?.scaleInput);
      }
      return scaleInputs.get(nodeIndex);
    };
    const scales = group.parameters.filter((p) => scaleInput(p.nodeIndex) === p.input);
    if (scales.length === 0) {
      throw new SculptError(
        'NOT_PRUNABLE',
        `${describeChannelGroup(group)} has no BatchNormalization (per-channel affine op with a scale) for the bn criterion; use --method l1, l2 or taylor for this model`,
      );
    }
    const scores = new Float64Array(group.width);
    for (const p of scales) {
      const value = parameterValue(deps, p);
      const slice = perIndex(p, axisSums(toFloat32(value), value.dims, p.axis, Math.abs), group.width);
      for (let i = 0; i < group.width; i++) scores[i]! += slice[i]!;
    }
    return scores;
  },
};
