/**
 * Channel coupling declared by each op rule, read by src/deps to build dependency groups and by
 * src/prune to slice initialisers. A rule declares *what kind* of channel relation its op has
 * (pass-through, broadcast, producer, concat, view, barrier...); `resolveChannels` turns that
 * declaration plus one node's attributes and shapes into plain data (links between channel
 * positions, parameter slices, rewrites of channel counts) that the graph code reads without
 * knowing any op.
 *
 * Convention: the channel axis of every activation is axis 1 (NCHW for images, [batch, features]
 * for 2-D tensors). Tensors of rank < 2 carry no channels. A rule that cannot prove its op keeps
 * channels on axis 1 resolves to a barrier with the reason.
 */
import type { CostContext, ValueType } from './rule.js';
import { normalizeAxis, formatShape, product } from './shapes.js';

/** What a channel rule sees of one node: its context with input and output types. */
export type ChannelContext = CostContext;

// ---------------------------------------------------------------------------------------------
// Declarations (in rule records)
// ---------------------------------------------------------------------------------------------

/**
 * Each output channel c is a function of input channel c only (activations, pools, BN, Resize,
 * Dropout, Identity). Every output of rank >= 2 passes channels through from input 0.
 */
export interface PassThroughChannels {
  readonly kind: 'passThrough';
  /** Inputs holding one value per channel on their axis 0 (BN's scale, B, mean, var): sliced with the channels. */
  readonly perChannelInputs?: readonly number[];
  /** Constant inputs listing a size per axis of input 0 (Resize `sizes`): their channel entry follows the channel count. */
  readonly channelCountInputs?: readonly number[];
  /** Why this node does not pass channels through (for example Softmax over axis 1), or undefined. */
  check?(ctx: ChannelContext): string | undefined;
}

/** Numpy-broadcast element-wise op (Add, Sub, Mul, Div, PRelu): inputs whose channel dim equals the output's couple; size-1 dims do not. */
export interface BroadcastChannels {
  readonly kind: 'broadcast';
}

/**
 * Convolution-like producer: output channels are weighted sums of input channels.
 * `weightOutputAxis` is the weight axis of output channels (0 for Conv, 1 for ConvTranspose);
 * the other of axes 0/1 indexes input channels. With group > 1, group k of the input feeds only
 * group k of the output, so whole groups are removed together and `group` shrinks.
 */
export interface ConvChannels {
  readonly kind: 'conv';
  readonly weight: number;
  readonly bias: number;
  readonly weightOutputAxis: 0 | 1;
}

/** Matrix product producer Y = A·W (+ bias): Gemm (with its transpose attributes) and MatMul with a constant 2-D weight. */
export interface MatrixChannels {
  readonly kind: 'matrix';
  readonly weight: number;
  readonly bias?: number;
  /** Attribute that, when 1, stores the weight as [out, in] (Gemm's transB). */
  readonly transposeWeight?: string;
  /** Attribute that, when 1, transposes the activation (Gemm's transA): channels then sit on axis 0, a barrier. */
  readonly transposeInput?: string;
}

/** Concatenation along the `axis` attribute: along axis 1 input i occupies a block of output channels at its offset; along another axis all inputs share channels. */
export interface ConcatChannels {
  readonly kind: 'concat';
}

/**
 * A view that only changes dims (Flatten, Reshape, Squeeze, Unsqueeze): channels pass through when
 * batch and channel dims are kept, and a channel becomes a block of columns when [N, C, ...]
 * becomes [N, C*...]. `shapeInput` is Reshape's target-shape input, whose channel entry follows.
 */
export interface ViewChannels {
  readonly kind: 'view';
  readonly shapeInput?: number;
}

/** Splits input 0 into outputs. Along axis 1 output i is a block of input channels at its offset; the sizes follow the channel counts. */
export interface SplitChannels {
  readonly kind: 'split';
  /** The ints attribute holding the sizes (before opset 13). */
  readonly sizesAttribute: string;
  /** The input holding the sizes (from opset 13). */
  readonly sizesInput: number;
}

/** Slices input 0 with constant starts/ends/axes/steps inputs; a step-1 slice of axis 1 keeps a block of channels whose bounds follow. */
export interface SliceChannels {
  readonly kind: 'slice';
  readonly starts: number;
  readonly ends: number;
  readonly axes: number;
  readonly steps: number;
}

/**
 * The op reads only its input's dims (Shape). Channels of the input may change freely unless the
 * channel count is among the dims it returns: then the count becomes a value downstream, a barrier.
 */
export interface ReadsDimsChannels {
  readonly kind: 'readsDims';
  readsChannelCount(ctx: ChannelContext): boolean;
}

