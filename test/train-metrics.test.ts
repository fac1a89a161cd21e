// Metrics against hand computations: accuracy, per-class Dice and IoU, means with and without
// the background, an ignore label; and `evaluate` on onnxruntime against metrics computed in JS
// from the model's own outputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDataset, type Dataset } from '../src/data/dataset.js';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { evaluate } from '../src/train/evaluate.js';
import { classificationMetrics, diceScores, iouScores, meanScore, segmentationMetrics } from '../src/train/metrics.js';
import { Random } from '../src/util/random.js';

const backend = onnxruntimeNode;

/** Counts from predicted and labelled maps, skipping `ignore` in the labels: what the eval graph computes. */
function countPixels(predicted: readonly number[], labels: readonly number[], classes: number, ignore?: number) {
  const counts = { intersection: new Array<number>(classes).fill(0), predicted: new Array<number>(classes).fill(0), target: new Array<number>(classes).fill(0), count: 0 };
  predicted.forEach((p, i) => {
    const t = labels[i]!;
    if (t === ignore) return;
    counts.count++;
    counts.predicted[p]!++;
    counts.target[t]!++;
    if (p === t) counts.intersection[t]!++;
  });
  return counts;
}

describe('metrics', () => {
  it('computes accuracy as correct over counted examples', () => {
    const m = classificationMetrics({ loss: 0.5, correct: 7, count: 8 });
    assert.equal(m.accuracy, 0.875);
    assert.ok(Number.isNaN(classificationMetrics({ loss: NaN, correct: 0, count: 0 }).accuracy));
  });

  it('computes Dice and IoU per class by hand, leaving ignored pixels and absent classes out', () => {
    // 3 classes; 255 ignored. Class 2 is neither predicted nor labelled anywhere counted.
    const predicted = [0, 0, 1, 1, 1, 0, 2, 0];
    const labels = [0, 1, 1, 1, 0, 0, 255, 255];
    const counts = countPixels(predicted, labels, 3, 255);
    // Class 0: predicted at 0,1,5 (3 counted), labelled at 0,4,5 (3), both at 0,5 -> I=2: Dice 4/6, IoU 2/4.
    // Class 1: predicted at 2,3,4 (3), labelled at 1,2,3 (3), both at 2,3 -> I=2: Dice 4/6, IoU 2/4.
    assert.deepEqual(counts.intersection, [2, 2, 0]);
    const dice = diceScores(counts);
    const iou = iouScores(counts);
    assert.deepEqual(dice, [4 / 6, 4 / 6, null]);
    assert.deepEqual(iou, [0.5, 0.5, null]);
    const m = segmentationMetrics({ ...counts, loss: 1 });
    assert.equal(m.meanForegroundDice, 4 / 6, 'the foreground mean skips class 0 and the absent class 2');
    assert.equal(m.meanDice, 4 / 6);
    assert.equal(m.pixelAccuracy, 4 / 6);
    assert.equal(m.count, 6);
  });

  it('averages only the classes that have a score', () => {
    assert.equal(meanScore([0.2, null, 0.6], 0), 0.4);
    assert.equal(meanScore([0.2, 0.4, 0.8], 1), 0.6000000000000001);
    assert.ok(Number.isNaN(meanScore([0.9, null], 1)));
    // A class labelled but never predicted scores 0 and pulls the mean down.
    assert.deepEqual(diceScores({ intersection: [5, 0], predicted: [10, 0], target: [5, 5] }), [10 / 15, 0]);
  });
});

/** A 1x1-conv segmentation "model" with random weights, and a dataset of random images and masks. */
function segmentationCase(random: Random, count: number, ignore: number | undefined): { model: ReturnType<typeof modelFromGraph>; data: Dataset } {
  const g = new GraphBuilder('seg');
  const x = g.input('input', 'float32', ['batch', 2, 5, 5]);
  const w = g.initializer('head.weight', float32([3, 2, 1, 1], random.fillNormal(new Float32Array(6), 1)));
  const b = g.initializer('head.bias', float32([3], [0.1, -0.2, 0.05]));
  g.output(g.op('Conv', [x, w, b]), 'float32', ['batch', 3, 5, 5]);
  const labels = Int32Array.from({ length: count * 25 }, () => (ignore !== undefined && random.uniform() < 0.2 ? ignore : random.int(3)));
  const data = createDataset({
    name: 'random-seg',
    task: 'segmentation',
    channels: 2,
    height: 5,
    width: 5,
    images: random.fillNormal(new Float32Array(count * 50), 1),
    labels,
    numClasses: 3,
    ...(ignore !== undefined ? { ignoreLabel: ignore } : {}),
    normalization: { kind: 'channel', scale: 1, mean: [0, 0], std: [1, 1] },
  });
  return { model: modelFromGraph(g.build()), data };
}

