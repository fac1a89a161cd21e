/**
 * What the training loop adds to each training step: the JavaScript work between steps (the
 * Batcher copying a shuffled batch, the seeded random crop) and the per-epoch shuffle, set against
 * the step itself (median of bare `StepRunner.step` calls on one batch). The JS work is pure CPU
 * and barely moves with the machine's load; the step time does, so read the share as a bound.
 *
 * usage: npx tsx bench/learn-overhead.ts [--steps 20] [--threads 2]
 */
import { Augmenter, Batcher, buildTrainingGraph, buildZooModel, detectKernels, epochOrder, limitDataset, loadDataset, mixSeed, onnxruntimeNode, StepRunner } from '../src/index.js';
import { float32, int64 } from '../src/ir/tensor.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const BATCH = 128;
const MODEL = 'resnet20,input=1x28x28';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const steps = flag('steps', 20);
const threads = flag('threads', 2);
const full = loadDataset('mnist', { seed: 1 }).train;
const data = limitDataset(full, { limit: BATCH * 100, seed: 1 });

const batcher = new Batcher(data, { batchSize: BATCH });
const order = epochOrder(1, 0, data.count);
const copy: number[] = [];
const augment: number[] = [];
for (let s = 0; s < 100; s++) {
  const t0 = performance.now();
  const batch = batcher.batch(order.subarray(s * BATCH, (s + 1) * BATCH));
  const t1 = performance.now();
  new Augmenter({ seed: mixSeed(1, 0, s), padding: 2, flip: true }).apply(batch);
  const t2 = performance.now();
  copy.push(t1 - t0);
  augment.push(t2 - t1);
}
const shuffle: number[] = [];
for (let e = 0; e < 5; e++) {
  const t = performance.now();
  epochOrder(1, e, full.count);
  shuffle.push(performance.now() - t);
}

const graph = buildTrainingGraph(buildZooModel(MODEL, { seed: 1 }), {
  batchSize: BATCH,
  kernels: await detectKernels(onnxruntimeNode),
  loss: { kind: 'cross-entropy' },
  optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 },
  outputLogits: false,
});
const runner = await StepRunner.create(graph, { backend: onnxruntimeNode, threads });
const x = float32([BATCH, 1, 28, 28], data.images.subarray(0, BATCH * 784));
const y = int64([BATCH], Array.from(data.labels.subarray(0, BATCH)));
const stepTimes: number[] = [];
for (let i = 0; i < steps + 2; i++) {
  const t = performance.now();
  await runner.step(x, y, 0.05);
  if (i >= 2) stepTimes.push(performance.now() - t);
}
await runner.release();

const loopMs = median(copy) + median(augment);
const stepMs = median(stepTimes);
console.log(`# learn-overhead — ${new Date().toISOString().slice(0, 10)}, ${MODEL} on MNIST, batch ${BATCH}, ${threads} threads`);
console.log('| per step | ms (median) |');
console.log('|---|---|');
console.log(`| Batcher copy of a shuffled batch | ${median(copy).toFixed(3)} |`);
console.log(`| random crop (padding 2) and flip | ${median(augment).toFixed(3)} |`);
console.log(`| training step (onnxruntime) | ${stepMs.toFixed(1)} |`);
console.log(`| loop work / step | ${((100 * loopMs) / stepMs).toFixed(2)} % |`);
console.log(`per epoch: shuffle of ${full.count} indices ${median(shuffle).toFixed(1)} ms`);
