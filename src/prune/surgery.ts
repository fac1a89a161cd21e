/**
 * Channel surgery: removes channels from dependency groups and returns a valid, physically
 * smaller model. Every constant a removed channel indexes is sliced as its op's channel rule
 * says (Conv/ConvTranspose/Gemm weights and biases, BN vectors, PRelu slopes, Flatten→Gemm
 * column blocks), concat offsets follow by construction, and values that record channel counts
 * (a grouped conv's `group`, Split sizes, Slice bounds, Reshape/Resize shapes) are rewritten.
 *
 * @example
 * const deps = buildDependencyGraph(inferModel(model));
 * const { model: smaller } = await pruneChannels(model, [{ group: 3, channels: [0, 5] }], { backend: onnxruntimeNode });
 */
import { SculptError } from '../errors.js';
import type { Attribute, Model } from '../ir/graph.js';
import { toNumbers, type Tensor } from '../ir/tensor.js';
import type { ChannelRewrite, ValueSlot } from '../ops/channels.js';
import { inferModel, type InferOptions } from '../ops/infer.js';
import type { Backend } from '../runtime/backend.js';
import { keptCount, planCut, type ChannelCut, type ChannelRemoval } from '../deps/cut.js';
import { buildDependencyGraph, type DependencyGraph } from '../deps/groups.js';
import { editGraph, sliceAxis, type InputReplacement } from '../deps/rewrite.js';
import { checkEquivalence, type SelfTestOptions, type SelfTestReport } from './self-test.js';

export type { ChannelRemoval } from '../deps/cut.js';

/** Options of `removeChannels`. */
export interface SurgeryOptions {
  /** The model's dependency graph, when already built (it must be of this model). */
  readonly dependencies?: DependencyGraph;
  /** Input shapes for type inference (as inferModel takes them). */
  readonly inputShapes?: InferOptions['inputShapes'];
}

/**
 * Removes channels from groups and returns the smaller model (no self-test: see pruneChannels).
 * Throws NOT_PRUNABLE for a group a barrier touches and BAD_ARGUMENT for out-of-range indices or
 * a removal that would empty a group.
 */
export function removeChannels(model: Model, removals: readonly ChannelRemoval[], options: SurgeryOptions = {}): Model {
  const deps = dependenciesOf(model, options);
  const cut = planCut(deps, removals);
  if (cut.keep.size === 0) return model;
  const graph = editGraph(model.graph, {
    inputs: parameterSlices(deps, cut),
    attributes: attributeRewrites(deps, cut),
    channelCounts: new Map([...cut.keep].map(([tensor, mask]) => [tensor, keptCount(mask)])),
  });
  const pruned: Model = { ...model, graph };
  try {
    inferModel(pruned, options.inputShapes ? { inputShapes: options.inputShapes } : {});
  } catch (error) {
    const groups = [...cut.groups.keys()].join(', ');
    throw new SculptError('SELF_TEST_FAILED', `surgery on group ${groups} produced an invalid model (${error instanceof Error ? error.message : String(error)}); this is a Sculpt bug: please report it`, { cause: error });
  }
  return pruned;
}

/** Options of `pruneChannels`: surgery plus the equivalence self-test, which is on by default. */
export interface PruneChannelsOptions extends SurgeryOptions {
  /** Runs the models for the self-test; required unless `selfTest` is false. */
  readonly backend?: Backend;
  /** false skips the self-test; an object tunes it (seed, batch, tolerance). Default: on. */
  readonly selfTest?: boolean | Omit<SelfTestOptions, 'backend' | 'dependencies' | 'inputShapes'>;
}

/** The smaller model and, when it ran, the self-test's report. */
export interface PruneChannelsResult {
  readonly model: Model;
  readonly selfTest?: SelfTestReport;
}

/**
 * Removes channels and checks the cut: the smaller model's outputs must equal the original's with
 * the removed channels zeroed (see self-test.ts). Throws SELF_TEST_FAILED naming the group if not.
 */
export async function pruneChannels(model: Model, removals: readonly ChannelRemoval[], options: PruneChannelsOptions = {}): Promise<PruneChannelsResult> {
  const deps = dependenciesOf(model, options);
  const pruned = removeChannels(model, removals, { ...options, dependencies: deps });
  if (options.selfTest === false) return { model: pruned };
  if (!options.backend) {
    throw new SculptError('BAD_ARGUMENT', 'the equivalence self-test needs a backend: pass { backend: onnxruntimeNode }, or { selfTest: false } to skip the check');
  }
  const tuning = typeof options.selfTest === 'object' ? options.selfTest : {};
  const report = await checkEquivalence(model, pruned, removals, {
    ...tuning,
    backend: options.backend,
    dependencies: deps,
    ...(options.inputShapes ? { inputShapes: options.inputShapes } : {}),
  });
  return { model: pruned, selfTest: report };
}

function dependenciesOf(model: Model, options: SurgeryOptions): DependencyGraph {
  const deps = options.dependencies ?? buildDependencyGraph(inferModel(model, options.inputShapes ? { inputShapes: options.inputShapes } : {}));
  if (deps.typed.graph !== model.graph) {
    throw new SculptError('BAD_ARGUMENT', 'the dependency graph was built for a different model; rebuild it with buildDependencyGraph(inferModel(model)) after every cut');
  }
  return deps;
}

