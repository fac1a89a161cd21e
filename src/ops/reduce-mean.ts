/**
 * ReduceMean: the mean over axes (all by default), keeping them as size 1 unless keepdims=0.
 * `axes` is an attribute before opset 18 and an input from 18 (with noop_with_empty_axes).
 */
import type { BackwardRule } from './backward.js';
import { passThroughUnless } from './channels.js';
import { inOpsets, spec } from './attributes.js';
import { attributeOrInputAxes, requireInput } from './common.js';
import type { OpRule } from './rule.js';
import { normalizeAxes } from './shapes.js';
import { EQUIVARIANT } from './scaling.js';

// dX: dY (with the reduced axes kept) spread evenly over the values each mean read.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const x = ctx.inputs[0]!;
    const rank = x.shape.length;
    const given = attributeOrInputAxes(ctx, 1, 18) ?? [];
    const dy = ctx.outputGrads[0]!;
    if (given.length === 0 && ctx.attrs.int('noop_with_empty_axes') === 1) return [dy];
    const axes = given.length === 0 ? [...Array(rank).keys()] : normalizeAxes(given, rank)!;
    const dims = axes.map((a) => x.shape[a]);
    if (!dims.every((d): d is number => typeof d === 'number')) return ctx.fail('the gradient needs static sizes on the reduced axes');
    const kept = ctx.attrs.int('keepdims') === 1 ? dy : ctx.unsqueeze(dy, [...axes].sort((p, q) => p - q));
    const scaled = ctx.op('Mul', [kept, ctx.scalar(1 / dims.reduce((p, q) => p * q, 1))]);
    return [ctx.op('Expand', [scaled, ctx.shapeOf(ctx.input(0), x)])];
  },
};

export const ReduceMean = {
  opType: 'ReduceMean',
  summary: 'Mean over the given axes (global pooling in squeeze-excitation exports).',
  inputCount: [1, 2],
  outputCount: [1, 1],
  attributes: {
    axes: inOpsets(spec.ints(), 1, 17),
    keepdims: spec.int(1, [0, 1]),
    noop_with_empty_axes: inOpsets(spec.int(0, [0, 1]), 18),
  },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    const rank = x.shape.length;
    const given = attributeOrInputAxes(ctx, 1, 18) ?? [];
    if (given.length === 0 && ctx.attrs.int('noop_with_empty_axes') === 1) return [x];
    const axes = given.length === 0 ? [...Array(rank).keys()] : normalizeAxes(given, rank);
    if (!axes) return ctx.fail(`axes [${given.join(', ')}] must be distinct and within rank ${rank}`);
    const keep = ctx.attrs.int('keepdims') === 1;
    const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return [{ dtype: x.dtype, shape }];
  },
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: passThroughUnless((ctx) => {
    const rank = ctx.inputs[0]!.shape.length;
    const given = attributeOrInputAxes(ctx, 1, 18) ?? [];
    if (given.length === 0 && ctx.attrs.int('noop_with_empty_axes') === 1) return undefined;
    const axes = given.length === 0 ? [...Array(rank).keys()] : (normalizeAxes(given, rank) ?? []);
    if (axes.includes(1)) return 'averages across channels';
    return ctx.attrs.int('keepdims') === 0 && axes.includes(0) ? 'drops the batch axis, moving the channel axis' : undefined;
  }),
  backward,
  macs: () => 0,
} satisfies OpRule;
