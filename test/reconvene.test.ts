import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Model } from '../src/ir/graph.js';
import { float32, sizeOf, type Tensor } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { inferModel } from '../src/ops/infer.js';
import { masksFromScores, type WeightMasks } from '../src/prune/masks.js';
import { DEFAULT_MIN_CHANNELS, evaluateSensitivity, reconvenePrune, rectifyLayers } from '../src/prune/reconvene/index.js';
import { upaiPrune } from '../src/prune/upai.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { magnitudeScores } from '../src/score/magnitude.js';
import { buildCifarResNet, buildVgg } from '../src/zoo/index.js';
import { NetBuilder } from '../src/zoo/layers.js';

/** conv 3→4 (3x3) → ReLU → depthwise 4→4 (3x3) → ConvTranspose 4→6 (2x2) → GAP → Linear 6→5. */
function tinyModel(): Model {
  const net = new NetBuilder('tiny', 1);
  let x = net.input([3, 8, 8]);
  x = net.conv('conv', x, { out: 4, kernel: 3, padding: 1, bias: false });
  x = net.relu('relu', x);
  x = net.conv('dw', x, { out: 4, kernel: 3, padding: 1, groups: 4, bias: false });
  x = net.convTranspose('up', x, { out: 6, kernel: 2, stride: 2, bias: true });
  return net.finish(net.linear('fc', net.flatten('flatten', net.globalAveragePool('gap', x)), { out: 5, output: 'output' }), {});
}

/** All-ones masks shaped like the model's prunable weights, with some entries cleared by `clear(name, index)`. */
function masksOf(model: Model, clear: (name: string, dims: readonly number[], index: number) => boolean): WeightMasks {
  const masks = new Map<string, Tensor<'float32'>>();
  for (const name of ['conv.weight', 'dw.weight', 'up.weight', 'fc.weight']) {
    const dims = model.graph.initializers.get(name)!.dims;
    const data = new Float32Array(sizeOf(dims)).map((_, i) => (clear(name, dims, i) ? 0 : 1));
    masks.set(name, float32(dims, data));
  }
  return masks;
}

/** Index along axis `axis` of element `i` of a tensor of dims `dims`. */
function indexAlong(dims: readonly number[], axis: number, i: number): number {
  return Math.floor(i / sizeOf(dims.slice(axis + 1))) % dims[axis]!;
}

