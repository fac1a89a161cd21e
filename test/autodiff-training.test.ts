// Training-step and eval graphs end to end: a CNN learns MNIST digits, running statistics follow
// PyTorch, metrics and exports agree with the runtime, and the graphs have the structure chosen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEvalGraph } from '../src/autodiff/eval-graph.js';
import { buildTrainingGraph } from '../src/autodiff/training-graph.js';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr, type Model } from '../src/ir/graph.js';
import { float32, int64, type Tensor } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { EvalRunner, StepRunner } from '../src/train/step-runner.js';
import { Random } from '../src/util/random.js';
import { isSculptError } from '../src/errors.js';
import { maxAbsDiff } from './helpers/numeric.js';
import { mnistSubset } from './helpers/mnist.js';

const backend = onnxruntimeNode;

function kaiming(random: Random, dims: number[]): Tensor {
  const fanIn = dims.slice(1).reduce((a, b) => a * b, 1);
  return float32(dims, random.fillNormal(new Float32Array(dims.reduce((a, b) => a * b, 1)), Math.sqrt(2 / fanIn)));
}

/** conv-BN-ReLU-pool twice, then a linear classifier: a small CNN for 28x28 digits. */
function digitsCnn(random: Random, options: { dropout?: boolean } = {}): Model {
  const g = new GraphBuilder('digits');
  let h = g.input('input', 'float32', ['batch', 1, 28, 28]);
  let channels = 1;
  for (const [i, width] of [8, 16].entries()) {
    const w = g.initializer(`conv${i}.weight`, kaiming(random, [width, channels, 3, 3]));
    const bn = ['weight', 'bias', 'running_mean', 'running_var'].map((p) => g.initializer(`bn${i}.${p}`, float32([width], new Float32Array(width).fill(p === 'weight' || p === 'running_var' ? 1 : 0))));
    h = g.op('BatchNormalization', [g.op('Conv', [h, w], { pads: attr.ints([1, 1, 1, 1]) }), ...bn]);
    h = g.op('MaxPool', [g.op('Relu', [h])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
    channels = width;
  }
  h = g.op('Flatten', [h]);
  if (options.dropout) h = g.op('Dropout', [h, g.initializer('ratio', float32([], [0.5]))]);
  const fc = g.initializer('fc.weight', kaiming(random, [10, 16 * 7 * 7]));
  const fcBias = g.initializer('fc.bias', float32([10], new Float32Array(10)));
  g.output(g.op('Gemm', [h, fc, fcBias], { transB: attr.int(1) }), 'float32', ['batch', 10]);
  return modelFromGraph(g.build());
}

function batchOf(data: { images: Float32Array; labels: number[] }, start: number, size: number): [Tensor, Tensor] {
  return [float32([size, 1, 28, 28], data.images.slice(start * 784, (start + size) * 784)), int64([size], data.labels.slice(start, start + size))];
}

describe('training on onnxruntime', () => {
  it('teaches a small CNN MNIST digits: the loss falls and accuracy beats chance', async () => {
    const random = new Random(1);
    const model = digitsCnn(random);
    const train = mnistSubset(0, 1920);
    const test = mnistSubset(50000, 500);
    const batch = 32;
    const runner = await StepRunner.create(buildTrainingGraph(model, { batchSize: batch, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 } }), { backend, threads: 1 });
    const evaluator = await EvalRunner.create(buildEvalGraph(model, { batchSize: 500 }), { backend, threads: 1 });
    try {
      const losses: number[] = [];
      for (let step = 0; step < train.labels.length / batch; step++) losses.push(await runner.step(...batchOf(train, step * batch, batch), 0.05));
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      assert.ok(mean(losses.slice(-10)) < 0.6 * mean(losses.slice(0, 10)), `loss ${mean(losses.slice(0, 10)).toFixed(3)} -> ${mean(losses.slice(-10)).toFixed(3)}`);
      const result = await evaluator.run(...batchOf(test, 0, 500), runner.parameters());
      const accuracy = result.correct! / result.count;
      assert.ok(accuracy > 0.6, `held-out accuracy ${accuracy} (chance 0.1)`);
      const untrained = await evaluator.run(...batchOf(test, 0, 500));
      assert.ok(untrained.correct! < result.correct!, 'the untrained model (eval without the trained parameters) does worse');
    } finally {
      await runner.release();
      await evaluator.release();
    }
  });

  for (const frozen of [false, true]) {
  it(`updates running statistics as PyTorch does (unbiased variance, momentum 0.1)${frozen ? ', also with BN parameters frozen' : ''}`, async () => {
    const random = new Random(2);
    const g = new GraphBuilder('bn');
    const x = g.input('input', 'float32', [6, 3, 2, 2]);
    const names = ['weight', 'bias', 'running_mean', 'running_var'].map((p) => g.initializer(`bn.${p}`, float32([3], p === 'running_var' ? [1, 2, 0.5] : p === 'running_mean' ? [0.1, -0.2, 0.3] : [1, 1, 1])));
    const fc = g.initializer('fc.weight', kaiming(random, [2, 12]));
    g.output(g.op('Gemm', [g.op('Flatten', [g.op('BatchNormalization', [x, ...names], { momentum: attr.float(0.9) })]), fc], { transB: attr.int(1) }), 'float32');
    // Frozen BN parameters stay constants, which onnxruntime may fold and merge: a regression test
    // for its in-place writes of running statistics into shared buffers.
    const options = { loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd' }, ...(frozen ? { trainable: ['fc.weight'] } : {}) } as const;
    const runner = await StepRunner.create(buildTrainingGraph(modelFromGraph(g.build()), options), { backend, threads: 1 });
    try {
      const data = random.fillNormal(new Float32Array(72), 2);
      await runner.step(float32([6, 3, 2, 2], data), int64([6], [0, 1, 0, 1, 1, 0]), 0);
      const mean = runner.parameters().get('bn.running_mean')!.data as Float32Array;
      const variance = runner.parameters().get('bn.running_var')!.data as Float32Array;
      for (let c = 0; c < 3; c++) {
        const values: number[] = [];
        for (let n = 0; n < 6; n++) for (let p = 0; p < 4; p++) values.push(data[(n * 3 + c) * 4 + p]!);
        const m = values.reduce((a, b) => a + b, 0) / values.length;
        const unbiased = values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1);
        assert.ok(Math.abs(mean[c]! - (0.9 * [0.1, -0.2, 0.3][c]! + 0.1 * m)) < 1e-6, `running mean ${c}: ${mean[c]} vs ${0.9 * [0.1, -0.2, 0.3][c]! + 0.1 * m}`);
        assert.ok(Math.abs(variance[c]! - (0.9 * [1, 2, 0.5][c]! + 0.1 * unbiased)) < 1e-5, `running variance ${c}: ${variance[c]}`);
      }
    } finally {
      await runner.release();
    }
  });
  }

  it('exports a model whose outputs equal the eval graph run on the trained state', async () => {
    const random = new Random(3);
    const model = digitsCnn(random);
    const data = mnistSubset(0, 64);
    const runner = await StepRunner.create(buildTrainingGraph(model, { batchSize: 32, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'adam' } }), { backend, threads: 1 });
    const evaluator = await EvalRunner.create(buildEvalGraph(model, { batchSize: 32, outputLogits: true }), { backend, threads: 1 });
    const [x, y] = batchOf(data, 32, 32);
    try {
      await runner.step(...batchOf(data, 0, 32), 1e-3);
      const exported = runner.exportModel();
      const session = await backend.createSession(encodeModel(exported), { intraOpThreads: 1 });
      const original = await backend.createSession(encodeModel(model), { intraOpThreads: 1 });
      const out = (await session.run({ input: x }))[exported.graph.outputs[0]!.name]!.data as Float32Array;
      const before = (await original.run({ input: x }))[model.graph.outputs[0]!.name]!.data as Float32Array;
      const evaluated = (await evaluator.run(x, y, runner.parameters())).logits!.data as Float32Array;
      await session.release();
      await original.release();
      assert.ok(maxAbsDiff(out, evaluated) < 1e-5, 'the exported model computes what the eval graph computes');
      assert.ok(maxAbsDiff(out, before) > 1e-3, 'and differs from the untrained model');
    } finally {
      await runner.release();
      await evaluator.release();
    }
  });

  it('counts correct predictions and per-class pixels as the logits say, skipping ignored labels', async () => {
    const random = new Random(4);
    const g = new GraphBuilder('seg');
    const x = g.input('input', 'float32', [2, 3, 4, 4]);
    g.output(g.op('Conv', [x, g.initializer('head.weight', kaiming(random, [4, 3, 1, 1]))]), 'float32');
    const model = modelFromGraph(g.build());
    const evaluator = await EvalRunner.create(buildEvalGraph(model, { loss: { kind: 'cross-entropy', ignoreIndex: 255 }, outputLogits: true }), { backend, threads: 1 });
    try {
      const labels = Array.from({ length: 32 }, () => (random.uniform() < 0.2 ? 255 : random.int(4)));
      const result = await evaluator.run(float32([2, 3, 4, 4], random.fillNormal(new Float32Array(96), 1)), int64([2, 4, 4], labels));
      const logits = result.logits!.data as Float32Array;
      const expected = { intersection: [0, 0, 0, 0], predicted: [0, 0, 0, 0], target: [0, 0, 0, 0], count: 0 };
      for (let n = 0; n < 2; n++) {
        for (let p = 0; p < 16; p++) {
          const label = labels[n * 16 + p]!;
          if (label === 255) continue;
          const scores = [0, 1, 2, 3].map((c) => logits[(n * 4 + c) * 16 + p]!);
          const predicted = scores.indexOf(Math.max(...scores));
          expected.count++;
          expected.predicted[predicted]!++;
          expected.target[label]!++;
          if (predicted === label) expected.intersection[label]!++;
        }
      }
      assert.deepEqual(Array.from(result.intersection!), expected.intersection);
      assert.deepEqual(Array.from(result.predicted!), expected.predicted);
      assert.deepEqual(Array.from(result.target!), expected.target);
      assert.equal(result.count, expected.count);
    } finally {
      await evaluator.release();
    }
  });

  it('trains with any batch size when the graph keeps a symbolic batch', async () => {
    const random = new Random(5);
    const runner = await StepRunner.create(buildTrainingGraph(digitsCnn(random), { loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd', momentum: 0.9 } }), { backend, threads: 1 });
    const data = mnistSubset(0, 16);
    try {
      for (const size of [8, 5]) assert.ok(Number.isFinite(await runner.step(...batchOf(data, 0, size), 0.01)));
    } finally {
      await runner.release();
    }
  });

  it('runs Dropout in training mode, seeded, so two steps on one batch differ', async () => {
    const random = new Random(6);
    const graph = buildTrainingGraph(digitsCnn(random, { dropout: true }), { batchSize: 8, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd' } });
    assert.ok(graph.model.graph.nodes.some((n) => n.opType === 'Dropout' && n.outputs.length === 2));
    const runner = await StepRunner.create(graph, { backend, threads: 1 });
    try {
      const batch = batchOf(mnistSubset(0, 8), 0, 8);
      const first = await runner.step(...batch, 0);
      const second = await runner.step(...batch, 0);
      assert.ok(Number.isFinite(first) && first !== second, `losses ${first} and ${second}`);
    } finally {
      await runner.release();
    }
  });

  it('applies the ReLU mask after MaxPool, on the pooled tensor', () => {
    const graph = buildTrainingGraph(digitsCnn(new Random(7)), { batchSize: 4, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd' } });
    const relus = graph.model.graph.nodes.filter((n) => n.opType === 'Relu').map((n) => n.outputs[0]);
    const pools = new Set(graph.model.graph.nodes.filter((n) => n.opType === 'MaxPool').map((n) => n.outputs[0]));
    const masks = graph.model.graph.nodes.filter((n) => n.opType === 'Greater');
    assert.equal(relus.length, 2);
    assert.ok(masks.length === 2 && masks.every((n) => pools.has(n.inputs[0])), 'every ReLU mask reads a MaxPool output');
  });

  it('refuses a batch of another size than the graph was built for, naming both shapes', async () => {
    const runner = await StepRunner.create(buildTrainingGraph(digitsCnn(new Random(8)), { batchSize: 4, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd' } }), { backend, threads: 1 });
    try {
      await assert.rejects(runner.step(...batchOf(mnistSubset(0, 3), 0, 3), 0.1), (e: unknown) => isSculptError(e, 'SHAPE_MISMATCH') && /\[3, 1, 28, 28\].*\[4, 1, 28, 28\]/.test((e as Error).message));
    } finally {
      await runner.release();
    }
  });
});
