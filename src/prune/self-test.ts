/**
 * The equivalence self-test run after every channel cut. It compares, in the runtime, on a seeded
 * random batch:
 *
 * - the pruned model against a reference: the original model with the removed channels zeroed
 *   on the consumer side, i.e. the weight slices through which every node that absorbs a removed
 *   channel (a Conv's input-channel slice, a Gemm's columns) reads it are set to zero. Zeroing
 *   there is exact whatever non-linearities (BN shifts, biases, sigmoids) sit between producer and
 *   consumer, because the removed channels still flow but no longer reach anything else; so the
 *   graph outputs must match to floating-point rounding.
 * - the producer side separately: every activation tensor that lost channels must equal the
 *   reference's tensor with those channels dropped, which checks the sliced filters, biases and
 *   per-channel vectors (BN, PRelu) directly.
 *
 * Errors are measured as max |pruned - reference| / max(1, max |reference|).
 */
import { SculptError } from '../errors.js';
import type { Graph, Model, Shape } from '../ir/graph.js';
import { feedInputs } from '../ir/graph.js';
import { sizeOf, toNumbers, type Tensor } from '../ir/tensor.js';
import { encodeModel } from '../onnx/encode.js';
import { inferModel, type InferOptions } from '../ops/infer.js';
import type { Backend, Feeds } from '../runtime/backend.js';
import { Random } from '../util/random.js';
import { planCut, type ChannelCut, type ChannelRemoval } from '../deps/cut.js';
import { buildDependencyGraph, type DependencyGraph } from '../deps/groups.js';
import { editGraph, zeroAxis, type InputReplacement } from '../deps/rewrite.js';

/** Options of the equivalence self-test. */
export interface SelfTestOptions {
  /** Runs both models. */
  readonly backend: Backend;
  /** Seed of the random input batch. Default 0. */
  readonly seed?: number;
  /** Batch size used where the batch dim is symbolic. Default 1. */
  readonly batch?: number;
  /** Largest allowed error (see the file comment). Default 1e-4. */
  readonly tolerance?: number;
  /** The original model's dependency graph, when already built. */
  readonly dependencies?: DependencyGraph;
  readonly inputShapes?: InferOptions['inputShapes'];
}

/** What the self-test compared and the largest error it saw. */
export interface SelfTestReport {
  readonly maxError: number;
  readonly tolerance: number;
  /** Graph outputs compared. */
  readonly outputs: number;
  /** Cut activation tensors compared on the producer side. */
  readonly tensors: number;
}

/**
 * Checks that `pruned` is `original` with `removals` applied (see the file comment); throws
 * SELF_TEST_FAILED naming the group otherwise.
 */
export async function checkEquivalence(original: Model, pruned: Model, removals: readonly ChannelRemoval[], options: SelfTestOptions): Promise<SelfTestReport> {
  const tolerance = options.tolerance ?? 1e-4;
  const inferOptions = options.inputShapes ? { inputShapes: options.inputShapes } : {};
  const deps = options.dependencies ?? buildDependencyGraph(inferModel(original, inferOptions));
  const cut = planCut(deps, removals);
  const cutTensors = [...cut.keep.keys()].sort((a, b) => deps.spaces.get(a)!.order - deps.spaces.get(b)!.order);
  const reference = withOutputs(zeroConsumers(deps, cut), cutTensors, deps);
  const candidate = withOutputs(pruned.graph, cutTensors, deps);
  const feeds = randomFeeds(deps, options.seed ?? 0, options.batch ?? 1);
  const [expected, actual] = await Promise.all([run(options.backend, { ...original, graph: reference }, feeds), run(options.backend, { ...pruned, graph: candidate }, feeds)]);

  let maxError = 0;
  const fail = (what: string, error: number, groups: readonly number[]): never => {
    const named = groups.map((g) => describeGroup(deps, g)).join('; ');
    throw new SculptError(
      'SELF_TEST_FAILED',
      `self-test failed for ${named}: ${what} differs from the original with the removed channels zeroed by ${error.toExponential(2)} (allowed ${tolerance}); a channel rule or the surgery is wrong: please report it, or pass selfTest: false to skip the check`,
    );
  };
  for (const tensor of cutTensors) {
    const error = compareOutputs(actual[tensor], gatherChannels(expected[tensor]!, cut.keep.get(tensor)!));
    maxError = Math.max(maxError, error);
    if (!(error <= tolerance)) fail(`tensor '${tensor}'`, error, groupsOfTensor(deps, cut, tensor));
  }
  for (const output of original.graph.outputs) {
    const error = compareOutputs(actual[output.name], expected[output.name]!);
    maxError = Math.max(maxError, error);
    if (!(error <= tolerance)) fail(`graph output '${output.name}'`, error, [...cut.groups.keys()]);
  }
  return { maxError, tolerance, outputs: original.graph.outputs.length, tensors: cutTensors.length };
}

