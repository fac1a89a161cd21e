/**
 * Dead-code elimination: nodes none of whose outputs reach a graph output, and initialisers no
 * node reads (with their graph-input and value_info entries). Other transforms leave such
 * leftovers behind (BN parameters after folding, Identity sources after materialising).
 */
import type { Model } from '../ir/graph.js';
import { usedValues } from './edit.js';

/**
 * Removes nodes whose outputs are all unused and initialisers nothing reads.
 * @example const cleaned = removeDeadNodes(model);
 */
export function removeDeadNodes(model: Model): Model {
  let graph = model.graph;
  // Each pass drops nodes nothing reads; a producer may become dead once its last reader goes.
  for (;;) {
    const used = usedValues(graph);
    const nodes = graph.nodes.filter((node) => node.outputs.some((o) => o && used.has(o)));
    if (nodes.length === graph.nodes.length) break;
    graph = { ...graph, nodes };
  }
  const used = usedValues(graph);
  const initializers = new Map([...graph.initializers].filter(([name]) => used.has(name)));
  const dropped = (name: string): boolean => graph.initializers.has(name) && !initializers.has(name);
  const produced = new Set<string>(graph.nodes.flatMap((n) => n.outputs));
  return {
    ...model,
    graph: {
      ...graph,
      initializers,
      inputs: graph.inputs.filter((v) => !dropped(v.name)),
      valueInfo: graph.valueInfo.filter((v) => produced.has(v.name)),
    },
  };
}
