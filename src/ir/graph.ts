/**
 * The in-memory model: plain, readonly data. A Model wraps a Graph of Nodes; values are named
 * strings; weights are initialisers (named Tensors). Transforms return new graphs.
 */
import type { DType, Tensor } from './tensor.js';

/** A dimension: a fixed size, or a symbolic name such as `batch`. */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** An ONNX attribute, tagged with its ONNX type so encoding is lossless (1 and 1.0 differ). */
export type Attribute =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: Tensor }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'strings'; readonly value: readonly string[] };

export type AttributeType = Attribute['type'];

/** One operator application. An empty string in `inputs` marks an omitted optional input. */
export interface Node {
  readonly name: string;
  readonly opType: string;
  /** '' for the default ONNX domain ('ai.onnx'). */
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
  readonly docString?: string;
}

/** A typed value declaration: graph inputs, outputs and value_info. */
export interface ValueInfo {
  readonly name: string;
  readonly dtype: DType;
  /** Undefined when the model does not declare a shape. */
  readonly shape?: Shape;
}

export interface Graph {
  readonly name: string;
  readonly nodes: readonly Node[];
  /** Declared inputs, as in the file; old exports also list initialisers here (see `feedInputs`). */
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly valueInfo: readonly ValueInfo[];
  readonly docString?: string;
}

export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

export interface Model {
  readonly irVersion: number;
  readonly opsetImports: readonly OpsetImport[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly metadata: readonly { readonly key: string; readonly value: string }[];
  readonly graph: Graph;
}

/** Graph inputs a caller must feed: declared inputs that are not initialisers. */
export function feedInputs(graph: Graph): readonly ValueInfo[] {
  return graph.inputs.filter((input) => !graph.initializers.has(input.name));
}

/** The opset version a model imports for the default ONNX domain. */
export function defaultOpset(model: Model): number {
  const entry = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return entry?.version ?? 1;
}

/** Returns a copy of `model` with a new graph. */
export function withGraph(model: Model, graph: Graph): Model {
  return { ...model, graph };
}

/** Returns a copy of `graph` with some fields replaced. */
export function updateGraph(graph: Graph, changes: Partial<Graph>): Graph {
  return { ...graph, ...changes };
}

// Attribute constructors, so builders write `{ group: ints(...) }` rather than tagged objects.
// Float attributes are float32 in ONNX: rounding here makes an in-memory model identical to the
// same model saved and loaded again.
export const attr = {
  int: (value: number): Attribute => ({ type: 'int', value }),
  float: (value: number): Attribute => ({ type: 'float', value: Math.fround(value) }),
  string: (value: string): Attribute => ({ type: 'string', value }),
  ints: (value: readonly number[]): Attribute => ({ type: 'ints', value: [...value] }),
  floats: (value: readonly number[]): Attribute => ({ type: 'floats', value: value.map(Math.fround) }),
  strings: (value: readonly string[]): Attribute => ({ type: 'strings', value: [...value] }),
  tensor: (value: Tensor): Attribute => ({ type: 'tensor', value }),
};
