/**
 * A copy of a network with its activation pattern frozen at one batch (see src/ops/pattern.ts):
 * each element-wise piecewise-linear node becomes y = A·x + B, with A the op's slope at the
 * batch's activations (from the op's backward rule, so the kink convention is PyTorch's) and
 * B = f(x0) - A·x0; each windowed max becomes the max of x plus a bias that is 0 at the positions
 * chosen on the batch and -1e30 elsewhere. On that batch the frozen network computes exactly the
 * original's outputs and gradients, and it stays smooth in the weights, so finite differences of
 * its gradients converge to the Hessian products an exact double backward gives.
 */
import { SculptError } from '../errors.js';
import { feedInputs, type Model, type Node } from '../ir/graph.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import { encodeModel } from '../onnx/encode.js';
import { inferModel, nodeContext, ruleFor, type TypedGraph } from '../ops/infer.js';
import type { PatternRule } from '../ops/pattern.js';
import { buildGradientGraph } from '../autodiff/gradient-graph.js';
import { GradientRunner } from '../autodiff/gradient-runner.js';
import type { Backend } from '../runtime/backend.js';
import type { KernelTarget } from '../ops/backward.js';
import { NameSource } from '../transform/edit.js';

/** How far below any activation the non-chosen positions of a frozen max are pushed. */
const MASKED = -1e30;

/** Options of freezePattern. */
export interface FreezeOptions {
  readonly backend: Backend;
  readonly threads?: number;
  /** The kernels of the gradient graphs the frozen model will run in: the pattern is read from a forward pass written with the same ones. */
  readonly kernels?: KernelTarget;
}

/** The model with its pattern frozen at `batch` (the model's only input). */
export async function freezePattern(model: Model, batch: Tensor, options: FreezeOptions): Promise<Model> {
  const input = feedInputs(model.graph)[0]!.name;
  const typed = inferModel(model, { inputShapes: { [input]: batch.dims } });
  const sites = typed.order
    .map((node) => ({ node, rule: ruleFor(node).pattern?.(nodeContext(typed, node)) }))
    .filter((s): s is { node: Node; rule: PatternRule } => s.rule !== undefined && Boolean(s.node.inputs[0]) && !typed.constants.has(s.node.inputs[0]!));
  if (sites.length === 0) return model;
  const values = await patternValues(model, typed, sites, batch, options);
  const names = new NameSource(model.graph);
  const initializers = new Map(model.graph.initializers);
  const constant = (base: string, value: Tensor): string => {
    const name = names.fresh(base);
    initializers.set(name, value);
    return name;
  };
  const nodes: Node[] = [];
  for (const node of model.graph.nodes) {
    const site = sites.find((s) => s.node === node);
    if (!site) {
      nodes.push(node);
      continue;
    }
    const x = node.inputs[0]!;
    const y = node.outputs[0]!;
    const dims = typed.types.get(x)!.shape as number[];
    if (site.rule.kind === 'elementwise') {
      const { slope, offset } = elementwiseFreeze(values.get(x)!, values.get(y)!, await slopeAt(typed, node, values.get(x)!, options));
      const scaled = names.fresh(`${y}.frozen_scaled`);
      nodes.push({ name: names.fresh(`${node.name || y}.frozen_mul`), opType: 'Mul', domain: '', inputs: [x, constant(`${y}.frozen_slope`, tensor('float32', dims, slope))], outputs: [scaled], attributes: {} });
      nodes.push({ name: names.fresh(`${node.name || y}.frozen_add`), opType: 'Add', domain: '', inputs: [scaled, constant(`${y}.frozen_offset`, tensor('float32', dims, offset))], outputs: [y], attributes: {} });
    } else {
      const bias = new Float32Array(values.get(x)!.length).fill(MASKED);
      for (const index of values.get(indicesName(node))!) bias[Number(index)] = 0;
      const biased = names.fresh(`${x}.frozen_choice`);
      nodes.push({ name: names.fresh(`${node.name || y}.frozen_bias`), opType: 'Add', domain: '', inputs: [x, constant(`${y}.frozen_bias`, tensor('float32', dims, bias))], outputs: [biased], attributes: {} });
      nodes.push({ ...node, inputs: [biased, ...node.inputs.slice(1)] });
    }
  }
  return { ...model, graph: { ...model.graph, nodes, initializers } };
}

/**
 * Every site's input and output as the gradient graph computes them on the batch. They must come
 * from the gradient graph's own forward pass (BatchNormalization in inference mode is written
 * out there), not from an inference session: a pre-activation within rounding of zero can take
 * the other sign there, and one such unit with the wrong slope moves the gradient by 1e-3.
 * A windowed max's choices are then taken from its input by a one-node model.
 */
