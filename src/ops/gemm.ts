/** Gemm: Y = alpha * A' * B' + beta * C, the fully connected layer of classifiers. */
import { spec } from './attributes.js';
import type { BackwardRule } from './backward.js';
import { requireInput, requireRank } from './common.js';
import type { OpRule } from './rule.js';
import { broadcastsTo, formatShape } from './shapes.js';

// Y = alpha*op(A)*op(B) + beta*C. Each input gradient is one Gemm whose transposes follow from
// the forward's: dop(A) = alpha*dY*op(B)ᵀ and dop(B) = alpha*op(A)ᵀ*dY, transposed back when the
// forward transposed; dC = beta*dY summed over C's broadcast axes.
const backward: BackwardRule = {
  differentiable: [0, 1, 2],
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const alpha = ctx.attrs.float('alpha');
    const beta = ctx.attrs.float('beta');
    const transA = ctx.attrs.int('transA') === 1;
    const transB = ctx.attrs.int('transB') === 1;
    const a = ctx.input(0);
    const b = ctx.input(1);
    const gemm = (x: string, y: string, tx: boolean, ty: boolean): string =>
      ctx.op('Gemm', [x, y], { alpha: { float: alpha }, transA: tx ? 1 : 0, transB: ty ? 1 : 0 });
    // dA = alpha*dY*op(B)ᵀ ([M,K]); when transA, dA = alpha*op(B)*dYᵀ ([K,M]).
    const da = !ctx.needsGrad(0) ? undefined : transA ? gemm(b, dy, transB, true) : gemm(dy, b, false, !transB);
    // dB = alpha*op(A)ᵀ*dY ([K,N]); when transB, dB = alpha*dYᵀ*op(A) ([N,K]).
    const db = !ctx.needsGrad(1) ? undefined : transB ? gemm(dy, a, true, transA) : gemm(a, dy, !transA, false);
    let dc: string | undefined;
    if (ctx.needsGrad(2) && ctx.input(2)) {
      const scaled = beta === 1 ? dy : ctx.op('Mul', [dy, ctx.scalar(beta)]);
      dc = ctx.unbroadcast(scaled, ctx.outputs[0]!, ctx.inputs[2]!);
    }
    return [da, db, dc];
  },
};

export const Gemm = {
  opType: 'Gemm',
  summary: 'General matrix product alpha*op(A)*op(B) + beta*C (a fully connected layer).',
  inputCount: [2, 3],
  outputCount: [1, 1],
  attributes: {
    alpha: spec.float(1),
    beta: spec.float(1),
    transA: spec.int(0, [0, 1]),
    transB: spec.int(0, [0, 1]),
  },
  inferTypes(ctx) {
    const a = requireInput(ctx, 0, 'A');
    const b = requireInput(ctx, 1, 'B');
    if (a.dtype !== b.dtype) ctx.fail(`A is ${a.dtype} but B is ${b.dtype}`);
    requireRank(ctx, a, [2], 'A');
    requireRank(ctx, b, [2], 'B');
    const [m, kA] = ctx.attrs.int('transA') ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [kB, n] = ctx.attrs.int('transB') ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (typeof kA === 'number' && typeof kB === 'number' && kA !== kB) {
      ctx.fail(`A ${formatShape(a.shape)} and B ${formatShape(b.shape)} have inner sizes ${kA} and ${kB} (transA=${ctx.attrs.int('transA')}, transB=${ctx.attrs.int('transB')})`);
    }
    const c = ctx.inputs[2];
    if (c && !broadcastsTo(c.shape, [m, n])) ctx.fail(`C ${formatShape(c.shape)} does not broadcast to [${m}, ${n}]`);
    return [{ dtype: a.dtype, shape: [m, n] }];
  },
  // B is [K, N], or [N, K] with transB: output feature n owns that column (row) of B and C[n] (times beta).
  outputChannelWeights: (ctx) => ({ weight: 1, weightAxis: ctx.attrs.int('transB') ? 0 : 1, groups: 1, bias: 2, biasMultiplier: ctx.attrs.float('beta'), outputAxis: 1 }),
  scaling: () => ({ kind: 'weighted', weight: 1, bias: 2 }),
  parameterInputs: [1, 2],
  prunableWeight: 1,
  channels: { kind: 'matrix', weight: 1, bias: 2, transposeWeight: 'transB', transposeInput: 'transA' },
  // in*out per sample: every output feature reads every input feature once.
  macs(ctx) {
    const b = ctx.inputs[1]!;
    const size = (b.shape[0] as number) * (b.shape[1] as number);
    return Number.isFinite(size) ? size : NaN;
  },
  backward,
} satisfies OpRule;
