/**
 * What pruning at initialisation scores: the prunable weights of a model (each op rule's
 * `prunableWeight` input when it is an initialiser: Conv, ConvTranspose, Gemm, MatMul), and the
 * score tensors every scorer returns, one per weight, shaped like it.
 */
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { inferModel, ruleFor, type TypedGraph } from '../ops/infer.js';

/** Scores by weight (initialiser) name; each tensor has its weight's dims. Higher means more important. */
export type WeightScores = ReadonlyMap<string, Tensor<'float32'>>;

/** 0/1 masks by weight (initialiser) name, each shaped like its weight: 1 keeps the weight. */
export type WeightMasks = ReadonlyMap<string, Tensor<'float32'>>;

/** One prunable weight: the initialiser and the node that reads it. */
export interface PrunableWeight {
  /** The initialiser's name (the key of scores and masks). */
  readonly name: string;
  /** The node's name, or `#index` when it has none. */
  readonly node: string;
  readonly nodeIndex: number;
  readonly opType: string;
  /** The node's input position that holds the weight. */
  readonly input: number;
  readonly dims: readonly number[];
}

/**
 * The prunable weights of a model, in topological order. A weight read by several nodes is listed
 * once, with its first reader. Throws NOT_PRUNABLE when there is none.
 * @example prunableWeights(model).map((w) => w.name) // ['conv.weight', 'layers.0.conv1.weight', ...]
 */
export function prunableWeights(model: Model | TypedGraph): PrunableWeight[] {
  const typed = 'order' in model ? model : inferModel(model);
  const graph = typed.graph;
  const indexOf = new Map(graph.nodes.map((node, i) => [node, i]));
  const found: PrunableWeight[] = [];
  const seen = new Set<string>();
  for (const node of typed.order) {
    const position = ruleFor(node).prunableWeight;
    if (position === undefined) continue;
    const name = node.inputs[position];
    const value = name ? graph.initializers.get(name) : undefined;
    if (!name || !value || seen.has(name)) continue;
    seen.add(name);
    const nodeIndex = indexOf.get(node)!;
    found.push({ name, node: node.name || `#${nodeIndex}`, nodeIndex, opType: node.opType, input: position, dims: value.dims });
  }
  if (found.length === 0) {
    throw new SculptError('NOT_PRUNABLE', `model '${graph.name}' has no prunable weight (a Conv, ConvTranspose, Gemm or MatMul whose weight is an initialiser); nothing to score`);
  }
  return found;
}

/** Checks that every score tensor is finite; throws NUMERIC naming the weight otherwise. */
export function checkFinite(scores: WeightScores, scorer: string): void {
  for (const [name, t] of scores) {
    const data = t.data;
    for (let i = 0, n = data.length; i < n; i++) {
      // v - v is 0 for every finite v and NaN for NaN and ±Infinity.
      const v = data[i]!;
      if (v - v !== 0) {
        throw new SculptError('NUMERIC', `${scorer} score of '${name}' is ${v} at element ${i}; scores must be finite (check the model's weights and the data batch)`);
      }
    }
  }
}
