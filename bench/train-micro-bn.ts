// Micro-benchmark: training-mode batch-norm forward (y and the batch statistics) formulations.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { timeGraph } from './micro.js';
const threads = Number(process.argv[2] ?? 2);
const time = async (g: GraphBuilder, feeds: Record<string, ort.Tensor>): Promise<number> => (await timeGraph(g, feeds, { threads })).ms;
const r = new Random(0);
for (const [n, c, hw] of [[64, 16, 32], [64, 64, 32], [64, 256, 8]] as const) {
  const x = toOrtTensor(float32([n, c, hw, hw], r.fillNormal(new Float32Array(n * c * hw * hw), 1)));
  const line: string[] = [];
  for (const variant of ['fused', 'explicit', 'stats+eval', 'fused', 'explicit', 'stats+eval']) {
    const g = new GraphBuilder(variant);
    const xi = g.input('x', 'float32', [n, c, hw, hw]);
    const scale = g.initializer('s', float32([c], new Float32Array(c).fill(1)));
    const bias = g.initializer('b', float32([c], new Float32Array(c)));
    const axes = g.initializer('axes', int64([3], [0, 2, 3]));
    const shape = g.initializer('shape', int64([4], [1, c, 1, 1]));
    if (variant === 'fused') {
      const z1 = g.op('Mul', [g.op('ReduceMax', [xi], { axes: attr.ints([0, 2, 3]), keepdims: attr.int(0) }), g.initializer('zero', float32([], [0]))]);
      const outs = g.node('BatchNormalization', [xi, scale, bias, z1, g.op('Sub', [z1, z1])], { momentum: attr.float(0), training_mode: attr.int(1) }, { outputs: 3 });
      outs.forEach((o) => g.output(o, 'float32'));
    } else if (variant === 'explicit') {
      const mean = g.op('ReduceMean', [xi], { axes: attr.ints([0, 2, 3]) });
      const cen = g.op('Sub', [xi, mean]);
      const v = g.op('ReduceMean', [g.op('Mul', [cen, cen])], { axes: attr.ints([0, 2, 3]) });
      const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [v, g.initializer('eps', float32([], [1e-5]))])])]);
      g.output(g.op('Add', [g.op('Mul', [cen, g.op('Mul', [inv, g.op('Reshape', [scale, shape])])]), g.op('Reshape', [bias, shape])]), 'float32');
      g.output(mean, 'float32'); g.output(v, 'float32');
    } else {
      const mean = g.op('ReduceMean', [xi], { axes: attr.ints([0, 2, 3]), keepdims: attr.int(0) });
      const sq = g.op('ReduceSumSquare', [xi], { axes: attr.ints([0, 2, 3]), keepdims: attr.int(0) });
      const v = g.op('Sub', [g.op('Mul', [sq, g.initializer('inv', float32([], [1 / (n * hw * hw)]))]), g.op('Mul', [mean, mean])]);
      g.output(g.op('BatchNormalization', [xi, scale, bias, mean, v]), 'float32');
      g.output(mean, 'float32'); g.output(v, 'float32');
      void axes;
    }
    line.push(`${variant} ${(await time(g, { x })).toFixed(2)}`);
  }
  console.log(`BN forward [${n},${c},${hw},${hw}] (${(n * c * hw * hw * 4 / 1e6).toFixed(0)} MB): ${line.join(' | ')}`);
}
