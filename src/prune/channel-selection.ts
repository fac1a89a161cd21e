/**
 * Which channels to remove, given scores, a target and the constraints. Two scopes:
 *
 * - global: every candidate channel of every group competes on its score divided by the largest
 *   score in its group (so each group's best channel scores 1 and groups with many or large
 *   filters are not favoured). Dividing by the maximum, not the mean, keeps the normalised
 *   scores of the remaining channels unchanged when low-scored channels go, so an iterative
 *   schedule over a criterion whose raw scores do not change selects what one shot selects.
 *   Channels go lowest first until the target is met: the cut is the shortest prefix of that
 *   order that meets it, so it overshoots by less than one channel's cost.
 * - local: every group keeps the same fraction q of its channels (its lowest-scored go); q is the
 *   largest fraction that meets the target.
 *
 * Constraints: a group keeps at least `minChannels` (and at least 1); every tensor keeps at least
 * one channel; with `roundTo` N a group that loses channels keeps a multiple of N (rounded up,
 * adding back its best removed channels), which the search accounts for.
 */
import { SculptError } from '../errors.js';
import type { ChannelCost, ChannelCostModel, RemovedChannels } from './channel-cost.js';

/** What a pruning target counts. */
export type PruneTarget = 'channels' | 'params' | 'macs';
/** How channels compete (see the file comment). */
export type PruneScope = 'global' | 'local';

/** Options of `selectChannels`. */
export interface SelectionOptions {
  readonly scope: PruneScope;
  readonly target: PruneTarget;
  /** The largest allowed value of the target's count after the cut. */
  readonly goal: number;
  /** Channels (group indices) every group keeps at least. Default 1. */
  readonly minChannels?: number;
  /** Kept widths of pruned groups are rounded up to a multiple of this. Default 1. */
  readonly roundTo?: number;
}

/** The chosen cut and its predicted cost. */
export interface Selection {
  readonly removed: ReadonlyMap<number, readonly number[]>;
  readonly cost: ChannelCost;
}

/**
 * Chooses the channels to remove so that the target's count is at most `goal` (see the file
 * comment). `scores` holds one score per index of every group that may lose channels.
 * Throws BAD_ARGUMENT when even the largest allowed cut misses the goal.
 */
export function selectChannels(model: ChannelCostModel, scores: ReadonlyMap<number, Float64Array>, options: SelectionOptions): Selection {
  const minChannels = Math.max(1, options.minChannels ?? 1);
  const roundTo = Math.max(1, options.roundTo ?? 1);
  const widths = new Map([...scores.keys()].map((g) => [g, model.deps.groups[g]!.width]));
  const rounded = (orders: ReadonlyMap<number, readonly number[]>): Map<number, number[]> => {
    const removed = new Map<number, number[]>();
    for (const [g, order] of orders) {
      const width = widths.get(g)!;
      const kept = keptAfterRounding(width, width - order.length, minChannels, roundTo);
      if (kept < width) removed.set(g, order.slice(0, width - kept));
    }
    return removed;
  };
  const metric = (cost: ChannelCost): number => cost[options.target];
  const evaluate = (orders: ReadonlyMap<number, readonly number[]>): Selection => {
    const removed = rounded(orders);
    return { removed, cost: model.cost(removed) };
  };
  const search = options.scope === 'global' ? globalCandidates(model, scores, minChannels) : localCandidates(model, scores, minChannels);
  const most = evaluate(search.at(search.steps));
  if (metric(most.cost) > options.goal) {
    const full = metric(model.cost());
    throw new SculptError(
      'BAD_ARGUMENT',
      `the target of ${formatGoal(options.goal, full)} ${options.target} cannot be met: removing every allowed channel (${options.scope} scope, at least ${minChannels} per group${roundTo > 1 ? `, widths rounded to ${roundTo}` : ''}) leaves ${formatGoal(metric(most.cost), full)}; ask for a ratio of at least ${(metric(most.cost) / full).toFixed(3)}`,
    );
  }
  // The smallest step that meets the goal: the count only falls as the step grows.
  let lo = 0;
  let hi = search.steps;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (metric(evaluate(search.at(mid)).cost) <= options.goal) hi = mid;
    else lo = mid + 1;
  }
  return evaluate(search.at(lo));
}

