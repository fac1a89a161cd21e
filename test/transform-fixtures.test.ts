// Graph transforms on the PyTorch fixtures: outputs stay within 1e-4 of PyTorch's, BN folding
// removes every BN and exactly its parameters, and shared parameters become separate initialisers
// under their PyTorch names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Model } from '../src/ir/graph.js';
import { sizeOf } from '../src/ir/tensor.js';
import { decodeModel } from '../src/onnx/decode.js';
import { encodeModel } from '../src/onnx/encode.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel } from '../src/ops/infer.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { foldBatchNorm, materializeSharedParameters, removeIdentities } from '../src/transform/index.js';
import { FIXTURE_NAMES, loadFixture, type Fixture } from './helpers/fixtures.js';
import { relativeError } from './helpers/numeric.js';

async function output(model: Model, fixture: Fixture): Promise<Float32Array> {
  // Graph optimisations off: onnxruntime must not fuse BN itself and hide a wrong fold.
  const session = await onnxruntimeNode.createSession(encodeModel(model), { graphOptimization: 'disabled', intraOpThreads: 1 });
  try {
    const out = await session.run({ [fixture.meta.input_name]: { dtype: 'float32', dims: fixture.meta.input_shape, data: fixture.input() } });
    return out[fixture.meta.output_name]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function params(model: Model): number {
  return totalCost(layerCosts(inferModel(model))).params;
}

function countOps(model: Model, opType: string): number {
  return model.graph.nodes.filter((n) => n.opType === opType).length;
}

/** Σ over BN nodes of (scale + bias sizes), minus the bias each producer without one will gain. */
function expectedParamDrop(model: Model): number {
  const producerOf = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const types = inferModel(model).types;
  let drop = 0;
  for (const bn of model.graph.nodes.filter((n) => n.opType === 'BatchNormalization')) {
    const channels = types.get(bn.inputs[1]!)!.shape[0] as number;
    drop += 2 * channels;
    const producer = producerOf.get(bn.inputs[0]!)!;
    if (!producer.inputs[2]) drop -= channels;
  }
  return drop;
}

describe('graph transforms on the PyTorch fixtures', () => {
  for (const name of FIXTURE_NAMES) {
    const fixture = loadFixture(name);
    const model = decodeModel(fixture.modelBytes());

    it(`foldBatchNorm keeps ${name}'s output within 1e-4 and drops exactly the BN parameters`, async () => {
      const folded = foldBatchNorm(model);
      assert.ok(countOps(model, 'BatchNormalization') > 0);
      assert.equal(countOps(folded, 'BatchNormalization'), 0);
      assert.equal(params(model) - params(folded), expectedParamDrop(model));
      assert.equal(totalCost(layerCosts(inferModel(folded))).macs, fixture.meta.macs_per_sample);
      const error = relativeError(await output(folded, fixture), fixture.outputEval());
      assert.ok(error < 1e-4, `relative error ${error}`);
    });

    it(`materializeSharedParameters gives every ${name} parameter its own initialiser`, async () => {
      const separate = materializeSharedParameters(model);
      for (const parameter of fixture.gradNames()) {
        const tensor = separate.graph.initializers.get(parameter);
        assert.ok(tensor, `${parameter} is not an initialiser`);
        assert.deepEqual(tensor.dims, fixture.meta.tensors[`grad/${parameter}`]!.shape);
      }
      assert.equal(countOps(separate, 'Identity'), 0);
      assert.equal(params(separate), fixture.meta.params);
      // Separate means separate memory: training one parameter must not move another.
      const arrays = [...separate.graph.initializers.values()].map((t) => t.data.buffer);
      assert.equal(new Set(arrays).size, arrays.length);
      const error = relativeError(await output(separate, fixture), fixture.outputEval());
      assert.ok(error < 1e-4, `relative error ${error}`);
    });

    it(`removeIdentities leaves ${name} without Identity nodes and with the same output`, async () => {
      const clean = removeIdentities(model);
      assert.equal(countOps(clean, 'Identity'), 0);
      assert.equal(params(clean), fixture.meta.params);
      const error = relativeError(await output(clean, fixture), fixture.outputEval());
      assert.ok(error < 1e-4, `relative error ${error}`);
    });
  }

  it('folds the deploy-style result to the same parameter count as PyTorch deploy export', () => {
    // PyTorch's own BN-folded export is an independent reference for the folded parameter count.
    for (const name of FIXTURE_NAMES) {
      const fixture = loadFixture(name);
      const folded = foldBatchNorm(materializeSharedParameters(decodeModel(fixture.modelBytes())));
      const deploy = decodeModel(fixture.deployBytes());
      assert.equal(params(folded), params(deploy), name);
      const sizes = (m: Model): number[] => [...m.graph.initializers.values()].map((t) => sizeOf(t.dims)).sort((a, b) => a - b);
      assert.deepEqual(sizes(folded).filter((s) => s > 1), sizes(deploy).filter((s) => s > 1), name);
    }
  });
});
