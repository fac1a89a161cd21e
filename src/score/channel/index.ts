/**
 * The channel criteria table: one entry per criterion, by the name `sculpt prune --method` uses.
 * To add a criterion, write ./<name>.ts exporting a `ChannelCriterion` and add one line here.
 */
import { bnScaleCriterion } from './bn-scale.js';
import type { ChannelCriterion } from './criterion.js';
import { l1Criterion } from './l1.js';
import { l2Criterion } from './l2.js';
import { randomCriterion } from './random.js';
import { taylorCriterion } from './taylor.js';

export { taylorGradients, type LabelledBatch, type TaylorGradientOptions } from './taylor.js';

export { axisSums, groupFilters, type ChannelCriterion, type CriterionContext, type WeightGradients } from './criterion.js';
export { bnScaleCriterion, l1Criterion, l2Criterion, randomCriterion, taylorCriterion };

/** Every channel criterion by name. */
export const CHANNEL_CRITERIA = {
  l1: l1Criterion,
  l2: l2Criterion,
  bn: bnScaleCriterion,
  taylor: taylorCriterion,
  random: randomCriterion,
} as const satisfies Record<string, ChannelCriterion>;

/** A channel criterion's name. */
export type ChannelCriterionName = keyof typeof CHANNEL_CRITERIA;
