/**
 * BatchNormalization: per-channel affine normalisation with running statistics. Opset 14 added
 * `training_mode` (outputs: Y, running_mean, running_var); before it, training exports may list
 * five outputs (Y, mean, var, saved_mean, saved_var).
 */
import { inOpsets, spec } from './attributes.js';
import type { BackwardContext, BackwardRule, ForwardContext } from './backward.js';
import { requireInput } from './common.js';
import { staticChannels } from './conv-backward.js';
import type { OpRule } from './rule.js';
import { formatShape } from './shapes.js';
import { toNumbers } from '../ir/tensor.js';

/** Axes a BatchNormalization reduces over: all but the channel axis. */
function statisticAxes(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
}

/** Elements per channel as a float scalar (static when the shape is). */
function countPerChannel(ctx: ForwardContext | BackwardContext): string {
  const x = ctx.inputs[0]!;
  const dims = x.shape;
  if (dims.every((d) => typeof d === 'number')) {
    return ctx.scalar((dims as number[]).reduce((a, b) => a * b, 1) / (dims[1] as number));
  }
  const size = ctx.op('Cast', [ctx.op('Size', [ctx.input(0)])], { to: 1 });
  return ctx.op('Div', [size, ctx.scalar(staticChannels(ctx, x, 'X'))]);
}

/** A per-channel [C] vector as [1, C, 1...] to broadcast against X. */
function broadcastable(ctx: ForwardContext | BackwardContext, v: string, channels: number, rank: number): string {
  return ctx.reshape(v, [1, channels, ...new Array<number>(rank - 2).fill(1)]);
}

/**
 * y = a·u + b per channel in one pass: onnxruntime's eval-mode BatchNormalization with mean 0,
 * variance 1 and epsilon 0 (a Mul and an Add would each be a pass over the tensor).
 */
function affine(ctx: BackwardContext, u: string, a: string, b: string, channels: number): string {
  const zeros = ctx.constantTensor({ dtype: 'float32', dims: [channels], data: new Float32Array(channels) });
  const ones = ctx.constantTensor({ dtype: 'float32', dims: [channels], data: new Float32Array(channels).fill(1) });
  return ctx.op('BatchNormalization', [u, a, b, zeros, ones], { epsilon: { float: 0 } });
}