/** Channels cannot be removed through this op; `reason` says why (shown in the prunability report). */
export interface BarrierChannels {
  readonly kind: 'barrier';
  readonly reason: string;
}

/** How channels couple through an op: one of the kinds above. An op without one is a barrier. */
export type ChannelRule =
  | PassThroughChannels
  | BroadcastChannels
  | ConvChannels
  | MatrixChannels
  | ConcatChannels
  | ViewChannels
  | SplitChannels
  | SliceChannels
  | ReadsDimsChannels
  | BarrierChannels;

// ---------------------------------------------------------------------------------------------
// Resolved form (per node, plain data)
// ---------------------------------------------------------------------------------------------

/** One of a node's inputs or outputs, by position. */
export interface Port {
  readonly side: 'input' | 'output';
  readonly index: number;
}

/**
 * How channel c of a link's `from` tensor corresponds to channels of its `to` tensor:
 * `offset`: c ↔ offset + c (identity at 0); `block`: c ↔ [c*size, (c+1)*size);
 * `groups`: every channel of group k in `from` ↔ every channel of group k in `to`.
 */
export type ChannelMap =
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'block'; readonly size: number }
  | { readonly kind: 'groups'; readonly groups: number };

/** Channels of two ports that must be removed together. */
export interface ChannelLink {
  readonly from: Port;
  readonly to: Port;
  readonly map: ChannelMap;
}

/** A constant input whose index `i` along `axis` belongs to channel `i` of `port`'s tensor: sliced when that channel goes. */
export interface ParameterSlice {
  readonly input: number;
  readonly axis: number;
  readonly port: Port;
}

/** Where a value that records channel counts lives: an int/ints attribute or a constant int input. */
export type ValueSlot = { readonly attribute: string } | { readonly input: number };

/**
 * A value that must follow the channel counts after a cut.
 * `count`: entry `entry` (the whole int when undefined) becomes kept(port) / divisor;
 * `segments`: entry i becomes the number of kept channels of `port` in segment i;
 * `range`: entry `entry` of starts/ends become the bounds of the kept channels of [start, end).
 */
export type ChannelRewrite =
  | { readonly kind: 'count'; readonly slot: ValueSlot; readonly entry?: number; readonly port: Port; readonly divisor: number }
  | { readonly kind: 'segments'; readonly slot: ValueSlot; readonly port: Port; readonly segments: readonly (readonly [number, number])[] }
  | { readonly kind: 'range'; readonly starts: ValueSlot; readonly ends: ValueSlot; readonly entry: number; readonly port: Port; readonly start: number; readonly end: number };

/** What one node does to channels, resolved from its rule, attributes and shapes. */
export interface NodeChannels {
  readonly links: readonly ChannelLink[];
  readonly parameters: readonly ParameterSlice[];
  readonly rewrites: readonly ChannelRewrite[];
  /** Ports whose channel count may change without links or slices (a broadcast size-1 operand). */
  readonly free: readonly Port[];
}

/** The resolved channel behaviour of a node: its coupling, or a barrier with the reason. */
export type ResolvedChannels = NodeChannels | { readonly barrier: string };

const input = (index: number): Port => ({ side: 'input', index });
const output = (index: number): Port => ({ side: 'output', index });
const identity: ChannelMap = { kind: 'offset', offset: 0 };
const NOTHING: NodeChannels = { links: [], parameters: [], rewrites: [], free: [] };

/** Resolves a rule's channel declaration for one node. Undefined rules are barriers. */
export function resolveChannels(rule: ChannelRule | undefined, ctx: ChannelContext): ResolvedChannels {
  if (!rule) return { barrier: `${ctx.node.opType} declares no channel rule` };
  switch (rule.kind) {
    case 'passThrough':
      return resolvePassThrough(rule, ctx);
    case 'broadcast':
      return resolveBroadcast(ctx);
    case 'conv':
      return resolveConv(rule, ctx);
    case 'matrix':
      return resolveMatrix(rule, ctx);
    case 'concat':
      return resolveConcat(ctx);
    case 'view':
      return resolveView(rule, ctx);
    case 'split':
      return resolveSplit(rule, ctx);
    case 'slice':
      return resolveSlice(rule, ctx);
    case 'readsDims':
      return rank(ctx.inputs[0]) < 2 || !rule.readsChannelCount(ctx) ? { ...NOTHING, free: [input(0)] } : { barrier: 'reads the channel count of its input as a value' };
    case 'barrier':
      return { barrier: rule.reason };
  }
}

function rank(type: ValueType | undefined): number {
  return type ? type.shape.length : 0;
}