/** Every constant slot that loses indices, sliced along each of its channel axes. */
function parameterSlices(deps: DependencyGraph, cut: ChannelCut): InputReplacement[] {
  const bySlot = new Map<string, { nodeIndex: number; input: number; value: string; axes: { axis: number; tensor: string }[] }>();
  for (const use of deps.parameters) {
    if (!cut.keep.has(use.tensor)) continue;
    const key = `${use.nodeIndex}:${use.input}`;
    let slot = bySlot.get(key);
    if (!slot) bySlot.set(key, (slot = { nodeIndex: use.nodeIndex, input: use.input, value: use.value, axes: [] }));
    slot.axes.push({ axis: use.axis, tensor: use.tensor });
  }
  const replacements: InputReplacement[] = [];
  for (const slot of bySlot.values()) {
    let value = deps.typed.constants.get(slot.value)!;
    const keyParts = [slot.value];
    for (const { axis, tensor } of slot.axes.sort((a, b) => a.axis - b.axis)) {
      const mask = cut.keep.get(tensor)!;
      value = sliceAxis(value, axis, mask);
      keyParts.push(`${axis}:${tensor}`);
    }
    replacements.push({ nodeIndex: slot.nodeIndex, input: slot.input, value, key: `slice|${keyParts.join('|')}` });
  }
  return [...replacements, ...constantRewrites(deps, cut)];
}

/** New values of attributes that record channel counts, by node index. */
function attributeRewrites(deps: DependencyGraph, cut: ChannelCut): Map<number, Record<string, Attribute>> {
  const changes = new Map<number, Record<string, Attribute>>();
  for (const { nodeIndex, rewrite, tensor } of deps.rewrites) {
    const mask = cut.keep.get(tensor);
    if (!mask) continue;
    const node = deps.typed.graph.nodes[nodeIndex]!;
    const record = changes.get(nodeIndex) ?? {};
    for (const [slot, entries] of rewriteValues(rewrite, mask)) {
      if (!('attribute' in slot)) continue;
      const current = record[slot.attribute] ?? node.attributes[slot.attribute];
      if (current === undefined) continue;
      record[slot.attribute] = current.type === 'int' ? { type: 'int', value: entries.get(-1)! } : { type: 'ints', value: applyEntries(current.value as readonly number[], entries) };
    }
    changes.set(nodeIndex, record);
  }
  return changes;
}

/** New constant inputs (Split sizes, Slice bounds, Reshape/Resize shapes) that record channel counts. */
function constantRewrites(deps: DependencyGraph, cut: ChannelCut): InputReplacement[] {
  const current = new Map<string, { nodeIndex: number; input: number; value: Tensor }>();
  for (const { nodeIndex, rewrite, tensor } of deps.rewrites) {
    const mask = cut.keep.get(tensor);
    if (!mask) continue;
    const node = deps.typed.graph.nodes[nodeIndex]!;
    for (const [slot, entries] of rewriteValues(rewrite, mask)) {
      if (!('input' in slot)) continue;
      const key = `${nodeIndex}:${slot.input}`;
      const before = current.get(key)?.value ?? deps.typed.constants.get(node.inputs[slot.input]!)!;
      current.set(key, { nodeIndex, input: slot.input, value: withEntries(before, entries) });
    }
  }
  return [...current.entries()].map(([key, r]) => ({ ...r, key: `rewrite|${key}|${toNumbers(r.value).join(',')}` }));
}

/** The entries (index → value; -1 for a scalar) each slot of a rewrite takes after the cut. */
function rewriteValues(rewrite: ChannelRewrite, mask: Uint8Array): [ValueSlot, Map<number, number>][] {
  switch (rewrite.kind) {
    case 'count':
      return [[rewrite.slot, new Map([[rewrite.entry ?? -1, keptCount(mask) / rewrite.divisor]])]];
    case 'segments':
      return [[rewrite.slot, new Map(rewrite.segments.map(([start, end], i) => [i, keptCount(mask, start, end)]))]];
    case 'range': {
      const start = keptCount(mask, 0, rewrite.start);
      const end = start + keptCount(mask, rewrite.start, rewrite.end);
      return [
        [rewrite.starts, new Map([[rewrite.entry, start]])],
        [rewrite.ends, new Map([[rewrite.entry, end]])],
      ];
    }
  }
}

function applyEntries(values: readonly number[], entries: ReadonlyMap<number, number>): number[] {
  return values.map((v, i) => entries.get(i) ?? v);
}

/** A copy of an integer tensor with some entries replaced (int64 or int32). */
function withEntries(t: Tensor, entries: ReadonlyMap<number, number>): Tensor {
  const data = t.data.slice() as Tensor['data'];
  for (const [i, v] of entries) {
    if (data instanceof BigInt64Array) data[i] = BigInt(v);
    else (data as Int32Array)[i] = v;
  }
  return { dtype: t.dtype, dims: [...t.dims], data };
}
