// Micro-benchmark: the ReLU gradient dY * (y > 0) formulations.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { timeGraph } from './micro.js';
const time = async (g: GraphBuilder, feeds: Record<string, ort.Tensor>): Promise<number> => (await timeGraph(g, feeds, { threads: 2, reps: 14 })).ms;
const r = new Random(0);
const dims = [64, 64, 32, 32];
const size = dims.reduce((a, b) => a * b, 1);
const y = toOrtTensor(float32(dims, r.fillNormal(new Float32Array(size), 1).map((v) => Math.max(v, 0))));
const dy = toOrtTensor(float32(dims, r.fillNormal(new Float32Array(size), 1)));
const line: string[] = [];
for (const v of ['mulCast', 'where', 'sign', 'mulCast', 'where', 'sign']) {
  const g = new GraphBuilder(v);
  const yi = g.input('y', 'float32', dims);
  const di = g.input('dy', 'float32', dims);
  const zero = g.initializer('z', float32([], [0]));
  const out = v === 'mulCast' ? g.op('Mul', [di, g.op('Cast', [g.op('Greater', [yi, zero])], { to: attr.int(1) })]) : v === 'where' ? g.op('Where', [g.op('Greater', [yi, zero]), di, zero]) : g.op('Mul', [di, g.op('Sign', [yi])]);
  g.output(out, 'float32');
  line.push(`${v} ${(await time(g, { y, dy })).toFixed(2)}`);
}
console.log(`ReLU grad ${dims.join('x')}: ${line.join(' | ')}`);
