/**
 * Split: cuts the input along `axis` into the node's outputs. Sizes come from the `split`
 * attribute (before opset 13) or input (from 13), or `num_outputs` (from 18: ceil-sized chunks,
 * the last smaller), or else equal parts.
 */
import type { BackwardRule } from './backward.js';
import { inOpsets, spec } from './attributes.js';
import { requireInput, requireInputOpset, requireIntegers } from './common.js';
import type { OpContext, OpRule } from './rule.js';
import { formatShape, normalizeAxis } from './shapes.js';
import type { Dim } from '../ir/graph.js';
import { EQUIVARIANT } from './scaling.js';

function splitSizes(ctx: OpContext, size: Dim, outputs: number): Dim[] {
  requireInputOpset(ctx, 1, 'split', 13, "use the 'split' attribute");
  const given = ctx.node.inputs[1] ? requireIntegers(ctx, 1, 'split') : ctx.attrs.ints('split');
  if (given && given.length > 0) {
    if (ctx.attrs.has('num_outputs')) ctx.fail('give either split or num_outputs, not both');
    const total = given.reduce((a, b) => a + b, 0);
    if (given.length !== outputs) ctx.fail(`split [${given.join(', ')}] has ${given.length} sizes for ${outputs} outputs`);
    if (given.some((s) => s < 0) || (typeof size === 'number' && total !== size)) ctx.fail(`split [${given.join(', ')}] must be non-negative sizes summing to ${size}`);
    return [...given];
  }
  if (ctx.attrs.has('num_outputs')) {
    const n = ctx.attrs.int('num_outputs');
    if (n !== outputs) ctx.fail(`num_outputs=${n} but the node has ${outputs} outputs`);
    if (typeof size !== 'number') return new Array<Dim>(n).fill('');
    const chunk = Math.ceil(size / n);
    if (chunk * (n - 1) >= size) ctx.fail(`cannot split ${size} into ${n} chunks of ${chunk} with a non-empty last chunk`);
    return Array.from({ length: n }, (_, i) => (i < n - 1 ? chunk : size - chunk * (n - 1)));
  }
  if (typeof size !== 'number') return new Array<Dim>(outputs).fill('');
  if (size % outputs !== 0) ctx.fail(`size ${size} does not split evenly into ${outputs} outputs (give split sizes)`);
  return new Array<Dim>(outputs).fill(size / outputs);
}

// dX joins the outputs' gradients along the axis; outputs that receive none contribute zeros.
const backward: BackwardRule = {
  differentiable: [0],
  emit: (ctx) => {
    const axis = normalizeAxis(ctx.attrs.int('axis'), ctx.inputs[0]!.shape.length)!;
    const parts = ctx.outputGrads.map((grad, i) => grad ?? ctx.op('ConstantOfShape', [ctx.shapeOf(ctx.output(i), ctx.outputs[i]!)]));
    return [parts.length === 1 ? parts[0] : ctx.op('Concat', parts, { axis })];
  },
};

export const Split = {
  opType: 'Split',
  summary: 'Cuts the input along an axis into several outputs.',
  inputCount: [1, 2],
  outputCount: [1, Infinity],
  attributes: {
    axis: spec.int(0),
    num_outputs: inOpsets(spec.int(), 18),
    split: inOpsets(spec.ints(), 1, 12),
  },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'input');
    const axis = normalizeAxis(ctx.attrs.int('axis'), x.shape.length);
    if (axis === undefined) return ctx.fail(`axis ${ctx.attrs.int('axis')} is out of range for ${formatShape(x.shape)}`);
    return splitSizes(ctx, x.shape[axis]!, ctx.node.outputs.length).map((size) => {
      const shape = [...x.shape];
      shape[axis] = size;
      return { dtype: x.dtype, shape };
    });
  },
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: { kind: 'split', sizesAttribute: 'split', sizesInput: 1 },
  macs: () => 0,
  backward,
} satisfies OpRule;
