import { buildTrainingGraph } from '../src/autodiff/training-graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { StepRunner } from '../src/train/step-runner.js';
import { Random } from '../src/util/random.js';
import { TRAIN_MODELS } from './train-models.js';
import { detectKernels } from '../src/autodiff/kernels.js';
const [name = 'resnet20', threads = '2', steps = '8'] = process.argv.slice(2);
const model = TRAIN_MODELS[name as keyof typeof TRAIN_MODELS]();
let t = performance.now();
const kernels = process.env.PLAIN ? {} : await detectKernels(onnxruntimeNode);
t = performance.now();
const graph = buildTrainingGraph(model, { kernels, batchSize: 64, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 } });
const build = performance.now() - t;
t = performance.now();
const runner = await StepRunner.create(graph, { backend: onnxruntimeNode, threads: Number(threads) });
const create = performance.now() - t;
const r = new Random(0);
const x = float32([64, 3, 32, 32], r.fillNormal(new Float32Array(64 * 3 * 1024), 1));
const y = int64([64], Array.from({ length: 64 }, () => r.int(10)));
const times: number[] = [];
const losses: number[] = [];
for (let i = 0; i < 3 + Number(steps); i++) {
  t = performance.now();
  losses.push(await runner.step(x, y, 0.01));
  if (i >= 3) times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ name, threads, build: Math.round(build), create: Math.round(create), nodes: graph.model.graph.nodes.length, median: times[times.length >> 1]!.toFixed(1), min: times[0]!.toFixed(1), loss: [losses[0], losses.at(-1)] }));
