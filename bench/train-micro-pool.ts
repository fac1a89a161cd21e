// Micro-benchmark: 2x2/stride-2 MaxPool forward plus its gradient, by Indices + MaxUnpool or by masks.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { timeGraph } from './micro.js';
const threads = Number(process.argv[2] ?? 2);
async function time(g: GraphBuilder, feeds: Record<string, ort.Tensor>): Promise<[number, Float32Array]> {
  const { ms, out } = await timeGraph(g, feeds, { threads, output: 'last' });
  return [ms, out];
}
const pool = { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) };
const r = new Random(0);
for (const [n, c, hw] of [[64, 64, 32], [64, 128, 16], [64, 256, 8]] as const) {
  const x = toOrtTensor(float32([n, c, hw, hw], r.fillNormal(new Float32Array(n * c * hw * hw), 1)));
  const dy = toOrtTensor(float32([n, c, hw / 2, hw / 2], r.fillNormal(new Float32Array(n * c * hw * hw / 4), 1)));
  const line: string[] = [];
  let ref: Float32Array | undefined;
  const up = (g: GraphBuilder, t: string) => g.op('Reshape', [g.op('Expand', [g.op('Reshape', [t, g.initializer(`u6${t}`, int64([6], [n, c, hw / 2, 1, hw / 2, 1]))]), g.initializer(`e6${t}`, int64([6], [n, c, hw / 2, 2, hw / 2, 2]))]), g.initializer(`u4${t}`, int64([4], [n, c, hw, hw]))]);
  for (const variant of ['plainOnly', 'indicesOnly', 'unpool', 's2d', 'plainOnly', 'indicesOnly', 'unpool', 's2d']) {
    const g = new GraphBuilder(variant);
    const xi = g.input('x', 'float32', [n, c, hw, hw]);
    const dyi = g.input('dy', 'float32', [n, c, hw / 2, hw / 2]);
    if (variant === 'plainOnly') {
      g.output(g.op('MaxPool', [xi], pool), 'float32');
      g.output(g.op('Identity', [dyi]), 'float32');
    } else if (variant === 'indicesOnly') {
      const [y, idx] = g.node('MaxPool', [xi], pool, { outputs: 2 });
      g.output(y!, 'float32');
      g.output(idx!, 'int64');
      g.output(g.op('Identity', [dyi]), 'float32');
    } else if (variant === 's2d') {
      g.output(g.op('MaxPool', [xi], pool), 'float32');
      const xs = g.op('Reshape', [g.op('SpaceToDepth', [xi], { blocksize: attr.int(2) }), g.initializer('s5', int64([5], [n, 4, c, hw / 2, hw / 2]))]);
      const am = g.op('ArgMax', [xs], { axis: attr.int(1), keepdims: attr.int(1) });
      const oh = g.op('Equal', [am, g.initializer('ar', int64([4, 1, 1, 1], [0, 1, 2, 3]))]);
      const dy5 = g.op('Unsqueeze', [dyi, g.initializer('ax1', int64([1], [1]))]);
      const placed = g.op('Where', [oh, dy5, g.initializer('zero', float32([], [0]))]);
      g.output(g.op('DepthToSpace', [g.op('Reshape', [placed, g.initializer('s4', int64([4], [n, 4 * c, hw / 2, hw / 2]))])], { blocksize: attr.int(2), mode: attr.string('DCR') }), 'float32');
    } else if (variant === 'unpool') {
      const [y, idx] = g.node('MaxPool', [xi], pool, { outputs: 2 });
      g.output(y!, 'float32');
      g.output(g.op('MaxUnpool', [dyi, idx!, g.initializer('shape', int64([4], [n, c, hw, hw]))], pool), 'float32');
    } else {
      const y = g.op('MaxPool', [xi], pool);
      g.output(y, 'float32');
      const mask = g.op('Equal', [xi, up(g, y)]);
      const dx = variant === 'maskWhere' ? g.op('Where', [mask, up(g, dyi), g.initializer('zero', float32([], [0]))]) : g.op('Mul', [up(g, dyi), g.op('Cast', [mask], { to: attr.int(1) })]);
      g.output(dx, 'float32');
    }
    const [t, out] = await time(g, { x, dy });
    if (variant === 'unpool' || variant === 's2d') ref ??= out;
    let same = true;
    if (variant === 'unpool' || variant === 's2d') for (let i = 0; i < out.length; i++) if (out[i] !== ref![i]) { same = false; break; }
    line.push(`${variant} ${t.toFixed(2)}${same ? '' : ' DIFFERS'}`);
  }
  console.log(`MaxPool [${n},${c},${hw},${hw}]: ${line.join(' | ')}`);
}
