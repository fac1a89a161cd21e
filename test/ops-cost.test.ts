import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeModel } from '../src/onnx/decode.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
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
