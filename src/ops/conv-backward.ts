/**
 * Gradient formulations shared by Conv and ConvTranspose, chosen by measurement on
 * onnxruntime-node (see BENCHMARKS.md): the input gradient as a Conv over flipped, transposed
 * weights (ConvTranspose where the strides or pads rule that out), the weight gradient as an
 * "unfold" (a constant one-hot depthwise Conv that lays out each receptive field as channels),
 * one batched MatMul against the output gradient and a sum over the batch.
 */
import { tensor } from '../ir/tensor.js';
import type { EmitContext } from './backward.js';
import type { ValueType } from './rule.js';
import { formatShape } from './shapes.js';

/** The window of a convolution: what its gradients need. */
export interface Window {
  readonly group: number;
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** [begins..., ends...] */
  readonly pads: readonly number[];
}

/** Static spatial dims of a value, or a clear error naming the node. */
export function staticSpatial(ctx: EmitContext, type: ValueType | undefined, what: string): number[] {
  const dims = type?.shape.slice(2) ?? [];
  if (!type || dims.some((d) => typeof d !== 'number')) ctx.fail(`the gradient needs static spatial dims of ${what}, got ${formatShape(type?.shape)} (give the input shape)`);
  return dims as number[];
}

/** Static channel count (axis 1) of a value. */
export function staticChannels(ctx: EmitContext, type: ValueType | undefined, what: string): number {
  const c = type?.shape[1];
  if (typeof c !== 'number') return ctx.fail(`the gradient needs a static channel count for ${what}, got ${formatShape(type?.shape)}`);
  return c;
}

const attrsOf = (w: Window, pads: readonly number[]) => ({ group: w.group, strides: [...w.strides], dilations: [...w.dilations], pads: [...pads] });

/**
 * dX of Y = Conv(X, W): a Conv of dY with the spatially flipped weights, their in/out channel axes
 * swapped per group. For strides above 1 (where dY would need zeros inserted) or pads larger
 * than the kernel, a ConvTranspose with the forward geometry instead.
 */
export function convInputGradient(ctx: EmitContext, options: { dy: string; w: string; wType: ValueType; xType: ValueType; yType: ValueType; window: Window }): string {
  const { dy, w, window } = options;
  const n = window.kernel.length;
  const xSpatial = staticSpatial(ctx, options.xType, 'X');
  const ySpatial = staticSpatial(ctx, options.yType, 'Y');
  const effective = window.kernel.map((k, i) => (k - 1) * window.dilations[i]! + 1);
  const begins = effective.map((e, i) => e - 1 - window.pads[i]!);
  const ends = effective.map((e, i) => xSpatial[i]! - ((ySpatial[i]! - 1) * window.strides[i]! + 1) + window.pads[i]!);
  const unitStride = window.strides.every((s) => s === 1);
  if (unitStride && [...begins, ...ends].every((p) => p >= 0)) {
    const flipped = flipTransposeWeights(ctx, w, options.wType, window.group);
    return ctx.op('Conv', [dy, flipped], { group: window.group, dilations: [...window.dilations], pads: [...begins, ...ends], strides: new Array<number>(n).fill(1) });
  }
  const outputPadding = xSpatial.map((x, i) => (x + window.pads[i]! + window.pads[i + n]! - effective[i]!) % window.strides[i]!);
  return ctx.op('ConvTranspose', [dy, w], { ...attrsOf(window, window.pads), output_padding: outputPadding });
}

/** W [Cout, Cin/g, k...] → flipped in space, as [Cin, Cout/g, k...]. */
function flipTransposeWeights(ctx: EmitContext, w: string, wType: ValueType, group: number): string {
  const shape = wType.shape as number[];
  const [cout, cinPerGroup, ...kernel] = shape as [number, number, ...number[]];
  const n = kernel.length;
  const axes = kernel.map((_, i) => i + 2);
  const big = -(2 ** 62);
  const flipped = ctx.op('Slice', [w, ctx.ints(axes.map(() => -1)), ctx.ints(axes.map(() => big)), ctx.ints(axes), ctx.ints(axes.map(() => -1))]);
  if (group === 1) return ctx.op('Transpose', [flipped], { perm: [1, 0, ...axes] });
  const grouped = ctx.reshape(flipped, [group, cout / group, cinPerGroup, ...kernel]);
  const swapped = ctx.op('Transpose', [grouped], { perm: [0, 2, 1, ...kernel.map((_, i) => i + 3)] });
  return ctx.reshape(swapped, [cinPerGroup * group, cout / group, ...kernel.slice(0, n)]);
}

