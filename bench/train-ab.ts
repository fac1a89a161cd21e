/**
 * A/B comparison of two training-step configurations on a shared, noisy machine: both sessions
 * live in one process and alternate step by step, so load from other processes hits both; the
 * median of per-pair ratios is the result.
 *
 * usage: npx tsx bench/train-ab.ts MODEL A B [pairs]   with A, B among the presets below
 */
import * as ort from 'onnxruntime-node';
import { detectKernels } from '../src/autodiff/kernels.js';
import { buildTrainingGraph, type TrainingGraph } from '../src/autodiff/training-graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import type { KernelTarget } from '../src/ops/backward.js';
import { encodeModel } from '../src/onnx/encode.js';
import { onnxruntimeNode, toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { buildZooModel } from '../src/zoo/index.js';

interface Preset {
  readonly kernels: (detected: KernelTarget) => KernelTarget;
  readonly session: ort.InferenceSession.SessionOptions;
}

const sequential = { executionMode: 'sequential', intraOpNumThreads: 2, interOpNumThreads: 1 } as const;
const PRESETS: Record<string, Preset> = {
  plain: { kernels: () => ({}), session: sequential },
  nchwc: { kernels: (k) => k, session: sequential },
  unfold: { kernels: (k) => ({ ...k, prefer: { convWeightGradient: 'unfold' } }), session: sequential },
  shifted: { kernels: (k) => ({ ...k, prefer: { convWeightGradient: 'shifted' } }), session: sequential },
  parallel: { kernels: (k) => k, session: { executionMode: 'parallel', intraOpNumThreads: 1, interOpNumThreads: 2 } },
  parallel2: { kernels: (k) => k, session: { executionMode: 'parallel', intraOpNumThreads: 2, interOpNumThreads: 2 } },
  one: { kernels: (k) => k, session: { ...sequential, intraOpNumThreads: 1 } },
  explicitBn: { kernels: (k) => ({ ...k, prefer: { batchStatistics: 'explicit' } }), session: sequential },
};

async function prepare(name: string, preset: Preset, detected: KernelTarget) {
  const graph: TrainingGraph = buildTrainingGraph(buildZooModel(name), { batchSize: 64, kernels: preset.kernels(detected), loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 } });
  const session = await ort.InferenceSession.create(encodeModel(graph.model), { executionProviders: ['cpu'], graphOptimizationLevel: 'all', ...preset.session });
  const random = new Random(0);
  const feeds: Record<string, ort.Tensor> = {
    [graph.inputs.batch]: toOrtTensor(float32([64, 3, 32, 32], random.fillNormal(new Float32Array(64 * 3 * 1024), 1))),
    [graph.inputs.labels]: toOrtTensor(int64([64], Array.from({ length: 64 }, () => random.int(10)))),
    [graph.inputs.learningRate]: toOrtTensor(float32([], [0.01])),
  };
  for (const s of graph.state) feeds[s.input] = toOrtTensor(s.initial);
  return async (): Promise<number> => {
    const t = performance.now();
    const out = await session.run(feeds);
    for (const s of graph.state) feeds[s.input] = out[s.output] as ort.Tensor;
    return performance.now() - t;
  };
}

const [model = 'resnet20', a = 'plain', b = 'nchwc', pairs = '10'] = process.argv.slice(2);
const detected = await detectKernels(onnxruntimeNode);
const stepA = await prepare(model, PRESETS[a]!, detected);
const stepB = await prepare(model, PRESETS[b]!, detected);
for (let i = 0; i < 2; i++) await Promise.all([await stepA(), await stepB()]);
const ta: number[] = [];
const tb: number[] = [];
const ratios: number[] = [];
for (let i = 0; i < Number(pairs); i++) {
  const x = i % 2 ? await stepA() : await stepB();
  const y = i % 2 ? await stepB() : await stepA();
  const [msA, msB] = i % 2 ? [x, y] : [y, x];
  ta.push(msA);
  tb.push(msB);
  ratios.push(msA / msB);
}
const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[xs.length >> 1]!;
// The order within a pair matters (the second session finds caches holding the first's data), so
// pairs alternate the order and the geometric mean of the ratios balances it out.
const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
console.log(`${model}: ${a} ${median(ta).toFixed(1)} ms (min ${Math.min(...ta).toFixed(1)}), ${b} ${median(tb).toFixed(1)} ms (min ${Math.min(...tb).toFixed(1)}); ${a}/${b} = ${geomean.toFixed(3)}, min ratio ${(Math.min(...ta) / Math.min(...tb)).toFixed(3)} (pairs: ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
