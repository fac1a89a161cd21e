/**
 * Reconvene's Resilient Layer Rectifier (RLR): rebuilds the layers the PSE found insensitive
 * narrower and dense, and keeps the UPaI mask on the others.
 *
 * The unit of narrowing is a channel dependency group (src/deps): the channels that must go
 * together. A group's layers are the prunable layers whose output channels it removes — its
 * producers, and layers coupled to them channel for channel such as a depthwise convolution. A
 * group is narrowed only when every one of its layers is insensitive, so a residual stream written
 * by several convolutions narrows only if all of them are. It keeps
 * max(minChannels, ceil(d · width)) of its width channels, d the highest UPaI density among its
 * layers (no layer keeps a smaller share of its channels than of its weights), chosen by the sum
 * over its layers of the UPaI scores of each channel's filter (ties: lower index first).
 *
 * All groups are cut at once through removeChannels, and the cut is checked by the equivalence
 * self-test against the UPaI model. Then each narrowed layer is re-initialised dense for its new
 * fan-in (Kaiming-normal, std = sqrt(2 / fan_in), as PyTorch and the zoo compute fan_in), in
 * topological order from one seeded generator. Every other layer keeps its UPaI weights and mask,
 * both sliced along any input channels the cut removed; an insensitive layer whose group cannot be
 * narrowed (coupled to a sensitive layer, or a group a barrier or graph output fixes) is kept
 * masked and the report says why.
 */
import { SculptError } from '../../errors.js';
import type { Model } from '../../ir/graph.js';
import { sizeOf, tensor, type Tensor } from '../../ir/tensor.js';
import { inferModel, type InferOptions, type TypedGraph } from '../../ops/infer.js';
import type { Backend } from '../../runtime/backend.js';
import { Random } from '../../util/random.js';
import { planCut, type ChannelRemoval } from '../../deps/cut.js';
import { buildDependencyGraph, type ChannelGroup, type DependencyGraph } from '../../deps/groups.js';
import { sliceAxis } from '../../deps/rewrite.js';
import { prunableWeights, type PrunableWeight, type WeightScores } from '../../score/weights.js';
import type { WeightMasks } from '../masks.js';
import { checkEquivalence, type SelfTestOptions, type SelfTestReport } from '../self-test.js';
import { removeChannels } from '../surgery.js';
import { weightLayout, type LayerSensitivity, type SensitivityReport } from './pse.js';

/**
 * The RLR floor: fewest channels a narrowed group keeps. 16, not 4: at sparsities of 0.95 and
 * above a density-share width leaves 4-channel bottlenecks that cost 5-23 points of accuracy,
 * while a floor of 16 held UPaI's accuracy at every sparsity of EXPERIMENTS.md's Table B (mean
 * +0.86 points, 3 seeds, at 4.1x fewer parameters than UPaI instead of 4.7x).
 */
export const DEFAULT_MIN_CHANNELS = 16;

/** Options of rectifyLayers. */
export interface RectifyOptions {
  /** Fewest channels a narrowed group keeps. Default DEFAULT_MIN_CHANNELS, 16 (or the group's width when smaller). */
  readonly minChannels?: number;
  /** Seed of the re-initialisation. Default 0. */
  readonly seed?: number;
  /** Runs the equivalence self-test; required unless `selfTest` is false. */
  readonly backend?: Backend;
  /** false skips the self-test; an object tunes it. Default: on. */
  readonly selfTest?: boolean | Omit<SelfTestOptions, 'backend' | 'dependencies' | 'inputShapes'>;
  readonly inputShapes?: InferOptions['inputShapes'];
}

/** What became of one prunable layer. */
export interface RectifiedLayer extends LayerSensitivity {
  /** 'rectified': narrowed (or kept at full width by minChannels), dense and re-initialised; 'masked': keeps its UPaI mask. */
  readonly outcome: 'rectified' | 'masked';
  /** Why an insensitive layer stayed masked. */
  readonly reason?: string;
  /** Output channels before and after. */
  readonly widthBefore: number;
  readonly widthAfter: number;
  /** Weight elements after the cut, and how many of them the layer keeps (all, when rectified). */
  readonly weightsAfter: number;
  readonly keptAfter: number;
}

/** The rectified model, the masks left (sensitive layers only), the cut and the self-test. */
export interface RectifyResult {
  readonly model: Model;
  readonly masks: WeightMasks;
  readonly layers: readonly RectifiedLayer[];
  readonly removals: readonly ChannelRemoval[];
  readonly selfTest?: SelfTestReport;
  readonly timeMs: { readonly plan: number; readonly surgery: number; readonly selfTest: number; readonly reinitialise: number };
}

/** A group the RLR may narrow, with its layers. */
interface GroupPlan {
  readonly group: ChannelGroup;
  readonly layers: readonly PrunableWeight[];
  /** Why the group stays as it is, when it does. */
  readonly blocked?: string;
}

/**
 * Narrows the groups whose layers are all insensitive and keeps the masks elsewhere (see the file
 * comment). `model` is the UPaI model (masked weights zero) with its masks and scores, and
 * `sensitivity` the PSE's report on them.
 */
