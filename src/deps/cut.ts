/**
 * A channel cut: which group indices go, checked against the dependency graph, and which channel
 * of which tensor that removes. Surgery and the self-test both start from it.
 */
import { SculptError } from '../errors.js';
import type { DependencyGraph } from './groups.js';

/** Channels to remove from one group, by group index (0 .. width-1). */
export interface ChannelRemoval {
  readonly group: number;
  readonly channels: readonly number[];
}

/** The effect of a set of removals on every tensor they touch. */
export interface ChannelCut {
  /** Removed group indices per group id (sorted, unique, non-empty). */
  readonly groups: ReadonlyMap<number, readonly number[]>;
  /** For each tensor that loses channels: 1 for every channel kept, 0 for every channel removed. */
  readonly keep: ReadonlyMap<string, Uint8Array>;
}

/**
 * Checks removals against the groups and lists the channels they remove from each tensor.
 * Refuses unprunable groups, indices out of range and the removal of a whole group.
 */
export function planCut(deps: DependencyGraph, removals: readonly ChannelRemoval[]): ChannelCut {
  const groups = new Map<number, Set<number>>();
  for (const removal of removals) {
    const group = deps.groups[removal.group];
    if (!Number.isInteger(removal.group) || !group) {
      throw new SculptError('BAD_ARGUMENT', `group ${removal.group} does not exist (the model has groups 0-${deps.groups.length - 1}); take ids from buildDependencyGraph`);
    }
    if (removal.channels.length === 0) continue;
    if (!group.prunable) {
      throw new SculptError('NOT_PRUNABLE', `group ${group.id} cannot be pruned: ${group.barriers[0] ?? 'a barrier touches it'}; choose a prunable group (see the prunability report)`);
    }
    let set = groups.get(group.id);
    if (!set) groups.set(group.id, (set = new Set()));
    for (const c of removal.channels) {
      if (!Number.isInteger(c) || c < 0 || c >= group.width) {
        throw new SculptError('BAD_ARGUMENT', `channel ${c} is out of range for group ${group.id} of width ${group.width} (allowed: 0-${group.width - 1})`);
      }
      set.add(c);
    }
    if (set.size >= group.width) {
      throw new SculptError('BAD_ARGUMENT', `removing all ${group.width} channels of group ${group.id} would leave a zero-width tensor; keep at least one channel`);
    }
  }
  const keep = new Map<string, Uint8Array>();
  for (const space of deps.spaces.values()) {
    let mask: Uint8Array | undefined;
    for (let c = 0; c < space.width; c++) {
      const p = space.base + c;
      if (!groups.get(deps.positionGroup[p]!)?.has(deps.positionIndex[p]!)) continue;
      if (!mask) mask = new Uint8Array(space.width).fill(1);
      mask[c] = 0;
    }
    if (!mask) continue;
    if (keptCount(mask) === 0) {
      throw new SculptError('BAD_ARGUMENT', `these removals take every channel of tensor '${space.tensor}' (in group ${deps.positionGroup[space.base]}), which would leave it zero-width; keep at least one of its channels`);
    }
    keep.set(space.tensor, mask);
  }
  const sorted = new Map<number, readonly number[]>();
  for (const [id, set] of groups) sorted.set(id, [...set].sort((a, b) => a - b));
  return { groups: sorted, keep };
}

/** Number of ones in a keep mask between `start` (inclusive) and `end` (exclusive). */
export function keptCount(mask: Uint8Array, start = 0, end = mask.length): number {
  let n = 0;
  for (let i = start; i < end; i++) n += mask[i]!;
  return n;
}