// Training mode normalises with the batch statistics and updates the running ones as PyTorch
// does: running = momentum*running + (1-momentum)*batch, with the unbiased batch variance. From
// opset 14 the statistics come from onnxruntime's fused training-mode BatchNormalization run with
// momentum 0, whose "running" outputs are then exactly the batch mean and (population) variance.
function forward(ctx: ForwardContext) {
  if (ctx.mode !== 'train') return undefined;
  if (ctx.node.outputs.length > 1) ctx.fail('training graphs support BatchNormalization with one output (export the model in eval mode)');
  const x = ctx.inputs[0]!;
  const rank = x.shape.length;
  const channels = staticChannels(ctx, x, 'X');
  const epsilon = ctx.attrs.float('epsilon');
  let mean: string;
  let variance: string;
  if (ctx.opset >= 14 && ctx.target.prefer?.batchStatistics !== 'explicit') {
    // onnxruntime writes the new running statistics into the buffers of inputs 3 and 4 when it
    // can, even for graph inputs that are read later (measured: the running mean came back
    // overwritten), and it merges equal constants, so two constant inputs may share one buffer.
    // With momentum 0 their values do not matter: each gets a fresh zero vector computed (by two
    // different ops) from a slice of X, which no constant folding or merging can alias.
    const axes = statisticAxes(rank);
    const firstPixel = ctx.reshape(ctx.op('Slice', [ctx.input(0), ctx.ints(axes.map(() => 0)), ctx.ints(axes.map(() => 1)), ctx.ints(axes)]), [channels]); // X[0, :, 0, 0]
    const zeros = [ctx.op('Mul', [firstPixel, ctx.scalar(0)]), ctx.op('Sub', [firstPixel, firstPixel])];
    [, mean, variance] = ctx.ops('BatchNormalization', [ctx.input(0), ctx.input(1), ctx.input(2), zeros[0]!, zeros[1]!], { epsilon: { float: epsilon }, momentum: { float: 0 }, training_mode: 1 }, [ctx.output(0), null, null]) as [string, string, string];
  } else {
    const axes = statisticAxes(rank);
    const meanB = ctx.reduceMean(ctx.input(0), axes, true);
    const centered = ctx.op('Sub', [ctx.input(0), meanB]);
    const varianceB = ctx.reduceMean(ctx.op('Mul', [centered, centered]), axes, true);
    const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [varianceB, ctx.scalar(epsilon)])])]);
    const gain = ctx.op('Mul', [invStd, broadcastable(ctx, ctx.input(1), channels, rank)]);
    ctx.ops('Add', [ctx.op('Mul', [centered, gain]), broadcastable(ctx, ctx.input(2), channels, rank)], {}, [ctx.output(0)]);
    [mean, variance] = [ctx.reshape(meanB, [channels]), ctx.reshape(varianceB, [channels])];
  }
  const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [variance, ctx.scalar(epsilon)])])]); // [C]
  const momentum = ctx.attrs.float('momentum');
  const count = countPerChannel(ctx);
  const unbiased = ctx.op('Mul', [variance, ctx.op('Div', [count, ctx.op('Sub', [count, ctx.scalar(1)])])]);
  const update = (running: string, batch: string): string =>
    ctx.op('Add', [ctx.op('Mul', [running, ctx.scalar(momentum)]), ctx.op('Mul', [batch, ctx.scalar(1 - momentum)])]);
  const stateUpdates = [
    { input: 3, value: update(ctx.input(3), mean) },
    { input: 4, value: update(ctx.input(4), unbiased) },
  ];
  return { saved: { mean, invStd }, stateUpdates };
}

// Eval mode is a per-channel affine map. Training mode, with x̂ = (x - mean)·invStd and n values
// per channel: dScale = Σ dY·x̂, dB = Σ dY, dX = scale·invStd·(dY - dB/n - x̂·dScale/n).
// Written as dX = gain·(dY + q·X) + c with per-channel gain = scale·invStd,
// q = -invStd²·Σ dY(x - mean)/n and c = gain·(-q·mean - dB/n): three passes over the tensor.
function emit(ctx: BackwardContext): (string | undefined)[] {
  const dy = ctx.outputGrads[0];
  if (!dy) return [];
  const x = ctx.inputs[0]!;
  const rank = x.shape.length;
  const channels = staticChannels(ctx, x, 'X');
  const axes = statisticAxes(rank);
  const ones = new Array<number>(rank - 2).fill(1);
  const dShift = ctx.needsGrad(2) || ctx.mode === 'train' ? ctx.reduceSum(dy, axes, false) : undefined;
  const mean = ctx.saved('mean');
  if (mean) {
    const invStd = ctx.saved('invStd')!;
    const projection = ctx.op('Sub', [ctx.reduceSum(ctx.op('Mul', [dy, ctx.input(0)]), axes, false), ctx.op('Mul', [mean, dShift!])]); // Σ dY·(x - mean), [C]
    const dScale = ctx.needsGrad(1) ? ctx.op('Mul', [projection, invStd]) : undefined;
    let dx: string | undefined;
    if (ctx.needsGrad(0)) {
      const count = countPerChannel(ctx);
      const gain = ctx.op('Mul', [ctx.input(1), invStd]);
      const q = ctx.op('Neg', [ctx.op('Div', [ctx.op('Mul', [ctx.op('Mul', [invStd, invStd]), projection]), count])]);
      const c = ctx.op('Mul', [gain, ctx.op('Sub', [ctx.op('Neg', [ctx.op('Mul', [q, mean])]), ctx.op('Div', [dShift!, count])])]);
      const u = ctx.op('Add', [dy, ctx.op('Mul', [ctx.input(0), broadcastable(ctx, q, channels, rank)])]);
      dx = affine(ctx, u, gain, c, channels);
    }
    return [dx, dScale, dShift];
  }
  // Eval mode: y = (x - mean)·invStd·scale + B with the running statistics.
  const epsilon = ctx.scalar(ctx.attrs.float('epsilon'));
  const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [ctx.input(4), epsilon])])]);
  const dx = ctx.needsGrad(0) ? ctx.op('Mul', [dy, ctx.reshape(ctx.op('Mul', [invStd, ctx.input(1)]), [channels, ...ones])]) : undefined;
  let dScale: string | undefined;
  if (ctx.needsGrad(1)) {
    const normalized = ctx.op('Mul', [ctx.op('Sub', [ctx.input(0), ctx.reshape(ctx.input(3), [channels, ...ones])]), ctx.reshape(invStd, [channels, ...ones])]);
    dScale = ctx.reduceSum(ctx.op('Mul', [dy, normalized]), axes, false);
  }
  return [dx, dScale, dShift];
}

