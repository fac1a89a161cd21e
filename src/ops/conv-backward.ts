/**
 * Gradient formulations shared by Conv and ConvTranspose, chosen by measurement on
 * onnxruntime-node (see BENCHMARKS.md): the input gradient as a Conv over flipped, transposed
 * weights (ConvTranspose where the strides or pads rule that out), the weight gradient as an
 * "unfold" (a constant one-hot depthwise Conv that lays out each receptive field as channels),
 * one batched MatMul against the output gradient and a sum over the batch.
 */
import { tensor } from '../ir/tensor.js';
import { MICROSOFT_DOMAIN, NCHWC_DOMAIN, type EmitContext } from './backward.js';
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
 * The NCHWc block size when a 2-D, ungrouped convolution reading `inChannels` channels can run on
 * onnxruntime's blocked kernels (ReorderInput takes multiples of 4 channels; fewer than a block are read as NCHW).
 */
export function nchwcBlock(ctx: EmitContext, window: Window, inChannels: number): number | undefined {
  const block = ctx.target.nchwcBlockSize;
  const readable = inChannels < block! || inChannels % 4 === 0;
  return block && window.group === 1 && window.kernel.length === 2 && readable ? block : undefined;
}

const roundUp = (n: number, block: number): number => Math.ceil(n / block) * block;

/**
 * A Conv on onnxruntime's NCHWc kernels: X is reordered to the blocked layout (inputs with fewer
 * channels than a block are read as NCHW), the filter must already be blocked (blockedFilter), and
 * the result is reordered back to NCHW under the name `output` when given.
 */
export function nchwcConv(ctx: EmitContext, options: { x: string; inChannels: number; filter: string; bias?: string; outChannels: number; window: Window; pads: readonly number[]; block: number; output?: string }): string {
  const { window, block } = options;
  const input = options.inChannels >= block ? ctx.op('ReorderInput', [options.x], {}, NCHWC_DOMAIN) : options.x;
  const inputs = options.bias ? [input, options.filter, options.bias] : [input, options.filter];
  const blocked = ctx.op('Conv', inputs, { kernel_shape: [...window.kernel], strides: [...window.strides], dilations: [...window.dilations], pads: [...options.pads], group: 1 }, NCHWC_DOMAIN);
  return ctx.ops('ReorderOutput', [blocked], { channels: options.outChannels }, [options.output ?? null], NCHWC_DOMAIN)[0]!;
}

/**
 * A filter in the layout NCHWc kernels read, computed inside the graph (onnxruntime reorders only
 * constant filters itself): from W [O, I, kh, kw] to [O/B, I/B, kh·kw, Bi, Bo] (OIHWBiBo), or for
 * inputs narrower than a block, [O/B, I, kh·kw, Bo] (OIHWBo); channels padded with zeros to whole
 * blocks. With `flipped`, W is a forward filter [I, O, kh, kw] and the result is the filter of
 * the input-gradient Conv: in and out swapped, the kernel turned by 180 degrees.
 */
