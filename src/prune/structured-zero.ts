/**
 * structured-zero, the DNNShifter-style baseline: delete the channels that are entirely zero
 * across their whole group, and nothing else. Channel i of a prunable group is zero when every
 * filter that produces it (the output-side slices of Conv/ConvTranspose/Gemm weights) is zero and
 * every tensor of the group is exactly zero at that channel on a seeded random batch, so that
 * removing it leaves the model's outputs unchanged (which is then checked).
 *
 * An eval-mode BatchNormalization whose scale is zero for some channel silences that channel
 * while its conv filter is not zero; such a BN (and only such a BN) is folded into the conv that
 * produces its input first, so the filter itself becomes zero. src/transform's foldBatchNorm
 * folds every BN; this fold is the same arithmetic restricted to the BNs that need it.
 *
 * @example const { model: smaller, removed } = await structuredZero(model, { backend: onnxruntimeNode });
 */
import { SculptError } from '../errors.js';
import type { Graph, Model, Node } from '../ir/graph.js';
import { float32, toFloat32, type Tensor } from '../ir/tensor.js';
import { describeNode } from '../ir/topology.js';
import { inferModel, nodeContext, ruleFor, type InferOptions } from '../ops/infer.js';
import type { Backend } from '../runtime/backend.js';
import type { ChannelRemoval } from '../deps/cut.js';
import { buildDependencyGraph, type ChannelGroup, type DependencyGraph } from '../deps/groups.js';
import { removeUnused } from '../deps/rewrite.js';
import { removeChannels } from './surgery.js';
import { compareOutputs, randomFeeds, run, withOutputs } from './self-test.js';

/** Options of structuredZero. */
export interface StructuredZeroOptions {
  /** Runs the model to confirm channels are zero and to check the result. */
  readonly backend: Backend;
  /** Seed of the random batches. Default 0. */
  readonly seed?: number;
  /** Compare the result's outputs with the input model's. Default true. */
  readonly selfTest?: boolean;
  /** Largest allowed output error (relative to max(1, max |output|)). Default 1e-4. */
  readonly tolerance?: number;
  /** Fold BNs with zero scales into their producers first. Default true. */
  readonly foldBatchNorm?: boolean;
  readonly inputShapes?: InferOptions['inputShapes'];
}

/** The smaller model, what was removed and folded, and the output check. */
export interface StructuredZeroResult {
  readonly model: Model;
  /** Channels removed, by group of the (folded) model's dependency graph. */
  readonly removed: readonly ChannelRemoval[];
  /** Normalisation nodes folded into their producers. */
  readonly folded: readonly string[];
  readonly selfTest?: { readonly maxError: number; readonly tolerance: number };
}

/** Removes every channel that is entirely zero across its group (see the file comment). */
export async function structuredZero(model: Model, options: StructuredZeroOptions): Promise<StructuredZeroResult> {
  const inferOptions = options.inputShapes ? { inputShapes: options.inputShapes } : {};
  const seed = options.seed ?? 0;
  let deps = buildDependencyGraph(inferModel(model, inferOptions));
  let working = model;
  let folded: string[] = [];
  if (options.foldBatchNorm ?? true) {
    const fold = foldZeroScales(deps);
    if (fold.folded.length > 0) {
      working = { ...model, graph: fold.graph };
      folded = fold.folded;
      deps = buildDependencyGraph(inferModel(working, inferOptions));
    }
  }
  const candidates = new Map<number, number[]>();
  for (const group of deps.groups) {
    if (!group.prunable || group.width < 2) continue;
    const zero = zeroFilterIndices(deps, group);
    if (zero.length > 0) candidates.set(group.id, zero);
  }
  const removed = await confirmZero(deps, working, candidates, options.backend, seed);
  const pruned = removed.length > 0 ? removeChannels(working, removed, { dependencies: deps, ...inferOptions }) : working;
  if (options.selfTest === false) return { model: pruned, removed, folded };
  const tolerance = options.tolerance ?? 1e-4;
  const original = buildDependencyGraph(inferModel(model, inferOptions));
  const feeds = randomFeeds(original, seed + 1, 2);
  const [expected, actual] = await Promise.all([run(options.backend, model, feeds), run(options.backend, pruned, feeds)]);
  let maxError = 0;
  for (const output of model.graph.outputs) {
    const error = compareOutputs(actual[output.name], expected[output.name]!);
    maxError = Math.max(maxError, error);
    if (!(error <= tolerance)) {
      const groups = removed.map((r) => r.group).join(', ');
      throw new SculptError(
        'SELF_TEST_FAILED',
        `structured-zero changed graph output '${output.name}' by ${error.toExponential(2)} (allowed ${tolerance}) after removing zero channels of group ${groups}; this is a Sculpt bug: please report it, or pass selfTest: false`,
      );
    }
  }
  return { model: pruned, removed, folded, selfTest: { maxError, tolerance } };
}

/** Group indices at which every output-side slice of a prunable weight (the filters making the channel) is zero. */
function zeroFilterIndices(deps: DependencyGraph, group: ChannelGroup): number[] {
  const nodes = deps.typed.graph.nodes;
  const filters = group.parameters.filter((p) => p.side === 'output' && ruleFor(nodes[p.nodeIndex]!).prunableWeight === p.input);
  if (filters.length === 0) return [];
  const zero: number[] = [];
  for (let i = 0; i < group.width; i++) {
    if (filters.every((p) => sliceIsZero(deps.typed.constants.get(p.value)!, p.axis, p.indices[i]!))) zero.push(i);
  }
  return zero;
}