export async function rectifyLayers(model: Model, masks: WeightMasks, scores: WeightScores, sensitivity: SensitivityReport, options: RectifyOptions = {}): Promise<RectifyResult> {
  const minChannels = options.minChannels ?? DEFAULT_MIN_CHANNELS;
  if (!Number.isInteger(minChannels) || minChannels < 1) throw new SculptError('BAD_ARGUMENT', `minChannels must be a positive integer, got ${minChannels}`);
  if (options.selfTest !== false && !options.backend) {
    throw new SculptError('BAD_ARGUMENT', 'the RLR self-test needs a backend: pass { backend: onnxruntimeNode }, or { selfTest: false } to skip the check');
  }
  const inferOptions = options.inputShapes ? { inputShapes: options.inputShapes } : {};
  const start = performance.now();
  const typed = inferModel(model, inferOptions);
  const deps = buildDependencyGraph(typed);
  const weights = prunableWeights(typed);
  const byName = new Map(sensitivity.layers.map((l) => [l.weight, l]));
  for (const w of weights) {
    if (!byName.has(w.name) && masks.has(w.name)) throw new SculptError('BAD_ARGUMENT', `the sensitivity report has no entry for '${w.name}'; evaluate it on the same model and masks`);
  }
  const plans = planGroups(deps, weights, byName);
  const removals: ChannelRemoval[] = [];
  const rectified = new Set<string>();
  for (const plan of plans) {
    if (plan.blocked) continue;
    const density = Math.max(...plan.layers.map((w) => byName.get(w.name)!.density));
    const keep = Math.min(plan.group.width, Math.max(minChannels, Math.ceil(density * plan.group.width)));
    const channels = removedChannels(plan, scores, keep);
    if (channels.length > 0) removals.push({ group: plan.group.id, channels });
    for (const w of plan.layers) rectified.add(w.name);
  }
  const planned = performance.now();
  const cut = planCut(deps, removals);
  const pruned = removals.length ? removeChannels(model, removals, { ...inferOptions, dependencies: deps }) : model;
  const cutDone = performance.now();
  let selfTest: SelfTestReport | undefined;
  if (options.selfTest !== false && removals.length) {
    const tuning = typeof options.selfTest === 'object' ? options.selfTest : {};
    selfTest = await checkEquivalence(model, pruned, removals, { ...tuning, backend: options.backend!, dependencies: deps, ...inferOptions });
  }
  const tested = performance.now();

  // Masks of the layers that stay masked, sliced like their weights.
  const newMasks = new Map<string, Tensor<'float32'>>();
  for (const [name, mask] of masks) {
    if (rectified.has(name)) continue;
    let sliced: Tensor = mask;
    const uses = deps.parameters.filter((u) => u.value === name && cut.keep.has(u.tensor)).sort((a, b) => a.axis - b.axis);
    for (const use of uses) sliced = sliceAxis(sliced, use.axis, cut.keep.get(use.tensor)!);
    newMasks.set(name, sliced as Tensor<'float32'>);
  }
  const prunedTyped = inferModel(pruned, inferOptions);
  const result = reinitialise(pruned, prunedTyped, rectified, options.seed ?? 0);
  checkMasks(result, newMasks);
  const done = performance.now();

  const blockedReason = new Map<string, string>();
  for (const plan of plans) if (plan.blocked) for (const w of plan.layers) blockedReason.set(w.name, plan.blocked);
  const layers = sensitivity.layers.map((l) => describeLayer(l, typed, prunedTyped, result, newMasks, rectified, blockedReason.get(l.weight) ?? 'its output channels belong to no group the RLR can narrow'));
  return {
    model: result,
    masks: newMasks,
    layers,
    removals,
    ...(selfTest ? { selfTest } : {}),
    timeMs: { plan: planned - start, surgery: cutDone - planned, selfTest: tested - cutDone, reinitialise: done - tested },
  };
}

/** Every group some scored layer writes, with its layers and, when it cannot be narrowed, why. */
function planGroups(deps: DependencyGraph, weights: readonly PrunableWeight[], sensitivity: ReadonlyMap<string, LayerSensitivity>): GroupPlan[] {
  const byNode = new Map(weights.map((w) => [w.nodeIndex, w]));
  const plans: GroupPlan[] = [];
  for (const group of deps.groups) {
    const layers: PrunableWeight[] = [];
    for (const p of group.parameters) {
      const w = byNode.get(p.nodeIndex);
      if (p.side === 'output' && w && w.input === p.input && w.name === p.value && !layers.includes(w)) layers.push(w);
    }
    if (layers.length === 0) continue;
    const sensitive = layers.filter((w) => sensitivity.get(w.name)?.sensitive !== false);
    const unscored = group.producers.filter((p) => !layers.some((w) => w.nodeIndex === p.nodeIndex));
    let blocked: string | undefined;
    if (!group.prunable) blocked = `its channels cannot be removed: ${group.barriers[0] ?? 'a barrier touches them'}`;
    else if (unscored.length) blocked = `its channels are also written by ${unscored[0]!.node} (${unscored[0]!.opType}), which has no mask`;
    else if (sensitive.length) blocked = `its channels are coupled to sensitive layer '${sensitive[0]!.name}'`;
    plans.push(blocked ? { group, layers, blocked } : { group, layers });
  }
  return plans;
}

