/** Conv: N-d convolution with groups (depthwise when group = channels), dilations, strides, pads, auto_pad. */
import { SculptError } from '../errors.js';
import { describeNode } from '../ir/topology.js';
import { spec } from './attributes.js';
import type { BackwardRule } from './backward.js';
import { requireInput, requireRank, requireWindow, perSample } from './common.js';
import { biasGradient, blockedBias, blockedFilter, convInputGradient, convWeightGradient, nchwcBlock, nchwcConv, staticChannels } from './conv-backward.js';
import type { OpContext, OpRule } from './rule.js';
import { formatShape, orRepeat, windowOutput } from './shapes.js';

export const AUTO_PAD_VALUES = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const;

/** Resolved convolution geometry of a Conv node: what the shape rule, cost and gradients need. */
export interface ConvGeometry {
  readonly group: number;
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** Explicit pads after auto_pad is resolved: [begins..., ends...]. */
  readonly pads: readonly number[];
}

/** Reads and checks a Conv node's geometry from its input types and attributes. */
export function convGeometry(ctx: OpContext): ConvGeometry & { outSpatial: (number | string)[] } {
  const x = requireInput(ctx, 0, 'X');
  const w = requireInput(ctx, 1, 'W');
  requireRank(ctx, x, [3, 4, 5], 'X');
  if (w.shape.length !== x.shape.length) ctx.fail(`W ${formatShape(w.shape)} must have the rank of X ${formatShape(x.shape)}`);
  const spatialRank = x.shape.length - 2;
  const kernel = w.shape.slice(2).map((d) => (typeof d === 'number' ? d : NaN));
  const declared = ctx.attrs.ints('kernel_shape');
  if (declared && declared.join() !== kernel.join()) ctx.fail(`kernel_shape [${declared.join(', ')}] does not match W ${formatShape(w.shape)}`);
  const group = ctx.attrs.int('group');
  const channels = x.shape[1];
  const inPerGroup = w.shape[1];
  if (group < 1) ctx.fail(`group must be at least 1, got ${group}`);
  if (typeof channels === 'number' && typeof inPerGroup === 'number' && channels !== inPerGroup * group) {
    ctx.fail(`X has ${channels} channels but W ${formatShape(w.shape)} with group=${group} expects ${inPerGroup * group}`);
  }
  const outChannels = w.shape[0];
  if (typeof outChannels === 'number' && outChannels % group !== 0) ctx.fail(`W has ${outChannels} output channels, not divisible by group=${group}`);
  const b = ctx.inputs[2];
  if (b && (b.shape.length !== 1 || b.shape[0] !== outChannels)) ctx.fail(`B ${formatShape(b.shape)} must be [${outChannels}]`);
  const strides = orRepeat(ctx.attrs.ints('strides'), spatialRank, 1);
  const dilations = orRepeat(ctx.attrs.ints('dilations'), spatialRank, 1);
  const pads = orRepeat(ctx.attrs.ints('pads'), spatialRank * 2, 0);
  requireWindow(ctx, spatialRank, { kernel, strides, dilations, pads });
  const autoPad = ctx.attrs.string('auto_pad');
  if (autoPad.startsWith('SAME') && dilations.some((d) => d !== 1)) {
    throw new SculptError('UNSUPPORTED_ATTRIBUTE', `${describeNode(ctx.node)}: auto_pad=${autoPad} with dilations [${dilations.join(', ')}] is not supported by onnxruntime; give explicit pads`);
  }
  const window = windowOutput(x.shape.slice(2), { kernel, strides, dilations, pads, autoPad });
  window.dims.forEach((d, i) => {
    if (typeof d === 'number' && d < 1) ctx.fail(`the kernel (${kernel.join('x')}, dilation ${dilations[i]}) is larger than the padded input ${formatShape(x.shape)}`);
  });
  return { group, kernel, strides, dilations, pads: window.pads, outSpatial: window.dims };
}

const backward: BackwardRule = {
  differentiable: [0, 1, 2],
  // Weights are graph inputs in derived graphs, which keeps onnxruntime off its fast blocked
  // (NCHWc) kernels; when the target has them, the conv runs there with its filter reordered in-graph.
  forward: (ctx) => {
    const window = convGeometry(ctx);
    if (!ctx.target.nchwcBlockSize) return undefined;
    const [inChannels, outChannels] = [staticChannels(ctx, ctx.inputs[0], 'X'), staticChannels(ctx, ctx.outputs[0], 'Y')];
    const block = nchwcBlock(ctx, window, inChannels);
    if (!block) return undefined;
    const filter = blockedFilter(ctx, ctx.input(1), { outChannels, inChannels, kernel: window.kernel, block, flipped: false });
    const bias = ctx.input(2) ? blockedBias(ctx, ctx.input(2), outChannels, block) : undefined;
    nchwcConv(ctx, { x: ctx.input(0), inChannels, filter, ...(bias ? { bias } : {}), outChannels, window, pads: window.pads, block, output: ctx.output(0) });
    return {};
  },
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const window = convGeometry(ctx);
    const [xType, wType, yType] = [ctx.inputs[0]!, ctx.inputs[1]!, ctx.outputs[0]!];
    return [
      ctx.needsGrad(0) ? convInputGradient(ctx, { dy, w: ctx.input(1), wType, xType, yType, window }) : undefined,
      ctx.needsGrad(1) ? convWeightGradient(ctx, { x: ctx.input(0), xType, dy, dyType: yType, window, outChannels: staticChannels(ctx, yType, 'Y') }) : undefined,
      ctx.needsGrad(2) ? biasGradient(ctx, dy, yType.shape.length) : undefined,
    ];
  },
};

/** The window attributes Conv and ConvTranspose share. */
export const CONV_WINDOW_ATTRIBUTES = {
  auto_pad: spec.string('NOTSET', AUTO_PAD_VALUES),
  dilations: spec.ints(),
  group: spec.int(1),
  kernel_shape: spec.ints(),
  pads: spec.ints(),
  strides: spec.ints(),
};

export const Conv = {
  opType: 'Conv',
  summary: 'N-d convolution of X with W (plus bias B), grouped when group > 1.',
  inputCount: [2, 3],
  outputCount: [1, 1],
  attributes: CONV_WINDOW_ATTRIBUTES,
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'X');
    const w = requireInput(ctx, 1, 'W');
    const { outSpatial } = convGeometry(ctx);
    return [{ dtype: x.dtype, shape: [x.shape[0]!, w.shape[0]!, ...outSpatial] }];
  },
  // W [Cout, Cin/group, k...]: output channel c owns W[c] and B[c].
  outputChannelWeights: () => ({ weight: 1, weightAxis: 0, groups: 1, bias: 2, biasMultiplier: 1, outputAxis: 1 }),
  scaling: () => ({ kind: 'weighted', weight: 1, bias: 2 }),
  parameterInputs: [1, 2],
  prunableWeight: 1,
  channels: { kind: 'conv', weight: 1, bias: 2, weightOutputAxis: 0 },
  // Cout*Hout*Wout*(Cin/groups)*kh*kw per sample: the output size times the weight's fan-in.
  macs(ctx) {
    const w = ctx.inputs[1]!;
    const fanIn = perSample(w);
    return perSample(ctx.outputs[0]) * fanIn;
  },
  backward,
} satisfies OpRule;
