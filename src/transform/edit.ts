/**
 * Small pieces shared by graph transforms: which values are used, renaming value references, and
 * fresh value names. Transforms build new graphs from these; nothing here mutates its arguments.
 */
import type { Graph, Node } from '../ir/graph.js';

/** Names of every value some node reads or the graph outputs. */
export function usedValues(graph: Graph): Set<string> {
  const used = new Set<string>(graph.outputs.map((o) => o.name));
  for (const node of graph.nodes) for (const input of node.inputs) if (input) used.add(input);
  return used;
}

/** How many distinct nodes read each value. */
export function readerCounts(graph: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const node of graph.nodes) {
    for (const input of new Set(node.inputs)) if (input) counts.set(input, (counts.get(input) ?? 0) + 1);
  }
  return counts;
}

/** The node with its inputs renamed through `rename` (values not in it keep their names). */
export function renameInputs(node: Node, rename: ReadonlyMap<string, string>): Node {
  if (!node.inputs.some((i) => rename.has(i))) return node;
  return { ...node, inputs: node.inputs.map((i) => rename.get(i) ?? i) };
}

/** Follows a rename map to its end (a -> b -> c gives c). */
export function resolveName(name: string, rename: ReadonlyMap<string, string>): string {
  let current = name;
  for (let guard = 0; rename.has(current) && guard <= rename.size; guard++) current = rename.get(current)!;
  return current;
}

/** Hands out value names not used anywhere in the graph yet. */
export class NameSource {
  private readonly taken = new Set<string>();

  constructor(graph: Graph) {
    for (const v of graph.inputs) this.taken.add(v.name);
    for (const v of graph.outputs) this.taken.add(v.name);
    for (const name of graph.initializers.keys()) this.taken.add(name);
    for (const node of graph.nodes) for (const name of [...node.inputs, ...node.outputs]) if (name) this.taken.add(name);
  }

  /** `base` when free, else `base_1`, `base_2`... */
  fresh(base: string): string {
    let name = base;
    for (let n = 1; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
}
