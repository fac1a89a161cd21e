/**
 * Squeeze: removes size-1 axes; `axes` is an attribute before opset 13 and an input from 13.
 * Without axes it removes every dim known to be 1; symbolic dims (the batch) are kept.
 */
import { viewBackward } from './backward-common.js';
import { inOpsets, spec } from './attributes.js';
import { attributeOrInputAxes, passShapeValue, requireInput } from './common.js';
import { withDims } from './fold.js';
import type { OpContext, OpRule } from './rule.js';
import { formatShape, isStatic, normalizeAxes } from './shapes.js';
import type { Dim, Shape } from '../ir/graph.js';
import { EQUIVARIANT } from './scaling.js';

function squeezed(ctx: OpContext, shape: Shape): Dim[] {
  const given = attributeOrInputAxes(ctx, 1, 13);
  if (!given) return shape.filter((d) => d !== 1);
  const axes = normalizeAxes(given, shape.length);
  if (!axes) return ctx.fail(`axes [${given.join(', ')}] must be distinct and within rank ${shape.length}`);
  for (const axis of axes) {
    const d = shape[axis]!;
    if (typeof d === 'number' && d !== 1) ctx.fail(`axis ${axis} of ${formatShape(shape)} has size ${d}, not 1`);
  }
  return shape.filter((_, i) => !axes.includes(i));
}

export const Squeeze = {
  opType: 'Squeeze',
  summary: 'Removes size-1 axes.',
  inputCount: [1, 2],
  outputCount: [1, 1],
  attributes: { axes: inOpsets(spec.ints(), 1, 12) },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    return [{ dtype: x.dtype, shape: squeezed(ctx, x.shape) }];
  },
  fold(ctx) {
    const value = ctx.constant(0);
    const dims = value && squeezed(ctx, value.dims);
    const result = value && dims && isStatic(dims) ? withDims(value, dims) : undefined;
    return result ? [result] : undefined;
  },
  foldShapeValue: passShapeValue,
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: { kind: 'view' },
  macs: () => 0,
  backward: viewBackward,
} satisfies OpRule;