/** The group indices to remove: all but the `keep` with the highest summed scores (ties: lower index kept). */
function removedChannels(plan: GroupPlan, scores: WeightScores, keep: number): number[] {
  const width = plan.group.width;
  const sums = new Float64Array(width);
  for (const p of plan.group.parameters) {
    const w = plan.layers.find((l) => l.nodeIndex === p.nodeIndex && l.input === p.input && p.side === 'output');
    if (!w) continue;
    const score = scores.get(w.name);
    if (!score) throw new SculptError('BAD_ARGUMENT', `no scores for '${w.name}'; give the scores UPaI returned`);
    const along = sumAlongAxis(score, p.axis);
    p.indices.forEach((indices, i) => {
      for (const index of indices) sums[i] = sums[i]! + along[index]!;
    });
  }
  const order = Array.from({ length: width }, (_, i) => i).sort((a, b) => sums[b]! - sums[a]! || a - b);
  return order.slice(keep).sort((a, b) => a - b);
}

/** Sum of a tensor over every axis but `axis`. */
function sumAlongAxis(t: Tensor<'float32'>, axis: number): Float64Array {
  const n = t.dims[axis]!;
  const inner = sizeOf(t.dims.slice(axis + 1));
  const outer = sizeOf(t.dims.slice(0, axis));
  const data = t.data;
  const sums = new Float64Array(n);
  for (let o = 0, at = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let k = 0; k < inner; k++) sum += data[at++]!;
      sums[i] = sums[i]! + sum;
    }
  }
  return sums;
}

/** Kaiming-normal weights for the rectified layers' new shapes, in topological order. */
function reinitialise(model: Model, typed: TypedGraph, rectified: ReadonlySet<string>, seed: number): Model {
  const random = new Random(seed);
  const initializers = new Map(model.graph.initializers);
  for (const w of prunableWeights(typed)) {
    if (!rectified.has(w.name)) continue;
    const current = initializers.get(w.name);
    if (!current || current.dtype !== 'float32') throw new SculptError('BAD_MODEL', `rectified weight '${w.name}' is missing or not float32 after the cut; this is a Sculpt bug: please report it`);
    const layout = weightLayout(typed, w);
    // PyTorch's fan_in: everything but axis 0 (convolutions, including ConvTranspose as PyTorch
    // computes it, and [out, in] matrices); the input axis of an [in, out] matrix.
    const fanIn = layout.outputAxis === 1 && w.dims.length === 2 ? w.dims[0]! : sizeOf(w.dims.slice(1));
    const data = random.fillNormal(new Float32Array(sizeOf(w.dims)), Math.sqrt(2 / fanIn));
    initializers.set(w.name, tensor('float32', w.dims, data));
  }
  return { ...model, graph: { ...model.graph, initializers } };
}

/** Every kept mask must still match its weight after the cut. */
function checkMasks(model: Model, masks: WeightMasks): void {
  for (const [name, mask] of masks) {
    const weight = model.graph.initializers.get(name);
    if (!weight || weight.dims.join() !== mask.dims.join()) {
      throw new SculptError('SELF_TEST_FAILED', `after the RLR cut the mask of '${name}' [${mask.dims.join(', ')}] no longer matches its weight [${weight?.dims.join(', ') ?? 'missing'}]; this is a Sculpt bug: please report it`);
    }
  }
}

function describeLayer(
  layer: LayerSensitivity,
  before: TypedGraph,
  after: TypedGraph,
  model: Model,
  masks: WeightMasks,
  rectified: ReadonlySet<string>,
  reason: string,
): RectifiedLayer {
  const node = before.graph.nodes[layer.nodeIndex]!;
  const widthBefore = channelCount(before, node.outputs[0]!);
  const weight = model.graph.initializers.get(layer.weight)!;
  const producer = after.graph.nodes.find((n) => n.inputs.includes(layer.weight));
  const widthAfter = producer ? channelCount(after, producer.outputs[0]!) : 0;
  const mask = masks.get(layer.weight);
  const keptAfter = mask ? mask.data.reduce((n, v) => n + (v ? 1 : 0), 0) : weight.data.length;
  const outcome = rectified.has(layer.weight) ? 'rectified' : 'masked';
  return {
    ...layer,
    outcome,
    ...(outcome === 'masked' && !layer.sensitive ? { reason } : {}),
    widthBefore,
    widthAfter,
    weightsAfter: weight.data.length,
    keptAfter,
  };
}

function channelCount(typed: TypedGraph, name: string): number {
  const d = typed.types.get(name)?.shape[1];
  return typeof d === 'number' ? d : 0;
}
