/** Shape: the input's dims as a 1-D int64 tensor, optionally a [start, end) range of them (opset 15). */
import { inOpsets, spec } from './attributes.js';
import { requireInput } from './common.js';
import type { OpContext, OpRule } from './rule.js';

/** The [start, end) range of axes a Shape node returns, clamped as the spec says. */
function axisRange(ctx: OpContext, rank: number): [number, number] {
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(ctx.attrs.int('start'));
  const end = ctx.attrs.has('end') ? clamp(ctx.attrs.int('end')) : rank;
  return [start, Math.max(start, end)];
}

export const Shape = {
  opType: 'Shape',
  summary: "The input's dims as a 1-D int64 tensor.",
  inputCount: [1, 1],
  outputCount: [1, 1],
  attributes: { end: inOpsets(spec.int(), 15), start: inOpsets(spec.int(0), 15) },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    const [start, end] = axisRange(ctx, x.shape.length);
    return [{ dtype: 'int64', shape: [end - start] }];
  },
  // The dims themselves, symbolic ones included (a folded constant when all are known).
  foldShapeValue(ctx) {
    const x = requireInput(ctx, 0, 'data');
    const [start, end] = axisRange(ctx, x.shape.length);
    return [x.shape.slice(start, end)];
  },
  parameterInputs: [],
  // The channel count is a value downstream when the returned range includes axis 1.
  channels: {
    kind: 'readsDims',
    readsChannelCount(ctx) {
      const [start, end] = axisRange(ctx, ctx.inputs[0]!.shape.length);
      return start <= 1 && 1 < end;
    },
  },
  macs: () => 0,
  // An integer output: no gradient flows through it.
  backward: { differentiable: [], emit: () => [] },
} satisfies OpRule;
