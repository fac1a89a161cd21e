/**
 * MatMul: numpy matrix product (1-D operands promoted, leading dims broadcast). A constant second
 * input is a weight, counted and pruned like Gemm's.
 */
import type { BackwardRule } from './backward.js';
import { perSample, requireInput } from './common.js';
import type { OpRule } from './rule.js';
import { broadcastShapes, formatShape } from './shapes.js';
import type { Dim } from '../ir/graph.js';

// dA = dY·Bᵀ and dB = Aᵀ·dY, each summed over the leading dims it was broadcast along. A 2-D
// weight B behind a batched A (a linear layer on [N, T, K]) folds the batch into one Gemm.
const backward: BackwardRule = {
  differentiable: [0, 1],
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const [a, b, y] = [ctx.inputs[0]!, ctx.inputs[1]!, ctx.outputs[0]!];
    if (a.shape.length < 2 || b.shape.length < 2) return ctx.fail('the gradient of MatMul with a 1-D operand is not supported (reshape it to 2-D)');
    const swapLast = (rank: number): number[] => [...Array(rank - 2).keys(), rank - 1, rank - 2];
    let da: string | undefined;
    let db: string | undefined;
    if (ctx.needsGrad(0)) {
      const bt = ctx.op('Transpose', [ctx.input(1)], { perm: swapLast(b.shape.length) });
      da = ctx.unbroadcast(ctx.op('MatMul', [dy, bt]), { dtype: y.dtype, shape: [...y.shape.slice(0, -1), a.shape[a.shape.length - 1]!] }, a);
    }
    if (ctx.needsGrad(1)) {
      const [k, n] = [a.shape[a.shape.length - 1], y.shape[y.shape.length - 1]];
      if (b.shape.length === 2 && a.shape.length > 2 && typeof k === 'number' && typeof n === 'number') {
        db = ctx.op('Gemm', [ctx.reshape(ctx.input(0), [-1, k]), ctx.reshape(dy, [-1, n])], { transA: 1 });
      } else {
        const at = ctx.op('Transpose', [ctx.input(0)], { perm: swapLast(a.shape.length) });
        db = ctx.unbroadcast(ctx.op('MatMul', [at, dy]), { dtype: y.dtype, shape: [...y.shape.slice(0, -2), b.shape[b.shape.length - 2]!, y.shape[y.shape.length - 1]!] }, b);
      }
    }
    return [da, db];
  },
};

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
  scaling: () => ({ kind: 'weighted', weight: 1 }),
  parameterInputs: [1],
  prunableWeight: 1,
  channels: { kind: 'matrix', weight: 1 },
  // Output elements per sample times the inner size K: K*N for a [batch, K] x [K, N] layer.
  macs(ctx) {
    const a = ctx.inputs[0]!;
    const k = a.shape[a.shape.length - 1];
    return typeof k === 'number' ? perSample(ctx.outputs[0]) * k : NaN;
  },
  backward,
} satisfies OpRule;
