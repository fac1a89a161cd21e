/** Random criterion: a seeded U(0,1) score per channel, the baseline every criterion should beat. */
import { Random } from '../../util/random.js';
import type { ChannelCriterion } from './criterion.js';

/** Scores drawn from Random(seed, group id): the same seed gives the same scores whatever order groups are scored in. */
export const randomCriterion: ChannelCriterion = {
  name: 'random',
  summary: 'seeded uniform random scores (a baseline)',
  needsGradients: false,
  score(group, context) {
    // One stream per group, mixed from the seed and the group id (golden-ratio multiply keeps nearby seeds apart).
    const random = new Random((Math.imul(context.seed >>> 0, 0x9e3779b1) ^ Math.imul(group.id + 1, 0x85ebca6b)) >>> 0);
    return Float64Array.from({ length: group.width }, () => random.uniform());
  },
};
