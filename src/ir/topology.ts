/**
 * Graph structure without op knowledge: who produces and who consumes each value, topological
 * order, and the structural checks every later stage relies on.
 */
import { SculptError } from '../errors.js';
import type { Graph, Node } from './graph.js';

/** A label for error messages: the node's name, or its index and op when unnamed. */
export function describeNode(node: Node, index?: number): string {
  const label = node.name ? `'${node.name}'` : index !== undefined ? `#${index}` : '(unnamed)';
  return `node ${label} (${node.opType})`;
}

/** Maps each value name to the node that produces it. */
export function producers(graph: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const node of graph.nodes) for (const output of node.outputs) if (output) map.set(output, node);
  return map;
}

/** Maps each value name to the nodes that read it (in graph order, a node once per use). */
export function consumers(graph: Graph): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (!input) continue;
      const list = map.get(input);
      if (list) list.push(node);
      else map.set(input, [node]);
    }
  }
  return map;
}

/**
 * Checks the structure: every node input is a graph input, an initialiser or some node's output;
 * no value is produced twice; graph outputs exist; no cycles. Returns the nodes in a topological
 * order (stable: the file order where it is already valid).
 */
export function checkStructure(graph: Graph): Node[] {
  const available = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  const producedBy = new Map<string, number>();
  graph.nodes.forEach((node, index) => {
    for (const output of node.outputs) {
      if (!output) continue;
      const earlier = producedBy.get(output);
      if (earlier !== undefined || available.has(output)) {
        const what = earlier !== undefined ? `also produced by ${describeNode(graph.nodes[earlier]!, earlier)}` : 'also a graph input or initialiser';
        throw new SculptError('INVALID_GRAPH', `${describeNode(node, index)}: output '${output}' is ${what}; every value must have one producer`);
      }
      producedBy.set(output, index);
    }
  });
  graph.nodes.forEach((node, index) => {
    for (const input of node.inputs) {
      if (input && !available.has(input) && !producedBy.has(input)) {
        throw new SculptError('INVALID_GRAPH', `${describeNode(node, index)}: input '${input}' is not a graph input, an initialiser, or any node's output (missing initialiser?)`);
      }
    }
  });
  for (const output of graph.outputs) {
    if (!available.has(output.name) && !producedBy.has(output.name)) {
      throw new SculptError('INVALID_GRAPH', `graph output '${output.name}' is not produced by any node`);
    }
  }
  return topologicalOrder(graph, producedBy);
}

function topologicalOrder(graph: Graph, producedBy: Map<string, number>): Node[] {
  const pending = graph.nodes.map((node) => new Set(node.inputs.filter((i) => i && producedBy.has(i))));
  const readers = new Map<string, number[]>();
  graph.nodes.forEach((node, index) => {
    for (const input of pending[index]!) {
      const list = readers.get(input);
      if (list) list.push(index);
      else readers.set(input, [index]);
    }
  });
  const order: Node[] = [];
  const emitted = new Uint8Array(graph.nodes.length);
  // Visit in file order; a node whose inputs are ready is emitted at once, then its ready readers.
  const ready: number[] = [];
  const release = (index: number): void => {
    emitted[index] = 1;
    order.push(graph.nodes[index]!);
    for (const output of graph.nodes[index]!.outputs) {
      for (const reader of readers.get(output) ?? []) {
        const waiting = pending[reader]!;
        waiting.delete(output);
        if (waiting.size === 0 && !emitted[reader]) ready.push(reader);
      }
    }
  };
  for (let index = 0; index < graph.nodes.length; index++) {
    if (emitted[index] || pending[index]!.size > 0) continue;
    release(index);
    while (ready.length > 0) {
      const next = ready.shift()!;
      if (!emitted[next]) release(next);
    }
  }
  if (order.length !== graph.nodes.length) {
    const stuck = graph.nodes.findIndex((_, index) => !emitted[index]);
    throw new SculptError('INVALID_GRAPH', `${describeNode(graph.nodes[stuck]!, stuck)} is part of a cycle: its inputs depend on its own outputs`);
  }
  return order;
}

/** Returns the graph with its nodes in topological order (and structure checked). */
export function sortGraph(graph: Graph): Graph {
  return { ...graph, nodes: checkStructure(graph) };
}
