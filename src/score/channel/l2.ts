/** L2 criterion: the Euclidean norms of the filters that make each channel. */
import { filterNorms, type ChannelCriterion } from './criterion.js';

/**
 * Score of channel i: sum over the group's filters (see `groupFilters`) of ||filter i||_2, so a
 * residual group adds one norm per producing conv (as L1 adds one sum per conv).
 */
export const l2Criterion: ChannelCriterion = {
  name: 'l2',
  summary: 'L2 norm of the filters that make each channel (norms summed over the group’s filters)',
  needsGradients: false,
  score: (group, context) => filterNorms(group, context, (x) => x * x, Math.sqrt, 'l2'),
};