export function blockedFilter(ctx: EmitContext, w: string, options: { outChannels: number; inChannels: number; kernel: readonly number[]; block: number; flipped: boolean }): string {
  const { outChannels: o, inChannels: i, kernel, block, flipped } = options;
  const size = kernel[0]! * kernel[1]!;
  const op = roundUp(o, block);
  const blockedInput = i >= block;
  const ip = blockedInput ? roundUp(i, block) : i;
  // Zero-pad the channel axes of W ([O, I, k] or, flipped, [I, O, k]) to whole blocks.
  const [first, second] = flipped ? [[i, ip], [o, op]] : [[o, op], [i, ip]];
  let source = ctx.reshape(w, [first[0]!, second[0]!, size]);
  if (first[1] !== first[0] || second[1] !== second[0]) source = ctx.op('Pad', [source, ctx.ints([0, 0, 0, first[1]! - first[0]!, second[1]! - second[0]!, 0])]);
  // Every step below is a batch of small 2-D transposes written as a product with a constant
  // identity (or, to turn the kernel, an exchange matrix): FusedMatMul runs on all the session's
  // threads, onnxruntime's Transpose on one, and exact products by 0 and 1 move finite values
  // unchanged (bench/train-micro-reorder.ts: 512x512x3x3 in 4.3 ms instead of 7-12 ms; VGG-11
  // step 1.10x faster, ResNet-20 unchanged). A non-finite weight turns its neighbours NaN too
  // (0 · inf), so a diverged step stays visibly diverged: the training loop's guard stops on it.
  const eye = (n: number, exchange = false): string => {
    const values = new Float32Array(n * n);
    for (let r = 0; r < n; r++) values[r * n + (exchange ? n - 1 - r : r)] = 1;
    return ctx.constantTensor(tensor('float32', [n, n], values));
  };
  /** Per batch, [rows, cols] → [cols, rows] (rows small: the identity's size). */
  const transposed = (x: string, batch: number, rows: number, cols: number): string =>
    ctx.op('FusedMatMul', [ctx.reshape(x, [batch, rows, cols]), eye(rows)], { transA: 1 }, MICROSOFT_DOMAIN);
  const [ob, ib] = [op / block, ip / block];
  let arranged: string;
  if (!flipped) {
    // W [O, I, S] = [Ob, Bo, Ib, Bi, S]. Blocked input: per (O, Ib) [Bi, S] → [S, Bi], then per Ob
    // [Bo, Ib·S·Bi] → [Ib·S·Bi, Bo]: [Ob, Ib, S, Bi, Bo]. NCHW input: per Ob [Bo, I·S] → [I·S, Bo].
    const inner = blockedInput ? transposed(source, op * ib, block, size) : source;
    arranged = transposed(inner, ob, block, ip * size);
  } else {
    // Forward W [I, O, S] = [Ib, Bi, Ob, Bo, S] (I the gradient's input channels). Per (I, Ob),
    // [Bo, S] → [S reversed, Bo] (the exchange matrix turns the kernel); blocked input: per Ib
    // [Bi, Ob·S·Bo] → [Ob·S·Bo, Bi], then per (Ib, Ob, S) [Bo, Bi] → [Bi, Bo]; last the two
    // block axes swap whole [S, Bi, Bo] tiles: [Ob, Ib, S, Bi, Bo] (NCHW input: [Ob, I, S, Bo]).
    const turned = ctx.op('FusedMatMul', [eye(size, true), ctx.reshape(source, [ip * ob, block, size])], { transB: 1 }, MICROSOFT_DOMAIN); // [I·Ob, S, Bo]
    const tiles = blockedInput ? transposed(transposed(turned, ib, block, ob * size * block), ib * ob * size, block, block) : turned; // [Ib or I, Ob, S·Bi·Bo]
    const tile = blockedInput ? size * block * block : size * block;
    arranged = ctx.op('Transpose', [ctx.reshape(tiles, [blockedInput ? ib : ip, ob, tile])], { perm: [1, 0, 2] });
  }
  return ctx.reshape(arranged, [op, ip, ...kernel]);
}

/** A bias padded with zeros to whole blocks. */
export function blockedBias(ctx: EmitContext, bias: string, channels: number, block: number): string {
  const padded = roundUp(channels, block);
  return padded === channels ? bias : ctx.op('Pad', [bias, ctx.ints([0, padded - channels])]);
}

/**
 * dX of Y = Conv(X, W): a Conv of dY with the spatially flipped weights, their in/out channel axes
 * swapped per group (on NCHWc kernels when available). For strides above 1 (where dY would need
 * zeros inserted) or pads larger than the kernel, a ConvTranspose with the forward geometry instead.
 */