describe('Pruning Sensitivity Evaluator', () => {
  const model = tinyModel();
  // conv [4,3,3,3]: filters 1 and 3 emptied, input channel 2 emptied -> density 4/27... computed below.
  // dw [4,1,3,3]: channel 0 emptied (its filter is its only reader of input channel 0).
  // up [4,6,2,2] (ConvTranspose: axis 0 inputs, axis 1 outputs): output 5 and input 3 emptied.
  // fc [5,6] (Gemm transB=1): row 4 (an output) emptied.
  const masks = masksOf(model, (name, dims, i) => {
    if (name === 'conv.weight') return [1, 3].includes(indexAlong(dims, 0, i)) || indexAlong(dims, 1, i) === 2;
    if (name === 'dw.weight') return indexAlong(dims, 0, i) === 0;
    if (name === 'up.weight') return indexAlong(dims, 1, i) === 5 || indexAlong(dims, 0, i) === 3;
    return indexAlong(dims, 0, i) === 4;
  });

  test('measures density and the shares of emptied filters and input channels, for plain, depthwise, transposed and fully connected layers', () => {
    const report = evaluateSensitivity(model, masks, { rule: 'emptied', threshold: 0.3 });
    const byWeight = Object.fromEntries(report.layers.map((l) => [l.weight, l]));
    const conv = byWeight['conv.weight']!;
    assert.equal(conv.total, 108);
    assert.equal(conv.kept, 2 * 2 * 9); // filters 0 and 2, input channels 0 and 1
    assert.equal(conv.density, 36 / 108);
    assert.deepEqual([conv.filters, conv.emptiedFilters, conv.inputs, conv.emptiedInputs], [4, 0.5, 3, 1 / 3]);
    const dw = byWeight['dw.weight']!;
    assert.deepEqual([dw.filters, dw.emptiedFilters, dw.inputs, dw.emptiedInputs, dw.density], [4, 0.25, 4, 0.25, 0.75]);
    const up = byWeight['up.weight']!;
    assert.deepEqual([up.filters, up.emptiedFilters, up.inputs, up.emptiedInputs], [6, 1 / 6, 4, 0.25]);
    assert.equal(up.kept, 3 * 5 * 4);
    const fc = byWeight['fc.weight']!;
    assert.deepEqual([fc.filters, fc.emptiedFilters, fc.inputs, fc.emptiedInputs, fc.density], [5, 0.2, 6, 0, 0.8]);
    // emptied >= 0.3 of filters or inputs: conv only.
    assert.deepEqual(report.layers.map((l) => l.sensitive), [false, true, true, true]);
  });

  test('the density rule defaults to the overall density, and the relative rule takes the least dense share of layers', () => {
    const density = evaluateSensitivity(model, masks);
    const overall = density.layers.reduce((n, l) => n + l.kept, 0) / density.layers.reduce((n, l) => n + l.total, 0);
    assert.equal(density.rule, 'density');
    assert.equal(density.threshold, overall);
    assert.deepEqual(density.layers.map((l) => l.sensitive), density.layers.map((l) => l.density > overall));
    assert.deepEqual(evaluateSensitivity(model, masks, { rule: 'density', threshold: 0.75 }).layers.map((l) => l.sensitive), [false, false, false, true]);
    // densities: conv 1/3, dw 0.75, up 0.625, fc 0.8: the least dense half is conv and up.
    assert.deepEqual(evaluateSensitivity(model, masks, { rule: 'relative' }).layers.map((l) => l.sensitive), [false, true, false, true]);
    assert.deepEqual(evaluateSensitivity(model, masks, { rule: 'relative', threshold: 0.25 }).layers.map((l) => l.sensitive), [false, true, true, true]);
    assert.throws(() => evaluateSensitivity(model, masks, { rule: 'width' as never }), /sensitivity rule 'width' is not known \(allowed: density, emptied, relative\)/);
    assert.throws(() => evaluateSensitivity(model, masks, { threshold: 2 }), /threshold 2 is out of range/);
  });
});

