import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyGraph } from '../src/deps/groups.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel } from '../src/ops/infer.js';
import { pruneChannels } from '../src/prune/surgery.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { buildZooModel } from '../src/zoo/index.js';

// Small widths and inputs keep each model well under a second; the structure is the full one.
const SPECS = [
  'vgg19,width=0.25',
  'vgg11,width=0.25,classifier=imagenet,input=3x32x32',
  'resnet20',
  'resnet56,width=0.5',
  'resnet18,width=0.25,input=3x64x64',
  'resnet50,width=0.25,input=3x64x64',
  'mobilenetv2,width=0.5,input=3x64x64',
  'unet,base=16,up=transpose,input=1x64x64',
  'unet,base=16,up=resize,input=1x64x64',
  'unet,base=16,up=resize,resize=linear,input=1x64x64',
];

describe('channel surgery on zoo models', () => {
  for (const spec of SPECS) {
    it(`removes random channels from every group of zoo:${spec} and matches the zeroed original (2 seeds)`, async () => {
      const model = buildZooModel(spec, { seed: 1 });
      const deps = buildDependencyGraph(inferModel(model));
      // Only the input and the logits are fixed in these architectures.
      assert.deepEqual(
        deps.groups.filter((g) => !g.prunable).map((g) => g.barriers.join()),
        ["graph input 'input' (its channels are fixed by the caller)", "reaches graph output 'output'"],
      );
      const before = totalCost(layerCosts(deps.typed)).params;
      for (const seed of [1, 2]) {
        const random = new Random(seed);
        const removals = deps.groups
          .filter((g) => g.prunable)
          .map((g) => ({ group: g.id, channels: [...Array(g.width).keys()].filter(() => random.uniform() < 0.3).slice(0, g.width - 1) }));
        const { model: pruned, selfTest } = await pruneChannels(model, removals, { backend: onnxruntimeNode, dependencies: deps, selfTest: { seed } });
        assert.ok(selfTest!.maxError <= 1e-4 && selfTest!.tensors > 0);
        assert.ok(totalCost(layerCosts(inferModel(pruned))).params < before);
      }
    });
  }
});
