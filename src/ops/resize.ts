/**
 * Resize: up- or down-samples by scales or to sizes (nearest, linear, cubic). Opset 11-12 need the
 * roi and scales inputs present (scales may be empty when sizes are given); 13 made them optional;
 * 18 added `axes`, `antialias` and `keep_aspect_ratio_policy`. (Mode values newer than the model's
 * opset, such as 19's half_pixel_symmetric, run in onnxruntime and are accepted.) The roi of
 * tf_crop_and_resize does not change the output size.
 */
import { inOpsets, spec } from './attributes.js';
import { passThroughUnless, type ChannelContext } from './channels.js';
import { requireInput } from './common.js';
import type { OpContext, OpRule, ValueType } from './rule.js';
import { formatShape, normalizeAxes, normalizeAxis } from './shapes.js';
import { resizeBackward } from './resize-backward.js';
import { toNumbers } from '../ir/tensor.js';
import type { Dim } from '../ir/graph.js';
import { EQUIVARIANT } from './scaling.js';

/**
 * Output dims of a Resize/Upsample from constant scales (input `scalesIndex`) or sizes (input
 * `sizesIndex`), computed in float32 as onnxruntime does: floor(float32(dim * scale)), so a
 * scale of 0.7 on 10 gives 7, not 6.
 */
export function resizedType(ctx: OpContext, scalesIndex: number, sizesIndex: number | undefined): ValueType {
  const x = requireInput(ctx, 0, 'X');
  const rank = x.shape.length;
  const given = ctx.attrs.ints('axes') ?? [...Array(rank).keys()];
  const axes = normalizeAxes(given, rank);
  if (!axes) return ctx.fail(`axes [${given.join(', ')}] must be distinct and within rank ${rank}`);
  const sizes = sizesIndex !== undefined && ctx.node.inputs[sizesIndex] ? ctx.constant(sizesIndex) : undefined;
  const scales = ctx.node.inputs[scalesIndex] ? ctx.constant(scalesIndex) : undefined;
  if (sizes && sizes.data.length > 0) {
    if (scales && scales.data.length > 0) ctx.fail('give either scales or sizes, not both');
    const values = toNumbers(sizes);
    if (values.length !== axes.length) ctx.fail(`sizes has ${values.length} values for ${axes.length} axes of X ${formatShape(x.shape)}`);
    if (values.some((v) => !Number.isInteger(v) || v < 0)) ctx.fail(`sizes [${values.join(', ')}] must be non-negative integers`);
    return { dtype: x.dtype, shape: sizedShape(ctx, x.shape, axes, values) };
  }
  if (scales && scales.data.length > 0) {
    const values = toNumbers(scales);
    if (values.length !== axes.length) ctx.fail(`scales has ${values.length} values for ${axes.length} axes of X ${formatShape(x.shape)}`);
    if (values.some((v) => !(v > 0))) ctx.fail(`scales [${values.join(', ')}] must be positive`);
    const shape = [...x.shape];
    axes.forEach((axis, i) => {
      const d = shape[axis]!;
      const scale = Math.fround(values[i]!);
      shape[axis] = typeof d === 'number' ? Math.floor(Math.fround(d * scale)) : scale === 1 ? d : '';
    });
    return { dtype: x.dtype, shape };
  }
  return ctx.fail('needs constant scales or sizes for static shape inference');
}

/** Sizes applied to the axes, honouring keep_aspect_ratio_policy (one float32 scale, rounded). */
function sizedShape(ctx: OpContext, input: readonly Dim[], axes: readonly number[], sizes: readonly number[]): Dim[] {
  const shape = [...input];
  const policy = ctx.attrs.string('keep_aspect_ratio_policy');
  if (policy === 'stretch') {
    axes.forEach((axis, i) => (shape[axis] = sizes[i]!));
    return shape;
  }
  const dims = axes.map((axis) => input[axis]!);
  if (!dims.every((d): d is number => typeof d === 'number')) return shape.map((d, i) => (axes.includes(i) ? '' : d));
  if (dims.includes(0)) return ctx.fail(`keep_aspect_ratio_policy=${policy} cannot scale the empty axes of X ${formatShape(input)}`);
  const ratios = dims.map((d, i) => Math.fround(sizes[i]! / d));
  const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  axes.forEach((axis, i) => (shape[axis] = Math.round(Math.fround(scale * dims[i]!))));
  return shape;
}

/**
 * Resize and Upsample pass channels through unless they resample along the channel axis (a scale
 * other than 1 there mixes channels). `scalesIndex` is the position of the scales input.
 */
export function resamplesChannels(scalesIndex: number): (ctx: ChannelContext) => string | undefined {
  return (ctx) => {
    const x = ctx.inputs[0]!;
    if (ctx.attrs.has('coordinate_transformation_mode') && ctx.attrs.string('coordinate_transformation_mode') === 'tf_crop_and_resize') return 'tf_crop_and_resize may crop the channel axis';
    const axes = (ctx.attrs.has('axes') ? ctx.attrs.ints('axes') : undefined) ?? [...Array(x.shape.length).keys()];
    const entry = axes.findIndex((a) => normalizeAxis(a, x.shape.length) === 1);
    const scales = ctx.node.inputs[scalesIndex] ? ctx.constant(scalesIndex) : undefined;
    if (entry >= 0 && scales && scales.data.length > 0 && toNumbers(scales)[entry] !== 1) return `scales ${toNumbers(scales)[entry]} on the channel axis`;
    const y = ctx.outputs[0];
    if (y && y.shape[1] !== x.shape[1]) return `resizes the channel axis from ${x.shape[1]} to ${y.shape[1]}`;
    return undefined;
  };
}

export const Resize = {
  opType: 'Resize',
  summary: 'Resamples X to new spatial sizes (nearest, linear or cubic interpolation).',
  inputCount: [1, 4],
  outputCount: [1, 1],
  attributes: {
    antialias: inOpsets(spec.int(0, [0, 1]), 18),
    axes: inOpsets(spec.ints(), 18),
    coordinate_transformation_mode: spec.string('half_pixel', [
      'half_pixel',
      'half_pixel_symmetric',
      'pytorch_half_pixel',
      'align_corners',
      'asymmetric',
      'tf_half_pixel_for_nn',
      'tf_crop_and_resize',
    ]),
    cubic_coeff_a: spec.float(-0.75),
    exclude_outside: spec.int(0, [0, 1]),
    extrapolation_value: spec.float(0),
    keep_aspect_ratio_policy: inOpsets(spec.string('stretch', ['stretch', 'not_larger', 'not_smaller']), 18),
    mode: spec.string('nearest', ['nearest', 'linear', 'cubic']),
    nearest_mode: spec.string('round_prefer_floor', ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']),
  },
  inferTypes(ctx) {
    if (ctx.opset < 13 && ctx.node.inputs.length < 3) ctx.fail(`in opset ${ctx.opset} Resize needs the roi and scales inputs (scales may be empty when sizes are given)`);
    return [resizedType(ctx, 2, 3)];
  },
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: passThroughUnless(resamplesChannels(2), { channelCountInputs: [3] }),
  macs: () => 0,
  backward: resizeBackward(2),
} satisfies OpRule;