function channelDim(type: ValueType | undefined): number | string | undefined {
  return type && type.shape.length >= 2 ? type.shape[1] : undefined;
}

function resolvePassThrough(rule: PassThroughChannels, ctx: ChannelContext): ResolvedChannels {
  const x = ctx.inputs[0];
  if (rank(x) < 2) return NOTHING;
  const reason = rule.check?.(ctx);
  if (reason) return { barrier: reason };
  const links: ChannelLink[] = [];
  for (let i = 0; i < ctx.outputs.length; i++) {
    const out = ctx.outputs[i];
    if (!ctx.node.outputs[i] || rank(out) < 2) continue;
    if (channelDim(out) !== channelDim(x)) return { barrier: `output ${i} ${formatShape(out!.shape)} has a different channel count from input ${formatShape(x!.shape)}` };
    links.push({ from: input(0), to: output(i), map: identity });
  }
  const parameters: ParameterSlice[] = [];
  for (const i of rule.perChannelInputs ?? []) {
    if (!ctx.node.inputs[i]) continue;
    if (!ctx.constant(i)) return { barrier: `per-channel input ${i} is computed, not a constant` };
    parameters.push({ input: i, axis: 0, port: input(0) });
  }
  const rewrites: ChannelRewrite[] = [];
  for (const i of rule.channelCountInputs ?? []) {
    if (!ctx.node.inputs[i]) continue;
    const value = ctx.constant(i);
    if (!value) return { barrier: `input ${i} (sizes) is computed, not a constant` };
    if (value.data.length === 0) continue;
    const entry = channelEntry(ctx, x!.shape.length);
    if (entry !== undefined) rewrites.push({ kind: 'count', slot: { input: i }, entry, port: input(0), divisor: 1 });
  }
  return { links, parameters, rewrites, free: [] };
}

/** Position of axis 1 in a per-axis list: in `axes` when the node lists axes, else 1. */
function channelEntry(ctx: ChannelContext, rankOfX: number): number | undefined {
  const axes = ctx.node.attributes['axes'] ? ctx.attrs.ints('axes') : undefined;
  if (!axes) return 1;
  const index = axes.findIndex((a) => normalizeAxis(a, rankOfX) === 1);
  return index >= 0 ? index : undefined;
}

function resolveBroadcast(ctx: ChannelContext): ResolvedChannels {
  const out = ctx.outputs[0];
  const outRank = rank(out);
  if (outRank < 2) return NOTHING;
  const channels = out!.shape[1];
  const links: ChannelLink[] = [];
  const parameters: ParameterSlice[] = [];
  const free: Port[] = [];
  for (let i = 0; i < ctx.inputs.length; i++) {
    const t = ctx.inputs[i];
    if (!t) continue;
    const axis = 1 - (outRank - t.shape.length);
    if (axis < 0) continue; // too few dims to reach the channel axis: broadcast over channels
    const d = t.shape[axis];
    const constant = ctx.constant(i);
    if (d === 1 && channels !== 1) {
      if (!constant) free.push(input(i));
      continue;
    }
    if (constant) parameters.push({ input: i, axis, port: output(0) });
    else if (axis !== 1) return { barrier: `input ${i} ${formatShape(t.shape)} holds channels on axis ${axis}, not axis 1` };
    else links.push({ from: input(i), to: output(0), map: identity });
  }
  return { links, parameters, rewrites: [], free };
}

function resolveConv(rule: ConvChannels, ctx: ChannelContext): ResolvedChannels {
  const w = ctx.constant(rule.weight);
  if (!w) return { barrier: 'the weight is computed, not a constant' };
  const hasBias = Boolean(ctx.node.inputs[rule.bias]);
  if (hasBias && !ctx.constant(rule.bias)) return { barrier: 'the bias is computed, not a constant' };
  const bias: ParameterSlice[] = hasBias ? [{ input: rule.bias, axis: 0, port: output(0) }] : [];
  const group = ctx.attrs.int('group');
  const outAxis = rule.weightOutputAxis;
  if (group === 1) {
    return {
      links: [],
      parameters: [{ input: rule.weight, axis: outAxis, port: output(0) }, { input: rule.weight, axis: 1 - outAxis, port: input(0) }, ...bias],
      rewrites: [],
      free: [],
    };
  }
  // Weight axis 0 lists every channel of its side (outputs for Conv, inputs for ConvTranspose);
  // the other axis holds one group's worth and does not change when whole groups go.
  const fullSide = outAxis === 0 ? output(0) : input(0);
  return {
    links: [{ from: input(0), to: output(0), map: { kind: 'groups', groups: group } }],
    parameters: [{ input: rule.weight, axis: 0, port: fullSide }, ...bias],
    rewrites: [{ kind: 'count', slot: { attribute: 'group' }, port: fullSide, divisor: w.dims[0]! / group }],
    free: [],
  };
}

