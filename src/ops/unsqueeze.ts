/** Unsqueeze: inserts size-1 axes; `axes` is an attribute before opset 13 and an input from 13. */
import { viewBackward } from './backward-common.js';
import { inOpsets, spec } from './attributes.js';
import { attributeOrInputAxes, passShapeValue, requireInput } from './common.js';
import { withDims } from './fold.js';
import type { OpContext, OpRule } from './rule.js';
import { isStatic, normalizeAxes } from './shapes.js';
import type { Dim, Shape } from '../ir/graph.js';
import { EQUIVARIANT } from './scaling.js';

function unsqueezed(ctx: OpContext, shape: Shape): Dim[] {
  const given = attributeOrInputAxes(ctx, 1, 13);
  if (!given) return ctx.fail('axes are required');
  const rank = shape.length + given.length;
  const axes = normalizeAxes(given, rank);
  if (!axes) return ctx.fail(`axes [${given.join(', ')}] must be distinct and within rank ${rank}`);
  const out: Dim[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : shape[next++]!);
  return out;
}

export const Unsqueeze = {
  opType: 'Unsqueeze',
  summary: 'Inserts size-1 axes at the given output positions.',
  inputCount: [1, 2],
  outputCount: [1, 1],
  attributes: { axes: inOpsets(spec.ints(), 1, 12) },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    return [{ dtype: x.dtype, shape: unsqueezed(ctx, x.shape) }];
  },
  fold(ctx) {
    const value = ctx.constant(0);
    const dims = value && unsqueezed(ctx, value.dims);
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