/** A group's kept width after rounding a raw kept count up to a multiple of `roundTo`. */
export function keptAfterRounding(width: number, raw: number, minChannels: number, roundTo: number): number {
  if (raw >= width) return width;
  return Math.min(width, Math.max(minChannels, Math.ceil(raw / roundTo) * roundTo));
}

/** A monotone family of cuts: `at(step)` removes more as `step` grows from 0 to `steps`. */
interface CutSearch {
  readonly steps: number;
  /** Removal order per group (lowest first) at this step, before rounding. */
  at(step: number): ReadonlyMap<number, readonly number[]>;
}

/** Global: the accepted prefix of all candidates sorted by normalised score. */
function globalCandidates(model: ChannelCostModel, scores: ReadonlyMap<number, Float64Array>, minChannels: number): CutSearch {
  const candidates: { group: number; index: number; score: number }[] = [];
  for (const [group, values] of scores) {
    let max = 0;
    for (const v of values) max = Math.max(max, v);
    values.forEach((v, index) => candidates.push({ group, index, score: max > 0 ? v / max : 0 }));
  }
  candidates.sort((a, b) => a.score - b.score || a.group - b.group || a.index - b.index);
  const accepted = acceptInOrder(model, candidates, minChannels);
  return {
    steps: accepted.length,
    at(step) {
      const orders = new Map<number, number[]>();
      for (const { group, index } of accepted.slice(0, step)) {
        let order = orders.get(group);
        if (!order) orders.set(group, (order = []));
        order.push(index);
      }
      return orders;
    },
  };
}

/** Local: every group removes the same share of its channels, in its own score order. */
function localCandidates(model: ChannelCostModel, scores: ReadonlyMap<number, Float64Array>, minChannels: number): CutSearch {
  const orders = new Map<number, number[]>();
  for (const [group, values] of scores) {
    const candidates = [...values.keys()].map((index) => ({ group, index, score: values[index]! }));
    candidates.sort((a, b) => a.score - b.score || a.index - b.index);
    orders.set(group, acceptInOrder(model, candidates, minChannels).map((c) => c.index));
  }
  // Steps are fractions of 1/RESOLUTION removed; 2^16 steps resolve every group width below that.
  const RESOLUTION = 65536;
  return {
    steps: RESOLUTION,
    at(step) {
      const share = step / RESOLUTION;
      const cut = new Map<number, number[]>();
      for (const [group, order] of orders) {
        const width = model.deps.groups[group]!.width;
        const count = Math.min(order.length, Math.round(share * width));
        if (count > 0) cut.set(group, order.slice(0, count));
      }
      return cut;
    },
  };
}

/** The candidates that can go in this order without breaking the group and tensor floors. */
function acceptInOrder<T extends { group: number; index: number }>(model: ChannelCostModel, candidates: readonly T[], minChannels: number): T[] {
  const kept = model.keptWidths(new Map());
  const groupKept = new Map<number, number>();
  const accepted: T[] = [];
  for (const candidate of candidates) {
    const width = groupKept.get(candidate.group) ?? model.deps.groups[candidate.group]!.width;
    if (width <= minChannels) continue;
    const entries = model.entriesOf(candidate.group, candidate.index);
    if (entries.some(([t, n]) => kept[t]! - n < 1)) continue;
    for (const [t, n] of entries) kept[t]! -= n;
    groupKept.set(candidate.group, width - 1);
    accepted.push(candidate);
  }
  return accepted;
}

function formatGoal(value: number, full: number): string {
  return `${Math.round(value)} (${((100 * value) / full).toFixed(1)}%)`;
}

export type { RemovedChannels };
