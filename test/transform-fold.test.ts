// foldBatchNorm on small graphs that the fixtures do not cover: Gemm (both weight layouts, beta),
// grouped ConvTranspose, depthwise Conv with a bias; and the cases it must leave alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr, type Attribute, type Model } from '../src/ir/graph.js';
import { float32, sizeOf } from '../src/ir/tensor.js';
import { foldBatchNorm } from '../src/transform/index.js';
import { Random } from '../src/util/random.js';
import { randomTensor, runWithFeeds } from './helpers/one-node.js';
import { relativeError } from './helpers/numeric.js';

const random = new Random(7);
const values = (dims: readonly number[], low = -1, high = 1): Float32Array => random.fillUniform(new Float32Array(sizeOf(dims)), low, high);

interface Layer {
  readonly op: string;
  readonly input: readonly number[];
  readonly weight: readonly number[];
  readonly bias?: readonly number[];
  readonly attributes?: Readonly<Record<string, Attribute>>;
  readonly channels: number;
}

/** input -> layer -> BatchNormalization (random statistics) -> Relu -> output, plus optional extras. */
function layerThenBn(layer: Layer, extra: (b: GraphBuilder, layerOut: string) => void = () => {}): Model {
  const b = new GraphBuilder('fold');
  b.input('x', 'float32', layer.input);
  const inputs = ['x', b.initializer('layer.weight', float32(layer.weight, values(layer.weight)))];
  if (layer.bias) inputs.push(b.initializer('layer.bias', float32(layer.bias, values(layer.bias))));
  const y = b.op(layer.op, inputs, layer.attributes ?? {}, { name: 'layer' });
  const c = [layer.channels];
  const stats = [float32(c, values(c, 0.5, 2)), float32(c, values(c)), float32(c, values(c)), float32(c, values(c, 0.1, 3))];
  const bn = b.op('BatchNormalization', [y, ...stats.map((t, i) => b.initializer(`bn.${i}`, t))], { epsilon: attr.float(1e-3) }, { name: 'bn' });
  b.op('Relu', [bn], {}, { output: 'out' });
  b.output('out', 'float32');
  extra(b, y);
  return modelFromGraph(b.build(), { opset: 13 });
}

async function assertSameOutputs(original: Model, folded: Model, input: readonly number[]): Promise<void> {
  const feeds = { x: randomTensor('float32', input, new Random(11)) };
  const expected = await runWithFeeds(original, feeds);
  const actual = await runWithFeeds(folded, feeds);
  for (const name of Object.keys(expected)) {
    const error = relativeError(actual[name]!.data as Float32Array, expected[name]!.data as Float32Array);
    assert.ok(error < 1e-4, `${name}: relative error ${error}`);
  }
}

const bnCount = (m: Model): number => m.graph.nodes.filter((n) => n.opType === 'BatchNormalization').length;

const LAYERS: readonly [string, Layer][] = [
  ['Gemm with transB (nn.Linear) and BatchNorm1d', { op: 'Gemm', input: [3, 6], weight: [4, 6], bias: [4], attributes: { transB: attr.int(1) }, channels: 4 }],
  ['Gemm with a [K, N] weight, beta 0.5 and a [1, N] bias', { op: 'Gemm', input: [3, 6], weight: [6, 4], bias: [1, 4], attributes: { beta: attr.float(0.5), alpha: attr.float(2) }, channels: 4 }],
  ['Gemm without a bias', { op: 'Gemm', input: [3, 6], weight: [6, 5], channels: 5 }],
  ['a grouped ConvTranspose', { op: 'ConvTranspose', input: [2, 4, 3, 3], weight: [4, 3, 2, 2], attributes: { group: attr.int(2), strides: attr.ints([2, 2]) }, channels: 6 }],
  ['a ConvTranspose with a bias', { op: 'ConvTranspose', input: [1, 3, 4, 4], weight: [3, 2, 3, 3], bias: [2], channels: 2 }],
  ['a depthwise Conv with a bias', { op: 'Conv', input: [2, 4, 5, 5], weight: [4, 1, 3, 3], bias: [4], attributes: { group: attr.int(4), pads: attr.ints([1, 1, 1, 1]) }, channels: 4 }],
  ['a 1-D Conv', { op: 'Conv', input: [2, 3, 7], weight: [5, 3, 3], channels: 5 }],
];

describe('foldBatchNorm on single layers', () => {
  for (const [title, layer] of LAYERS) {
    it(`folds BN into ${title} with the same outputs`, async () => {
      const model = layerThenBn(layer);
      const folded = foldBatchNorm(model);
      assert.equal(bnCount(folded), 0);
      assert.equal(folded.graph.nodes.length, 2);
      assert.deepEqual([...folded.graph.initializers.keys()].sort(), ['layer.bias', 'layer.weight']);
      await assertSameOutputs(model, folded, layer.input);
    });
  }

  it('leaves BN alone when the layer output also feeds another node', async () => {
    const model = layerThenBn(LAYERS[5]![1], (b, y) => {
      b.op('Relu', [y], {}, { output: 'side' });
      b.output('side', 'float32');
    });
    const folded = foldBatchNorm(model);
    assert.equal(bnCount(folded), 1);
    await assertSameOutputs(model, folded, LAYERS[5]![1].input);
  });

  it('leaves BN alone when the layer output is a graph output', () => {
    const model = layerThenBn(LAYERS[0]![1], (b, y) => b.output(y, 'float32'));
    assert.equal(bnCount(foldBatchNorm(model)), 1);
  });

  it('leaves BN alone when its statistics are not constant', () => {
    const b = new GraphBuilder('fed');
    b.input('x', 'float32', [2, 3, 4, 4]);
    b.input('mean', 'float32', [3]);
    const y = b.op('Conv', ['x', b.initializer('w', float32([3, 3, 1, 1], values([3, 3, 1, 1])))]);
    const ones = b.initializer('ones', float32([3], [1, 1, 1]));
    b.op('BatchNormalization', [y, ones, ones, 'mean', ones], {}, { output: 'out' });
    b.output('out', 'float32');
    assert.equal(bnCount(foldBatchNorm(modelFromGraph(b.build(), { opset: 13 }))), 1);
  });

  it('writes new initialisers under fresh names when the weight is shared', async () => {
    const b = new GraphBuilder('shared');
    b.input('x', 'float32', [1, 2, 4, 4]);
    const w = b.initializer('shared.weight', float32([2, 2, 1, 1], [1, 2, 3, 4]));
    const a = b.op('Conv', ['x', w], {}, { name: 'a' });
    const second = b.op('Conv', ['x', w], {}, { name: 'b', output: 'other' });
    const stats = [float32([2], [2, 3]), float32([2], [0.5, -1]), float32([2], [0.1, 0.2]), float32([2], [1, 4])];
    b.op('BatchNormalization', [a, ...stats.map((t, i) => b.initializer(`s${i}`, t))], {}, { output: 'out' });
    b.output('out', 'float32');
    b.output(second, 'float32');
    const model = modelFromGraph(b.build(), { opset: 13 });
    const folded = foldBatchNorm(model);
    assert.equal(bnCount(folded), 0);
    assert.deepEqual(Array.from(folded.graph.initializers.get('shared.weight')!.data as Float32Array), [1, 2, 3, 4]);
    assert.ok(folded.graph.initializers.has('shared.weight_folded'));
    await assertSameOutputs(model, folded, [1, 2, 4, 4]);
  });
});
