/**
 * Channel importance criteria share one signature: a channel group (plus the dependency graph of
 * its model, a seed and, for criteria that need them, weight gradients on labelled batches) in,
 * one score per group index out. Higher means more important; the channel pruner removes the
 * lowest. A criterion reads rule fields (`prunableWeight`, `perChannelAffine`) and the group's
 * parameter slices, never op names.
 *
 * @example
 * const deps = buildDependencyGraph(inferModel(model));
 * const scores = l1Criterion.score(deps.groups[3]!, { deps, seed: 0 });
 */
import { SculptError } from '../../errors.js';
import { toFloat32, type Tensor } from '../../ir/tensor.js';
import { ruleFor } from '../../ops/infer.js';
import type { ChannelGroup, DependencyGraph, GroupParameter } from '../../deps/groups.js';

/** Weight gradients of one labelled batch, by the constant's value name (as in `GroupParameter.value`). */
export type WeightGradients = ReadonlyMap<string, Float32Array>;

/** What a criterion may read besides the group. */
export interface CriterionContext {
  /** The dependency graph the group belongs to (its typed graph holds the weights). */
  readonly deps: DependencyGraph;
  /** Seed for criteria that draw random numbers. */
  readonly seed: number;
  /** Weight gradients, one map per labelled batch; given when the criterion's `needsGradients` is true. */
  readonly gradients?: readonly WeightGradients[];
}

/** A channel importance criterion. */
export interface ChannelCriterion {
  /** The name the CLI's --method uses. */
  readonly name: string;
  /** One sentence for help and reports. */
  readonly summary: string;
  /** True when `score` needs `context.gradients` (labelled data). */
  readonly needsGradients: boolean;
  /** One score per group index (length `group.width`); throws when the group cannot be scored. */
  score(group: ChannelGroup, context: CriterionContext): Float64Array;
}

/**
 * The filters that make a group's channels: the output-side slices of every prunable weight in
 * the group (the root Conv/Gemm filters, and a depthwise conv's filters when the group runs
 * through one).
 */
export function groupFilters(deps: DependencyGraph, group: ChannelGroup): GroupParameter[] {
  const nodes = deps.typed.graph.nodes;
  return group.parameters.filter((p) => p.side === 'output' && ruleFor(nodes[p.nodeIndex]!).prunableWeight === p.input);
}

/** The constant a group parameter slices. */
export function parameterValue(deps: DependencyGraph, p: GroupParameter): Tensor {
  const value = deps.typed.constants.get(p.value);
  if (!value) throw new SculptError('BAD_ARGUMENT', `parameter '${p.value}' is not a constant of this model; rebuild the dependency graph from the model being scored`);
  return value;
}

/** For each index along `axis` of `values` (shaped `dims`), the sum of `f` over the slice at that index. */
export function axisSums(values: ArrayLike<number>, dims: readonly number[], axis: number, f: (x: number) => number): Float64Array {
  const n = dims[axis]!;
  let inner = 1;
  for (let a = axis + 1; a < dims.length; a++) inner *= dims[a]!;
  const sums = new Float64Array(n);
  for (let k = 0; k < values.length; k++) sums[Math.floor(k / inner) % n]! += f(values[k]!);
  return sums;
}

/** Per group index, the sum over the parameter's indices of a per-axis-index quantity. */
export function perIndex(p: GroupParameter, sums: Float64Array, width: number): Float64Array {
  const out = new Float64Array(width);
  for (let i = 0; i < width; i++) for (const j of p.indices[i]!) out[i]! += sums[j]!;
  return out;
}

/** Sums `f` over each group index's slices of every filter of the group, combining filters with `combine` (identity for L1, sqrt for L2). */
export function filterNorms(group: ChannelGroup, context: CriterionContext, f: (x: number) => number, combine: (x: number) => number, criterion: string): Float64Array {
  const filters = groupFilters(context.deps, group);
  if (filters.length === 0) {
    throw new SculptError('NOT_PRUNABLE', `${describeChannelGroup(group)} has no weight filters for the ${criterion} criterion to measure; use --method random or bn for it, or leave it out`);
  }
  const scores = new Float64Array(group.width);
  for (const p of filters) {
    const value = parameterValue(context.deps, p);
    const slice = perIndex(p, axisSums(toFloat32(value), value.dims, p.axis, f), group.width);
    for (let i = 0; i < group.width; i++) scores[i]! += combine(slice[i]!);
  }
  return scores;
}

/** "group 3 (produced by 'conv1')", for messages. */
export function describeChannelGroup(group: ChannelGroup): string {
  const producers = group.producers.map((p) => `'${p.node}'`).join(', ');
  return `group ${group.id}${producers ? ` (produced by ${producers})` : ''}`;
}
