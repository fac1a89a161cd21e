import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyGraph } from '../src/deps/groups.js';
import { decodeModel } from '../src/onnx/decode.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel } from '../src/ops/infer.js';
import { ChannelCostModel } from '../src/prune/channel-cost.js';
import { removeChannels } from '../src/prune/surgery.js';
import { Random } from '../src/util/random.js';
import { buildZooModel } from '../src/zoo/index.js';
import { FIXTURE_NAMES, loadFixture } from './helpers/fixtures.js';
import type { Model } from '../src/ir/graph.js';

const ZOO = [
  'vgg11,width=0.25,classifier=imagenet,input=3x32x32',
  'resnet20,width=0.5',
  'resnet50,width=0.25,input=3x64x64',
  'mobilenetv2,width=0.5,input=3x64x64',
  'unet,base=8,depth=3,up=transpose,input=1x32x32',
  'unet,base=8,depth=3,up=resize,input=1x32x32',
];

const models: [string, () => Model][] = [
  ...ZOO.map((spec) => [`zoo:${spec}`, () => buildZooModel(spec, { seed: 1 })] as [string, () => Model]),
  ...FIXTURE_NAMES.map((name) => [`fixture ${name}`, () => decodeModel(loadFixture(name).modelBytes())] as [string, () => Model]),
];

describe('the channel cost model', () => {
  for (const [label, build] of models) {
    it(`predicts the parameters, MACs and channels surgery leaves on ${label} (3 random cuts)`, () => {
      const model = build();
      const deps = buildDependencyGraph(inferModel(model));
      const costs = new ChannelCostModel(deps);
      const full = totalCost(layerCosts(deps.typed));
      assert.deepEqual(costs.cost(), { ...full, channels: deps.groups.reduce((n, g) => n + (g.prunable ? g.width : 0), 0) });
      for (const seed of [1, 2, 3]) {
        const random = new Random(seed);
        const rate = 0.2 * seed;
        const removed = new Map<number, number[]>();
        for (const g of deps.groups) {
          if (!g.prunable || g.width < 2) continue;
          const channels = [...Array(g.width).keys()].filter(() => random.uniform() < rate).slice(0, g.width - 1);
          if (channels.length > 0) removed.set(g.id, channels);
        }
        const pruned = removeChannels(model, [...removed].map(([group, channels]) => ({ group, channels })), { dependencies: deps });
        const actual = totalCost(layerCosts(inferModel(pruned)));
        const predicted = costs.cost(removed);
        assert.equal(predicted.params, actual.params, `params, seed ${seed}`);
        assert.equal(predicted.macs, actual.macs, `MACs, seed ${seed}`);
        assert.ok(actual.params < full.params && actual.macs < full.macs);
      }
    });
  }
});