async function patternValues(
  model: Model,
  typed: TypedGraph,
  sites: readonly { node: Node; rule: PatternRule }[],
  batch: Tensor,
  options: FreezeOptions,
): Promise<Map<string, Float32Array | BigInt64Array>> {
  const gradient = buildGradientGraph(model, { inputShape: batch.dims, objective: { kind: 'sum' }, mode: 'eval', wrt: [], ...(options.kernels ? { kernels: options.kernels } : {}) });
  const wanted = [...new Set(sites.flatMap((s) => [s.node.inputs[0]!, s.node.outputs[0]!]))];
  const graph = gradient.model.graph;
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const missing = wanted.find((name) => !produced.has(name));
  if (missing) throw new SculptError('INVALID_GRAPH', `the gradient graph does not compute '${missing}' under its name; GraSP cannot freeze the activation pattern there`);
  const probe: Model = { ...gradient.model, graph: { ...graph, outputs: wanted.map((name) => ({ name, dtype: typed.types.get(name)!.dtype })) } };
  const session = await options.backend.createSession(encodeModel(probe), options.threads !== undefined ? { intraOpThreads: options.threads } : {});
  const values = new Map<string, Float32Array | BigInt64Array>();
  try {
    const feeds: Record<string, Tensor> = { [gradient.inputs.batch]: batch };
    for (const [name, value] of gradient.defaults) feeds[name] = value;
    const out = await session.run(feeds);
    for (const name of wanted) values.set(name, out[name]!.data as Float32Array);
  } finally {
    await session.release();
  }
  for (const site of sites) {
    if (site.rule.kind === 'argmax') values.set(indicesName(site.node), await windowChoices(typed, site.node, site.rule, values.get(site.node.inputs[0]!) as Float32Array, options));
  }
  return values;
}

/** The key under which a windowed max's chosen positions are stored. */
function indicesName(node: Node): string {
  return `${node.outputs[0]}.frozen_indices`;
}

/** The flat positions a windowed max chooses on x0: the node alone, asked for its indices output. */
async function windowChoices(typed: TypedGraph, node: Node, rule: Extract<PatternRule, { kind: 'argmax' }>, x0: Float32Array, options: FreezeOptions): Promise<BigInt64Array> {
  const x = node.inputs[0]!;
  const outputs = node.outputs.slice(0, rule.indicesOutput + 1).map((name, i) => name || `${x}.frozen_output${i}`);
  while (outputs.length <= rule.indicesOutput) outputs.push(`${x}.frozen_output${outputs.length}`);
  const indices = outputs[rule.indicesOutput]!;
  const single = oneNodeModel(typed, { ...node, outputs }, [{ name: indices, dtype: 'int64' }]);
  const session = await options.backend.createSession(encodeModel(single), options.threads !== undefined ? { intraOpThreads: options.threads } : {});
  try {
    const out = await session.run({ [x]: tensor('float32', typed.types.get(x)!.shape as number[], x0) });
    return out[indices]!.data as BigInt64Array;
  } finally {
    await session.release();
  }
}

/** A model of one node: input 0 a graph input, its other inputs the graph's constants. */
function oneNodeModel(typed: TypedGraph, node: Node, outputs: readonly { name: string; dtype: 'float32' | 'int64' }[]): Model {
  const x = node.inputs[0]!;
  const initializers = new Map<string, Tensor>();
  node.inputs.slice(1).forEach((name) => {
    const value = name ? typed.constants.get(name) : undefined;
    if (value) initializers.set(name, value);
    else if (name) throw new SculptError('UNSUPPORTED_ATTRIBUTE', `${node.name || node.opType}: GraSP freezes ${node.opType} only when its inputs other than the first are constants`);
  });
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: typed.opset }],
    producerName: 'sculpt',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: [],
    graph: {
      name: node.opType,
      nodes: [node],
      inputs: [{ name: x, dtype: 'float32', shape: typed.types.get(x)!.shape }],
      outputs: outputs.map((o) => ({ ...o })),
      initializers,
      valueInfo: [],
    },
  };
}

/** The op's slope at x0, from its backward rule: d Σ f(x) / dx on a one-node model. */
async function slopeAt(typed: TypedGraph, node: Node, x0: Float32Array | BigInt64Array, options: FreezeOptions): Promise<Float32Array> {
  const x = node.inputs[0]!;
  const dims = typed.types.get(x)!.shape as number[];
  const single = oneNodeModel(typed, { ...node, outputs: [node.outputs[0]!] }, [{ name: node.outputs[0]!, dtype: 'float32' }]);
  const graph = buildGradientGraph(single, { inputShape: dims, objective: { kind: 'sum' }, wrt: [x] });
  const runner = await GradientRunner.create(graph, { backend: options.backend, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
  try {
    const { gradients } = await runner.run(tensor('float32', dims, x0 as Float32Array));
    return gradients.get(x)!.data as Float32Array;
  } finally {
    await runner.release();
  }
}

/** A = the slope, B = f(x0) - A·x0 (exactly 0 or the saturation value for ReLU and Clip). */
function elementwiseFreeze(x0: Float32Array | BigInt64Array, y0: Float32Array | BigInt64Array, slope: Float32Array): { slope: Float32Array; offset: Float32Array } {
  const x = x0 as Float32Array;
  const y = y0 as Float32Array;
  const offset = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) offset[i] = y[i]! - slope[i]! * x[i]!;
  return { slope, offset };
}
