/** MaxPool: the maximum over each window, optionally with the flat indices of the maxima. */
import { PASS_THROUGH } from './channels.js';
import { spec } from './attributes.js';
import type { BackwardRule } from './backward.js';
import { AUTO_PAD_VALUES } from './conv.js';
import { poolGeometry, pooledType } from './pool.js';
import type { OpRule } from './rule.js';
import { EQUIVARIANT } from './scaling.js';
import type { PatternRule } from './pattern.js';

// The gradient goes to each window's maximum. Training graphs ask the forward MaxPool for its
// Indices output (flat positions in X); MaxUnpool then places dY there, which measured faster
// than ScatterElements or equality masks. Overlapping windows (kernel > stride) can send two
// gradients to one position, which MaxUnpool would overwrite, so they scatter with addition.
const backward: BackwardRule = {
  differentiable: [0],
  commutesWithMonotone: true,
  forward: (ctx) => {
    if (!ctx.needsGrad(0)) return undefined;
    const [, indices] = ctx.copy([ctx.output(0), ctx.output(1) || null]);
    return { saved: { indices: indices! } };
  },
  emit: (ctx) => {
    const dy = ctx.outputGrads[0];
    const indices = ctx.saved('indices');
    if (!dy) return [undefined];
    if (!indices) return ctx.fail('the gradient needs the Indices output, which the forward rewrite adds');
    const geometry = poolGeometry(ctx);
    const x = ctx.inputs[0]!;
    const xShape = ctx.shapeOf(ctx.input(0), x);
    const overlapping = geometry.kernel.some((k, i) => (k - 1) * geometry.dilations[i]! + 1 > geometry.strides[i]!);
    if (!overlapping) {
      // MaxUnpool checks output_shape against the size its pads imply; with ceil_mode the last
      // window hangs over the end, so the end pads grow by the overhang.
      const n = geometry.kernel.length;
      const pads = [...geometry.pads];
      geometry.outSpatial.forEach((out, i) => {
        const size = x.shape[i + 2];
        if (typeof out !== 'number' || typeof size !== 'number') return;
        const implied = (out - 1) * geometry.strides[i]! + geometry.kernel[i]! - pads[i]! - pads[i + n]!;
        pads[i + n] = pads[i + n]! + Math.max(0, implied - size);
      });
      return [ctx.op('MaxUnpool', [dy, indices, xShape], { kernel_shape: [...geometry.kernel], strides: [...geometry.strides], pads })];
    }
    if (ctx.opset < 16) ctx.fail(`the gradient of overlapping windows needs ScatterElements with reduction (opset 16 or later; the graph has ${ctx.opset})`);
    const flatZeros = ctx.op('ConstantOfShape', [ctx.op('ReduceProd', [xShape], { keepdims: 1 })]);
    const scattered = ctx.op('ScatterElements', [flatZeros, ctx.reshape(indices, [-1]), ctx.reshape(dy, [-1])], { axis: 0, reduction: 'add' });
    return [ctx.op('Reshape', [scattered, xShape])];
  },
};

export const MaxPool = {
  opType: 'MaxPool',
  summary: 'Maximum over each sliding window.',
  inputCount: [1, 1],
  outputCount: [1, 2],
  attributes: {
    auto_pad: spec.string('NOTSET', AUTO_PAD_VALUES),
    ceil_mode: spec.int(0, [0, 1]),
    dilations: spec.ints(),
    kernel_shape: spec.ints(),
    pads: spec.ints(),
    storage_order: spec.int(0, [0]),
    strides: spec.ints(),
  },
  inferTypes(ctx) {
    const y = pooledType(ctx);
    return ctx.node.outputs.length > 1 ? [y, { dtype: 'int64', shape: y.shape }] : [y];
  },
  scaling: () => EQUIVARIANT,
  pattern: (): PatternRule => ({ kind: 'argmax', indicesOutput: 1 }),
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
  backward,
} satisfies OpRule;