describe('evaluate on onnxruntime', () => {
  for (const ignore of [undefined, 255]) {
    it(`gives the Dice and IoU of the model's own predictions over a dataset whose size is not a multiple of the batch${ignore === undefined ? '' : ', skipping the ignore label'}`, async () => {
      const random = new Random(11);
      const { model, data } = segmentationCase(random, 7, ignore);
      const metrics = await evaluate(model, data, { backend, threads: 1, batchSize: 3 });
      assert.equal(metrics.task, 'segmentation');
      // Reference: run the model itself on all 7 images and count in JS.
      const session = await backend.createSession(encodeModel(model), { intraOpThreads: 1 });
      const logits = (await session.run({ input: float32([7, 2, 5, 5], data.images) }))[model.graph.outputs[0]!.name]!.data as Float32Array;
      await session.release();
      const predicted: number[] = [];
      for (let n = 0; n < 7; n++) {
        for (let p = 0; p < 25; p++) {
          const scores = [0, 1, 2].map((c) => logits[(n * 3 + c) * 25 + p]!);
          predicted.push(scores.indexOf(Math.max(...scores)));
        }
      }
      const counts = countPixels(predicted, Array.from(data.labels), 3, ignore);
      const expected = segmentationMetrics({ ...counts, loss: 0 });
      if (metrics.task !== 'segmentation') return;
      assert.equal(metrics.count, counts.count, 'padding pixels of the short last batch are not counted');
      metrics.dice.forEach((d, c) => assert.ok(d !== null && Math.abs(d - expected.dice[c]!) < 1e-9, `Dice of class ${c}: ${d} vs ${expected.dice[c]}`));
      metrics.iou.forEach((d, c) => assert.ok(d !== null && Math.abs(d - expected.iou[c]!) < 1e-9, `IoU of class ${c}`));
      assert.ok(Math.abs(metrics.meanForegroundDice - expected.meanForegroundDice) < 1e-9);
      // Cross-entropy by hand, over counted pixels.
      let loss = 0;
      for (let n = 0; n < 7; n++) {
        for (let p = 0; p < 25; p++) {
          const t = data.labels[n * 25 + p]!;
          if (t === ignore) continue;
          const z = [0, 1, 2].map((c) => logits[(n * 3 + c) * 25 + p]!);
          const max = Math.max(...z);
          loss += Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0)) + max - z[t]!;
        }
      }
      assert.ok(Math.abs(metrics.loss - loss / counts.count) < 1e-5, `loss ${metrics.loss} vs ${loss / counts.count}`);
    });
  }

  it('gives the top-1 accuracy of the model over every example, the last short batch included', async () => {
    const random = new Random(12);
    const g = new GraphBuilder('cls');
    const x = g.input('input', 'float32', ['batch', 1, 2, 2]);
    const w = g.initializer('fc.weight', float32([4, 4], random.fillNormal(new Float32Array(16), 1)));
    g.output(g.op('Gemm', [g.op('Flatten', [x]), w], { transB: attr.int(1) }), 'float32', ['batch', 4]);
    const model = modelFromGraph(g.build());
    const count = 23;
    const images = random.fillNormal(new Float32Array(count * 4), 1);
    const weights = Array.from(model.graph.initializers.get('fc.weight')!.data as Float32Array);
    const labels = Int32Array.from({ length: count }, () => random.int(4));
    let correct = 0;
    for (let n = 0; n < count; n++) {
      const z = [0, 1, 2, 3].map((k) => [0, 1, 2, 3].reduce((a, i) => a + weights[k * 4 + i]! * images[n * 4 + i]!, 0));
      if (z.indexOf(Math.max(...z)) === labels[n]) correct++;
    }
    const data = createDataset({ name: 'random-cls', task: 'classification', channels: 1, height: 2, width: 2, images, labels, numClasses: 4, normalization: { kind: 'channel', scale: 1, mean: [0], std: [1] } });
    const metrics = await evaluate(model, data, { backend, threads: 1, batchSize: 5 });
    assert.equal(metrics.task, 'classification');
    if (metrics.task === 'classification') {
      assert.equal(metrics.count, count);
      assert.equal(metrics.correct, correct);
    }
  });
});
