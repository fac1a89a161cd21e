/**
 * The channel pruner: scores every prunable group's channels with a criterion (src/score/channel),
 * selects the lowest-scored channels until a target is met (src/prune/channel-selection.ts), and
 * cuts them with channel surgery, checking each cut with the equivalence self-test. An iterative
 * schedule of k steps moves the target linearly from the full model to the goal, re-scoring the
 * pruned model between steps.
 *
 * @example
 * const result = await pruneModelChannels(model, { criterion: l1Criterion, keepRatio: 0.5, target: 'params', backend: onnxruntimeNode });
 * console.log(result.before.params, '->', result.after.params);
 */
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { encodeModel } from '../onnx/encode.js';
import { inferModel, ruleFor, type InferOptions, type TypedGraph } from '../ops/infer.js';
import type { Backend } from '../runtime/backend.js';
import { buildDependencyGraph, type ChannelGroup, type DependencyGraph } from '../deps/groups.js';
import type { ChannelCriterion, WeightGradients } from '../score/channel/criterion.js';
import { ChannelCostModel, measuredCost } from './channel-cost.js';
import { selectChannels, type PruneScope, type PruneTarget } from './channel-selection.js';
import type { SelfTestOptions, SelfTestReport } from './self-test.js';
import { pruneChannels, type ChannelRemoval } from './surgery.js';

export type { PruneScope, PruneTarget } from './channel-selection.js';

/** Options of `pruneModelChannels`. */
export interface ChannelPruneOptions {
  /** Scores channels (see src/score/channel). */
  readonly criterion: ChannelCriterion;
  /** Fraction of the target's count to keep, in (0, 1]: 0.5 with target 'params' halves the parameters. */
  readonly keepRatio: number;
  /** What the ratio counts: kept channels of the prunable groups, the model's parameters, or its MACs per sample. Default 'channels'. */
  readonly target?: PruneTarget;
  /** 'global' (scores normalised per group compete across groups) or 'local' (the same share per group). Default 'global'. */
  readonly scope?: PruneScope;
  /** Steps of the schedule; the model is re-scored before each. Default 1 (one shot). */
  readonly steps?: number;
  /** Channels every group keeps at least. Default 1. */
  readonly minChannels?: number;
  /** Round kept widths of pruned groups up to a multiple of this (4, 8: runtime-friendly shapes). Default 1. */
  readonly roundTo?: number;
  /** Seed of random criteria and of the self-test's inputs. Default 0. */
  readonly seed?: number;
  /** Runs the self-test; required unless `selfTest` is false. */
  readonly backend?: Backend;
  /** false skips the equivalence self-test after each cut; an object tunes it. Default: on. */
  readonly selfTest?: boolean | Omit<SelfTestOptions, 'backend' | 'dependencies' | 'inputShapes'>;
  readonly inputShapes?: InferOptions['inputShapes'];
  /** Weight gradients on labelled batches for the current model, for criteria that need them (taylor). Called once per step. */
  readonly gradients?: (model: Model) => Promise<readonly WeightGradients[]>;
  /** Called after each step. */
  readonly onStep?: (step: PruneStepReport) => void;
  /** The input model's size in bytes when the caller knows it (a file's size); default: its encoded size. */
  readonly originalBytes?: number;
}

/** A model's size: parameters, MACs per sample and bytes of its ONNX encoding. */
export interface ModelSize {
  readonly params: number;
  readonly macs: number;
  readonly bytes: number;
}

/** One group's width (in group indices) before and after. */
export interface GroupWidth {
  /** The group's id in the input model's dependency graph. */
  readonly group: number;
  /** Nodes whose output channels the group removes. */
  readonly producers: readonly string[];
  readonly before: number;
  readonly after: number;
  /** The removed group indices, numbered as in the input model (ascending). */
  readonly removed: readonly number[];
}

/** Output channels of one weighted layer (a node with a prunable weight) before and after. */
export interface LayerWidth {
  readonly name: string;
  readonly op: string;
  readonly before: number;
  readonly after: number;
}

/** What one step did. */
export interface PruneStepReport {
  readonly step: number;
  readonly steps: number;
  /** Channels (group indices) removed in this step. */
  readonly removed: number;
  readonly params: number;
  readonly macs: number;
  readonly selfTest?: SelfTestReport;
}

