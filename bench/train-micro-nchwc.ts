// Micro-benchmark: one 3x3 conv at training shapes, weights as an input, in onnxruntime:
// standard Conv vs com.microsoft.nchwc Conv with the weights reordered inside the graph.
import * as ort from 'onnxruntime-node';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { timeGraph } from './micro.js';

const B = 16;
const threads = Number(process.argv[2] ?? 2);
const shapes = [[64, 16, 16, 32], [64, 32, 32, 16], [64, 64, 64, 8], [64, 128, 128, 16], [64, 256, 256, 8], [64, 512, 512, 4]];
async function time(model: ReturnType<typeof modelFromGraph>, feeds: Record<string, ort.Tensor>, reps = 8): Promise<[number, Float32Array]> {
  const { ms, out } = await timeGraph(model, feeds, { threads, reps, optimizeAll: true, statistic: 'median' });
  return [ms, out];
}
const r = new Random(0);
for (const [n, c, k, hw] of shapes as [number, number, number, number][]) {
  const x = float32([n, c, hw, hw], r.fillNormal(new Float32Array(n * c * hw * hw), 1));
  const w = float32([k, c, 3, 3], r.fillNormal(new Float32Array(k * c * 9), 0.1));
  const conv = { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) };
  // (a) standard
  let g = new GraphBuilder('a');
  g.output(g.op('Conv', [g.input('x', 'float32', x.dims), g.input('w', 'float32', w.dims)], conv), 'float32');
  const [ta, ya] = await time(modelFromGraph(g.build()), { x: toOrtTensor(x), w: toOrtTensor(w) });
  // (b) constant weights
  g = new GraphBuilder('b');
  g.output(g.op('Conv', [g.input('x', 'float32', x.dims), g.initializer('w', w)], conv), 'float32');
  const [tb] = await time(modelFromGraph(g.build()), { x: toOrtTensor(x) });
  // (c) nchwc with in-graph reorder: W [K, C, 3, 3] -> [K/B, Bo, C/B, Bi, 9] -> [K/B, C/B, 9, Bi, Bo]
  const nchwc = (blockedInput: boolean) => {
    const g2 = new GraphBuilder('c');
    const xin = g2.input('x', 'float32', x.dims);
    const wi = g2.input('w', 'float32', w.dims);
    const wr = g2.op('Reshape', [wi, g2.initializer('s1', int64([5], [k / B, B, c / B, B, 9]))]);
    const wt = g2.op('Transpose', [wr], { perm: attr.ints([0, 2, 4, 3, 1]) });
    const wb = g2.op('Reshape', [wt, g2.initializer('s2', int64([4], [k, c, 3, 3]))]);
    const xb = blockedInput ? xin : g2.op('ReorderInput', [xin], {}, { domain: 'com.microsoft.nchwc' });
    const yb = g2.op('Conv', [xb, wb], conv, { domain: 'com.microsoft.nchwc' });
    g2.output(blockedInput ? yb : g2.op('ReorderOutput', [yb], { channels: attr.int(k) }, { domain: 'com.microsoft.nchwc' }), 'float32');
    return modelFromGraph(g2.build(), { extraOpsets: [{ domain: 'com.microsoft.nchwc', version: 1 }] });
  };
  const [tc, yc] = await time(nchwc(false), { x: toOrtTensor(x), w: toOrtTensor(w) });
  const [td] = await time(nchwc(true), { x: toOrtTensor(x), w: toOrtTensor(w) });
  let maxDiff = 0;
  for (let i = 0; i < ya.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ya[i]! - yc[i]!));
  console.log(`C=${c} K=${k} ${hw}x${hw}: Conv(W input) ${ta.toFixed(2)} ms | Conv(W const) ${tb.toFixed(2)} | nchwc+reorders ${tc.toFixed(2)} | nchwc blocked-in/out ${td.toFixed(2)} | max diff ${maxDiff.toExponential(1)}`);
}
