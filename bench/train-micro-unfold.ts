// Micro-benchmark: ways to unfold X [N, C, H, W] into 3x3 receptive fields [N, C*9, H*W].
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32, int64, tensor } from '../src/ir/tensor.js';
import { toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { timeGraph } from './micro.js';
const threads = Number(process.argv[2] ?? 2);
async function time(g: GraphBuilder, feeds: Record<string, ort.Tensor>, reps = 10): Promise<[number, Float32Array]> {
  const { ms, out } = await timeGraph(g, feeds, { threads, reps });
  return [ms, out];
}
const onehot = (c: number) => { const w = new Float32Array(c * 81); for (let ci = 0; ci < c; ci++) for (let q = 0; q < 9; q++) w[(ci * 9 + q) * 9 + q] = 1; return w; };
const variants: Record<string, (g: GraphBuilder, x: string, n: number, c: number, hw: number) => string> = {
  groupedConv: (g, x, n, c, hw) => g.op('Reshape', [g.op('Conv', [x, g.initializer('w', tensor('float32', [c * 9, 1, 3, 3], onehot(c)))], { group: attr.int(c), pads: attr.ints([1, 1, 1, 1]) }), g.initializer('s', int64([3], [n, c * 9, hw * hw]))]),
  singleChannelConv: (g, x, n, c, hw) => g.op('Reshape', [g.op('Conv', [g.op('Reshape', [x, g.initializer('s0', int64([4], [n * c, 1, hw, hw]))]), g.initializer('w', tensor('float32', [9, 1, 3, 3], onehot(1)))], { pads: attr.ints([1, 1, 1, 1]) }), g.initializer('s', int64([3], [n, c * 9, hw * hw]))]),
  padGather: (g, x, n, c, hw) => {
    const wp = hw + 2;
    const xp = g.op('Reshape', [g.op('Pad', [x, g.initializer('pads', int64([8], [0, 0, 1, 1, 0, 0, 1, 1]))]), g.initializer('fl', int64([3], [n, c, wp * wp]))]);
    const idx: number[] = [];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let i = 0; i < hw; i++) for (let j = 0; j < hw; j++) idx.push((i + a) * wp + (j + b));
    return g.op('Reshape', [g.op('Gather', [xp, g.initializer('idx', int64([idx.length], idx))], { axis: attr.int(2) }), g.initializer('s', int64([3], [n, c * 9, hw * hw]))]);
  },
  padSliceConcat: (g, x, n, c, hw) => {
    const xp = g.op('Pad', [x, g.initializer('pads', int64([8], [0, 0, 1, 1, 0, 0, 1, 1]))]);
    const parts: string[] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) parts.push(g.op('Unsqueeze', [g.op('Slice', [xp, g.initializer(`st${i}${j}`, int64([2], [i, j])), g.initializer(`en${i}${j}`, int64([2], [i + hw, j + hw])), g.initializer(`ax${i}${j}`, int64([2], [2, 3]))]), g.initializer(`u${i}${j}`, int64([1], [2]))]));
    return g.op('Reshape', [g.op('Concat', parts, { axis: attr.int(2) }), g.initializer('s', int64([3], [n, c * 9, hw * hw]))]);
  },
};
const r = new Random(0);
for (const [n, c, hw] of [[64, 16, 32], [64, 32, 16], [64, 64, 8]] as const) {
  const x = float32([n, c, hw, hw], r.fillNormal(new Float32Array(n * c * hw * hw), 1));
  const line: string[] = [];
  let ref: Float32Array | undefined;
  for (const [name, build] of Object.entries(variants)) {
    const g = new GraphBuilder(name);
    g.output(build(g, g.input('x', 'float32', x.dims), n, c, hw), 'float32');
    const [t, out] = await time(g, { x: toOrtTensor(x) });
    ref ??= out;
    let bad = false;
    for (let i = 0; i < out.length; i++) if (out[i] !== ref[i]) { bad = true; break; }
    line.push(`${name} ${t.toFixed(2)}${bad ? ' WRONG' : ''}`);
  }
  console.log(`unfold C=${c} ${hw}x${hw}: ${line.join(' | ')}`);
}
