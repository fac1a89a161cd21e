/**
 * Per-op-type profile of one training step (onnxruntime's profiler): where a step's time goes.
 * usage: npx tsx bench/train-profile.ts [resnet20|vgg11] [threads] [steps]
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { buildTrainingGraph } from '../src/autodiff/training-graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { TRAIN_MODELS } from './train-models.js';
import { detectKernels } from '../src/autodiff/kernels.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';

/** Milliseconds per op type per step, and per node, from a profile of `steps` steps after warm-up. */
export async function profileTrainingStep(name: keyof typeof TRAIN_MODELS, threads: number, steps: number, build = buildTrainingGraph) {
  const kernels = process.env.PLAIN ? {} : await detectKernels(onnxruntimeNode);
  const graph = build(TRAIN_MODELS[name](), { kernels, batchSize: 64, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 } });
  const session = await ort.InferenceSession.create(encodeModel(graph.model), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableProfiling: true,
    profileFilePrefix: `/tmp/sculpt-train-profile-${process.pid}`,
  });
  const random = new Random(0);
  const feeds: Record<string, ort.Tensor> = {
    [graph.inputs.batch]: toOrtTensor(float32([64, 3, 32, 32], random.fillNormal(new Float32Array(64 * 3 * 1024), 1))),
    [graph.inputs.labels]: toOrtTensor(int64([64], Array.from({ length: 64 }, () => random.int(10)))),
    [graph.inputs.learningRate]: toOrtTensor(float32([], [0.01])),
  };
  for (const s of graph.state) feeds[s.input] = toOrtTensor(s.initial);
  for (let i = 0; i < steps + 2; i++) await session.run(feeds);
  session.endProfiling();
  await session.release();
  // onnxruntime-node does not return the file name: it is the prefix plus a timestamp.
  const prefix = `sculpt-train-profile-${process.pid}`;
  const file = `/tmp/${readdirSync('/tmp').find((f) => f.startsWith(prefix))!}`;
  const events = JSON.parse(readFileSync(file, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
  rmSync(file);
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').map((e) => e.dur / 1000);
  const byType = new Map<string, number>();
  const byNode = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    byType.set(op, (byType.get(op) ?? 0) + e.dur / 1000 / (steps + 2));
    const node = e.name.slice(0, -'_kernel_time'.length);
    byNode.set(node, (byNode.get(node) ?? 0) + e.dur / 1000 / (steps + 2));
  }
  return { runs, byType: [...byType].sort((a, b) => b[1] - a[1]), byNode: [...byNode].sort((a, b) => b[1] - a[1]) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [name = 'resnet20', threads = '2', steps = '5'] = process.argv.slice(2);
  const result = await profileTrainingStep(name as keyof typeof TRAIN_MODELS, Number(threads), Number(steps));
  const total = result.byType.reduce((a, [, ms]) => a + ms, 0);
  console.log(`${name}, ${threads} thread(s): step ${result.runs.slice(2).map((r) => r.toFixed(0)).join(' ')} ms; kernels ${total.toFixed(1)} ms/step`);
  for (const [op, ms] of result.byType) console.log(`  ${op.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%`);
  if (process.env.NODES) for (const [node, ms] of result.byNode.slice(0, Number(process.env.NODES))) console.log(`    ${ms.toFixed(2).padStart(7)} ${node}`);
}
