/**
 * The scaffolding shared by the training, gradient and eval graph builders: a GraphBuilder with
 * the forward model's initialisers, names that cannot collide with forward values, and the
 * final clean-ups (unused nodes dropped, graph outputs named without extra copies).
 */
import { GraphBuilder, modelFromGraph } from '../ir/builder.js';
import type { Graph, Model, Shape, ValueInfo } from '../ir/graph.js';
import type { DType, Tensor } from '../ir/tensor.js';
import type { KernelTarget } from '../ops/backward.js';
import { ruleFor } from '../ops/infer.js';
import { Emitter } from './emitter.js';
import type { PreparedModel } from './prepare.js';

/** A graph under construction from a prepared forward model. */
export class Assembly {
  readonly builder: GraphBuilder;
  readonly emitter: Emitter;
  private readonly taken = new Set<string>();
  private readonly outputs: { value: string; name: string; dtype: DType; shape?: Shape }[] = [];

  constructor(
    readonly prepared: PreparedModel,
    name: string,
    target: KernelTarget = {},
  ) {
    this.builder = new GraphBuilder(name);
    this.emitter = new Emitter(this.builder, prepared.opset, target);
    const graph = prepared.model.graph;
    for (const v of graph.inputs) this.taken.add(v.name);
    for (const key of graph.initializers.keys()) this.taken.add(key);
    for (const node of graph.nodes) for (const o of node.outputs) this.taken.add(o);
  }

  /** A name used by no forward value, not in the graph yet and not handed out before. */
  fresh(base: string): string {
    let name = base;
    for (let n = 1; this.taken.has(name) || this.builder.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }

  /** Declares a graph input under a fresh name derived from `base`. */
  input(base: string, dtype: DType, shape: Shape): string {
    return this.builder.input(this.fresh(base), dtype, shape);
  }

  /** Copies the forward model's initialisers except `skip`. */
  copyInitializers(skip: ReadonlySet<string>): void {
    for (const [name, value] of this.prepared.model.graph.initializers) if (!skip.has(name)) this.builder.initializer(name, value);
  }

  /** Declares `value` as a graph output named `name` (renamed in place when possible, else through Identity). */
  output(value: string, name: string, dtype: DType, shape?: Shape): string {
    const unique = name === value ? name : this.fresh(name);
    this.outputs.push(shape ? { value, name: unique, dtype, shape } : { value, name: unique, dtype });
    return unique;
  }

  /** The finished model: unused nodes dropped, outputs named. */
  finish(options: { asInputs?: ReadonlySet<string>; docString?: string } = {}): Model {
    let graph = this.builder.build();
    graph = nameOutputs(graph, this.outputs);
    graph = dropUnused(graph);
    if (options.asInputs) graph = initializersAsInputs(graph, options.asInputs);
    const extraOpsets = [...this.emitter.domains].map((domain) => ({ domain, version: 1 }));
    return modelFromGraph(graph, { opset: this.prepared.opset, extraOpsets, ...(options.docString ? { docString: options.docString } : {}) });
  }
}

/**
 * Gives each output its name: the producing node writes it directly when the value is not read
 * elsewhere and is not a graph input or initialiser (no copy at run time); otherwise an Identity.
 */
function nameOutputs(graph: Graph, outputs: readonly { value: string; name: string; dtype: DType; shape?: Shape }[]): Graph {
  const renames = new Map<string, string>();
  const readers = new Map<string, number>();
  for (const node of graph.nodes) for (const input of node.inputs) if (input) readers.set(input, (readers.get(input) ?? 0) + 1);
  const outputsOfValue = new Map<string, number>();
  for (const o of outputs) outputsOfValue.set(o.value, (outputsOfValue.get(o.value) ?? 0) + 1);
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const extra: Graph['nodes'][number][] = [];
  for (const o of outputs) {
    if (o.value === o.name) continue;
    const renamable = produced.has(o.value) && !readers.has(o.value) && outputsOfValue.get(o.value) === 1 && !renames.has(o.value);
    if (renamable) renames.set(o.value, o.name);
    else extra.push({ name: `${o.name}/Identity`, opType: 'Identity', domain: '', inputs: [o.value], outputs: [o.name], attributes: {} });
  }
  const nodes = graph.nodes.map((node) => (node.outputs.some((out) => renames.has(out)) ? { ...node, outputs: node.outputs.map((out) => renames.get(out) ?? out) } : node));
  const declared: ValueInfo[] = outputs.map((o) => (o.shape ? { name: o.name, dtype: o.dtype, shape: o.shape } : { name: o.name, dtype: o.dtype }));
  return { ...graph, nodes: [...nodes, ...extra], outputs: declared };
}

/** Drops nodes (and initialisers) that no graph output depends on. */
function dropUnused(graph: Graph): Graph {
  const live = new Set(graph.outputs.map((o) => o.name));
  const producers = new Map<string, Graph['nodes'][number]>();
  for (const node of graph.nodes) for (const o of node.outputs) if (o) producers.set(o, node);
  const keep = new Set<Graph['nodes'][number]>();
  const stack = [...live];
  while (stack.length > 0) {
    const value = stack.pop()!;
    const node = producers.get(value);
    if (!node || keep.has(node)) continue;
    keep.add(node);
    for (const input of node.inputs) {
      if (input && !live.has(input)) {
        live.add(input);
        stack.push(input);
      }
    }
  }
  const nodes = graph.nodes.filter((n) => keep.has(n));
  const initializers = new Map([...graph.initializers].filter(([name]) => live.has(name)));
  return { ...graph, nodes, initializers };
}

/**
 * Turns initialisers into graph inputs the caller feeds each run (parameters and statistics).
 * ONNX's overridable initialisers (listed as inputs too) would keep defaults, but onnxruntime's
 * JS API accepts feeds only for its inputNames, which leave them out.
 */
function initializersAsInputs(graph: Graph, names: ReadonlySet<string>): Graph {
  const initializers = new Map(graph.initializers);
  const extra: ValueInfo[] = [];
  for (const name of names) {
    const value = initializers.get(name);
    if (!value) continue;
    initializers.delete(name);
    extra.push({ name, dtype: value.dtype, shape: value.dims });
  }
  return { ...graph, inputs: [...graph.inputs, ...extra], initializers };
}

/** Parameter and running-state initialisers of a prepared model: what a derived graph lets callers override. */
export function stateInitializers(prepared: PreparedModel): { parameters: readonly string[]; statistics: readonly string[] } {
  const statistics: string[] = [];
  for (const node of prepared.typed.order) {
    for (const position of ruleFor(node).backward?.stateInputs ?? []) {
      const name = node.inputs[position];
      if (name && prepared.model.graph.initializers.has(name) && !statistics.includes(name)) statistics.push(name);
    }
  }
  return { parameters: prepared.parameters, statistics };
}

/** A tensor's copy (state handed to callers must not alias the model's initialisers). */
export function copyTensor(t: Tensor): Tensor {
  return { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() } as Tensor;
}
