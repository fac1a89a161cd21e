/**
 * A small mutable helper for writing graphs in code (the model zoo, the autodiff, tests). It
 * hands out unique value names and collects nodes and initialisers; `build()` returns plain data.
 */
import { SculptError } from '../errors.js';
import type { Attribute, Graph, Model, Node, OpsetImport, Shape, ValueInfo } from './graph.js';
import type { DType, Tensor } from './tensor.js';

export interface NodeOptions {
  /** Node name; default: `<opType>_<n>`. */
  readonly name?: string;
  /** Output names, or how many outputs to create (default 1). */
  readonly outputs?: readonly string[] | number;
  readonly domain?: string;
}

export class GraphBuilder {
  readonly name: string;
  private readonly nodes: Node[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly valueInfo: ValueInfo[] = [];
  private readonly initializers = new Map<string, Tensor>();
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(name = 'graph', existing?: Graph) {
    this.name = name;
    if (existing) {
      this.nodes.push(...existing.nodes);
      this.inputs.push(...existing.inputs);
      this.outputs.push(...existing.outputs);
      this.valueInfo.push(...existing.valueInfo);
      for (const [key, value] of existing.initializers) this.initializers.set(key, value);
      for (const node of existing.nodes) {
        this.used.add(node.name);
        for (const output of node.outputs) this.used.add(output);
      }
      for (const v of existing.inputs) this.used.add(v.name);
      for (const key of existing.initializers.keys()) this.used.add(key);
    }
  }

  /** A name not used yet in this graph, derived from `base`. */
  unique(base: string): string {
    if (!this.used.has(base)) {
      this.used.add(base);
      return base;
    }
    let n = this.counters.get(base) ?? 1;
    while (this.used.has(`${base}_${n}`)) n++;
    this.counters.set(base, n + 1);
    const name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }

  /** True when `name` is already a value or node name in this graph. */
  has(name: string): boolean {
    return this.used.has(name);
  }

  /** Declares a graph input and returns its name. */
  input(name: string, dtype: DType, shape: Shape): string {
    this.claim(name);
    this.inputs.push({ name, dtype, shape: [...shape] });
    return name;
  }

  /** Adds an initialiser under a unique name derived from `name` and returns that name. */
  initializer(name: string, value: Tensor): string {
    const unique = this.unique(name);
    this.initializers.set(unique, value);
    return unique;
  }

  /** Replaces the value of an existing initialiser. */
  setInitializer(name: string, value: Tensor): void {
    if (!this.initializers.has(name)) throw new SculptError('BAD_ARGUMENT', `no initialiser named '${name}'`);
    this.initializers.set(name, value);
  }

  /** Adds a node and returns its output names. */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, Attribute>> = {}, options: NodeOptions = {}): string[] {
    const name = options.name !== undefined ? this.unique(options.name) : this.unique(opType);
    const outputSpec = options.outputs ?? 1;
    const outputs =
      typeof outputSpec === 'number'
        ? Array.from({ length: outputSpec }, (_, i) => this.unique(outputSpec === 1 ? `${name}_out` : `${name}_out${i}`))
        : outputSpec.map((o) => (o === '' ? '' : this.claim(o)));
    this.nodes.push({ name, opType, domain: options.domain ?? '', inputs: [...inputs], outputs, attributes: { ...attributes } });
    return outputs;
  }

  /** Adds a single-output node and returns its output name. */
  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, Attribute>> = {}, options: Omit<NodeOptions, 'outputs'> & { output?: string } = {}): string {
    const { output, ...rest } = options;
    return this.node(opType, inputs, attributes, { ...rest, outputs: output !== undefined ? [output] : 1 })[0]!;
  }

  /** Declares a graph output. */
  output(name: string, dtype: DType, shape?: Shape): void {
    this.outputs.push(shape ? { name, dtype, shape: [...shape] } : { name, dtype });
  }

  /** Records a value's type (value_info). */
  annotate(name: string, dtype: DType, shape: Shape): void {
    this.valueInfo.push({ name, dtype, shape: [...shape] });
  }

  build(): Graph {
    return {
      name: this.name,
      nodes: [...this.nodes],
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      initializers: new Map(this.initializers),
      valueInfo: [...this.valueInfo],
    };
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new SculptError('BAD_ARGUMENT', `value name '${name}' is already used in graph '${this.name}'`);
    this.used.add(name);
    return name;
  }
}

/** The default opset Sculpt writes. */
export const SCULPT_OPSET = 17;

/** Wraps a graph in a Model with Sculpt's producer fields and opset. */
export function modelFromGraph(graph: Graph, options: { opset?: number; extraOpsets?: readonly OpsetImport[]; docString?: string } = {}): Model {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: options.opset ?? SCULPT_OPSET }, ...(options.extraOpsets ?? [])],
    producerName: 'sculpt',
    producerVersion: '0.1.0',
    domain: '',
    modelVersion: 1,
    docString: options.docString ?? '',
    metadata: [],
    graph,
  };
}