/**
 * dW of Y = Conv(X, W) with W [Cout, Cin/g, k...]: unfold X into receptive fields
 * [N, Cin*K, P] (K = kernel size, P = output positions), one batched MatMul per group against
 * dYᵀ, then a sum over the batch. Also serves ConvTranspose, whose weight gradient is that of
 * the Conv mapping its output gradient back to its input.
 */
export function convWeightGradient(ctx: EmitContext, options: { x: string; xType: ValueType; dy: string; dyType: ValueType; window: Window; outChannels: number }): string {
  const { x, dy, window, outChannels } = options;
  const g = window.group;
  const inChannels = staticChannels(ctx, options.xType, 'X');
  const kernelSize = window.kernel.reduce((a, b) => a * b, 1);
  const positions = staticSpatial(ctx, options.dyType, 'dY').reduce((a, b) => a * b, 1);
  const cols = unfold(ctx, x, options.xType, inChannels, window);
  const colsGrouped = ctx.reshape(cols, [0, g, (inChannels / g) * kernelSize, positions]);
  const dyGrouped = ctx.reshape(dy, [0, g, outChannels / g, positions]);
  const dyT = ctx.op('Transpose', [dyGrouped], { perm: [0, 1, 3, 2] });
  const perSample = ctx.op('MatMul', [colsGrouped, dyT]); // [N, g, Cin/g*K, Cout/g]
  const summed = ctx.reduceSum(perSample, [0], false); // [g, Cin/g*K, Cout/g]
  const transposed = ctx.op('Transpose', [summed], { perm: [0, 2, 1] });
  return ctx.reshape(transposed, [outChannels, inChannels / g, ...window.kernel]);
}

/** Receptive fields of X as channels: [N, Cin*K, out...], channel c*K + k holding kernel offset k of input channel c. */
function unfold(ctx: EmitContext, x: string, xType: ValueType, inChannels: number, window: Window): string {
  const kernelSize = window.kernel.reduce((a, b) => a * b, 1);
  const noPads = window.pads.every((p) => p === 0);
  if (kernelSize === 1 && noPads) {
    if (window.strides.every((s) => s === 1)) return x;
    // A 1x1 kernel with strides reads every s-th position: a strided Slice.
    const spatial = staticSpatial(ctx, xType, 'X');
    const axes = spatial.map((_, i) => i + 2);
    return ctx.op('Slice', [x, ctx.ints(axes.map(() => 0)), ctx.ints(spatial), ctx.ints(axes), ctx.ints([...window.strides])]);
  }
  const onehot = new Float32Array(inChannels * kernelSize * kernelSize);
  for (let c = 0; c < inChannels; c++) for (let k = 0; k < kernelSize; k++) onehot[(c * kernelSize + k) * kernelSize + k] = 1;
  const weights = ctx.constantTensor(tensor('float32', [inChannels * kernelSize, 1, ...window.kernel], onehot));
  return ctx.op('Conv', [x, weights], { group: inChannels, strides: [...window.strides], dilations: [...window.dilations], pads: [...window.pads], kernel_shape: [...window.kernel] });
}

/** dB of a convolution: the output gradient summed over the batch and space. */
export function biasGradient(ctx: EmitContext, dy: string, rank: number): string {
  return ctx.reduceSum(dy, [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)], false);
}

/** A [C, 1, ...] view of a per-channel vector, to broadcast against [N, C, ...]. */
export function perChannel(ctx: EmitContext, v: string, channels: number, rank: number): string {
  return ctx.reshape(v, [channels, ...new Array<number>(rank - 2).fill(1)]);
}
