// Micro-benchmark: the weight gradient of a 3x3 conv (stride 1, pad 1) at training shapes, by
// several formulations in onnxruntime, all checked against the first.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32, int64, tensor } from '../src/ir/tensor.js';
import { toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { timeGraph } from './micro.js';

const BLOCK = 16;
const threads = Number(process.argv[2] ?? 2);
const only = process.argv[3];
const shapes = (process.env.SHAPES ? JSON.parse(process.env.SHAPES) : [[64, 16, 16, 32], [64, 32, 32, 16], [64, 64, 64, 8], [64, 64, 128, 16], [64, 128, 256, 8], [64, 256, 256, 8], [64, 256, 512, 4], [64, 512, 512, 4], [64, 512, 512, 2]]) as number[][];
const NCHWC = { domain: 'com.microsoft.nchwc' };

async function time(g: GraphBuilder, feeds: Record<string, ort.Tensor>, reps = 10): Promise<[number, Float32Array]> {
  const { ms, out } = await timeGraph(g, feeds, { threads, reps, optimizeAll: true });
  return [ms, out];
}

const variants: Record<string, (g: GraphBuilder, x: string, dy: string, n: number, c: number, k: number, hw: number) => string> = {
  unfold: (g, x, dy, n, c, k, hw) => {
    const onehot = new Float32Array(c * 81);
    for (let ci = 0; ci < c; ci++) for (let q = 0; q < 9; q++) onehot[(ci * 9 + q) * 9 + q] = 1;
    const cols = g.op('Conv', [x, g.initializer('onehot', tensor('float32', [c * 9, 1, 3, 3], onehot))], { group: attr.int(c), pads: attr.ints([1, 1, 1, 1]) });
    const colsR = g.op('Reshape', [cols, g.initializer('s1', int64([3], [n, c * 9, hw * hw]))]);
    const dyT = g.op('Transpose', [g.op('Reshape', [dy, g.initializer('s2', int64([3], [n, k, hw * hw]))])], { perm: attr.ints([0, 2, 1]) });
    const summed = g.op('ReduceSum', [g.op('MatMul', [colsR, dyT]), g.initializer('ax', int64([1], [0]))], { keepdims: attr.int(0) });
    return g.op('Reshape', [g.op('Transpose', [summed], { perm: attr.ints([1, 0]) }), g.initializer('s3', int64([4], [k, c, 3, 3]))]);
  },
  convT: (g, x, dy) => {
    const xT = g.op('Transpose', [x], { perm: attr.ints([1, 0, 2, 3]) });
    const dyT = g.op('Transpose', [dy], { perm: attr.ints([1, 0, 2, 3]) });
    return g.op('Transpose', [g.op('Conv', [xT, dyT], { pads: attr.ints([1, 1, 1, 1]) })], { perm: attr.ints([1, 0, 2, 3]) });
  },
  nchwcConv: (g, x, dy, n, _c, k, hw) => {
    // Conv over the batch: input Xᵀ [C, N, H, W] (N as channels), filters dYᵀ [K, N, H, W], output [C, K, 3, 3].
    const xT = g.op('ReorderInput', [g.op('Transpose', [x], { perm: attr.ints([1, 0, 2, 3]) })], {}, NCHWC);
    // dY [N, K, H, W] -> OIHWBiBo of [K, N, H, W]: [K/B, Bo, N/B, Bi, HW] from [N/B, Bi, K/B, Bo, HW].
    const dy5 = g.op('Reshape', [dy, g.initializer('s1', int64([5], [n / BLOCK, BLOCK, k / BLOCK, BLOCK, hw * hw]))]);
    const filt = g.op('Reshape', [g.op('Transpose', [dy5], { perm: attr.ints([2, 0, 4, 1, 3]) }), g.initializer('s2', int64([4], [k, n, hw, hw]))]);
    const out = g.op('Conv', [xT, filt], { pads: attr.ints([1, 1, 1, 1]), kernel_shape: attr.ints([hw, hw]) }, NCHWC);
    const cK = g.op('ReorderOutput', [out], { channels: attr.int(k) }, NCHWC); // [C, K, 3, 3]
    return g.op('Transpose', [cK], { perm: attr.ints([1, 0, 2, 3]) });
  },
  sliceBatched: (g, x, dy, n, c, k, hw) => {
    const xp = g.op('Pad', [x, g.initializer('pads', int64([8], [0, 0, 1, 1, 0, 0, 1, 1]))]);
    const dyT = g.op('Transpose', [g.op('Reshape', [dy, g.initializer('s1', int64([3], [n, k, hw * hw]))])], { perm: attr.ints([0, 2, 1]) });
    const parts: string[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const sl = g.op('Slice', [xp, g.initializer(`st${i}${j}`, int64([2], [i, j])), g.initializer(`en${i}${j}`, int64([2], [i + hw, j + hw])), g.initializer(`ax${i}${j}`, int64([2], [2, 3]))]);
      const flat = g.op('Reshape', [sl, g.initializer(`f${i}${j}`, int64([3], [n, c, hw * hw]))]);
      parts.push(g.op('Unsqueeze', [g.op('MatMul', [flat, dyT]), g.initializer(`u${i}${j}`, int64([1], [3]))]));
    }
    const summed = g.op('ReduceSum', [g.op('Concat', parts, { axis: attr.int(3) }), g.initializer('ax', int64([1], [0]))], { keepdims: attr.int(0) }); // [C, K, 9]
    return g.op('Reshape', [g.op('Transpose', [summed], { perm: attr.ints([1, 0, 2]) }), g.initializer('s9', int64([4], [k, c, 3, 3]))]);
  },
  flatSlices: (g, x, dy, n, c, k, hw) => {
    const wp = hw + 2;
    const xp = g.op('Reshape', [g.op('Pad', [x, g.initializer('pads', int64([8], [0, 0, 1, 1, 0, 0, 2, 1]))]), g.initializer('fx', int64([3], [n, c, (hw + 3) * wp]))]);
    const dyp = g.op('Reshape', [g.op('Pad', [dy, g.initializer('padsy', int64([8], [0, 0, 0, 0, 0, 0, 0, 2]))]), g.initializer('fy', int64([3], [n, k, hw * wp]))]);
    const dyT = g.op('Transpose', [dyp], { perm: attr.ints([0, 2, 1]) });
    const parts: string[] = [];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      const o = a * wp + b;
      const sl = g.op('Slice', [xp, g.initializer(`st${a}${b}`, int64([1], [o])), g.initializer(`en${a}${b}`, int64([1], [o + hw * wp])), g.initializer(`ax${a}${b}`, int64([1], [2]))]);
      parts.push(g.op('Unsqueeze', [g.op('MatMul', [sl, dyT]), g.initializer(`u${a}${b}`, int64([1], [3]))]));
    }
    const summed = g.op('ReduceSum', [g.op('Concat', parts, { axis: attr.int(3) }), g.initializer('ax', int64([1], [0]))], { keepdims: attr.int(0) }); // [C, K, 9]
    return g.op('Reshape', [g.op('Transpose', [summed], { perm: attr.ints([1, 0, 2]) }), g.initializer('s9', int64([4], [k, c, 3, 3]))]);
  },
  // unfold + MatMul on chunks of the batch (CHUNK samples), so each chunk's receptive fields stay in cache.
  unfoldChunks: (g, x, dy, n, c, k, hw) => {
    const chunk = Number(process.env.CHUNK ?? 8);
    const onehot = new Float32Array(c * 81);
    for (let ci = 0; ci < c; ci++) for (let q = 0; q < 9; q++) onehot[(ci * 9 + q) * 9 + q] = 1;
    const w = g.initializer('onehot', tensor('float32', [c * 9, 1, 3, 3], onehot));
    const split = g.initializer('split', int64([n / chunk], new Array(n / chunk).fill(chunk)));
    const xs = g.node('Split', [x, split], { axis: attr.int(0) }, { outputs: n / chunk });
    const dys = g.node('Split', [dy, split], { axis: attr.int(0) }, { outputs: n / chunk });
    const partial: string[] = [];
    for (let i = 0; i < n / chunk; i++) {
      const cols = g.op('Conv', [xs[i]!, w], { group: attr.int(c), pads: attr.ints([1, 1, 1, 1]) });
      const colsR = g.op('Reshape', [cols, g.initializer(`s1${i}`, int64([3], [chunk, c * 9, hw * hw]))]);
      const dyT = g.op('Transpose', [g.op('Reshape', [dys[i]!, g.initializer(`s2${i}`, int64([3], [chunk, k, hw * hw]))])], { perm: attr.ints([0, 2, 1]) });
      partial.push(g.op('ReduceSum', [g.op('MatMul', [colsR, dyT]), g.initializer(`ax${i}`, int64([1], [0]))], { keepdims: attr.int(0) }));
    }
    const summed = partial.length === 1 ? partial[0]! : g.op('Sum', partial);
    return g.op('Reshape', [g.op('Transpose', [summed], { perm: attr.ints([1, 0]) }), g.initializer('s3', int64([4], [k, c, 3, 3]))]);
  },
  // Row-shifted X (3 contiguous slices of the padded, flattened maps) against column-shifted dY
  // (3 pads of dY with two zero columns per row): 3 batched MatMuls [N, C, L] x [N, L, 3K].
  rowsCols: (g, x, dy, n, c, k, hw) => {
    const wp = hw + 2;
    const len = hw * wp + 2;
    const xf = g.op('Reshape', [g.op('Pad', [x, g.initializer('pads', int64([8], [0, 0, 1, 1, 0, 0, 2, 1]))]), g.initializer('fx', int64([3], [n, c, (hw + 3) * wp]))]);
    const dyf = g.op('Reshape', [g.op('Pad', [dy, g.initializer('padsy', int64([8], [0, 0, 0, 0, 0, 0, 0, 2]))]), g.initializer('fy', int64([3], [n, k, hw * wp]))]);
    const shifts = [0, 1, 2].map((b) => g.op('Pad', [dyf, g.initializer(`sh${b}`, int64([6], [0, 0, b, 0, 0, 2 - b]))]));
    const dyCat = g.op('Concat', shifts, { axis: attr.int(1) }); // [N, 3K, len], rows (b, k)
    const dyT = g.op('Transpose', [dyCat], { perm: attr.ints([0, 2, 1]) });
    const parts: string[] = [];
    for (let a = 0; a < 3; a++) {
      const sl = g.op('Slice', [xf, g.initializer(`st${a}`, int64([1], [a * wp])), g.initializer(`en${a}`, int64([1], [a * wp + len])), g.initializer(`ax${a}`, int64([1], [2]))]);
      parts.push(g.op('MatMul', [sl, dyT])); // [N, C, 3K]
    }
    const summed = g.op('ReduceSum', [g.op('Concat', parts, { axis: attr.int(1) }), g.initializer('ax', int64([1], [0]))], { keepdims: attr.int(0) }); // [(a, c), (b, k)]
    const t = g.op('Transpose', [g.op('Reshape', [summed, g.initializer('s4', int64([4], [3, c, 3, k]))])], { perm: attr.ints([3, 1, 0, 2]) });
    return t;
  },
  // As rowsCols with the 3 X slices concatenated: one batched MatMul [N, 3C, L] x [N, L, 3K].
  rowsColsOne: (g, x, dy, n, c, k, hw) => {
    const wp = hw + 2;
    const len = hw * wp + 2;
    const xf = g.op('Reshape', [g.op('Pad', [x, g.initializer('pads', int64([8], [0, 0, 1, 1, 0, 0, 2, 1]))]), g.initializer('fx', int64([3], [n, c, (hw + 3) * wp]))]);
    const dyf = g.op('Reshape', [g.op('Pad', [dy, g.initializer('padsy', int64([8], [0, 0, 0, 0, 0, 0, 0, 2]))]), g.initializer('fy', int64([3], [n, k, hw * wp]))]);
    const shifts = [0, 1, 2].map((b) => g.op('Pad', [dyf, g.initializer(`sh${b}`, int64([6], [0, 0, b, 0, 0, 2 - b]))]));
    const dyT = g.op('Transpose', [g.op('Concat', shifts, { axis: attr.int(1) })], { perm: attr.ints([0, 2, 1]) });
    const rows = [0, 1, 2].map((a) => g.op('Slice', [xf, g.initializer(`st${a}`, int64([1], [a * wp])), g.initializer(`en${a}`, int64([1], [a * wp + len])), g.initializer(`ax${a}`, int64([1], [2]))]));
    const summed = g.op('ReduceSum', [g.op('MatMul', [g.op('Concat', rows, { axis: attr.int(1) }), dyT]), g.initializer('ax', int64([1], [0]))], { keepdims: attr.int(0) });
    return g.op('Transpose', [g.op('Reshape', [summed, g.initializer('s4', int64([4], [3, c, 3, k]))])], { perm: attr.ints([3, 1, 0, 2]) });
  },
  shiftGemm: (g, x, dy, n, c, k, hw) => {
    const xT = g.op('Pad', [g.op('Transpose', [x], { perm: attr.ints([1, 0, 2, 3]) }), g.initializer('pads', int64([8], [0, 0, 1, 1, 0, 0, 1, 1]))]);
    const dyT = g.op('Reshape', [g.op('Transpose', [dy], { perm: attr.ints([1, 0, 2, 3]) }), g.initializer('s1', int64([2], [k, n * hw * hw]))]);
    const parts: string[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const sl = g.op('Slice', [xT, g.initializer(`st${i}${j}`, int64([2], [i, j])), g.initializer(`en${i}${j}`, int64([2], [i + hw, j + hw])), g.initializer(`ax${i}${j}`, int64([2], [2, 3]))]);
      const flat = g.op('Reshape', [sl, g.initializer(`f${i}${j}`, int64([2], [c, n * hw * hw]))]);
      parts.push(g.op('Unsqueeze', [g.op('Gemm', [dyT, flat], { transB: attr.int(1) }), g.initializer(`u${i}${j}`, int64([1], [2]))]));
    }
    return g.op('Reshape', [g.op('Concat', parts, { axis: attr.int(2) }), g.initializer('s9', int64([4], [k, c, 3, 3]))]);
  },
};

