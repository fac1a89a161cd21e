/** ConvTranspose: the gradient of Conv with respect to its input, used for learned up-sampling. */
import { spec } from './attributes.js';
import type { BackwardRule } from './backward.js';
import { perSample, requireInput, requireRank, requireWindow } from './common.js';
import { biasGradient, convWeightGradient, staticChannels } from './conv-backward.js';
import { CONV_WINDOW_ATTRIBUTES } from './conv.js';
import type { OpContext, OpRule } from './rule.js';
import { formatShape, orRepeat } from './shapes.js';

/** Resolved geometry of a ConvTranspose node. */
export interface ConvTransposeGeometry {
  readonly group: number;
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pads: readonly number[];
  readonly outputPadding: readonly number[];
  readonly outSpatial: readonly (number | string)[];
}

/** Reads and checks a ConvTranspose node's geometry; resolves output_shape and auto_pad into pads. */
export function convTransposeGeometry(ctx: OpContext): ConvTransposeGeometry {
  const x = requireInput(ctx, 0, 'X');
  const w = requireInput(ctx, 1, 'W');
  requireRank(ctx, x, [3, 4, 5], 'X');
  if (w.shape.length !== x.shape.length) ctx.fail(`W ${formatShape(w.shape)} must have the rank of X ${formatShape(x.shape)}`);
  const n = x.shape.length - 2;
  const group = ctx.attrs.int('group');
  if (typeof x.shape[1] === 'number' && typeof w.shape[0] === 'number' && x.shape[1] !== w.shape[0]) {
    ctx.fail(`X has ${x.shape[1]} channels but W ${formatShape(w.shape)} expects ${w.shape[0]}`);
  }
  if (group < 1 || (typeof w.shape[0] === 'number' && w.shape[0] % group !== 0)) ctx.fail(`W ${formatShape(w.shape)} has input channels not divisible by group=${group}`);
  const kernel = w.shape.slice(2).map((d) => (typeof d === 'number' ? d : NaN));
  const declared = ctx.attrs.ints('kernel_shape');
  if (declared && declared.join() !== kernel.join()) ctx.fail(`kernel_shape [${declared.join(', ')}] does not match W ${formatShape(w.shape)}`);
  const strides = orRepeat(ctx.attrs.ints('strides'), n, 1);
  const dilations = orRepeat(ctx.attrs.ints('dilations'), n, 1);
  const outputPadding = orRepeat(ctx.attrs.ints('output_padding'), n, 0);
  const pads = orRepeat(ctx.attrs.ints('pads'), 2 * n, 0);
  requireWindow(ctx, n, { kernel, strides, dilations, pads });
  if (outputPadding.length !== n || outputPadding.some((p, i) => p < 0 || p >= Math.max(strides[i]!, dilations[i]!))) {
    ctx.fail(`output_padding [${outputPadding.join(', ')}] must hold ${n} values each below its stride or dilation`);
  }
  const autoPad = ctx.attrs.string('auto_pad');
  const outputShape = ctx.attrs.ints('output_shape');
  if (outputShape && outputShape.length !== n) ctx.fail(`output_shape [${outputShape.join(', ')}] must list the ${n} spatial sizes only`);
  const outSpatial: (number | string)[] = [];
  for (let i = 0; i < n; i++) {
    const size = x.shape[2 + i]!;
    if (typeof size !== 'number') {
      outSpatial.push('');
      continue;
    }
    const full = strides[i]! * (size - 1) + outputPadding[i]! + (kernel[i]! - 1) * dilations[i]! + 1;
    const target = outputShape ? outputShape[i]! : autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? size * strides[i]! : undefined;
    if (target !== undefined) {
      const total = Math.max(0, full - target);
      const small = Math.floor(total / 2);
      // An odd total pads one more at the end for SAME_UPPER and at the beginning otherwise
      // (SAME_LOWER, or output_shape alone), as onnxruntime does and the spec says.
      const [begin, end] = autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
      pads[i] = begin;
      pads[i + n] = end;
      outSpatial.push(target);
    } else {
      if (autoPad === 'VALID') {
        pads[i] = 0;
        pads[i + n] = 0;
      }
      outSpatial.push(full - pads[i]! - pads[i + n]!);
    }
    const out = outSpatial[i]!;
    if (typeof out === 'number' && out < 1) ctx.fail(`output size ${out} along spatial axis ${i} is not positive (pads [${pads.join(', ')}])`);
  }
  return { group, kernel, strides, dilations, pads, outputPadding, outSpatial };
}

// ConvTranspose is the adjoint of a Conv with the same weights and geometry, so dX is that Conv
// applied to dY, and dW is the weight gradient of that Conv with dY as its input and X as its
// output gradient.
const backward: BackwardRule = {
  differentiable: [0, 1, 2],
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const geometry = convTransposeGeometry(ctx);
    const window = { group: geometry.group, kernel: geometry.kernel, strides: geometry.strides, dilations: geometry.dilations, pads: geometry.pads };
    const [xType, yType] = [ctx.inputs[0]!, ctx.outputs[0]!];
    const dx = ctx.needsGrad(0)
      ? ctx.op('Conv', [dy, ctx.input(1)], { group: window.group, strides: [...window.strides], dilations: [...window.dilations], pads: [...window.pads] })
      : undefined;
    const dw = ctx.needsGrad(1) ? convWeightGradient(ctx, { x: dy, xType: yType, dy: ctx.input(0), dyType: xType, window, outChannels: staticChannels(ctx, xType, 'X') }) : undefined;
    return [dx, dw, ctx.needsGrad(2) ? biasGradient(ctx, dy, yType.shape.length) : undefined];
  },
};

export const ConvTranspose = {
  opType: 'ConvTranspose',
  summary: 'Transposed convolution (learned up-sampling) of X with W [Cin, Cout/group, k...].',
  inputCount: [2, 3],
  outputCount: [1, 1],
  attributes: { ...CONV_WINDOW_ATTRIBUTES, output_padding: spec.ints(), output_shape: spec.ints() },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'X');
    const w = requireInput(ctx, 1, 'W');
    const geometry = convTransposeGeometry(ctx);
    const perGroup = w.shape[1];
    const outChannels = typeof perGroup === 'number' ? perGroup * geometry.group : '';
    const b = ctx.inputs[2];
    if (b && (b.shape.length !== 1 || b.shape[0] !== outChannels)) ctx.fail(`B ${formatShape(b.shape)} must be [${outChannels}]`);
    return [{ dtype: x.dtype, shape: [x.shape[0]!, outChannels, ...geometry.outSpatial] }];
  },
  // W [Cin, Cout/group, k...]: output channel g*(Cout/group) + j owns W[g's Cin block, j] and B[channel].
  outputChannelWeights: (ctx) => ({ weight: 1, weightAxis: 1, groups: ctx.attrs.int('group'), bias: 2, biasMultiplier: 1, outputAxis: 1 }),
  scaling: () => ({ kind: 'weighted', weight: 1, bias: 2 }),
  parameterInputs: [1, 2],
  prunableWeight: 1,
  // The weight is [Cin, Cout/group, k...]: output channels sit on axis 1.
  channels: { kind: 'conv', weight: 1, bias: 2, weightOutputAxis: 1 },
  // Cin*Hin*Win*(Cout/groups)*kh*kw per sample: every input pixel scatters through the kernel.
  macs: (ctx) => perSample(ctx.inputs[0]) * perSample(ctx.inputs[1]),
  backward,
} satisfies OpRule;
