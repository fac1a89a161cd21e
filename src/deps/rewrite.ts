/**
 * Graph edits a channel cut needs: tensors sliced or zeroed along an axis, node inputs pointed at
 * new constants, attributes replaced, and the nodes and initialisers the edit left unused
 * removed. Returns new graphs; nothing is mutated.
 */
import type { Attribute, Graph, Node, Shape } from '../ir/graph.js';
import { allocate, sizeOf, type Tensor } from '../ir/tensor.js';
import { checkStructure } from '../ir/topology.js';

/** `t` with only the indices along `axis` where `keep` is 1. */
export function sliceAxis(t: Tensor, axis: number, keep: Uint8Array): Tensor {
  const dims = t.dims;
  const n = dims[axis]!;
  const outer = sizeOf(dims.slice(0, axis));
  const inner = sizeOf(dims.slice(axis + 1));
  let kept = 0;
  for (let i = 0; i < n; i++) kept += keep[i]!;
  const data = allocate(t.dtype, outer * kept * inner) as Float32Array;
  const source = t.data as Float32Array;
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      const start = (o * n + i) * inner;
      // Short runs (1x1 and 3x3 kernels) copy faster element by element than through subarray().
      if (inner < 64) for (let k = 0; k < inner; k++) data[at + k] = source[start + k]!;
      else data.set(source.subarray(start, start + inner), at);
      at += inner;
    }
  }
  return { dtype: t.dtype, dims: dims.map((d, i) => (i === axis ? kept : d)), data };
}

/** A copy of `t` with the indices along `axis` where `keep` is 0 set to zero. */
export function zeroAxis(t: Tensor, axis: number, keep: Uint8Array): Tensor {
  const dims = t.dims;
  const n = dims[axis]!;
  const outer = sizeOf(dims.slice(0, axis));
  const inner = sizeOf(dims.slice(axis + 1));
  const data = t.data.slice() as Tensor['data'];
  const zero = data instanceof BigInt64Array || data instanceof BigUint64Array ? 0n : 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      if (keep[i]) continue;
      const start = (o * n + i) * inner;
      (data as Float32Array).fill(zero as number, start, start + inner);
    }
  }
  return { dtype: t.dtype, dims: [...dims], data };
}

/** A node input to point at a new constant. Replacements with equal `key` share one initialiser. */
export interface InputReplacement {
  readonly nodeIndex: number;
  readonly input: number;
  readonly value: Tensor;
  readonly key: string;
}

/** The edits to apply to a graph. */
export interface GraphEdit {
  readonly inputs?: readonly InputReplacement[];
  readonly attributes?: ReadonlyMap<number, Readonly<Record<string, Attribute>>>;
  /** New channel counts of activation tensors, written into value_info shapes. */
  readonly channelCounts?: ReadonlyMap<string, number>;
}

/**
 * Applies an edit. A replaced constant keeps its name when every use of it gets the same new
 * value; otherwise the new constant gets a fresh name derived from it. Nodes and initialisers
 * that were in use before the edit and are not after it are removed.
 */
export function editGraph(graph: Graph, edit: GraphEdit): Graph {
  const replacements = edit.inputs ?? [];
  const uses = countUses(graph);
  const keysByValue = new Map<string, Set<string>>();
  const useCount = new Map<string, number>();
  for (const r of replacements) {
    const value = graph.nodes[r.nodeIndex]!.inputs[r.input]!;
    let keys = keysByValue.get(value);
    if (!keys) keysByValue.set(value, (keys = new Set()));
    keys.add(r.key);
    useCount.set(value, (useCount.get(value) ?? 0) + 1);
  }
  const taken = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((v) => v.name), ...graph.nodes.flatMap((n) => n.outputs)]);
  const initializers = new Map(graph.initializers);
  const nameOfKey = new Map<string, string>();
  const newInputs = new Map<number, string[]>();
  for (const r of replacements) {
    const node = graph.nodes[r.nodeIndex]!;
    const value = node.inputs[r.input]!;
    let name = nameOfKey.get(r.key);
    if (name === undefined) {
      const sole = keysByValue.get(value)!.size === 1 && useCount.get(value) === uses.get(value);
      name = sole && graph.initializers.has(value) ? value : freshName(value, taken);
      nameOfKey.set(r.key, name);
      initializers.set(name, r.value);
    }
    const inputs = newInputs.get(r.nodeIndex) ?? [...node.inputs];
    inputs[r.input] = name;
    newInputs.set(r.nodeIndex, inputs);
  }
  const nodes: Node[] = graph.nodes.map((node, i) => {
    const inputs = newInputs.get(i);
    const attributes = edit.attributes?.get(i);
    if (!inputs && !attributes) return node;
    return { ...node, ...(inputs ? { inputs } : {}), ...(attributes ? { attributes: { ...node.attributes, ...attributes } } : {}) };
  });
  const edited: Graph = { ...graph, nodes, initializers };
  return updateShapes(removeUnused(graph, edited), edit.channelCounts);
}

function countUses(graph: Graph): Map<string, number> {
  const uses = new Map<string, number>();
  for (const node of graph.nodes) for (const name of node.inputs) if (name) uses.set(name, (uses.get(name) ?? 0) + 1);
  return uses;
}

function freshName(base: string, taken: Set<string>): string {
  let n = 1;
  while (taken.has(`${base}.pruned${n}`)) n++;
  const name = `${base}.pruned${n}`;
  taken.add(name);
  return name;
}

/** Values needed to compute the graph outputs. */
function liveValues(graph: Graph): Set<string> {
  const live = new Set(graph.outputs.map((o) => o.name));
  const order = checkStructure(graph);
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    if (node.outputs.some((o) => o && live.has(o))) for (const name of node.inputs) if (name) live.add(name);
  }
  return live;
}

/** Drops nodes and initialisers that `before` needed and `after` no longer does (an edit's leftovers, not pre-existing dead code). */
export function removeUnused(before: Graph, after: Graph): Graph {
  const wasLive = liveValues(before);
  const isLive = liveValues(after);
  const alive = (node: Node): boolean => node.outputs.some((o) => o && isLive.has(o)) || !node.outputs.some((o) => o && wasLive.has(o));
  const nodes = after.nodes.filter(alive);
  const used = new Set<string>(nodes.flatMap((n) => n.inputs));
  for (const o of after.outputs) used.add(o.name);
  const initializers = new Map<string, Tensor>();
  for (const [name, value] of after.initializers) {
    const wasUsed = wasLive.has(name) || !before.initializers.has(name);
    if (used.has(name) || !wasUsed) initializers.set(name, value);
  }
  const inputs = after.inputs.filter((v) => !after.initializers.has(v.name) || initializers.has(v.name));
  return { ...after, nodes, initializers, inputs };
}

/** Writes new channel counts into value_info, and initialiser dims into inputs that list initialisers. */
function updateShapes(graph: Graph, counts: ReadonlyMap<string, number> | undefined): Graph {
  const withChannels = (shape: Shape | undefined, name: string): Shape | undefined => {
    const c = counts?.get(name);
    return shape && c !== undefined && shape.length >= 2 ? shape.map((d, i) => (i === 1 ? c : d)) : shape;
  };
  const inputs = graph.inputs.map((v) => {
    const init = graph.initializers.get(v.name);
    if (init) return { ...v, shape: [...init.dims] };
    return v;
  });
  const valueInfo = graph.valueInfo.map((v) => {
    const shape = withChannels(v.shape, v.name);
    return shape === v.shape ? v : { ...v, ...(shape ? { shape } : {}) };
  });
  return { ...graph, inputs, valueInfo };
}
