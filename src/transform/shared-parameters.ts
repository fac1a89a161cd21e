/**
 * PyTorch's exporter deduplicates parameters that are equal in value: the second BN's scale
 * becomes `Identity(first BN's scale)`, with the Identity's output named after the PyTorch
 * parameter (see test/fixtures/README.md). Training and scoring need every parameter separate,
 * so this gives each such output its own initialiser, a copy, under that name.
 */
import type { Tensor } from '../ir/tensor.js';
import type { Model, Node } from '../ir/graph.js';
import { inferModel, type InferOptions } from '../ops/infer.js';
import { removeDeadNodes } from './dead-nodes.js';
import { usedValues } from './edit.js';
import { passedInput } from './identities.js';

function copyTensor(t: Tensor): Tensor {
  return { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() as Tensor['data'] };
}

/**
 * Replaces each identity of an initialiser by an initialiser of its own, named as the identity's
 * output; initialisers left unread are dropped.
 * @example const separate = materializeSharedParameters(decodeModel(bytes));
 */
export function materializeSharedParameters(model: Model, options: InferOptions = {}): Model {
  const typed = inferModel(model, options);
  const graph = model.graph;
  const used = usedValues(graph);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const initializers = new Map(graph.initializers);
  const removed = new Set<Node>();
  // In topological order, so an identity of an identity of an initialiser materialises too.
  for (const node of typed.order) {
    const input = passedInput(typed, node, used);
    const output = node.outputs[0]!;
    const source = input !== undefined ? initializers.get(input) : undefined;
    if (!source || graphOutputs.has(output)) continue;
    initializers.set(output, copyTensor(source));
    removed.add(node);
  }
  const nodes = graph.nodes.filter((node) => !removed.has(node));
  return removeDeadNodes({ ...model, graph: { ...graph, nodes, initializers } });
}
