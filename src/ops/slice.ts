/** Slice: a strided sub-box from starts/ends/axes/steps inputs (inputs since opset 10), clamped as onnxruntime clamps. */
import type { BackwardRule } from './backward.js';
import { requireInput } from './common.js';
import { sliceTensor, type SliceRange } from './fold.js';
import type { OpContext, OpRule } from './rule.js';
import { normalizeAxes, sliceAxis } from './shapes.js';
import type { Dim, Shape } from '../ir/graph.js';
import { EQUIVARIANT } from './scaling.js';

interface SliceSpec {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly axes: readonly number[];
  readonly steps: readonly number[];
}

/** Reads the starts/ends/axes/steps inputs, which must be constant or shape arithmetic with known values. */
function sliceSpec(ctx: OpContext, rank: number): SliceSpec {
  const read = (index: number, what: string): readonly number[] | undefined => {
    if (!ctx.node.inputs[index]) return undefined;
    const values = ctx.shapeValue(index);
    if (!values || !values.every((v): v is number => typeof v === 'number')) {
      return ctx.fail(`${what} (input ${index}) must be a constant (or computed from known dims) for static shape inference`);
    }
    return values;
  };
  const starts = read(1, 'starts')!;
  const ends = read(2, 'ends')!;
  const given = read(3, 'axes') ?? starts.map((_, i) => i);
  const steps = read(4, 'steps') ?? starts.map(() => 1);
  if (ends.length !== starts.length || given.length !== starts.length || steps.length !== starts.length) {
    ctx.fail(`starts, ends, axes and steps must have one value per sliced axis (got ${starts.length}, ${ends.length}, ${given.length}, ${steps.length})`);
  }
  const axes = normalizeAxes(given, rank);
  if (!axes) return ctx.fail(`axes [${given.join(', ')}] must be distinct and within rank ${rank}`);
  if (steps.includes(0)) ctx.fail('steps must not be 0');
  return { starts, ends, axes, steps };
}

/** Per-axis ranges over a tensor of static dims (untouched axes keep everything). */
function ranges(dims: readonly number[], spec: SliceSpec): SliceRange[] {
  return dims.map((size, axis) => {
    const k = spec.axes.indexOf(axis);
    return k < 0 ? { start: 0, step: 1, count: size } : sliceAxis(size, spec.starts[k]!, spec.ends[k]!, spec.steps[k]!);
  });
}

function slicedShape(ctx: OpContext, shape: Shape): Dim[] {
  const spec = sliceSpec(ctx, shape.length);
  return shape.map((size, axis) => {
    const k = spec.axes.indexOf(axis);
    if (k < 0) return size;
    if (typeof size === 'number') return sliceAxis(size, spec.starts[k]!, spec.ends[k]!, spec.steps[k]!).count;
    // A symbolic dim survives only a slice that keeps all of it.
    const all = spec.starts[k] === 0 && spec.steps[k] === 1 && spec.ends[k]! >= 2 ** 31 - 1;
    return all ? size : '';
  });
}

// dX puts dY back where the slice read it and zeros elsewhere: per sliced axis, a negative step
// reverses dY, a step above 1 interleaves zeros, and one Pad (negative pads crop) places it.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const x = ctx.inputs[0]!;
    const rank = x.shape.length;
    const spec = sliceSpec(ctx, rank);
    const current = [...ctx.outputs[0]!.shape];
    const pads = new Array<number>(2 * rank).fill(0);
    let grad = ctx.outputGrads[0]!;
    for (let k = 0; k < spec.axes.length; k++) {
      const axis = spec.axes[k]!;
      const size = x.shape[axis];
      if (typeof size !== 'number') return ctx.fail(`the gradient needs a static size on sliced axis ${axis}`);
      const range = sliceAxis(size, spec.starts[k]!, spec.ends[k]!, spec.steps[k]!);
      if (range.count === 0) return [ctx.op('ConstantOfShape', [ctx.shapeOf(ctx.input(0), x)])];
      let low = range.start;
      const step = Math.abs(range.step);
      if (range.step < 0) {
        grad = ctx.op('Slice', [grad, ctx.ints([-1]), ctx.ints([-(2 ** 62)]), ctx.ints([axis]), ctx.ints([-1])]);
        low = range.start + (range.count - 1) * range.step;
      }
      let length = range.count;
      if (step > 1) {
        // [.., count, ..] -> [.., count, step, ..] with zeros after each element -> [.., count*step, ..].
        if (!current.every((d, i) => typeof d === 'number' || i === 0)) return ctx.fail('the gradient of a strided slice needs static dims');
        const widened = ctx.op('Pad', [ctx.unsqueeze(grad, [axis + 1]), ctx.ints(Array.from({ length: 2 * (rank + 1) }, (_, i) => (i === rank + 1 + axis + 1 ? step - 1 : 0)))]);
        const merged = current.map((d, i) => (i === axis ? range.count * step : i === 0 && typeof d !== 'number' ? 0 : (d as number)));
        grad = ctx.reshape(widened, merged);
        length = range.count * step;
      }
      current[axis] = size;
      pads[axis] = low;
      pads[axis + rank] = size - low - length;
    }
    return [ctx.op('Pad', [grad, ctx.ints(pads)])];
  },
};

export const Slice = {
  opType: 'Slice',
  summary: 'A strided sub-box of the input.',
  inputCount: [3, 5],
  outputCount: [1, 1],
  attributes: {},
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    return [{ dtype: x.dtype, shape: slicedShape(ctx, x.shape) }];
  },
  fold(ctx) {
    const value = ctx.constant(0);
    const result = value && sliceTensor(value, ranges(value.dims, sliceSpec(ctx, value.dims.length)));
    return result ? [result] : undefined;
  },
  foldShapeValue(ctx) {
    const dims = ctx.shapeValue(0);
    if (!dims || ctx.inputs[0]?.shape.length !== 1) return undefined;
    const [range] = ranges([dims.length], sliceSpec(ctx, 1));
    return [Array.from({ length: range!.count }, (_, i) => dims[range!.start + i * range!.step]!)];
  },
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: { kind: 'slice', starts: 1, ends: 2, axes: 3, steps: 4 },
  macs: () => 0,
  backward,
} satisfies OpRule;
