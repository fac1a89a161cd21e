// Times a training step with raw onnxruntime session options (execution mode, threads).
import * as ort from 'onnxruntime-node';
import { detectKernels } from '../src/autodiff/kernels.js';
import { buildTrainingGraph } from '../src/autodiff/training-graph.js';
import { float32, int64, type Tensor } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { fromOrtTensor, onnxruntimeNode, toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { TRAIN_MODELS } from './train-models.js';
const [name = 'resnet20', mode = 'sequential', intra = '2', inter = '1', steps = '8'] = process.argv.slice(2);
const kernels = await detectKernels(onnxruntimeNode);
const graph = buildTrainingGraph(TRAIN_MODELS[name as 'resnet20'](), { kernels, batchSize: 64, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 } });
const session = await ort.InferenceSession.create(encodeModel(graph.model), { executionProviders: ['cpu'], executionMode: mode as 'parallel', intraOpNumThreads: Number(intra), interOpNumThreads: Number(inter), graphOptimizationLevel: 'all' });
const r = new Random(0);
const feeds: Record<string, ort.Tensor> = {
  [graph.inputs.batch]: toOrtTensor(float32([64, 3, 32, 32], r.fillNormal(new Float32Array(64 * 3 * 1024), 1))),
  [graph.inputs.labels]: toOrtTensor(int64([64], Array.from({ length: 64 }, () => r.int(10)))),
  [graph.inputs.learningRate]: toOrtTensor(float32([], [0.01])),
};
for (const s of graph.state) feeds[s.input] = toOrtTensor(s.initial);
const times: number[] = [];
for (let i = 0; i < Number(steps) + 3; i++) {
  const t = performance.now();
  const out = await session.run(feeds);
  for (const s of graph.state) feeds[s.input] = out[s.output] as ort.Tensor;
  if (i >= 3) times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(name, mode, `intra ${intra} inter ${inter}`, 'median', times[times.length >> 1]!.toFixed(1), 'min', times[0]!.toFixed(1));
void fromOrtTensor; void (0 as unknown as Tensor);
