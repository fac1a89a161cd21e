/** AveragePool: the mean over each window (count_include_pad decides whether padding counts). */
import type { BackwardRule } from './backward.js';
import { staticChannels, staticSpatial } from './conv-backward.js';
import { tensor } from '../ir/tensor.js';
import { PASS_THROUGH } from './channels.js';
import { inOpsets, spec } from './attributes.js';
import { AUTO_PAD_VALUES } from './conv.js';
import { poolGeometry, pooledType } from './pool.js';
import type { OpRule } from './rule.js';
import { EQUIVARIANT } from './scaling.js';

/** How many values window `o` averages along one axis (the divisor onnxruntime uses). */
function windowCount(o: number, size: number, kernel: number, stride: number, dilation: number, begin: number, end: number, includePad: boolean): number {
  let count = 0;
  for (let j = 0; j < kernel; j++) {
    const p = o * stride - begin + j * dilation;
    if (includePad ? p >= -begin && p < size + end : p >= 0 && p < size) count++;
  }
  return count;
}

// dX: each output's dY divided by its window's divisor, spread back over the window by a
// depthwise ConvTranspose with a kernel of ones. The end pads grow when ceil_mode lets the last
// window hang over the end, as the ConvTranspose would otherwise produce more than X.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const geometry = poolGeometry(ctx);
    const x = ctx.inputs[0]!;
    const channels = staticChannels(ctx, x, 'X');
    const spatial = staticSpatial(ctx, x, 'X');
    const out = staticSpatial(ctx, ctx.outputs[0], 'Y');
    const n = spatial.length;
    const includePad = ctx.attrs.int('count_include_pad') === 1;
    const { kernel, strides, dilations } = geometry;
    const pads = [...geometry.pads];
    const perAxis = spatial.map((size, i) =>
      Array.from({ length: out[i]! }, (_, o) => 1 / windowCount(o, size, kernel[i]!, strides[i]!, dilations[i]!, pads[i]!, pads[i + n]!, includePad)),
    );
    const total = out.reduce((a, b) => a * b, 1);
    const scale = new Float32Array(total);
    for (let flat = 0; flat < total; flat++) {
      let rest = flat;
      let value = 1;
      for (let i = n - 1; i >= 0; i--) {
        value *= perAxis[i]![rest % out[i]!]!;
        rest = Math.floor(rest / out[i]!);
      }
      scale[flat] = value;
    }
    const scaled = ctx.op('Mul', [ctx.outputGrads[0]!, ctx.constantTensor(tensor('float32', [1, 1, ...out], scale))]);
    const outputPadding = spatial.map((size, i) => {
      const produced = (out[i]! - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - pads[i]! - pads[i + n]!;
      if (produced > size) pads[i + n] = pads[i + n]! + produced - size;
      return Math.max(0, size - produced);
    });
    const ones = ctx.constantTensor(tensor('float32', [channels, 1, ...kernel], new Float32Array(channels * kernel.reduce((a, b) => a * b, 1)).fill(1)));
    return [ctx.op('ConvTranspose', [scaled, ones], { group: channels, kernel_shape: [...kernel], strides: [...strides], dilations: [...dilations], pads, output_padding: outputPadding })];
  },
};

export const AveragePool = {
  opType: 'AveragePool',
  summary: 'Mean over each sliding window.',
  inputCount: [1, 1],
  outputCount: [1, 1],
  attributes: {
    auto_pad: spec.string('NOTSET', AUTO_PAD_VALUES),
    ceil_mode: spec.int(0, [0, 1]),
    count_include_pad: spec.int(0, [0, 1]),
    dilations: inOpsets(spec.ints(), 19),
    kernel_shape: spec.ints(),
    pads: spec.ints(),
    strides: spec.ints(),
  },
  inferTypes: (ctx) => [pooledType(ctx)],
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
  backward,
} satisfies OpRule;