const backward: BackwardRule = { differentiable: [0, 1, 2], stateInputs: [3, 4], forward, emit };

export const BatchNormalization = {
  opType: 'BatchNormalization',
  summary: 'Normalises each channel with running mean and variance, then scales and shifts it.',
  inputCount: [5, 5],
  outputCount: [1, 5],
  attributes: {
    epsilon: spec.float(1e-5),
    momentum: spec.float(0.9),
    training_mode: inOpsets(spec.int(0, [0, 1]), 14),
  },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'X');
    if (x.shape.length < 2) ctx.fail(`X must have a channel axis, got ${formatShape(x.shape)}`);
    const maxOutputs = ctx.opset >= 14 ? 3 : 5;
    if (ctx.node.outputs.length > maxOutputs) ctx.fail(`has ${ctx.node.outputs.length} outputs; in opset ${ctx.opset} BatchNormalization produces at most ${maxOutputs}`);
    const channels = x.shape[1]!;
    const names = ['scale', 'B', 'input_mean', 'input_var'];
    names.forEach((name, i) => {
      const t = requireInput(ctx, i + 1, name);
      if (t.shape.length !== 1 || (typeof channels === 'number' && t.shape[0] !== channels)) {
        ctx.fail(`${name} ${formatShape(t.shape)} must be [${channels}] to match X ${formatShape(x.shape)}`);
      }
    });
    const stat = { dtype: x.dtype, shape: [channels] };
    return [x, stat, stat, stat, stat].slice(0, ctx.node.outputs.length);
  },
  // In inference: y = x * scale/sqrt(var + eps) + (B - mean * scale/sqrt(var + eps)), per channel.
  perChannelAffine(ctx) {
    if (ctx.attrs.int('training_mode') !== 0 || ctx.node.outputs.filter(Boolean).length > 1) return undefined;
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => ctx.constant(i));
    if (!gamma || !beta || !mean || !variance) return undefined;
    const epsilon = ctx.attrs.float('epsilon');
    const g = toNumbers(gamma);
    const b = toNumbers(beta);
    const m = toNumbers(mean);
    const v = toNumbers(variance);
    const scale = Float64Array.from(g, (gi, c) => gi / Math.sqrt(v[c]! + epsilon));
    const shift = Float64Array.from(b, (bi, c) => bi - m[c]! * scale[c]!);
    return { input: 0, axis: 1, scale, shift, scaleInput: 1 };
  },
  // In inference mode y = (x - mean)·scale/sqrt(var + eps) + B: scaling x, mean and B scales y.
  scaling: (ctx) => (ctx.attrs.int('training_mode') === 0 && ctx.node.outputs.filter(Boolean).length === 1 ? { kind: 'equivariant', scaledInputs: [2, 3] } : undefined),
  parameterInputs: [1, 2],
  channels: { kind: 'passThrough', perChannelInputs: [1, 2, 3, 4] },
  macs: () => 0,
  backward,
} satisfies OpRule;
