// The curated API end to end on tiny models: every function against an independent reading —
// counts by hand, zeros counted in the tensors, onnxruntime run directly, the file on disk.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  benchmarkModels,
  createDataset,
  decodeModel,
  evaluateModel,
  fitModel,
  inspectModel,
  loadDataset,
  isSculptError,
  loadModel,
  pruneModel,
  saveModel,
  trainModel,
  type ClassificationMetrics,
  type SegmentationMetrics,
  type Dataset,
  type Model,
} from '../src/index.js';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { Random } from '../src/util/random.js';

const dir = mkdtempSync(join(tmpdir(), 'sculpt-api-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A tiny VGG-11 for two classes of 1x32x32 images. */
const TINY = 'zoo:vgg11,width=0.125,classes=2,input=1x32x32';

/** Two easy classes: horizontal stripes (0) or vertical stripes (1), random phase, plus noise. */
function stripes(count: number, seed: number): Dataset {
  const random = new Random(seed);
  const images = new Float32Array(count * 32 * 32);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 2;
    const phase = random.int(4);
    labels[n] = label;
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) images[n * 1024 + y * 32 + x] = (((label === 0 ? y : x) + phase) % 4 < 2 ? 1 : -1) + 0.3 * random.normal();
  }
  return createDataset({ name: `stripes-${seed}`, task: 'classification', channels: 1, height: 32, width: 32, images, labels, numClasses: 2, normalization: { kind: 'channel', scale: 1, mean: [0], std: [1] } });
}

const train = stripes(256, 1);
const test = stripes(64, 2);

/** Conv 1->4 (3x3, pad 1, bias) on 1x8x8, ReLU, Flatten, Gemm 256->3. */
function handModel(): Model {
  const b = new GraphBuilder('hand');
  const x = b.input('x', 'float32', [1, 1, 8, 8]);
  const w = b.initializer('conv.weight', float32([4, 1, 3, 3], Float32Array.from({ length: 36 }, (_, i) => (i < 10 ? 0 : 0.1 * (i - 20)))));
  const bias = b.initializer('conv.bias', float32([4], new Float32Array([0.1, 0.2, 0.3, 0.4])));
  const conv = b.op('Conv', [x, w, bias], { pads: attr.ints([1, 1, 1, 1]), kernel_shape: attr.ints([3, 3]) }, { name: 'conv' });
  const relu = b.op('Relu', [conv], {}, { name: 'relu' });
  const flat = b.op('Flatten', [relu], {}, { name: 'flatten' });
  const fw = b.initializer('fc.weight', float32([3, 256], Float32Array.from({ length: 768 }, (_, i) => Math.sin(i))));
  const fb = b.initializer('fc.bias', float32([3], new Float32Array([1, 2, 3])));
  const y = b.op('Gemm', [flat, fw, fb], { transB: attr.int(1) }, { name: 'fc', output: 'y' });
  b.output(y, 'float32');
  return modelFromGraph(b.build());
}

/** Runs a model in onnxruntime-node directly; returns the first output. */
async function run(model: Model, input: Float32Array, dims: number[]): Promise<Float32Array> {
  const path = join(dir, `run-${Math.random().toString(36).slice(2)}.onnx`);
  saveModel(model, path);
  const session = await ort.InferenceSession.create(path);
  try {
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) });
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function zerosOf(model: Model, names: Iterable<string>): number {
  let zeros = 0;
  for (const name of names) for (const v of model.graph.initializers.get(name)!.data as Float32Array) zeros += v === 0 ? 1 : 0;
  return zeros;
}

describe('loadModel, inspectModel and saveModel', () => {
  it('count parameters, non-zero parameters, MACs and bytes as worked out by hand', () => {
    const summary = inspectModel(handModel());
    assert.equal(summary.params, 36 + 4 + 768 + 3);
    // Zeros: conv weights 0-9 and 20, and fc weight 0 (sin 0).
    assert.equal(summary.nonzeroParams, 36 + 4 + 768 + 3 - 12);
    assert.equal(summary.macs, 4 * 8 * 8 * 9 + 256 * 3);
    assert.deepEqual(
      summary.weights.map((w) => [w.layer, w.op, w.width, w.size, w.nonzero]),
      [['conv', 'Conv', 4, 36, 25], ['fc', 'Gemm', 3, 768, 767]],
    );
    const path = join(dir, 'hand.onnx');
    assert.equal(saveModel(handModel(), path), summary.bytes);
    assert.equal(statSync(path).size, summary.bytes);
  });

  it('round-trip a model through a file, refuse to overwrite without force, and name missing files', () => {
    const model = loadModel(TINY, { seed: 4 });
    const path = join(dir, 'tiny.onnx');
    saveModel(model, path);
    const again = loadModel(path);
    assert.deepEqual([...again.graph.initializers.keys()], [...model.graph.initializers.keys()]);
    for (const [name, t] of model.graph.initializers) assert.deepEqual(again.graph.initializers.get(name)!.data, t.data, name);
    assert.throws(() => saveModel(model, path), (e) => isSculptError(e, 'BAD_ARGUMENT') && /already exists; pass --force/.test(e.message));
    saveModel(handModel(), path, { force: true });
    assert.equal(inspectModel(loadModel(path)).params, 811);
    assert.throws(() => loadModel(join(dir, 'missing.onnx')), (e) => isSculptError(e, 'IO') && /no such file/.test(e.message));
    assert.throws(() => loadModel('zoo:vgg12'), (e) => isSculptError(e, 'BAD_ARGUMENT'));
    // The seed reaches the zoo: same seed, same weights; another seed, others.
    assert.deepEqual(loadModel(TINY, { seed: 4 }).graph.initializers.get([...model.graph.initializers.keys()][0]!)!.data, [...model.graph.initializers.values()][0]!.data);
    assert.notDeepEqual(loadModel(TINY, { seed: 5 }).graph.initializers.get([...model.graph.initializers.keys()][0]!)!.data, [...model.graph.initializers.values()][0]!.data);
  });
});