export function convInputGradient(ctx: EmitContext, options: { dy: string; w: string; wType: ValueType; xType: ValueType; yType: ValueType; window: Window }): string {
  const { dy, w, window } = options;
  const n = window.kernel.length;
  const xSpatial = staticSpatial(ctx, options.xType, 'X');
  const ySpatial = staticSpatial(ctx, options.yType, 'Y');
  const effective = window.kernel.map((k, i) => (k - 1) * window.dilations[i]! + 1);
  const begins = effective.map((e, i) => e - 1 - window.pads[i]!);
  const ends = xSpatial.map((size, i) => size - ((ySpatial[i]! - 1) * window.strides[i]! + 1) + window.pads[i]!);
  const unitStride = window.strides.every((s) => s === 1);
  if (unitStride && [...begins, ...ends].every((p) => p >= 0)) {
    const [outChannels, inChannels] = [staticChannels(ctx, options.xType, 'X'), staticChannels(ctx, options.yType, 'Y')];
    const block = nchwcBlock(ctx, window, inChannels);
    if (block) {
      const filter = blockedFilter(ctx, w, { outChannels, inChannels, kernel: window.kernel, block, flipped: true });
      return nchwcConv(ctx, { x: dy, inChannels, filter, outChannels, window: { ...window, strides: window.strides.map(() => 1) }, pads: [...begins, ...ends], block });
    }
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
 * dW of Y = Conv(X, W) with W [Cout, Cin/g, k...]. Three formulations, chosen per layer from
 * measurements (bench/train-micro-dw.ts, batch 64): where maps are large and channels few, unfold X into
 * receptive fields [N, Cin*K, P] (K = kernel size, P = output positions), one batched MatMul per
 * sample against dYᵀ and a sum over the batch; where channels are many and maps small, those
 * per-sample partial sums [N, Cin*K, Cout] would dwarf the activations, so the batch joins the
 * contraction instead: one Gemm per kernel offset between dY and the shifted X, both
 * channel-major [C, N*P]; and for the smallest maps (2x2), a direct NCHWc convolution over the
 * batch (X with samples as channels, dY as the filter). Also serves ConvTranspose, whose weight
 * gradient is that of the Conv mapping its output gradient back to its input.
 */
export function convWeightGradient(ctx: EmitContext, options: { x: string; xType: ValueType; dy: string; dyType: ValueType; window: Window; outChannels: number }): string {
  const { x, dy, window, outChannels } = options;
  const g = window.group;
  const inChannels = staticChannels(ctx, options.xType, 'X');
  const kernelSize = window.kernel.reduce((a, b) => a * b, 1);
  const positions = staticSpatial(ctx, options.dyType, 'dY').reduce((a, b) => a * b, 1);
  const batch = options.xType.shape[0];
  const partialSums = kernelSize * inChannels * outChannels;
  const transposes = positions * (inChannels + outChannels);
  const preferred = ctx.target.prefer?.convWeightGradient;
  const shiftable = g === 1 && window.kernel.length === 2 && typeof batch === 'number';
  const block = ctx.target.nchwcBlockSize;
  const unitWindow = window.strides.every((s) => s === 1) && window.dilations.every((d) => d === 1);
  if (shiftable && block && unitWindow && batch % block === 0 && positions <= 8 && preferred === undefined) {
    return batchConvWeightGradient(ctx, { ...options, inChannels, batch, block });
  }
  if (shiftable && (preferred === 'shifted' || (preferred === undefined && partialSums > 8 * transposes))) {
    return shiftedGemmWeightGradient(ctx, { ...options, inChannels, batch });
  }
  const cols = unfold(ctx, x, options.xType, inChannels, window);
  const colsGrouped = ctx.reshape(cols, [0, g, (inChannels / g) * kernelSize, positions]);
  const dyGrouped = ctx.reshape(dy, [0, g, outChannels / g, positions]);
  const dyT = ctx.op('Transpose', [dyGrouped], { perm: [0, 1, 3, 2] });
  const perSample = ctx.op('MatMul', [colsGrouped, dyT]); // [N, g, Cin/g*K, Cout/g]
  const summed = ctx.reduceSum(perSample, [0], false); // [g, Cin/g*K, Cout/g]
  const transposed = ctx.op('Transpose', [summed], { perm: [0, 2, 1] });
  return ctx.reshape(transposed, [outChannels, inChannels / g, ...window.kernel]);
}

/**
 * dW as a direct NCHWc convolution over the batch (stride and dilation 1): Xᵀ [C, N, H, W] is the
 * input with samples as channels, dYᵀ [Cout, N, Ho, Wo] the filter, and the [C, Cout, kh, kw]
 * output is dW transposed.
 */
function batchConvWeightGradient(ctx: EmitContext, options: { x: string; dy: string; dyType: ValueType; window: Window; outChannels: number; inChannels: number; batch: number; block: number }): string {
  const { window, outChannels, batch, block } = options;
  const [ho, wo] = staticSpatial(ctx, options.dyType, 'dY') as [number, number];
  const input = ctx.op('ReorderInput', [ctx.op('Transpose', [options.x], { perm: [1, 0, 2, 3] })], {}, NCHWC_DOMAIN);
  const padded = roundUp(outChannels, block);
  let dy = options.dy;
  if (padded !== outChannels) dy = ctx.op('Pad', [dy, ctx.ints([0, 0, 0, 0, 0, padded - outChannels, 0, 0])]);
  // OIHWBiBo of dYᵀ: [Cout/B, N/B, Ho·Wo, Bi (samples), Bo (out channels)].
  const filter = ctx.reshape(ctx.op('Transpose', [ctx.reshape(dy, [batch / block, block, padded / block, block, ho * wo])], { perm: [2, 0, 4, 1, 3] }), [padded, batch, ho, wo]);
  const blocked = ctx.op('Conv', [input, filter], { kernel_shape: [ho, wo], pads: [...window.pads], strides: [1, 1], dilations: [1, 1], group: 1 }, NCHWC_DOMAIN);
  const channelMajor = ctx.op('ReorderOutput', [blocked], { channels: outChannels }, NCHWC_DOMAIN); // [C, Cout, kh, kw]
  return ctx.op('Transpose', [channelMajor], { perm: [1, 0, 2, 3] });
}

/** dW as one Gemm per kernel offset over channel-major [C, N*P] layouts (see convWeightGradient). */
function shiftedGemmWeightGradient(ctx: EmitContext, options: { x: string; xType: ValueType; dy: string; dyType: ValueType; window: Window; outChannels: number; inChannels: number; batch: number }): string {
  const { window, outChannels, inChannels, batch } = options;
  const out = staticSpatial(ctx, options.dyType, 'dY');
  const flat = batch * out[0]! * out[1]!;
  let xT = ctx.op('Transpose', [options.x], { perm: [1, 0, 2, 3] });
  if (window.pads.some((p) => p > 0)) xT = ctx.op('Pad', [xT, ctx.ints([0, 0, window.pads[0]!, window.pads[1]!, 0, 0, window.pads[2]!, window.pads[3]!])]);
  const dyT = ctx.reshape(ctx.op('Transpose', [options.dy], { perm: [1, 0, 2, 3] }), [outChannels, flat]);
  const parts: string[] = [];
  for (let a = 0; a < window.kernel[0]!; a++) {
    for (let b = 0; b < window.kernel[1]!; b++) {
      const starts = [a * window.dilations[0]!, b * window.dilations[1]!];
      const ends = starts.map((s, i) => s + (out[i]! - 1) * window.strides[i]! + 1);
      const shifted = ctx.op('Slice', [xT, ctx.ints(starts), ctx.ints(ends), ctx.ints([2, 3]), ctx.ints([...window.strides])]);
      const product = ctx.op('Gemm', [dyT, ctx.reshape(shifted, [inChannels, flat])], { transB: 1 }); // [Cout, Cin]
      parts.push(ctx.unsqueeze(product, [2]));
    }
  }
  const stacked = parts.length === 1 ? parts[0]! : ctx.op('Concat', parts, { axis: 2 });
  return ctx.reshape(stacked, [outChannels, inChannels, ...window.kernel]);
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
