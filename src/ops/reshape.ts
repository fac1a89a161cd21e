/**
 * Reshape: new dims from the `shape` input, where 0 copies the input dim (unless allowzero, opset
 * 14) and one -1 is inferred. The shape may be shape arithmetic holding the symbolic batch
 * (`x.view(x.size(0), -1)`): equal symbolic dims cancel when the -1 is inferred.
 */
import { viewBackward } from './backward-common.js';
import { inOpsets, spec } from './attributes.js';
import { passShapeValue, requireInput } from './common.js';
import { withDims } from './fold.js';
import type { OpContext, OpRule } from './rule.js';
import { formatShape, isStatic, product } from './shapes.js';
import type { Dim, Shape } from '../ir/graph.js';
import { EQUIVARIANT } from './scaling.js';

function reshaped(ctx: OpContext, input: Shape): Dim[] {
  const type = ctx.inputs[1];
  if (type && (type.dtype !== 'int64' || type.shape.length !== 1)) ctx.fail(`shape must be a 1-D int64 tensor, got ${type.dtype} ${formatShape(type.shape)}`);
  const target = ctx.shapeValue(1);
  if (!target) {
    const length = type?.shape.length === 1 ? type.shape[0] : undefined;
    if (typeof length === 'number') return new Array<Dim>(length).fill('');
    return ctx.fail('shape must be a constant, or computed from shapes, for static shape inference');
  }
  const allowZero = ctx.opset >= 14 && ctx.attrs.int('allowzero') === 1;
  const out: Dim[] = target.map((d, i) => {
    if (d !== 0 || allowZero) return d;
    if (i >= input.length) return ctx.fail(`shape [${target.join(', ')}] copies dim ${i} (a 0) that input ${formatShape(input)} does not have`);
    return input[i]!;
  });
  const inferred = out.flatMap((d, i) => (d === -1 ? [i] : []));
  if (inferred.length > 1 || out.some((d) => typeof d === 'number' && d < -1)) ctx.fail(`shape [${target.join(', ')}] may hold one -1 and no other negative dims`);
  if (inferred.length === 1) {
    const d = inferDim(input, out.filter((o) => o !== -1));
    if (typeof d === 'number' && !Number.isInteger(d)) ctx.fail(`cannot reshape ${formatShape(input)} to [${target.join(', ')}]: the element count does not divide`);
    out[inferred[0]!] = d;
  } else if (isStatic(input) && isStatic(out) && product(input) !== product(out)) {
    ctx.fail(`cannot reshape ${formatShape(input)} (${product(input)} elements) to ${formatShape(out)} (${product(out)} elements)`);
  }
  return out;
}

/** The -1 dim: input elements over the other output dims, after cancelling equal symbolic dims. */
function inferDim(input: Shape, others: readonly Dim[]): Dim {
  const remaining = [...input];
  const rest: Dim[] = [];
  for (const d of others) {
    const match = typeof d === 'string' && d !== '' ? remaining.indexOf(d) : -1;
    if (match >= 0) remaining.splice(match, 1);
    else rest.push(d);
  }
  const total = product(remaining);
  const known = product(rest);
  return total === undefined || known === undefined || known === 0 ? '' : total / known;
}

export const Reshape = {
  opType: 'Reshape',
  summary: 'The same elements under new dims (0 copies a dim, -1 is inferred).',
  inputCount: [2, 2],
  outputCount: [1, 1],
  attributes: { allowzero: inOpsets(spec.int(0, [0, 1]), 14) },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    return [{ dtype: x.dtype, shape: reshaped(ctx, x.shape) }];
  },
  fold(ctx) {
    const value = ctx.constant(0);
    const dims = value && reshaped(ctx, value.dims);
    const result = value && dims && isStatic(dims) ? withDims(value, dims) : undefined;
    return result ? [result] : undefined;
  },
  foldShapeValue: passShapeValue,
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: { kind: 'view', shapeInput: 1 },
  macs: () => 0,
  backward: viewBackward,
} satisfies OpRule;