describe('pruneModel', () => {
  const model = loadModel(TINY, { seed: 1 });

  it('upai: zeroes the share of prunable weights asked for, reports it, and returns the masks', async () => {
    const pruned = await pruneModel(model, { method: 'upai', scorer: 'magnitude', sparsity: 0.9 });
    const names = [...pruned.masks!.keys()];
    const total = names.reduce((n, name) => n + pruned.model.graph.initializers.get(name)!.data.length, 0);
    const zeros = zerosOf(pruned.model, names);
    assert.equal(zeros, Math.ceil(0.9 * total));
    assert.equal(pruned.after.nonzeroParams, pruned.before.params - zeros);
    assert.equal(pruned.after.params, pruned.before.params);
    assert.ok(pruned.layers.every((l) => l.after === l.before));
    for (const name of names) {
      const mask = pruned.masks!.get(name)!.data as Float32Array;
      const weight = pruned.model.graph.initializers.get(name)!.data as Float32Array;
      assert.ok(mask.every((m, i) => (m === 0) === (weight[i] === 0)), `${name}: zeros exactly where the mask is 0`);
    }
  });

  it('reconvene: narrows layers, keeps masks for the rest, and the model still runs', async () => {
    const pruned = await pruneModel(model, { method: 'reconvene', scorer: 'synflow', sparsity: 0.95, rounds: 5, seed: 2 });
    assert.ok(pruned.layers.some((l) => l.after < l.before), JSON.stringify(pruned.layers));
    assert.ok(pruned.after.params < pruned.before.params && pruned.after.macs < pruned.before.macs);
    assert.equal(pruned.reconvene!.layers.filter((l) => l.outcome === 'rectified').length > 0, true);
    const out = await run(pruned.model, test.images.slice(0, 1024), [1, 1, 32, 32]);
    assert.equal(out.length, 2);
    assert.ok(out.every(Number.isFinite));
  });

  it('l1 to half the parameters, and taylor on data given as a Dataset', async () => {
    const l1 = await pruneModel(model, { method: 'l1', ratio: 0.5, target: 'params' });
    assert.ok(l1.after.params <= 0.5 * l1.before.params && l1.after.params > 0.4 * l1.before.params, `${l1.after.params} of ${l1.before.params}`);
    assert.equal(l1.masks, undefined);
    const taylor = await pruneModel(model, { method: 'taylor', sparsity: 0.25, data: train, batches: 1, batchSize: 16 });
    assert.ok(taylor.after.params < taylor.before.params);
  });

  it('names what is missing or contradictory', async () => {
    await assert.rejects(pruneModel(model, { method: 'upai', sparsity: 0.5 }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /needs a scorer/.test(e.message));
    await assert.rejects(pruneModel(model, { method: 'l1', sparsity: 0.5, ratio: 0.5 }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /give one of them/.test(e.message));
    await assert.rejects(pruneModel(model, { method: 'taylor', ratio: 0.5 }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /needs labelled data/.test(e.message));
    await assert.rejects(pruneModel(model, { method: 'l3' as never, ratio: 0.5 }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /allowed: upai, reconvene/.test(e.message));
    await assert.rejects(pruneModel(model, { method: 'upai', scorer: 'magnitude', sparsity: 1 }), (e) => isSculptError(e, 'BAD_ARGUMENT'));
  });
});

describe('trainModel, evaluateModel and benchmarkModels', () => {
  it('train a UPaI model to high accuracy with its zeros kept, and evaluate it as onnxruntime does', async () => {
    const model = loadModel(TINY, { seed: 3 });
    const pruned = await pruneModel(model, { method: 'upai', scorer: 'magnitude', sparsity: 0.5 });
    const trained = await trainModel(pruned.model, { data: { train, test }, budget: 3, batchSize: 32, learningRate: 0.05, masks: pruned.masks!, seed: 1 });
    assert.equal(trained.epochs, 3);
    assert.ok(trained.quality! >= 0.9, `accuracy ${trained.quality}`);
    const names = [...pruned.masks!.keys()];
    assert.equal(zerosOf(trained.model, names), zerosOf(pruned.model, names), 'masked weights stay exactly zero');

    const metrics = (await evaluateModel(trained.model, { data: test })) as ClassificationMetrics;
    const logits = await run(trained.model, test.images, [test.count, 1, 32, 32]);
    let correct = 0;
    for (let n = 0; n < test.count; n++) correct += (logits[2 * n + 1]! > logits[2 * n]! ? 1 : 0) === test.labels[n] ? 1 : 0;
    assert.equal(metrics.correct, correct);
    assert.equal(metrics.accuracy, trained.quality);
  });

  it('time models side by side, with ratios against the first', async () => {
    const dense = loadModel(TINY, { seed: 1 });
    const small = (await pruneModel(dense, { method: 'l1', ratio: 0.25 })).model;
    const rows = await benchmarkModels({ dense, small }, { threads: [1], batches: [1, 4], runs: 3, warmup: 1 });
    assert.deepEqual(rows.map((r) => r.name), ['dense', 'small']);
    assert.equal(rows[1]!.params, inspectModel(small).params);
    assert.equal(rows[1]!.bytes, inspectModel(small).bytes);
    for (const row of rows) assert.deepEqual(row.latency.map((l) => [l.threads, l.batch, l.runs]), [[1, 1, 3], [1, 4, 3]]);
    assert.ok(rows[0]!.latency.every((l) => l.ratio === 1));
    rows[1]!.latency.forEach((l, i) => assert.equal(l.ratio, l.medianMs / rows[0]!.latency[i]!.medianMs));
    await assert.rejects(benchmarkModels({}), (e) => isSculptError(e, 'BAD_ARGUMENT'));
  });
});

describe('fitModel', () => {
  const UNET = 'zoo:unet,base=4,depth=1,out=4,input=1x16x16';
  const data = loadDataset('phantom:16,n=48', { seed: 0 });

  it('returns the most compressed rung within the parameter bound, trained, as counted and evaluated independently', async () => {
    const events: string[] = [];
    const found = await fitModel(UNET, { data, criteria: { maxParams: '900' }, ladder: [2, 4], search: 'all', budget: { steps: 4 }, batchSize: 8, threads: 1, latencyRuns: 2, seed: 1, onEvent: (e) => events.push(e.kind) });
    const dense = inspectModel(loadModel(UNET, { seed: 1 }));
    assert.equal(found.baseline.params, dense.params);
    assert.ok(found.baseline.trainedBySearch, 'a zoo model is trained first as the baseline');
    const [half, quarter] = found.candidates;
    assert.deepEqual([half!.id, quarter!.id], ['channel-l1-2x', 'channel-l1-4x']);
    // Which rungs meet the bound, from an independent count of each trained candidate's parameters.
    const meets = found.candidates.filter((c) => c.params <= 900);
    assert.ok(meets.length > 0 && dense.params > 900, `${dense.params} parameters unpruned; candidates ${found.candidates.map((c) => c.params).join(', ')}`);
    const expected = meets[meets.length - 1]!;
    assert.equal(found.chosen?.id, expected.id);
    const chosen = inspectModel(found.chosenModel!);
    assert.equal(chosen.params, expected.params);
    assert.ok(chosen.params <= 900);
    // The recorded quality is the held-out Dice of the returned model, measured again here.
    const metrics = (await evaluateModel(found.chosenModel!, { data: data.test, threads: 1 })) as SegmentationMetrics;
    assert.equal(metrics.meanForegroundDice, expected.quality);
    assert.ok(events.includes('baseline') && events.includes('candidate'));
  });

  it('names a missing criterion, held-out data, or architecture in one line', async () => {
    await assert.rejects(fitModel(UNET, { data, criteria: {} }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /needs at least one criterion/.test(e.message));
    await assert.rejects(fitModel(UNET, { data: data.train, criteria: { maxParams: '1k' } }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /needs held-out data/.test(e.message));
    await assert.rejects(fitModel(loadModel(UNET), { data, criteria: { maxParams: '1k' }, method: 'uniform' }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /give the model as 'zoo:<spec>' or give arch/.test(e.message));
    await assert.rejects(fitModel(UNET, { data, criteria: { maxLatency: '5msec@b1' } }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /unknown time unit 'msec'/.test(e.message));
    await assert.rejects(fitModel(UNET, { data, criteria: { maxParams: '1k' }, method: 'channel', scorer: 'snip' }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /scorer belongs to method/.test(e.message));
  });
});

// Keeps the decoder import honest: a saved model decodes to the same graph.
it('saveModel writes bytes that decode to the same model', () => {
  const path = join(dir, 'decode.onnx');
  saveModel(handModel(), path);
  assert.equal(decodeModel(readFileSync(path)).graph.nodes.length, 4);
});