describe('Resilient Layer Rectifier', () => {
  test('narrows insensitive VGG layers to their density share of channels chosen by summed scores, dense and re-initialised; the rest keep masks', async () => {
    const model = buildVgg({ depth: 11, width: 0.25, seed: 2 });
    const sparsity = 0.9;
    const upai = await upaiPrune(model, { scorer: 'magnitude', sparsity });
    const sensitivity = evaluateSensitivity(upai.model, upai.masks);
    const result = await rectifyLayers(upai.model, upai.masks, upai.scores, sensitivity, { backend: onnxruntimeNode, seed: 1 });
    assert.ok(result.selfTest && result.selfTest.maxError <= result.selfTest.tolerance);
    inferModel(result.model);
    const rectified = result.layers.filter((l) => l.outcome === 'rectified');
    const masked = result.layers.filter((l) => l.outcome === 'masked');
    assert.ok(rectified.length >= 2 && masked.length >= 2, `rectified ${rectified.length}, masked ${masked.length}`);
    assert.deepEqual([...result.masks.keys()].sort(), masked.map((l) => l.weight).sort());
    for (const layer of result.layers) {
      const weight = result.model.graph.initializers.get(layer.weight)!;
      if (layer.outcome === 'rectified') {
        assert.equal(layer.sensitive, false);
        // VGG: each conv's group is its own output, so the width follows the layer's density alone.
        assert.equal(layer.widthAfter, Math.min(layer.widthBefore, Math.max(DEFAULT_MIN_CHANNELS, Math.ceil(layer.density * layer.widthBefore))), layer.weight);
        const data = weight.data as Float32Array;
        assert.ok(data.every((v) => v !== 0), `${layer.weight} is dense`);
        const fanIn = sizeOf(weight.dims.slice(1));
        const std = Math.sqrt(data.reduce((s, v) => s + v * v, 0) / data.length);
        if (data.length >= 2000) assert.ok(Math.abs(std / Math.sqrt(2 / fanIn) - 1) < 0.1, `${layer.weight}: std ${std} for fan_in ${fanIn}`);
      } else {
        assert.equal(layer.sensitive, true, `${layer.weight} is masked because it is sensitive (VGG has no coupled layers)`);
        const mask = result.masks.get(layer.weight)!;
        assert.deepEqual(mask.dims, weight.dims);
        const data = weight.data as Float32Array;
        mask.data.forEach((m, i) => assert.ok(m === 1 || data[i] === 0));
      }
    }
    // The kept channels of a narrowed layer are those with the highest summed magnitude of their filters.
    const layer = rectified[0]!;
    const scores = upai.scores.get(layer.weight)!;
    const perFilter = sizeOf(scores.dims.slice(1));
    const sums = Array.from({ length: scores.dims[0]! }, (_, c) => scores.data.slice(c * perFilter, (c + 1) * perFilter).reduce((a, b) => a + b, 0));
    const expected = sums.map((s, c) => [s, c] as const).sort((a, b) => b[0] - a[0]).slice(0, layer.widthAfter).map(([, c]) => c).sort((a, b) => a - b);
    const removal = result.removals.find((r) => r.channels.length === layer.widthBefore - layer.widthAfter && !expected.some((c) => r.channels.includes(c)));
    assert.ok(removal, `a removal keeps channels ${expected.join(', ')} of ${layer.weight}`);
  });

  test('ResNet residual streams narrow only when every layer writing them is insensitive, and the result is deterministic by seed', async () => {
    const model = buildCifarResNet({ depth: 20, width: 0.5, seed: 3 });
    const run = (seed: number) => reconvenePrune(model, { scorer: 'magnitude', sparsity: 0.95, backend: onnxruntimeNode, seed });
    const [a, b, c] = await Promise.all([run(7), run(7), run(8)]);
    assert.ok(a.report.selfTest);
    assert.deepEqual(encodeModel(a.model), encodeModel(b.model));
    assert.notDeepEqual(encodeModel(a.model), encodeModel(c.model));
    assert.ok(a.report.after.params < a.report.before.params);
    const layers = a.report.layers;
    // The residual stream of stage 1 is written by the stem conv and every block's conv2.
    const stream = ['conv.weight', 'layers.0.conv2.weight', 'layers.1.conv2.weight', 'layers.2.conv2.weight'].map((w) => layers.find((l) => l.weight === w)!);
    const allInsensitive = stream.every((l) => !l.sensitive);
    for (const l of stream) {
      assert.equal(l.outcome, allInsensitive ? 'rectified' : 'masked');
      if (!allInsensitive && !l.sensitive) assert.match(l.reason!, /coupled to sensitive layer/);
    }
    assert.equal(new Set(stream.map((l) => l.widthAfter)).size, 1);
    for (const l of layers) if (l.outcome === 'masked') assert.ok(a.masks.has(l.weight));
    assert.ok(layers.some((l) => l.outcome === 'rectified'));
    assert.equal(layers.find((l) => l.weight === 'fc.weight')!.outcome, 'masked');
  });

  test('local masks at one density leave the density rule nothing to choose, and emptied layers are found by the emptied rule', async () => {
    const model = buildVgg({ depth: 11, width: 0.125 });
    const scores = await magnitudeScores(model);
    const masks = masksFromScores(scores, { sparsity: 0.5, scope: 'local' });
    const report = evaluateSensitivity(model, masks, { rule: 'density', threshold: 0.4 });
    assert.ok(report.layers.every((l) => l.sensitive));
    // Empty half the filters of one conv by hand.
    const name = 'features.4.weight';
    const mask = masks.get(name)!;
    const per = sizeOf(mask.dims.slice(1));
    const data = mask.data.slice();
    data.fill(0, 0, (mask.dims[0]! / 2) * per);
    const edited = new Map(masks).set(name, float32(mask.dims, data));
    const emptied = evaluateSensitivity(model, edited, { rule: 'emptied' });
    assert.deepEqual(emptied.layers.filter((l) => !l.sensitive).map((l) => l.weight), [name]);
  });
});
