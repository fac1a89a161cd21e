/**
 * Constant: a tensor baked into the graph (Clip bounds, shapes). The value_float(s)/value_int(s)
 * forms are from opset 12, but onnxruntime accepts them in 11 too, and so does Sculpt.
 */
import { spec } from './attributes.js';
import type { OpContext, OpRule } from './rule.js';
import { float32, int64, type Tensor } from '../ir/tensor.js';

function constantValue(ctx: OpContext): Tensor {
  const a = ctx.attrs;
  if (a.has('value')) return a.tensor('value')!;
  if (a.has('value_float')) return float32([], [a.float('value_float')]);
  if (a.has('value_floats')) return float32([a.floats('value_floats')!.length], a.floats('value_floats')!);
  if (a.has('value_int')) return int64([], [a.int('value_int')]);
  if (a.has('value_ints')) return int64([a.ints('value_ints')!.length], a.ints('value_ints')!);
  return ctx.fail('needs one of value, value_float(s), value_int(s) (sparse and string values are not supported)');
}

export const Constant = {
  opType: 'Constant',
  summary: 'A constant tensor.',
  inputCount: [0, 0],
  outputCount: [1, 1],
  attributes: {
    value: spec.tensor(),
    value_float: spec.float(),
    value_floats: spec.floats(),
    value_int: spec.int(),
    value_ints: spec.ints(),
  },
  inferTypes(ctx) {
    const value = constantValue(ctx);
    return [{ dtype: value.dtype, shape: value.dims }];
  },
  fold: (ctx) => [constantValue(ctx)],
  parameterInputs: [],
  channels: { kind: 'barrier', reason: 'a constant has no channels to remove' },
  macs: () => 0,
  // No inputs, so nothing to propagate; the rule marks Constant as safe inside differentiated graphs.
  backward: { differentiable: [], emit: () => [] },
} satisfies OpRule;
