/** BatchNormalization: per-channel affine normalisation with running statistics. */
import { spec } from './attributes.js';
import type { BackwardContext, BackwardRule, ForwardContext } from './backward.js';
import { requireInput } from './common.js';
import { staticChannels } from './conv-backward.js';
import type { OpRule } from './rule.js';
import { formatShape } from './shapes.js';

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

// Training mode normalises with the batch statistics and updates the running ones as PyTorch
// does: running = momentum*running + (1-momentum)*batch, with the unbiased batch variance
// (onnxruntime's training_mode BatchNormalization would store the population variance).
function forward(ctx: ForwardContext) {
  if (ctx.mode !== 'train') return undefined;
  if (ctx.node.outputs.length > 1) ctx.fail('training graphs support BatchNormalization with one output (export the model in eval mode)');
  const x = ctx.inputs[0]!;
  const rank = x.shape.length;
  const channels = staticChannels(ctx, x, 'X');
  const axes = statisticAxes(rank);
  const ones = new Array<number>(rank - 2).fill(1);
  const mean = ctx.reduceMean(ctx.input(0), axes, true); // [1, C, 1...]
  const centered = ctx.op('Sub', [ctx.input(0), mean]);
  const variance = ctx.reduceMean(ctx.op('Mul', [centered, centered]), axes, true);
  const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [variance, ctx.scalar(ctx.attrs.float('epsilon'))])])]);
  const scale = ctx.reshape(ctx.input(1), [channels, ...ones]);
  const shift = ctx.reshape(ctx.input(2), [channels, ...ones]);
  const gain = ctx.op('Mul', [invStd, scale]);
  ctx.ops('Add', [ctx.op('Mul', [centered, gain]), shift], {}, [ctx.output(0)]);
  const momentum = ctx.attrs.float('momentum');
  const count = countPerChannel(ctx);
  const unbiased = ctx.op('Mul', [ctx.reshape(variance, [channels]), ctx.op('Div', [count, ctx.op('Sub', [count, ctx.scalar(1)])])]);
  const update = (running: string, batch: string): string =>
    ctx.op('Add', [ctx.op('Mul', [running, ctx.scalar(momentum)]), ctx.op('Mul', [batch, ctx.scalar(1 - momentum)])]);
  const stateUpdates = [
    { input: 3, value: update(ctx.input(3), ctx.reshape(mean, [channels])) },
    { input: 4, value: update(ctx.input(4), unbiased) },
  ];
  return { saved: { centered, invStd, gain }, stateUpdates };
}

// Eval mode is a per-channel affine map. Training mode, with x̂ = (x - mean)·invStd:
// dScale = Σ dY·x̂, dB = Σ dY, dX = scale·invStd·(dY - dB/n - x̂·dScale/n).
function emit(ctx: BackwardContext): (string | undefined)[] {
  const dy = ctx.outputGrads[0];
  if (!dy) return [];
  const x = ctx.inputs[0]!;
  const rank = x.shape.length;
  const channels = staticChannels(ctx, x, 'X');
  const axes = statisticAxes(rank);
  const ones = new Array<number>(rank - 2).fill(1);
  const dShift = ctx.needsGrad(2) || ctx.mode === 'train' ? ctx.reduceSum(dy, axes, false) : undefined;
  const centered = ctx.saved('centered');
  if (centered) {
    const invStd = ctx.saved('invStd')!;
    const gain = ctx.saved('gain')!;
    const projection = ctx.reduceSum(ctx.op('Mul', [dy, centered]), axes, true); // Σ dY·(x - mean), [1, C, 1...]
    const dScale = ctx.needsGrad(1) ? ctx.reshape(ctx.op('Mul', [projection, invStd]), [channels]) : undefined;
    let dx: string | undefined;
    if (ctx.needsGrad(0)) {
      const count = countPerChannel(ctx);
      const perCount = ctx.op('Div', [gain, count]);
      const centeredCoefficient = ctx.op('Mul', [ctx.op('Mul', [perCount, ctx.op('Mul', [invStd, invStd])]), projection]);
      const constant = ctx.op('Mul', [perCount, ctx.reshape(dShift!, [channels, ...ones])]);
      dx = ctx.op('Sub', [ctx.op('Sub', [ctx.op('Mul', [dy, gain]), ctx.op('Mul', [centered, centeredCoefficient])]), constant]);
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
  outputCount: [1, 3],
  attributes: {
    epsilon: spec.float(1e-5),
    momentum: spec.float(0.9),
    training_mode: spec.int(0, [0, 1]),
  },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'X');
    if (x.shape.length < 2) ctx.fail(`X must have a channel axis, got ${formatShape(x.shape)}`);
    const channels = x.shape[1]!;
    const names = ['scale', 'B', 'input_mean', 'input_var'];
    names.forEach((name, i) => {
      const t = requireInput(ctx, i + 1, name);
      if (t.shape.length !== 1 || (typeof channels === 'number' && t.shape[0] !== channels)) {
        ctx.fail(`${name} ${formatShape(t.shape)} must be [${channels}] to match X ${formatShape(x.shape)}`);
      }
    });
    const stat = { dtype: x.dtype, shape: [channels] };
    return [x, stat, stat].slice(0, ctx.node.outputs.length);
  },
  parameterInputs: [1, 2],
  macs: () => 0,
  backward,
} satisfies OpRule;