function resolveMatrix(rule: MatrixChannels, ctx: ChannelContext): ResolvedChannels {
  if (rule.transposeInput && ctx.attrs.int(rule.transposeInput) === 1) return { barrier: `${rule.transposeInput}=1 puts the features of A on axis 0` };
  const a = ctx.inputs[0];
  if (rank(a) !== 2) return { barrier: `A ${formatShape(a?.shape)} has rank ${rank(a)}; only [batch, features] inputs are handled` };
  const w = ctx.constant(rule.weight);
  if (!w || w.dims.length !== 2) return { barrier: 'the weight is not a constant 2-D matrix' };
  const transposed = rule.transposeWeight !== undefined && ctx.attrs.int(rule.transposeWeight) === 1;
  const outAxis = transposed ? 0 : 1;
  const parameters: ParameterSlice[] = [
    { input: rule.weight, axis: 1 - outAxis, port: input(0) },
    { input: rule.weight, axis: outAxis, port: output(0) },
  ];
  const links: ChannelLink[] = [];
  const free: Port[] = [];
  const outFeatures = w.dims[outAxis]!;
  const biasIndex = rule.bias;
  if (biasIndex !== undefined && ctx.node.inputs[biasIndex]) {
    const c = ctx.inputs[biasIndex]!;
    const last = c.shape.length - 1;
    const lastDim = c.shape[last];
    if (last >= 0 && lastDim === outFeatures && outFeatures !== 1) {
      if (ctx.constant(biasIndex)) parameters.push({ input: biasIndex, axis: last, port: output(0) });
      else if (last === 1) links.push({ from: input(biasIndex), to: output(0), map: identity });
      else return { barrier: `the bias ${formatShape(c.shape)} is computed and not [batch, features]` };
    } else if (!ctx.constant(biasIndex)) free.push(input(biasIndex));
  }
  return { links, parameters, rewrites: [], free };
}

function resolveConcat(ctx: ChannelContext): ResolvedChannels {
  const out = ctx.outputs[0];
  if (rank(out) < 2) return NOTHING;
  const axis = normalizeAxis(ctx.attrs.int('axis'), rank(out));
  const links: ChannelLink[] = [];
  let offset = 0;
  for (let i = 0; i < ctx.inputs.length; i++) {
    const t = ctx.inputs[i]!;
    if (ctx.constant(i)) return { barrier: `input ${i} is a constant` };
    if (axis !== 1) {
      links.push({ from: input(i), to: output(0), map: identity });
      continue;
    }
    const d = t.shape[1];
    if (typeof d !== 'number') return { barrier: `input ${i} ${formatShape(t.shape)} has an unknown channel count` };
    links.push({ from: input(i), to: output(0), map: { kind: 'offset', offset } });
    offset += d;
  }
  return { links, parameters: [], rewrites: [], free: [] };
}

function resolveView(rule: ViewChannels, ctx: ChannelContext): ResolvedChannels {
  const x = ctx.inputs[0];
  const y = ctx.outputs[0];
  if (rank(x) < 2 && rank(y) < 2) return NOTHING;
  const fail = { barrier: `reshapes ${formatShape(x?.shape)} to ${formatShape(y?.shape)}, which moves the channel axis` };
  if (rank(x) < 2 || rank(y) < 2) return fail;
  const inChannels = x!.shape[1];
  const inPerSample = product(x!.shape.slice(1));
  const outPerSample = product(y!.shape.slice(1));
  if (typeof inChannels !== 'number' || inPerSample === undefined || inPerSample !== outPerSample) return fail;
  let map: ChannelMap;
  if (y!.shape[1] === inChannels) map = identity;
  else if (y!.shape.length === 2 && y!.shape[1] === inPerSample) map = { kind: 'block', size: inPerSample / inChannels };
  else return fail;
  const rewrites: ChannelRewrite[] = [];
  if (rule.shapeInput !== undefined) {
    // 0 copies the input dim and -1 is inferred: both follow the cut by themselves. An explicit
    // count is rewritten when it is a constant; a computed one would not follow, so it is a barrier.
    const entry = ctx.shapeValue(rule.shapeInput)?.[1];
    if (entry !== 0 && entry !== -1) {
      if (!ctx.constant(rule.shapeInput)) return { barrier: 'the target shape is computed and spells out the channel count' };
      rewrites.push({ kind: 'count', slot: { input: rule.shapeInput }, entry: 1, port: output(0), divisor: 1 });
    }
  }
  return { links: [{ from: input(0), to: output(0), map }], parameters: [], rewrites, free: [] };
}

