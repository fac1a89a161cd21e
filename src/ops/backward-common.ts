/** Small gradient helpers shared by backward rules. */
import { ONNX_DATA_TYPE } from '../ir/tensor.js';
import type { BackwardContext, BackwardRule } from './backward.js';

/** dY times a boolean condition, as Mul(dY, Cast(condition)): measured faster than Where on onnxruntime. */
export function masked(ctx: BackwardContext, dy: string, condition: string): string {
  const dtype = ctx.outputs[0]?.dtype ?? 'float32';
  return ctx.op('Mul', [dy, ctx.op('Cast', [condition], { to: ONNX_DATA_TYPE[dtype] })]);
}

/** The backward rule of an op that passes its first input through unchanged (Identity, Dropout at inference). */
export const passThroughBackward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => [ctx.outputGrads[0]],
};

/** The backward rule of ops that only re-view their first input's elements (Reshape, Squeeze, Unsqueeze, Flatten). */
export const viewBackward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => [ctx.op('Reshape', [ctx.outputGrads[0]!, ctx.shapeOf(ctx.input(0), ctx.inputs[0]!)])],
};

/** The backward rule of an element-wise op whose local derivative `derivative(ctx)` is a tensor (or scalar) name. */
export function elementwiseBackward(derivative: (ctx: BackwardContext) => string): BackwardRule {
  return { differentiable: [0], emit: (ctx) => [ctx.op('Mul', [ctx.outputGrads[0]!, derivative(ctx)])] };
}
