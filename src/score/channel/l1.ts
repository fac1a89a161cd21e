/** L1 criterion: the summed absolute weights of the filters that make each channel. */
import { filterNorms, type ChannelCriterion } from './criterion.js';

/** Score of channel i: sum over the group's filters (see `groupFilters`) of |w| over filter i. */
export const l1Criterion: ChannelCriterion = {
  name: 'l1',
  summary: 'L1 norm of the filters that make each channel (summed over the group’s filters)',
  needsGradients: false,
  score: (group, context) => filterNorms(group, context, Math.abs, (x) => x, 'l1'),
};