function sliceIsZero(t: Tensor, axis: number, indices: readonly number[]): boolean {
  const data = toFloat32(t);
  const n = t.dims[axis]!;
  const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = data.length / (n * inner);
  for (const i of indices) {
    for (let o = 0; o < outer; o++) {
      const start = (o * n + i) * inner;
      for (let k = start; k < start + inner; k++) if (data[k] !== 0) return false;
    }
  }
  return true;
}

/**
 * Keeps the candidates whose channels are exactly zero in every tensor of their group on a random
 * batch; never removes every channel of a group (index 0 stays when all are zero).
 */
async function confirmZero(deps: DependencyGraph, model: Model, candidates: ReadonlyMap<number, number[]>, backend: Backend, seed: number): Promise<ChannelRemoval[]> {
  if (candidates.size === 0) return [];
  const tensors = [...new Set([...candidates.keys()].flatMap((g) => deps.groups[g]!.members.map((m) => m.tensor)))];
  const outputs = await run(backend, { ...model, graph: withOutputs(model.graph, tensors, deps) }, randomFeeds(deps, seed, 2));
  const removals: ChannelRemoval[] = [];
  for (const [id, indices] of candidates) {
    const group = deps.groups[id]!;
    let zero = indices.filter((i) => group.members.every((m) => channelsAreZero(outputs[m.tensor]!, m.channels[i]!)));
    if (zero.length === group.width) zero = zero.slice(1);
    if (zero.length > 0) removals.push({ group: id, channels: zero });
  }
  return removals;
}

function channelsAreZero(t: Tensor, channels: readonly number[]): boolean {
  const data = t.data as Float32Array;
  const [n = 1, c = 1] = t.dims;
  const inner = data.length / (n * c);
  for (let b = 0; b < n; b++) {
    for (const ch of channels) {
      const start = (b * c + ch) * inner;
      for (let k = start; k < start + inner; k++) if (data[k] !== 0) return false;
    }
  }
  return true;
}

/**
 * Folds each per-channel affine node (eval-mode BN) that has a zero scale into the producer of its
 * input, when that producer owns one weight slice and bias entry per output channel (ungrouped
 * Conv, ConvTranspose, Gemm) and nothing else reads its output. Reads the rule fields
 * `perChannelAffine` and `outputChannelWeights` that src/transform's foldBatchNorm also uses.
 */
function foldZeroScales(deps: DependencyGraph): { graph: Graph; folded: string[] } {
  const typed = deps.typed;
  const { graph, constants } = typed;
  const producerOf = new Map<string, Node>();
  const readers = new Map<string, number>();
  for (const node of graph.nodes) {
    node.outputs.forEach((o) => o && producerOf.set(o, node));
    node.inputs.forEach((name) => name && readers.set(name, (readers.get(name) ?? 0) + 1));
  }
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const replaced = new Map<Node, Node | undefined>();
  const initializers = new Map(graph.initializers);
  const folded: string[] = [];
  graph.nodes.forEach((node, i) => {
    const affine = ruleFor(node).perChannelAffine?.(nodeContext(typed, node));
    if (!affine || !affine.scale.some((s) => s === 0)) return;
    const x = node.inputs[affine.input]!;
    const source = producerOf.get(x);
    if (!source || source.outputs[0] !== x || readers.get(x) !== 1 || outputs.has(x) || replaced.has(source)) return;
    const form = ruleFor(source).outputChannelWeights?.(nodeContext(typed, source));
    if (!form || form.groups !== 1 || form.outputAxis !== affine.axis || form.biasMultiplier === 0) return;
    const weight = constants.get(source.inputs[form.weight]!);
    const biasName = source.inputs[form.bias] ?? '';
    const bias = biasName ? constants.get(biasName) : undefined;
    if (!weight || weight.dtype !== 'float32' || weight.dims[form.weightAxis] !== affine.scale.length || (biasName && !bias)) return;
    const scale = Float32Array.from(affine.scale);
    const oldBias = bias ? toFloat32(bias) : new Float32Array(scale.length);
    const b = float32([scale.length], scale.map((s, c) => oldBias[oldBias.length === 1 ? 0 : c]! * s + affine.shift[c]! / form.biasMultiplier));
    const wName = fresh(`${source.inputs[form.weight]}.folded`, initializers);
    const bName = fresh(`${biasName || `${source.name || 'node'}.bias`}.folded`, initializers);
    initializers.set(wName, scaleAxis(weight, form.weightAxis, scale));
    initializers.set(bName, b);
    const inputs = [...source.inputs];
    while (inputs.length <= form.bias) inputs.push('');
    inputs[form.weight] = wName;
    inputs[form.bias] = bName;
    replaced.set(source, { ...source, inputs, outputs: [node.outputs[0]!, ...source.outputs.slice(1)] });
    replaced.set(node, undefined);
    folded.push(describeNode(node, i));
  });
  if (folded.length === 0) return { graph, folded };
  const nodes = graph.nodes.flatMap((node) => {
    if (!replaced.has(node)) return [node];
    const replacement = replaced.get(node);
    return replacement ? [replacement] : [];
  });
  return { graph: removeUnused(graph, { ...graph, nodes, initializers }), folded };
}

/** `t` (float32) with every slice along `axis` multiplied by its factor. */
function scaleAxis(t: Tensor, axis: number, factors: Float32Array): Tensor {
  const data = Float32Array.from(toFloat32(t));
  const n = t.dims[axis]!;
  const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let k = 0; k < data.length; k++) data[k]! *= factors[Math.floor(k / inner) % n]!;
  return float32(t.dims, data);
}

function fresh(base: string, taken: ReadonlyMap<string, unknown>): string {
  let name = base;
  for (let n = 1; taken.has(name); n++) name = `${base}${n}`;
  return name;
}
