// The training loop end to end on onnxruntime: a small ResNet learns MNIST digits, a tiny U-Net
// learns the cardiac phantom, budgets stop where they say, the NaN guard fires, masks hold, and a
// resumed run ends with exactly the weights of an uninterrupted one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { limitDataset, type Dataset } from '../src/data/dataset.js';
import { phantomDataset } from '../src/data/phantom.js';
import { isSculptError } from '../src/errors.js';
import type { Model } from '../src/ir/graph.js';
import { float32, type Tensor } from '../src/ir/tensor.js';
import { loadCheckpointFile, saveCheckpointFile } from '../src/platform/node/checkpoint-files.js';
import { loadDataset } from '../src/platform/node/datasets.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { evaluate } from '../src/train/evaluate.js';
import { epochOrder, train } from '../src/train/loop.js';
import type { TrainOptions, TrainProgress } from '../src/train/options.js';
import { Random } from '../src/util/random.js';
import { loadFixture } from './helpers/fixtures.js';
import { decodeModel } from '../src/onnx/decode.js';
import { buildZooModel } from '../src/zoo/index.js';

const backend = onnxruntimeNode;
/** Narrow (4-8-16 channels) for speed where learning is not the point. */
const DIGITS_MODEL = 'resnet20,width=0.25,input=1x28x28';
/** Wide enough (8-16-32) to learn digits in a few dozen steps. */
const LEARNING_MODEL = 'resnet20,width=0.5,input=1x28x28';

let mnistTrain: Dataset;
let mnistTest: Dataset;
let scratch: string;

before(() => {
  const { train: full, test } = loadDataset('mnist', { seed: 1 });
  mnistTrain = limitDataset(full, { limit: 1024, seed: 1 });
  mnistTest = limitDataset(test, { limit: 500, seed: 2 });
  scratch = mkdtempSync(join(tmpdir(), 'sculpt-train-'));
});

after(() => rmSync(scratch, { recursive: true, force: true }));

function weights(model: Model): Map<string, Float32Array> {
  return new Map([...model.graph.initializers].filter(([, t]) => t.dtype === 'float32').map(([name, t]) => [name, t.data as Float32Array]));
}

function assertSameWeights(a: Model, b: Model, what: string): void {
  const wa = weights(a);
  const wb = weights(b);
  assert.deepEqual([...wa.keys()].sort(), [...wb.keys()].sort());
  for (const [name, values] of wa) assert.deepEqual(values, wb.get(name), `${what}: '${name}' differs`);
}