/** The original graph with every absorbing consumer's slice of a removed channel set to zero. */
function zeroConsumers(deps: DependencyGraph, cut: ChannelCut): Graph {
  const bySlot = new Map<string, InputReplacement>();
  for (const use of deps.parameters) {
    const mask = cut.keep.get(use.tensor);
    if (!mask || !use.absorbs) continue;
    const key = `${use.nodeIndex}:${use.input}`;
    const before = bySlot.get(key)?.value ?? deps.typed.constants.get(use.value)!;
    bySlot.set(key, { nodeIndex: use.nodeIndex, input: use.input, value: zeroAxis(before, use.axis, mask), key: `zero|${key}` });
  }
  return editGraph(deps.typed.graph, { inputs: [...bySlot.values()] });
}

/** The graph with some activation tensors added as outputs. */
export function withOutputs(graph: Graph, tensors: readonly string[], deps: DependencyGraph): Graph {
  const declared = new Set(graph.outputs.map((o) => o.name));
  const extra = tensors.filter((t) => !declared.has(t)).map((name) => ({ name, dtype: deps.typed.types.get(name)!.dtype }));
  return { ...graph, outputs: [...graph.outputs, ...extra] };
}

/** Seeded standard-normal inputs; a symbolic batch dim becomes `batch`. */
export function randomFeeds(deps: DependencyGraph, seed: number, batch: number): Feeds {
  const random = new Random(seed);
  const feeds: Record<string, Tensor> = {};
  for (const input of feedInputs(deps.typed.graph)) {
    const shape: Shape = deps.typed.types.get(input.name)?.shape ?? [];
    const dims = shape.map((d, i) => {
      if (typeof d === 'number') return d;
      if (i === 0) return batch;
      throw new SculptError('BAD_ARGUMENT', `input '${input.name}' has a symbolic dim ${i} ('${d}'); give its shape with inputShapes (e.g. { ${input.name}: [1, 3, 32, 32] })`);
    });
    if (input.dtype !== 'float32') {
      throw new SculptError('BAD_ARGUMENT', `input '${input.name}' is ${input.dtype}; the self-test feeds random float32 inputs only (pass selfTest: false for this model)`);
    }
    feeds[input.name] = { dtype: 'float32', dims, data: random.fillNormal(new Float32Array(sizeOf(dims)), 1) };
  }
  return feeds;
}

/** Runs a model once and returns every output. */
export async function run(backend: Backend, model: Model, feeds: Feeds): Promise<Record<string, Tensor>> {
  const session = await backend.createSession(encodeModel(model), { graphOptimization: 'basic' });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** The channels (axis 1) of `t` where `keep` is 1. */
export function gatherChannels(t: Tensor, keep: Uint8Array): Tensor {
  const [n = 1, c = 1] = t.dims;
  const inner = sizeOf(t.dims.slice(2));
  let kept = 0;
  for (let i = 0; i < c; i++) kept += keep[i]!;
  const source = t.data as Float32Array;
  const data = new Float32Array(n * kept * inner);
  let at = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < c; i++) {
      if (!keep[i]) continue;
      const start = (b * c + i) * inner;
      data.set(source.subarray(start, start + inner), at);
      at += inner;
    }
  }
  return { dtype: 'float32', dims: t.dims.map((d, i) => (i === 1 ? kept : d)), data };
}

/** max |a - b| / max(1, max |b|); Infinity when shapes or dtypes differ or a is missing. */
export function compareOutputs(actual: Tensor | undefined, expected: Tensor): number {
  if (!actual || actual.dtype !== expected.dtype || actual.dims.join() !== expected.dims.join()) return Infinity;
  const floats = expected.dtype === 'float32' || expected.dtype === 'float64';
  const a = floats ? (actual.data as Float32Array) : toNumbers(actual);
  const b = floats ? (expected.data as Float32Array) : toNumbers(expected);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Infinity;
    if (d > diff) diff = d;
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

function groupsOfTensor(deps: DependencyGraph, cut: ChannelCut, tensor: string): number[] {
  const space = deps.spaces.get(tensor)!;
  const groups = new Set<number>();
  for (let c = 0; c < space.width; c++) {
    const g = deps.positionGroup[space.base + c]!;
    if (cut.groups.has(g)) groups.add(g);
  }
  return [...groups];
}

/** "group 3 (producers conv1, conv2)" for messages. */
export function describeGroup(deps: DependencyGraph, id: number): string {
  const group = deps.groups[id]!;
  const producers = group.producers.map((p) => `'${p.node}'`).join(', ');
  return `group ${id}${producers ? ` (produced by ${producers})` : ''}`;
}
