import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeModel } from '../src/onnx/decode.js';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr, type Attribute } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { layerCosts, totalCost, type LayerCost } from '../src/ops/cost.js';
import { inferModel } from '../src/ops/infer.js';
import { FIXTURE_NAMES, loadFixture } from './helpers/fixtures.js';

describe('parameter and MAC counting', () => {
  for (const name of FIXTURE_NAMES) {
    const fixture = loadFixture(name);
    it(`counts ${name}/model.onnx exactly as PyTorch does`, () => {
      const typed = inferModel(decodeModel(fixture.modelBytes()), { inputShapes: { input: fixture.meta.input_shape } });
      const total = totalCost(layerCosts(typed));
      assert.equal(total.params, fixture.meta.params);
      assert.equal(total.macs, fixture.meta.macs_per_sample);
    });

    it(`counts MACs of ${name}/model-deploy.onnx as meta.json says`, () => {
      const typed = inferModel(decodeModel(fixture.deployBytes()));
      assert.equal(totalCost(layerCosts(typed)).macs, fixture.meta.macs_per_sample);
    });
  }
});

describe('MACs and parameters of single layers by the fixtures convention', () => {
  // Expected numbers are the convention's formulas worked by hand for each layer.
  const layer = (op: string, input: number[], weight: number[], attributes: Record<string, Attribute> = {}): LayerCost => {
    const b = new GraphBuilder('layer');
    b.input('x', 'float32', ['batch', ...input.slice(1)]);
    b.op(op, ['x', b.initializer('w', float32(weight, new Float32Array(weight.reduce((p, d) => p * d, 1))))], attributes, { output: 'y' });
    b.output('y', 'float32');
    return layerCosts(inferModel(modelFromGraph(b.build())))[0]!;
  };

  it('counts a MatMul weight as K*N MACs per sample and K*N parameters', () => {
    const cost = layer('MatMul', [1, 64], [64, 10]);
    assert.equal(cost.macs, 640);
    assert.equal(cost.params, 640);
  });

  it('counts a MatMul over tokens as tokens*K*N MACs per sample', () => {
    assert.equal(layer('MatMul', [1, 5, 8], [8, 3]).macs, 5 * 8 * 3);
  });

  it('counts a strided dilated depthwise conv as Cout*Hout*Wout*(Cin/groups)*kh*kw', () => {
    // 16x16, k3, dilation 2, stride 2, pads 2 -> 8x8 output.
    const cost = layer('Conv', [1, 6, 16, 16], [6, 1, 3, 3], { group: attr.int(6), strides: attr.ints([2, 2]), dilations: attr.ints([2, 2]), pads: attr.ints([2, 2, 2, 2]) });
    assert.equal(cost.macs, 6 * 8 * 8 * 1 * 9);
  });

  it('counts a grouped ConvTranspose as Cin*Hin*Win*(Cout/groups)*kh*kw', () => {
    const cost = layer('ConvTranspose', [1, 4, 5, 5], [4, 3, 2, 2], { group: attr.int(2), strides: attr.ints([2, 2]) });
    assert.equal(cost.macs, 4 * 5 * 5 * 3 * 4);
    assert.equal(cost.params, 4 * 3 * 2 * 2);
  });

  it("counts PRelu's slope as trainable parameters and no MACs", () => {
    const cost = layer('PRelu', [1, 8, 4, 4], [8, 1, 1]);
    assert.equal(cost.params, 8);
    assert.equal(cost.macs, 0);
  });
});
