/**
 * Results fixtures for the report tests (unit and browser). `demoResults` is hand-written to
 * look like `sculpt demo` plus a criteria search on MNIST: a small CNN, dense vs UPaI (SynFlow)
 * vs Reconvene at three sparsities, latency at two configurations, per-layer widths, criteria
 * and a chosen model. Some text holds HTML metacharacters on purpose, to test escaping.
 */
import { Random } from '../src/util/random.js';
import { createResults } from '../src/report/validate.js';
import type { LayerWidthEntry, ModelEntry, Results, RunInfo } from '../src/report/results.js';

export const MACHINE = { cpu: 'AMD EPYC', cores: 2, node: 'v20.20.2', onnxruntime: '1.30.0', os: 'linux x64' } as const;

/** A command line with characters that must be escaped in HTML. */
export const HOSTILE_COMMAND = `sculpt fit cnn.onnx --min-accuracy 0.97 --label "<script>alert('x')</script> & co"`;
/** A model label with characters that must be escaped in HTML. */
export const HOSTILE_LABEL = 'Reconvene 93.75% <b>"fast"</b> & small';

const RUN: RunInfo = { date: '2025-03-14T09:26:53.000Z', command: HOSTILE_COMMAND, seed: 7, machine: MACHINE, sculpt: '0.1.0' };

const DENSE_LAYERS = [
  ['conv1', 'Conv', 32],
  ['conv2', 'Conv', 32],
  ['conv3', 'Conv', 64],
  ['conv4', 'Conv', 64],
  ['fc1', 'Gemm', 128],
  ['fc2', 'Gemm', 10],
] as const;

function layers(after: readonly number[], density: readonly number[]): LayerWidthEntry[] {
  return DENSE_LAYERS.map(([name, op, before], i) => ({ name, op, before, after: after[i]!, density: density[i]! }));
}

function latency(ms1: number, ms2: number): ModelEntry['latency'] {
  return [
    { threads: 1, batch: 1, medianMs: ms1, p90Ms: ms1 * 1.12, runs: 200 },
    { threads: 2, batch: 32, medianMs: ms2, p90Ms: ms2 * 1.08, runs: 50 },
  ];
}

const TRAINING = { epochs: 2, steps: 938, examples: 60000, seconds: 41.5 };

/** The demo-like fixture: 7 models, criteria, a choice and a Pareto front. */
export function demoResults(): Results {
  const models: ModelEntry[] = [
    {
      id: 'dense', label: 'Dense', method: 'dense', compression: 1, params: 421642, nonzeroParams: 421642, macs: 3826688, bytes: 1688315,
      quality: 0.9912, latency: latency(0.412, 6.81), training: TRAINING, layers: layers([32, 32, 64, 64, 128, 10], [1, 1, 1, 1, 1, 1]), file: 'dense.onnx',
    },
    ...([
      [0.75, 4, 0.9903, 0.36],
      [0.9375, 16, 0.9871, 0.71],
      [0.984375, 64, 0.9702, 0.94],
    ] as const).map(([sparsity, compression, quality, seconds]): ModelEntry => ({
      id: `upai-${compression}x`, label: `UPaI SynFlow ${compression}×`, method: 'upai', scorer: 'synflow', sparsity, compression,
      params: 421642, nonzeroParams: Math.round(421642 / compression), macs: 3826688, bytes: 1688315, quality,
      latency: latency(0.409, 6.77), generationSeconds: seconds, training: TRAINING,
      layers: layers([32, 32, 64, 64, 128, 10], [0.9, 1 - sparsity * 0.9, 1 - sparsity, 1 - sparsity, 1 - sparsity, 0.8]), file: `upai-${compression}x.onnx`,
    })),
    {
      id: 'reconvene-4x', label: 'Reconvene 4×', method: 'reconvene', scorer: 'synflow', sparsity: 0.75, compression: 4, params: 186214, nonzeroParams: 105410,
      macs: 1963520, bytes: 746012, quality: 0.9898, latency: latency(0.251, 3.9), generationSeconds: 0.42, training: TRAINING,
      layers: layers([32, 24, 48, 40, 96, 10], [0.95, 0.8, 0.6, 0.5, 0.4, 0.9]), file: 'reconvene-4x.onnx',
    },
    {
      id: 'reconvene-16x', label: HOSTILE_LABEL, method: 'reconvene', scorer: 'synflow', sparsity: 0.9375, compression: 16, params: 52630, nonzeroParams: 26352,
      macs: 771072, bytes: 212870, quality: 0.9853, latency: latency(0.118, 1.62), generationSeconds: 0.77, training: TRAINING,
      layers: layers([28, 16, 24, 20, 48, 10], [0.9, 0.7, 0.6, 0.5, 0.4, 0.9]), file: 'reconvene-16x.onnx',
    },
    {
      id: 'reconvene-64x', label: 'Reconvene 64×', method: 'reconvene', scorer: 'synflow', sparsity: 0.984375, compression: 64, params: 13114, nonzeroParams: 6588,
      macs: 243712, bytes: 55220, quality: 0.9611, latency: latency(0.061, 0.58), generationSeconds: 0.96, training: TRAINING,
      layers: layers([20, 8, 12, 10, 24, 10], [0.9, 0.7, 0.6, 0.5, 0.4, 0.9]), file: 'reconvene-64x.onnx',
    },
  ];
  return createResults({
    task: { dataset: 'mnist', task: 'classification', metric: 'accuracy', inputShape: [1, 1, 28, 28] },
    runs: [RUN],
    models,
    criteria: { minQuality: 0.98, maxLatency: { ms: 0.3, threads: 1, batch: 1 }, maxBytes: 1000000 },
    choice: { id: 'reconvene-16x', reason: 'Reconvene 16× is the smallest model that keeps accuracy above 98% and answers in under 0.3 ms on one thread.' },
    pareto: { objectives: ['quality', 'bytes'], ids: ['dense', 'reconvene-4x', 'reconvene-16x', 'reconvene-64x'] },
  });
}

