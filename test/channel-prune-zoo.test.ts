import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Model } from '../src/ir/graph.js';
import { decodeModel } from '../src/onnx/decode.js';
import { pruneModelChannels } from '../src/prune/channel-pruner.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { l2Criterion, randomCriterion } from '../src/score/channel/index.js';
import { buildZooModel } from '../src/zoo/index.js';
import { FIXTURE_NAMES, loadFixture } from './helpers/fixtures.js';

// Small widths and inputs keep each model well under a second; the structure is the full one.
const ZOO = [
  'vgg19,width=0.25',
  'resnet56,width=0.5',
  'resnet50,width=0.25,input=3x64x64',
  'mobilenetv2,width=0.5,input=3x64x64',
  'unet,base=16,up=transpose,input=1x64x64',
  'unet,base=16,up=resize,input=1x64x64',
];

const models: [string, () => Model][] = [
  ...ZOO.map((spec) => [`zoo:${spec}`, () => buildZooModel(spec, { seed: 1 })] as [string, () => Model]),
  ...FIXTURE_NAMES.map((name) => [`fixture ${name}`, () => decodeModel(loadFixture(name).modelBytes())] as [string, () => Model]),
];

describe('the channel pruner on zoo and fixture models', () => {
  for (const [label, build] of models) {
    it(`cuts ${label} to 60% of its MACs in two steps, each cut passing the self-test`, async () => {
      const model = build();
      const result = await pruneModelChannels(model, { criterion: l2Criterion, keepRatio: 0.6, target: 'macs', steps: 2, backend: onnxruntimeNode });
      assert.equal(result.steps.length, 2);
      for (const step of result.steps) assert.ok(step.selfTest && step.selfTest.maxError <= 1e-4 && step.selfTest.tensors > 0, JSON.stringify(step));
      assert.ok(result.after.macs <= 0.6 * result.before.macs && result.after.params < result.before.params);
    });

    it(`cuts ${label} locally by random scores to half its channels, rounded to 4, passing the self-test`, async () => {
      const result = await pruneModelChannels(build(), { criterion: randomCriterion, keepRatio: 0.5, scope: 'local', roundTo: 4, seed: 3, backend: onnxruntimeNode });
      assert.ok(result.steps[0]!.selfTest!.maxError <= 1e-4);
      for (const g of result.groups) if (g.after < g.before) assert.equal(g.after % 4, 0);
    });
  }
});