function resolveSplit(rule: SplitChannels, ctx: ChannelContext): ResolvedChannels {
  const x = ctx.inputs[0];
  if (rank(x) < 2) return NOTHING;
  const axis = normalizeAxis(ctx.attrs.int('axis'), rank(x));
  const links: ChannelLink[] = [];
  if (axis !== 1) {
    ctx.outputs.forEach((_, i) => links.push({ from: input(0), to: output(i), map: identity }));
    return { links, parameters: [], rewrites: [], free: [] };
  }
  const segments: [number, number][] = [];
  let offset = 0;
  for (let i = 0; i < ctx.outputs.length; i++) {
    const d = channelDim(ctx.outputs[i]);
    if (typeof d !== 'number') return { barrier: `output ${i} has an unknown channel count` };
    links.push({ from: output(i), to: input(0), map: { kind: 'offset', offset } });
    segments.push([offset, offset + d]);
    offset += d;
  }
  let slot: ValueSlot;
  if (ctx.node.inputs[rule.sizesInput]) {
    if (!ctx.constant(rule.sizesInput)) return { barrier: 'the split sizes are computed, not a constant' };
    slot = { input: rule.sizesInput };
  } else if (ctx.node.attributes[rule.sizesAttribute]) {
    slot = { attribute: rule.sizesAttribute };
  } else {
    // Without explicit sizes the op splits evenly, which a cut of unequal parts would break.
    return { barrier: 'splits channels evenly (no explicit sizes to rewrite)' };
  }
  return { links, parameters: [], rewrites: [{ kind: 'segments', slot, port: input(0), segments }], free: [] };
}

function resolveSlice(rule: SliceChannels, ctx: ChannelContext): ResolvedChannels {
  const x = ctx.inputs[0];
  if (rank(x) < 2) return NOTHING;
  const r = x!.shape.length;
  const known = (index: number): readonly number[] | undefined => {
    const values = ctx.node.inputs[index] ? ctx.shapeValue(index) : undefined;
    return values && values.every((v): v is number => typeof v === 'number') ? values : undefined;
  };
  const starts = known(rule.starts);
  const given = ctx.node.inputs[rule.axes] ? known(rule.axes) : starts?.map((_, i) => i);
  if (!given) return { barrier: 'the sliced axes are computed, not constants' };
  const entry = given.findIndex((a) => normalizeAxis(a, r) === 1);
  const identityLink = { links: [{ from: input(0), to: output(0), map: identity }], parameters: [], rewrites: [], free: [] };
  if (entry < 0) return identityLink;
  const ends = known(rule.ends);
  const steps = ctx.node.inputs[rule.steps] ? known(rule.steps) : given.map(() => 1);
  const width = x!.shape[1];
  if (!starts || !ends || !steps || typeof width !== 'number') return { barrier: 'slices the channel axis with computed bounds' };
  if (steps[entry] !== 1) return { barrier: `slices the channel axis with step ${steps[entry]}` };
  const clamp = (v: number): number => Math.min(width, Math.max(0, v < 0 ? v + width : v));
  const start = clamp(starts[entry]!);
  const end = Math.max(start, clamp(ends[entry]!));
  if (start === 0 && end === width) return identityLink;
  if (!ctx.constant(rule.starts) || !ctx.constant(rule.ends)) return { barrier: 'slices the channel axis with computed bounds' };
  return {
    // Channels outside [start, end) are read by nothing here; they may go freely.
    links: [{ from: output(0), to: input(0), map: { kind: 'offset', offset: start } }],
    parameters: [],
    rewrites: [{ kind: 'range', starts: { input: rule.starts }, ends: { input: rule.ends }, entry, port: input(0), start, end }],
    free: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Builders for rule files
// ---------------------------------------------------------------------------------------------

/** The pass-through channel rule of a plain element-wise op. */
export const PASS_THROUGH: PassThroughChannels = { kind: 'passThrough' };

/** The broadcast channel rule of a binary element-wise op. */
export const BROADCAST: BroadcastChannels = { kind: 'broadcast' };

/** A pass-through rule that becomes a barrier when the op mixes values along axis 1 (Softmax, reductions). */
export function passThroughUnless(check: (ctx: ChannelContext) => string | undefined, extra: Omit<PassThroughChannels, 'kind' | 'check'> = {}): PassThroughChannels {
  return { kind: 'passThrough', ...extra, check };
}
