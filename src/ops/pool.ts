/** Shared shape rule of the windowed pools (MaxPool, AveragePool). */
import { SculptError } from '../errors.js';
import { describeNode } from '../ir/topology.js';
import { requireInput, requireRank, requireWindow } from './common.js';
import type { OpContext, ValueType } from './rule.js';
import { orRepeat, windowOutput } from './shapes.js';

/** Resolved window of a pooling node. */
export interface PoolGeometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pads: readonly number[];
  readonly ceilMode: boolean;
  readonly outSpatial: readonly (number | string)[];
}

export function poolGeometry(ctx: OpContext): PoolGeometry {
  const x = requireInput(ctx, 0, 'X');
  requireRank(ctx, x, [3, 4, 5], 'X');
  const n = x.shape.length - 2;
  const kernel = ctx.attrs.ints('kernel_shape');
  if (!kernel || kernel.length !== n) return ctx.fail(`kernel_shape must list ${n} sizes, got [${kernel?.join(', ') ?? ''}]`);
  const strides = orRepeat(ctx.attrs.ints('strides'), n, 1);
  const dilations = orRepeat(ctx.attrs.has('dilations') ? ctx.attrs.ints('dilations') : undefined, n, 1);
  const pads = orRepeat(ctx.attrs.ints('pads'), 2 * n, 0);
  requireWindow(ctx, n, { kernel, strides, dilations, pads });
  const ceilMode = ctx.attrs.int('ceil_mode') === 1;
  const window = windowOutput(x.shape.slice(2), { kernel, strides, dilations, pads, autoPad: ctx.attrs.string('auto_pad'), ceilMode });
  if (window.pads.some((p) => p < 0)) {
    // SAME with a kernel smaller than the stride can need negative padding; onnxruntime's pools refuse it.
    throw new SculptError('UNSUPPORTED_ATTRIBUTE', `${describeNode(ctx.node)}: auto_pad=${ctx.attrs.string('auto_pad')} needs negative pads [${window.pads.join(', ')}] here, which onnxruntime refuses; give explicit pads`);
  }
  window.dims.forEach((d) => {
    if (typeof d === 'number' && d < 1) ctx.fail(`the pooling window ${kernel.join('x')} is larger than the padded input`);
  });
  return { kernel, strides, dilations, pads: window.pads, ceilMode, outSpatial: window.dims };
}

/** The output type of a pool: same batch and channels, pooled spatial dims. */
export function pooledType(ctx: OpContext): ValueType {
  const x = requireInput(ctx, 0, 'X');
  return { dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...poolGeometry(ctx).outSpatial] };
}
