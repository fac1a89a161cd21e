/** Transpose: permutes the axes (default: reverses them). */
import type { BackwardRule } from './backward.js';
import { passThroughUnless } from './channels.js';
import { spec } from './attributes.js';
import { requireInput } from './common.js';
import { transposeTensor } from './fold.js';
import type { OpContext, OpRule } from './rule.js';
import { EQUIVARIANT } from './scaling.js';

/** The permutation of a Transpose node, checked against the input rank. */
function permutation(ctx: OpContext, rank: number): number[] {
  const perm = ctx.attrs.ints('perm') ?? [...Array(rank).keys()].reverse();
  const valid = perm.length === rank && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
  if (!valid) ctx.fail(`perm [${perm.join(', ')}] is not a permutation of the ${rank} axes`);
  return [...perm];
}

// dX: dY transposed back by the inverse permutation.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const rank = ctx.inputs[0]!.shape.length;
    const perm = ctx.attrs.ints('perm') ?? [...Array(rank).keys()].reverse();
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [ctx.op('Transpose', [ctx.outputGrads[0]!], { perm: inverse })];
  },
};

export const Transpose = {
  opType: 'Transpose',
  summary: 'Permutes the axes of a tensor.',
  inputCount: [1, 1],
  outputCount: [1, 1],
  attributes: { perm: spec.ints() },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    return [{ dtype: x.dtype, shape: permutation(ctx, x.shape.length).map((p) => x.shape[p]!) }];
  },
  fold(ctx) {
    const value = ctx.constant(0);
    const result = value && transposeTensor(value, permutation(ctx, value.dims.length));
    return result ? [result] : undefined;
  },
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: passThroughUnless((ctx) => (permutation(ctx, ctx.inputs[0]!.shape.length)[1] === 1 ? undefined : 'moves the channel axis')),
  macs: () => 0,
  backward,
} satisfies OpRule;