describe('train', () => {
  it('teaches a small ResNet MNIST digits: the training loss falls and test accuracy beats chance', async () => {
    const model = buildZooModel(LEARNING_MODEL, { seed: 1 });
    const before = await evaluate(model, mnistTest, { backend, threads: 1 });
    const epochs: number[] = [];
    const result = await train(model, {
      backend,
      threads: 1,
      train: mnistTrain,
      test: mnistTest,
      batchSize: 32,
      budget: { epochs: 2 },
      learningRate: 0.05,
      schedule: { kind: 'cosine', warmupSteps: 5 },
      augment: { padding: 2, flip: false },
      seed: 3,
      onEpoch: (record) => epochs.push(record.epoch),
    });
    assert.deepEqual(epochs, [1, 2]);
    assert.equal(result.steps, 64);
    assert.equal(result.stoppedBy, 'epochs');
    const [first, second] = result.history;
    assert.ok(second!.trainLoss < 0.7 * first!.trainLoss, `training loss ${first!.trainLoss.toFixed(3)} -> ${second!.trainLoss.toFixed(3)}`);
    assert.equal(result.metrics?.task, 'classification');
    if (result.metrics?.task !== 'classification' || before.task !== 'classification') return;
    assert.ok(result.metrics.accuracy > 0.5, `test accuracy ${result.metrics.accuracy} (chance 0.1; untrained ${before.accuracy})`);
    assert.equal(result.metrics.count, 500);
    // The returned model is the trained one: evaluating it on its own gives the same accuracy.
    const again = await evaluate(result.model, mnistTest, { backend, threads: 1 });
    assert.equal(again.task === 'classification' && again.correct, result.metrics.correct);
  });

  it('teaches a tiny U-Net the cardiac phantom: mean foreground Dice rises well above the untrained model', async () => {
    const trainSet = phantomDataset({ count: 96, size: 32, seed: 5 });
    const testSet = phantomDataset({ count: 24, size: 32, seed: 5, first: 96 });
    const model = buildZooModel('unet,base=4,depth=2,out=4,input=1x32x32', { seed: 2 });
    const before = await evaluate(model, testSet, { backend, threads: 1 });
    const result = await train(model, { backend, threads: 1, train: trainSet, test: testSet, batchSize: 8, budget: { epochs: 6 }, optimizer: { kind: 'adam' }, learningRate: 0.01, augment: { padding: 2, flip: true }, seed: 4 });
    assert.ok(before.task === 'segmentation' && result.metrics?.task === 'segmentation');
    if (before.task !== 'segmentation' || result.metrics?.task !== 'segmentation') return;
    assert.equal(result.metrics.dice.length, 4);
    assert.ok(result.metrics.meanForegroundDice > before.meanForegroundDice + 0.2 && result.metrics.meanForegroundDice > 0.4, `Dice ${before.meanForegroundDice.toFixed(3)} -> ${result.metrics.meanForegroundDice.toFixed(3)}`);
  });

  it('trains a U-Net exported from PyTorch (the unet8 fixture): Dice on held-out phantom slices rises within 30 steps', async () => {
    const model = decodeModel(loadFixture('unet8').modelBytes());
    const trainSet = phantomDataset({ count: 80, size: 64, seed: 8 });
    const testSet = phantomDataset({ count: 16, size: 64, seed: 8, first: 80 });
    const before = await evaluate(model, testSet, { backend, threads: 1 });
    const result = await train(model, { backend, threads: 1, train: trainSet, test: testSet, batchSize: 8, budget: { steps: 30 }, optimizer: { kind: 'adam' }, learningRate: 0.01, seed: 1 });
    assert.ok(before.task === 'segmentation' && result.metrics?.task === 'segmentation');
    if (before.task !== 'segmentation' || result.metrics?.task !== 'segmentation') return;
    assert.ok(result.metrics.meanForegroundDice > before.meanForegroundDice + 0.2, `Dice ${before.meanForegroundDice.toFixed(3)} -> ${result.metrics.meanForegroundDice.toFixed(3)}`);
  });

  it('stops with a NUMERIC error naming the epoch and step when a huge learning rate makes the loss diverge', async () => {
    const model = buildZooModel(DIGITS_MODEL, { seed: 1 });
    await assert.rejects(
      train(model, { backend, threads: 1, train: mnistTrain, batchSize: 32, budget: { epochs: 1 }, learningRate: 1e12, optimizer: { kind: 'sgd' } }),
      (e) => isSculptError(e, 'NUMERIC') && /at epoch 1, step \d+ of 32/.test(e.message) && /lower the learning rate/.test(e.message),
    );
  });

  it('stops at a step budget inside an epoch, and at a wall-clock budget on the clock it is given', async () => {
    const model = buildZooModel(DIGITS_MODEL, { seed: 1 });
    const small = limitDataset(mnistTrain, { limit: 128, seed: 3 });
    const bySteps = await train(model, { backend, threads: 1, train: small, batchSize: 32, budget: { steps: 6, epochs: 10 } });
    assert.equal(bySteps.steps, 6);
    assert.equal(bySteps.stoppedBy, 'steps');
    assert.deepEqual(bySteps.history.map((r) => [r.epoch, r.partial ?? false]), [[1, false], [2, true]]);
    assert.deepEqual(bySteps.checkpoint.position.epoch, 1);
    assert.deepEqual(bySteps.checkpoint.position.stepInEpoch, 2);
    // A fake clock that advances one second per reading: the 5-second budget runs out after a few steps.
    let now = 0;
    const byTime = await train(model, { backend, threads: 1, train: small, batchSize: 32, budget: { seconds: 5 }, clock: () => (now += 1000) });
    assert.equal(byTime.stoppedBy, 'time');
    assert.ok(byTime.steps >= 1 && byTime.steps <= 3, `${byTime.steps} steps`);
  });

  it('evaluates every k epochs and after the last, reporting progress with throughput and ETA', async () => {
    const model = buildZooModel(DIGITS_MODEL, { seed: 1 });
    const reports: TrainProgress[] = [];
    const result = await train(model, {
      backend,
      threads: 1,
      train: limitDataset(mnistTrain, { limit: 64, seed: 7 }),
      test: limitDataset(mnistTest, { limit: 30, seed: 7 }),
      evalBatchSize: 16,
      batchSize: 32,
      budget: { epochs: 3 },
      evalEvery: 2,
      onProgress: (p) => reports.push(p),
    });
    assert.deepEqual(result.history.map((r) => r.metrics !== undefined), [false, true, true]);
    const training = reports.filter((p) => p.phase === 'train');
    assert.deepEqual(training.map((p) => p.step), [1, 2, 3, 4, 5, 6]);
    assert.ok(training.every((p) => p.totalSteps === 6 && p.stepsPerEpoch === 2 && p.imagesPerSecond > 0 && Number.isFinite(p.loss)));
    assert.equal(training.at(-1)!.etaSeconds, 0);
    assert.ok(training[0]!.etaSeconds > 0);
    const evals = reports.filter((p) => p.phase === 'eval');
    assert.deepEqual(evals.map((p) => [p.epoch, p.evalDone, p.evalTotal]), [[1, 16, 30], [1, 30, 30], [2, 16, 30], [2, 30, 30]]);
  });

  it('keeps masked weights exactly zero in the trained model', async () => {
    const model = buildZooModel(DIGITS_MODEL, { seed: 1 });
    const random = new Random(9);
    const masks = new Map<string, Tensor>();
    for (const [name, value] of model.graph.initializers) {
      if (value.dims.length === 4 && name.includes('conv')) masks.set(name, float32(value.dims, Float32Array.from({ length: value.data.length }, () => (random.uniform() < 0.5 ? 0 : 1))));
    }
    assert.ok(masks.size > 5);
    const result = await train(model, { backend, threads: 1, train: limitDataset(mnistTrain, { limit: 128, seed: 4 }), batchSize: 32, budget: { steps: 3 }, masks });
    for (const [name, mask] of masks) {
      const trained = result.model.graph.initializers.get(name)!.data as Float32Array;
      const original = model.graph.initializers.get(name)!.data as Float32Array;
      let kept = 0;
      for (let i = 0; i < trained.length; i++) {
        if (mask.data[i] === 0) assert.equal(trained[i], 0, `'${name}'[${i}] is masked`);
        else if (trained[i] !== original[i]) kept++;
      }
      assert.ok(kept > 0, `unmasked weights of '${name}' were trained`);
    }
  });

  for (const where of ['at an epoch boundary', 'inside an epoch'] as const) {
    it(`resumed from a checkpoint file ${where}, ends with exactly the weights of an uninterrupted run (${where === 'at an epoch boundary' ? 'SGD' : 'AdamW, masks'})`, async () => {
      const model = buildZooModel(DIGITS_MODEL, { seed: 1 });
      const data = limitDataset(mnistTrain, { limit: 160, seed: 5 });
      const test = limitDataset(mnistTest, { limit: 50, seed: 6 });
      const options: TrainOptions = {
        backend,
        threads: 1,
        train: data,
        test,
        batchSize: 32,
        budget: { epochs: 2 },
        // SGD's momentum buffers at the boundary; Adam's moments and step count inside an epoch, with masks.
        ...(where === 'at an epoch boundary'
          ? { optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 }, learningRate: 0.05 }
          : { optimizer: { kind: 'adamw' }, learningRate: 0.003, masks: new Map([['fc.weight', float32(model.graph.initializers.get('fc.weight')!.dims, Float32Array.from({ length: model.graph.initializers.get('fc.weight')!.data.length }, (_, i) => i % 2))]]) }),
        schedule: { kind: 'cosine', warmupSteps: 2 },
        augment: { padding: 2, flip: true },
        seed: 7,
      };
      const whole = await train(model, options);
      const dir = join(scratch, where.replaceAll(' ', '-'));
      // The interrupted run: the same options, stopped by its checkpoint after epoch 1, or aborted after step 7.
      const abort = new AbortController();
      const interrupted = await train(model, {
        ...options,
        signal: abort.signal,
        onProgress: (p) => void (where === 'inside an epoch' && p.step === 7 && abort.abort()),
        onCheckpoint: (c) => {
          saveCheckpointFile(dir, c);
          if (where === 'at an epoch boundary') abort.abort();
        },
      });
      assert.equal(interrupted.stoppedBy, 'interrupted');
      assert.equal(interrupted.steps, where === 'at an epoch boundary' ? 5 : 7);
      const resumed = await train(model, { ...options, resume: loadCheckpointFile(dir) });
      assertSameWeights(resumed.model, whole.model, 'resumed vs uninterrupted');
      assert.deepEqual(
        resumed.history.map((r) => [r.epoch, r.step, r.trainLoss]),
        whole.history.map((r) => [r.epoch, r.step, r.trainLoss]),
      );
      assert.deepEqual(resumed.metrics, whole.metrics);
      // And the run did move: the weights differ from the initial ones.
      assert.notDeepEqual(weights(whole.model).get('conv1.weight') ?? [...weights(whole.model).values()][0], weights(model).get('conv1.weight') ?? [...weights(model).values()][0]);
    });
  }

  it('refuses to resume with other settings, naming the setting', async () => {
    const model = buildZooModel(DIGITS_MODEL, { seed: 1 });
    const data = limitDataset(mnistTrain, { limit: 64, seed: 5 });
    const first = await train(model, { backend, threads: 1, train: data, batchSize: 32, budget: { steps: 1 }, seed: 1 });
    await assert.rejects(
      train(model, { backend, threads: 1, train: data, batchSize: 16, budget: { steps: 2 }, seed: 1, resume: first.checkpoint }),
      (e) => isSculptError(e, 'BAD_ARGUMENT') && /--batch = 32, this run has 16/.test(e.message),
    );
  });

  it('refuses a model whose input or classes do not fit the dataset, naming both and the fix', async () => {
    await assert.rejects(
      train(buildZooModel('resnet20,width=0.25', { seed: 1 }), { backend, train: mnistTrain, budget: { epochs: 1 } }),
      (e) => isSculptError(e, 'SHAPE_MISMATCH') && /is \[batch, 3, 32, 32\] but dataset 'mnist\/train' has 1x28x28 images/.test(e.message) && /input=1x28x28/.test(e.message),
    );
    await assert.rejects(
      train(buildZooModel('resnet20,width=0.25,input=1x28x28,classes=100', { seed: 1 }), { backend, train: mnistTrain, budget: { epochs: 1 } }),
      (e) => isSculptError(e, 'SHAPE_MISMATCH') && /outputs 100 classes but dataset 'mnist\/train' has 10/.test(e.message),
    );
    await assert.rejects(train(buildZooModel(DIGITS_MODEL, { seed: 1 }), { backend, train: mnistTrain, budget: {} }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /budget is required/.test(e.message));
  });

  it('shuffles each epoch differently, reproducibly from the seed', () => {
    const a = epochOrder(1, 0, 50);
    assert.deepEqual(a, epochOrder(1, 0, 50));
    assert.notDeepEqual(a, epochOrder(1, 1, 50));
    assert.notDeepEqual(a, epochOrder(2, 0, 50));
    assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  });
});
