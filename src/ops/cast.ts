/** Cast: converts elements to the type `to` (floats truncate toward zero into integers). */
import type { BackwardRule } from './backward.js';
import { ONNX_DATA_TYPE } from '../ir/tensor.js';
import { PASS_THROUGH } from './channels.js';
import { SculptError } from '../errors.js';
import { dtypeFromOnnx, type DType } from '../ir/tensor.js';
import { describeNode } from '../ir/topology.js';
import { inOpsets, spec } from './attributes.js';
import { requireInput } from './common.js';
import { castTensor, isIntegerType } from './fold.js';
import type { OpContext, OpRule } from './rule.js';

function targetType(ctx: OpContext): DType {
  try {
    return dtypeFromOnnx(ctx.attrs.int('to'), `${describeNode(ctx.node)}: attribute 'to'`);
  } catch (error) {
    if (error instanceof SculptError) throw new SculptError('UNSUPPORTED_ATTRIBUTE', error.message);
    throw error;
  }
}

// Between float types the gradient is cast back; into or out of integers nothing flows.
const FLOATS: readonly DType[] = ['float32', 'float64', 'float16'];
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const [from, to] = [ctx.inputs[0]!.dtype, ctx.outputs[0]!.dtype];
    if (!FLOATS.includes(from) || !FLOATS.includes(to)) return [undefined];
    return [from === to ? ctx.outputGrads[0] : ctx.op('Cast', [ctx.outputGrads[0]!], { to: ONNX_DATA_TYPE[from] })];
  },
};

export const Cast = {
  opType: 'Cast',
  summary: 'Converts every element to another element type.',
  inputCount: [1, 1],
  outputCount: [1, 1],
  attributes: { saturate: inOpsets(spec.int(1), 19), to: spec.int() },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'input');
    return [{ dtype: targetType(ctx), shape: x.shape }];
  },
  fold(ctx) {
    const value = ctx.constant(0);
    const result = value && castTensor(value, targetType(ctx));
    return result ? [result] : undefined;
  },
  // Integer shape arithmetic passes through integer casts unchanged.
  foldShapeValue(ctx) {
    const dims = ctx.shapeValue(0);
    return dims && isIntegerType(targetType(ctx)) ? [dims] : undefined;
  },
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
  backward,
} satisfies OpRule;
