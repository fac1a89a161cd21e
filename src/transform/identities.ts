/**
 * Removes nodes whose output equals one of their inputs: Identity, and Dropout at inference (the
 * ops whose rule declares `identityInput`). Readers are rewired to the input; an identity that
 * produces a graph output instead renames the value it copies, when that value is free to rename.
 */
import type { Model, Node } from '../ir/graph.js';
import { inferModel, nodeContext, ruleFor, type InferOptions, type TypedGraph } from '../ops/infer.js';
import { removeDeadNodes } from './dead-nodes.js';
import { renameInputs, resolveName, usedValues } from './edit.js';

/** The input an identity-like node passes on, when it can be removed (its other outputs unused). */
export function passedInput(typed: TypedGraph, node: Node, used: ReadonlySet<string>): string | undefined {
  const index = ruleFor(node).identityInput?.(nodeContext(typed, node));
  if (index === undefined || node.outputs.slice(1).some((o) => o && used.has(o))) return undefined;
  return node.inputs[index] || undefined;
}

/**
 * Removes Identity (and inference-mode Dropout) nodes, rewiring their readers.
 * @example const clean = removeIdentities(model);
 */
export function removeIdentities(model: Model, options: InferOptions = {}): Model {
  const typed = inferModel(model, options);
  const graph = model.graph;
  const used = usedValues(graph);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const fixed = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys(), ...graphOutputs]);
  const rename = new Map<string, string>();
  const removed = new Set<Node>();
  // Readers of an identity's output read its input instead.
  for (const node of typed.order) {
    const input = passedInput(typed, node, used);
    const output = node.outputs[0]!;
    if (input === undefined || graphOutputs.has(output)) continue;
    rename.set(output, resolveName(input, rename));
    removed.add(node);
  }
  // An identity producing a graph output: the copied value takes the output's name instead.
  const outputRename = new Map<string, string>();
  for (const node of typed.order) {
    const input = passedInput(typed, node, used);
    const output = node.outputs[0]!;
    if (input === undefined || !graphOutputs.has(output)) continue;
    const source = resolveName(input, rename);
    if (fixed.has(source) || outputRename.has(source)) continue;
    outputRename.set(source, output);
    removed.add(node);
  }
  const nodes = graph.nodes
    .filter((node) => !removed.has(node))
    .map((node) => renameInputs(renameInputs(node, rename), outputRename))
    .map((node) => (node.outputs.some((o) => outputRename.has(o)) ? { ...node, outputs: node.outputs.map((o) => outputRename.get(o) ?? o) } : node));
  return removeDeadNodes({ ...model, graph: { ...graph, nodes } });
}
