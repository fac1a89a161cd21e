/**
 * Parameter and MAC counting per layer, by the convention in the fixtures' meta.json: conv =
 * Cout*Hout*Wout*(Cin/groups)*kh*kw per sample, ConvTranspose = Cin*Hin*Win*(Cout/groups)*kh*kw,
 * Gemm = in*out; BN, activations and pools count no MACs. Parameters are the trainable inputs
 * each rule declares (Conv/ConvTranspose/Gemm weights and biases, BN scale and bias).
 */
import type { Shape } from '../ir/graph.js';
import { sizeOf } from '../ir/tensor.js';
import { costContext, ruleFor, type TypedGraph } from './infer.js';

/** One row of the layer table. */
export interface LayerCost {
  readonly name: string;
  readonly op: string;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly params: number;
  /** Per sample. */
  readonly macs: number;
}

/** The cost of every node, in topological order. */
export function layerCosts(typed: TypedGraph): LayerCost[] {
  return typed.order.map((node) => {
    const rule = ruleFor(node);
    const ctx = costContext(typed, node);
    let params = 0;
    for (const index of rule.parameterInputs) {
      const value = ctx.constant(index);
      if (value) params += sizeOf(value.dims);
    }
    return {
      name: node.name,
      op: node.opType,
      inputShape: ctx.inputs[0]?.shape ?? [],
      outputShape: ctx.outputs[0]?.shape ?? [],
      params,
      macs: rule.macs(ctx),
    };
  });
}

/** Totals over layers. */
export function totalCost(layers: readonly LayerCost[]): { params: number; macs: number } {
  let params = 0;
  let macs = 0;
  for (const layer of layers) {
    params += layer.params;
    macs += layer.macs;
  }
  return { params, macs };
}
