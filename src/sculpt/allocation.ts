/**
 * Width-cap allocation of a channel budget: every prunable group keeps at most C channels (its
 * best ones by the criterion), with C the largest cap whose model fits the parameter budget. The
 * widest layers lose channels first, so a U-Net's deep levels (4x4 maps holding most of the
 * parameters) shrink before its full-resolution levels, and at high compression the result is a
 * flat-width U-Net. This is the allocation behind "flat-width U-Nets with 30x fewer parameters
 * match standard ones" (DESIGN.md), kept here because neither of the pruner's scopes does it:
 * global selection compares scores normalised within each group, which at 2x on a trained U-Net
 * cut the first level from 64 channels to 3, and local selection shrinks every level alike,
 * leaving 2 channels at full resolution at 1024x (see EXPERIMENTS.md).
 */
import { buildDependencyGraph, type ChannelGroup } from '../deps/groups.js';
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { inferModel } from '../ops/infer.js';
import { ChannelCostModel } from '../prune/channel-cost.js';
import { layerWidths } from '../prune/channel-pruner.js';
import { pruneChannels, type ChannelRemoval } from '../prune/surgery.js';
import type { Backend } from '../runtime/backend.js';
import type { ChannelCriterion, WeightGradients } from '../score/channel/criterion.js';
import type { LayerWidthRecord } from './candidate.js';

/** Options of `capChannels`. */
export interface CapOptions {
  readonly criterion: ChannelCriterion;
  /** The largest parameter count allowed after the cut. */
  readonly maxParams: number;
  /** Runs the equivalence self-test; required unless `selfTest` is false. */
  readonly backend?: Backend;
  /** Default true. */
  readonly selfTest?: boolean;
  readonly gradients?: (model: Model) => Promise<readonly WeightGradients[]>;
  readonly seed?: number;
}

/** The capped model, the cap, and the output widths of its weighted layers before and after. */
export interface CapResult {
  readonly model: Model;
  readonly cap: number;
  readonly layers: readonly LayerWidthRecord[];
}

/** Cuts every prunable group to at most C channels, C as large as the parameter budget allows. */
export async function capChannels(model: Model, options: CapOptions): Promise<CapResult> {
  const typed = inferModel(model);
  const deps = buildDependencyGraph(typed);
  const eligible = deps.groups.filter((g) => g.prunable && g.width > 1);
  if (eligible.length === 0) throw new SculptError('NOT_PRUNABLE', "the model has no channel group that can lose channels; see 'sculpt inspect --groups'");
  const gradients = options.criterion.needsGradients ? await options.gradients?.(model) : undefined;
  if (options.criterion.needsGradients && !gradients) throw new SculptError('BAD_ARGUMENT', `the ${options.criterion.name} criterion needs weight gradients on labelled data; pass a gradients function`);
  const context = { deps, seed: options.seed ?? 0, ...(gradients ? { gradients } : {}) };
  // Each group's indices from the lowest score up: the first (width - kept) of them go.
  const orders = new Map(eligible.map((g) => [g.id, ascendingOrder(options.criterion.score(g, context), g)]));
  const costs = new ChannelCostModel(deps);
  const removedAt = (cap: number): Map<number, number[]> => {
    const removed = new Map<number, number[]>();
    for (const group of eligible) if (group.width > cap) removed.set(group.id, orders.get(group.id)!.slice(0, group.width - cap));
    return removed;
  };
  const widest = Math.max(...eligible.map((g) => g.width));
  if (costs.cost(removedAt(1)).params > options.maxParams) {
    throw new SculptError('BAD_ARGUMENT', `even one channel per group leaves ${costs.cost(removedAt(1)).params} parameters, above the ${Math.floor(options.maxParams)} asked for`);
  }
  // Parameters only grow with the cap: the largest cap within the budget, by bisection.
  let lo = 1;
  let hi = widest;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (costs.cost(removedAt(mid)).params <= options.maxParams) lo = mid;
    else hi = mid - 1;
  }
  const removals: ChannelRemoval[] = [...removedAt(lo)].map(([group, channels]) => ({ group, channels: [...channels].sort((a, b) => a - b) }));
  const result = await pruneChannels(model, removals, {
    dependencies: deps,
    ...(options.backend ? { backend: options.backend } : {}),
    selfTest: options.selfTest === false ? false : { seed: options.seed ?? 0 },
  });
  const layers = layerWidths(typed, inferModel(result.model)).map((l) => ({ name: l.name, op: l.op, before: l.before, after: l.after }));
  return { model: result.model, cap: lo, layers };
}

function ascendingOrder(scores: Float64Array, group: ChannelGroup): number[] {
  if (scores.length !== group.width || scores.some((s) => !Number.isFinite(s))) {
    throw new SculptError('NUMERIC', `the criterion gave ${scores.length} scores for group ${group.id} of width ${group.width}${scores.some((s) => !Number.isFinite(s)) ? ', some not finite' : ''}; check the model's weights for NaN or inf`);
  }
  return [...scores.keys()].sort((a, b) => scores[a]! - scores[b]! || a - b);
}