const r = new Random(0);
for (const [n, c, k, hw] of shapes as [number, number, number, number][]) {
  const x = float32([n, c, hw, hw], r.fillNormal(new Float32Array(n * c * hw * hw), 1));
  const dy = float32([n, k, hw, hw], r.fillNormal(new Float32Array(n * k * hw * hw), 1));
  let reference: Float32Array | undefined;
  const line: string[] = [];
  for (const [name, build] of [...Object.entries(variants), ...Object.entries(variants)]) {
    if (only && !only.split(',').includes(name) && name !== 'unfold') continue;
    const g = new GraphBuilder(name);
    g.output(build(g, g.input('x', 'float32', x.dims), g.input('dy', 'float32', dy.dims), n, c, k, hw), 'float32');
    const [t, out] = await time(g, { x: toOrtTensor(x), dy: toOrtTensor(dy) });
    reference ??= out;
    let err = 0;
    let norm = 0;
    for (let i = 0; i < out.length; i++) {
      err = Math.max(err, Math.abs(out[i]! - reference[i]!));
      norm = Math.max(norm, Math.abs(reference[i]!));
    }
    line.push(`${name} ${t.toFixed(1)}${err > 1e-4 * norm ? ` (WRONG ${err.toExponential(1)})` : ''}`);
  }
  console.log(`C=${c} K=${k} ${hw}x${hw}: ${line.join(' | ')}`);
}