/** The pruned model and what changed. */
export interface ChannelPruneResult {
  readonly model: Model;
  /** The pruned model's ONNX encoding (what `after.bytes` counts). */
  readonly encoded: Uint8Array;
  readonly before: ModelSize;
  readonly after: ModelSize;
  /** Every group that could lose channels, by id in the input model. */
  readonly groups: readonly GroupWidth[];
  /** Every node with a prunable weight (Conv, ConvTranspose, Gemm, MatMul), in graph order. */
  readonly layers: readonly LayerWidth[];
  readonly steps: readonly PruneStepReport[];
}

/** Prunes channels by a criterion until the target is met (see the file comment). */
export async function pruneModelChannels(model: Model, options: ChannelPruneOptions): Promise<ChannelPruneResult> {
  const target = options.target ?? 'channels';
  const steps = options.steps ?? 1;
  checkOptions(options, steps);
  const inferOptions = options.inputShapes ? { inputShapes: options.inputShapes } : {};
  const original = buildDependencyGraph(inferModel(model, inferOptions));
  const eligible = original.groups.filter((g) => eligibleGroup(g, options.minChannels));
  if (eligible.length === 0) throw nothingToPrune(original);
  const fullCost = new ChannelCostModel(original).cost();
  const log = new RemovalLog(original, eligible);
  const reports: PruneStepReport[] = [];
  let current = model;
  let deps = original;
  for (let step = 1; step <= steps; step++) {
    const keep = 1 - ((1 - options.keepRatio) * step) / steps;
    const goal = keep * fullCost[target];
    const costModel = new ChannelCostModel(deps);
    if (costModel.cost()[target] <= goal) continue;
    const scores = await scoreGroups(current, deps, options);
    const selection = selectChannels(costModel, scores, { scope: options.scope ?? 'global', target, goal, minChannels: options.minChannels ?? 1, roundTo: options.roundTo ?? 1 });
    const removals: ChannelRemoval[] = [...selection.removed].map(([group, channels]) => ({ group, channels }));
    if (removals.length === 0) continue;
    const result = await pruneChannels(current, removals, {
      dependencies: deps,
      ...(options.backend ? { backend: options.backend } : {}),
      selfTest: options.selfTest === undefined ? { seed: (options.seed ?? 0) + step } : options.selfTest,
      ...inferOptions,
    });
    log.record(deps, removals);
    current = result.model;
    deps = buildDependencyGraph(inferModel(current, inferOptions));
    const measured = measuredCost(deps);
    const report: PruneStepReport = {
      step,
      steps,
      removed: removals.reduce((n, r) => n + r.channels.length, 0),
      params: measured.params,
      macs: measured.macs,
      ...(result.selfTest ? { selfTest: result.selfTest } : {}),
    };
    reports.push(report);
    options.onStep?.(report);
  }
  const encoded = encodeModel(current);
  const before = measuredCost(original);
  const after = measuredCost(deps);
  return {
    model: current,
    encoded,
    before: { ...before, bytes: options.originalBytes ?? encodeModel(model).byteLength },
    after: { ...after, bytes: encoded.byteLength },
    groups: eligible.map((g) => {
      const removed = log.removed(g.id);
      return { group: g.id, producers: g.producers.map((p) => p.node), before: g.width, after: g.width - removed.length, removed };
    }),
    layers: layerWidths(original.typed, deps.typed),
    steps: reports,
  };
}

