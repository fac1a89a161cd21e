/**
 * MatMul: numpy matrix product (1-D operands promoted, leading dims broadcast). A constant second
 * input is a weight, counted and pruned like Gemm's.
 */
import { perSample, requireInput } from './common.js';
import type { OpRule } from './rule.js';
import { broadcastShapes, formatShape } from './shapes.js';
import type { Dim } from '../ir/graph.js';

export const MatMul = {
  opType: 'MatMul',
  summary: 'Matrix product with numpy broadcasting of leading dims.',
  inputCount: [2, 2],
  outputCount: [1, 1],
  attributes: {},
  inferTypes(ctx) {
    const a = requireInput(ctx, 0, 'A');
    const b = requireInput(ctx, 1, 'B');
    if (a.dtype !== b.dtype) ctx.fail(`inputs have different element types (${a.dtype} and ${b.dtype})`);
    if (a.shape.length === 0 || b.shape.length === 0) ctx.fail('inputs must have rank 1 or more');
    const left = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
    const right = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
    const kA = left[left.length - 1]!;
    const kB = right[right.length - 2]!;
    if (typeof kA === 'number' && typeof kB === 'number' && kA !== kB) ctx.fail(`A ${formatShape(a.shape)} and B ${formatShape(b.shape)} have inner sizes ${kA} and ${kB}`);
    const batch = broadcastShapes(left.slice(0, -2), right.slice(0, -2));
    if (!batch) return ctx.fail(`leading dims of A ${formatShape(a.shape)} and B ${formatShape(b.shape)} do not broadcast`);
    const shape: Dim[] = [...batch];
    if (a.shape.length > 1) shape.push(left[left.length - 2]!);
    if (b.shape.length > 1) shape.push(right[right.length - 1]!);
    return [{ dtype: a.dtype, shape }];
  },
  parameterInputs: [1],
  prunableWeight: 1,
  channels: { kind: 'matrix', weight: 1 },
  // Output elements per sample times the inner size K: K*N for a [batch, K] x [K, N] layer.
  macs(ctx) {
    const a = ctx.inputs[0]!;
    const k = a.shape[a.shape.length - 1];
    return typeof k === 'number' ? perSample(ctx.outputs[0]) * k : NaN;
  },
} satisfies OpRule;