/** One model, nothing measured but size: what `sculpt prune --json` writes for a segmentation model. */
export function singleModelResults(): Results {
  return createResults({
    task: { dataset: 'phantom', task: 'segmentation', metric: 'dice' },
    runs: [{ date: '2025-03-14T10:00:00Z', command: 'sculpt prune unet.onnx --method reconvene --sparsity 0.9 --json', seed: 0, machine: MACHINE }],
    models: [{ id: 'unet-pruned', label: 'U-Net Reconvene 10×', method: 'reconvene', scorer: 'synflow', sparsity: 0.9, compression: 10, params: 196000, macs: 98000000, bytes: 790000, quality: null, latency: [] }],
  });
}

const METHODS = [
  ['upai', 'synflow'],
  ['upai', 'snip'],
  ['reconvene', 'synflow'],
  ['reconvene', 'snip'],
  ['structured-zero', 'synflow'],
] as const;

/** `count` models from five method/scorer pairs over ten sparsities: a large experiment's results. */
export function manyModelResults(count: number, seed = 1): Results {
  const random = new Random(seed);
  const models: ModelEntry[] = [{ id: 'dense', label: 'Dense', method: 'dense', compression: 1, params: 2400000, macs: 310000000, bytes: 9600000, quality: 0.93, latency: latency(9.5, 150) }];
  for (let i = 1; i < count; i += 1) {
    const [method, scorer] = METHODS[i % METHODS.length]!;
    const step = Math.floor(i / METHODS.length) % 10;
    const sparsity = 1 - 2 ** -(step + 1);
    const compression = 1 / (1 - sparsity);
    const structured = method !== 'upai';
    const shrink = structured ? Math.sqrt(compression) * (0.8 + 0.4 * random.uniform()) : 1;
    const before = [64, 64, 128, 128, 256, 256, 512, 512];
    models.push({
      id: `${method}-${scorer}-${i}`,
      label: `${method} ${scorer} ${compression}× #${i}`,
      method,
      scorer,
      sparsity,
      compression,
      params: Math.round(2400000 / shrink),
      nonzeroParams: Math.round(2400000 / compression),
      macs: Math.round(310000000 / shrink),
      bytes: Math.round(9600000 / shrink),
      quality: Math.max(0.1, 0.93 - 0.01 * step * (structured ? 1.4 : 0.8) - 0.01 * random.uniform()),
      latency: latency(9.5 / shrink, 150 / shrink),
      layers: before.map((b, k) => ({ name: `features.${k * 3}`, op: 'Conv', before: b, after: structured ? Math.max(1, Math.round(b / Math.sqrt(shrink))) : b })),
    });
  }
  return createResults({
    task: { dataset: 'cifar10', task: 'classification', metric: 'accuracy', inputShape: [1, 3, 32, 32] },
    runs: [{ ...RUN, command: 'npm run experiments -- reconvene' }],
    models,
  });
}
