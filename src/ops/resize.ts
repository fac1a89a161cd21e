/** Resize: up- or down-samples the spatial dims by scales or to sizes (nearest, linear, cubic). */
import { spec } from './attributes.js';
import { passThroughUnless, type ChannelContext } from './channels.js';
import { requireInput } from './common.js';
import type { OpContext, OpRule, ValueType } from './rule.js';
import { formatShape, normalizeAxis } from './shapes.js';
import { toNumbers } from '../ir/tensor.js';

/** Output dims of a Resize/Upsample from constant scales or sizes (input `scalesIndex` / `sizesIndex`). */
export function resizedType(ctx: OpContext, scalesIndex: number, sizesIndex: number | undefined): ValueType {
  const x = requireInput(ctx, 0, 'X');
  const rank = x.shape.length;
  const sizes = sizesIndex !== undefined && ctx.inputs[sizesIndex] ? ctx.constant(sizesIndex) : undefined;
  const scales = ctx.inputs[scalesIndex] ? ctx.constant(scalesIndex) : undefined;
  const axes = ctx.attrs.ints('axes') ?? [...Array(rank).keys()];
  if (sizes && sizes.data.length > 0) {
    const values = toNumbers(sizes);
    if (values.length !== axes.length) ctx.fail(`sizes has ${values.length} values for ${axes.length} axes of X ${formatShape(x.shape)}`);
    const shape = [...x.shape];
    axes.forEach((axis, i) => (shape[axis < 0 ? axis + rank : axis] = values[i]!));
    return { dtype: x.dtype, shape };
  }
  if (scales && scales.data.length > 0) {
    const values = toNumbers(scales);
    if (values.length !== axes.length) ctx.fail(`scales has ${values.length} values for ${axes.length} axes of X ${formatShape(x.shape)}`);
    const shape = [...x.shape];
    axes.forEach((axis, i) => {
      const a = axis < 0 ? axis + rank : axis;
      const d = shape[a]!;
      shape[a] = typeof d === 'number' ? Math.floor(d * values[i]!) : values[i] === 1 ? d : '';
    });
    return { dtype: x.dtype, shape };
  }
  return ctx.fail('needs constant scales or sizes for static shape inference');
}

/** Resize passes channels through unless it resamples along the channel axis (a scale other than 1 there mixes channels). */
function resizesChannels(ctx: ChannelContext): string | undefined {
  const x = ctx.inputs[0]!;
  if (ctx.attrs.string('coordinate_transformation_mode') === 'tf_crop_and_resize') return 'tf_crop_and_resize may crop the channel axis';
  const axes = ctx.attrs.ints('axes') ?? [...Array(x.shape.length).keys()];
  const entry = axes.findIndex((a) => normalizeAxis(a, x.shape.length) === 1);
  const scales = ctx.inputs[2] ? ctx.constant(2) : undefined;
  if (entry >= 0 && scales && scales.data.length > 0 && toNumbers(scales)[entry] !== 1) return `scales ${toNumbers(scales)[entry]} on the channel axis`;
  const y = ctx.outputs[0];
  if (y && y.shape[1] !== x.shape[1]) return `resizes the channel axis from ${x.shape[1]} to ${y.shape[1]}`;
  return undefined;
}

export const Resize = {
  opType: 'Resize',
  summary: 'Resamples X to new spatial sizes (nearest, linear or cubic interpolation).',
  inputCount: [1, 4],
  outputCount: [1, 1],
  attributes: {
    antialias: spec.int(0, [0]),
    axes: spec.ints(),
    coordinate_transformation_mode: spec.string('half_pixel', ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize']),
    cubic_coeff_a: spec.float(-0.75),
    exclude_outside: spec.int(0, [0, 1]),
    extrapolation_value: spec.float(0),
    keep_aspect_ratio_policy: spec.string('stretch', ['stretch']),
    mode: spec.string('nearest', ['nearest', 'linear', 'cubic']),
    nearest_mode: spec.string('round_prefer_floor', ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']),
  },
  inferTypes: (ctx) => [resizedType(ctx, 2, 3)],
  parameterInputs: [],
  channels: passThroughUnless(resizesChannels, { channelCountInputs: [3] }),
  macs: () => 0,
} satisfies OpRule;