function checkOptions(options: ChannelPruneOptions, steps: number): void {
  const { keepRatio } = options;
  if (!(keepRatio > 0 && keepRatio <= 1)) throw new SculptError('BAD_ARGUMENT', `keepRatio must be in (0, 1] (the fraction of the target to keep), got ${keepRatio}`);
  if (!Number.isInteger(steps) || steps < 1) throw new SculptError('BAD_ARGUMENT', `steps must be a positive integer, got ${steps}`);
  for (const [name, value] of [['minChannels', options.minChannels], ['roundTo', options.roundTo]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new SculptError('BAD_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  }
  if (options.selfTest !== false && !options.backend) {
    throw new SculptError('BAD_ARGUMENT', 'the equivalence self-test needs a backend: pass { backend: onnxruntimeNode }, or { selfTest: false } to skip the check');
  }
  if (options.criterion.needsGradients && !options.gradients) {
    throw new SculptError('BAD_ARGUMENT', `the ${options.criterion.name} criterion needs weight gradients on labelled data; pass a gradients function (the CLI's --data)`);
  }
}

/** A group may lose channels when it is prunable and wider than the minimum. */
function eligibleGroup(group: ChannelGroup, minChannels = 1): boolean {
  return group.prunable && group.width > Math.max(1, minChannels);
}

/** Scores of every eligible group of the current model. */
async function scoreGroups(model: Model, deps: DependencyGraph, options: ChannelPruneOptions): Promise<Map<number, Float64Array>> {
  const gradients = options.criterion.needsGradients ? await options.gradients!(model) : undefined;
  const context = { deps, seed: options.seed ?? 0, ...(gradients ? { gradients } : {}) };
  const scores = new Map<number, Float64Array>();
  for (const group of deps.groups) {
    if (!eligibleGroup(group, options.minChannels)) continue;
    const values = options.criterion.score(group, context);
    if (values.length !== group.width || values.some((v) => !Number.isFinite(v))) {
      throw new SculptError('NUMERIC', `the ${options.criterion.name} criterion gave ${values.length} scores${values.some((v) => !Number.isFinite(v)) ? ' (some not finite)' : ''} for group ${group.id} of width ${group.width}; check the model's weights (and data) for NaN or inf`);
    }
    scores.set(group.id, values);
  }
  return scores;
}

/** Names a group across cuts: surgery keeps tensor names, and a group's first producer output is its own. */
function groupKey(group: ChannelGroup): string {
  return group.producers[0]?.tensor ?? group.members[0]?.tensor ?? `#${group.id}`;
}

/**
 * The removed channels of each input-model group, numbered as in the input model, over cuts that
 * renumber groups and indices (surgery keeps the order of the kept channels).
 */
class RemovalLog {
  private readonly groupOfKey: Map<string, number>;
  /** For each input-model group, its original indices still present, in the current index order. */
  private readonly alive: Map<number, number[]>;
  private readonly gone = new Map<number, number[]>();

  constructor(original: DependencyGraph, eligible: readonly ChannelGroup[]) {
    this.groupOfKey = new Map(original.groups.map((g) => [groupKey(g), g.id]));
    this.alive = new Map(eligible.map((g) => [g.id, [...Array(g.width).keys()]]));
  }

  /** Records removals given in the numbering of `deps` (the model they were cut from). */
  record(deps: DependencyGraph, removals: readonly ChannelRemoval[]): void {
    for (const r of removals) {
      const id = this.groupOfKey.get(groupKey(deps.groups[r.group]!))!;
      const indices = this.alive.get(id)!;
      const cut = new Set(r.channels);
      this.gone.set(id, [...this.removed(id), ...r.channels.map((c) => indices[c]!)].sort((a, b) => a - b));
      this.alive.set(id, indices.filter((_, c) => !cut.has(c)));
    }
  }

  /** Removed indices of an input-model group (ascending). */
  removed(group: number): readonly number[] {
    return this.gone.get(group) ?? [];
  }
}

function nothingToPrune(deps: DependencyGraph): SculptError {
  const reasons = [...new Set(deps.groups.flatMap((g) => g.barriers))];
  return new SculptError(
    'NOT_PRUNABLE',
    `the model has no channel group that can lose channels (${deps.groups.length} groups${reasons.length > 0 ? `; fixed by: ${reasons.slice(0, 2).join('; ')}` : ''}); see 'sculpt inspect --groups'`,
  );
}

/**
 * Output channels of every node with a prunable weight, before and after. Nodes are matched by
 * name (a fold may rename a node's output), unnamed ones by their output tensor.
 */
export function layerWidths(before: TypedGraph, after: TypedGraph): LayerWidth[] {
  const widthOf = (typed: TypedGraph, tensor: string | undefined): number => {
    const dim = tensor ? typed.types.get(tensor)?.shape[1] : undefined;
    return typeof dim === 'number' ? dim : 0;
  };
  const afterByName = new Map(after.graph.nodes.filter((n) => n.name).map((n) => [n.name, n]));
  return before.graph.nodes
    .filter((node) => ruleFor(node).prunableWeight !== undefined)
    .map((node) => {
      const output = (node.name ? afterByName.get(node.name)?.outputs[0] : undefined) ?? node.outputs[0];
      return { name: node.name, op: node.opType, before: widthOf(before, node.outputs[0]), after: widthOf(after, output) };
    });
}
