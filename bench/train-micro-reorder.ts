// Micro-benchmark: reordering a conv filter [O, I, 3, 3] to the NCHWc layout [O/B, I/B, 9, Bi, Bo] inside the graph.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { timeGraph } from './micro.js';
const B = 16;
async function time(g: GraphBuilder, feeds: Record<string, ort.Tensor>): Promise<[number, Float32Array]> {
  const { ms, out } = await timeGraph(g, feeds, { threads: 2 });
  return [ms, out];
}
const r = new Random(0);
for (const [o, i] of [[128, 64], [256, 256], [512, 512]] as const) {
  const w = toOrtTensor(float32([o, i, 3, 3], r.fillNormal(new Float32Array(o * i * 9), 1)));
  const line: string[] = [];
  let ref: Float32Array | undefined;
  for (const v of ['perm5', 'twoStep', 'threeStep', 'matmul', 'perm5', 'twoStep', 'threeStep', 'matmul']) {
    const g = new GraphBuilder(v);
    const wi = g.input('w', 'float32', [o, i, 3, 3]);
    let out: string;
    if (v === 'perm5') {
      out = g.op('Transpose', [g.op('Reshape', [wi, g.initializer('s', int64([5], [o / B, B, i / B, B, 9]))])], { perm: attr.ints([0, 2, 4, 3, 1]) });
    } else if (v === 'twoStep') {
      // per ob: [Bo, Ib*Bi*9] -> [Ib*Bi*9, Bo]; then per (ob, ib): [Bi, 9, Bo] -> [9, Bi, Bo]
      const a = g.op('Transpose', [g.op('Reshape', [wi, g.initializer('s', int64([3], [o / B, B, i * 9]))])], { perm: attr.ints([0, 2, 1]) });
      out = g.op('Transpose', [g.op('Reshape', [a, g.initializer('s2', int64([5], [o / B, i / B, B, 9, B]))])], { perm: attr.ints([0, 1, 3, 2, 4]) });
    } else if (v === 'matmul') {
      // Two batched 2-D transposes as products with an identity (FusedMatMul with transA runs on all threads,
      // onnxruntime's Transpose on one): per (O, Ib) [Bi, 9] -> [9, Bi]; then per Ob [Bo, Ib*9*Bi] -> [Ib*9*Bi, Bo].
      const eye = g.initializer('eye', float32([B, B], Float32Array.from({ length: B * B }, (_, k) => (k % (B + 1) === 0 ? 1 : 0))));
      const ms = { domain: 'com.microsoft' };
      const a = g.op('FusedMatMul', [g.op('Reshape', [wi, g.initializer('s', int64([3], [o * (i / B), B, 9]))]), eye], { transA: attr.int(1) }, ms); // [O*Ib, 9, Bi]
      out = g.op('FusedMatMul', [g.op('Reshape', [a, g.initializer('s2', int64([3], [o / B, B, i * 9]))]), eye], { transA: attr.int(1) }, ms); // [Ob, Ib*9*Bi, Bo]
    } else {
      // [O, I, 9] -> [O, 9, I] (per o 2-D) -> [Ob, Bo, 9, Ib, Bi] -> [Ob, Ib, 9, Bi, Bo]?? use [Ob, Bo, 9*I] -> [Ob, 9*I, Bo] then [Ob, 9, Ib, Bi, Bo] -> [Ob, Ib, 9, Bi, Bo]
      const a = g.op('Transpose', [g.op('Reshape', [wi, g.initializer('s', int64([3], [o, i, 9]))])], { perm: attr.ints([0, 2, 1]) }); // [O, 9, I]
      const b2 = g.op('Transpose', [g.op('Reshape', [a, g.initializer('s2', int64([3], [o / B, B, 9 * i]))])], { perm: attr.ints([0, 2, 1]) }); // [Ob, 9*I, Bo]
      out = g.op('Transpose', [g.op('Reshape', [b2, g.initializer('s3', int64([4], [o / B, 9, i / B, B * B]))])], { perm: attr.ints([0, 2, 1, 3]) }); // [Ob, Ib, 9, Bi*Bo]
    }
    g.output(out, 'float32');
    const [t, res] = await time(g, { w });
    ref ??= res;
    let same = true;
    for (let k = 0; k < res.length; k++) if (res[k] !== ref[k]) { same = false; break; }
    line.push(`${v} ${t.toFixed(2)}${same ? '' : ' DIFFERS'}`);
  }
  console.log(`reorder [${o},${i},3,3]: ${line.join(' | ')}`);
}
