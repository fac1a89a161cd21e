import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyGraph, type DependencyGraph } from '../src/deps/groups.js';
import { isSculptError } from '../src/errors.js';
import type { Model } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel, nodeContext, ruleFor } from '../src/ops/infer.js';
import { ChannelCostModel } from '../src/prune/channel-cost.js';
import { pruneModelChannels, type ChannelPruneOptions, type ChannelPruneResult } from '../src/prune/channel-pruner.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { bnScaleCriterion, l1Criterion } from '../src/score/channel/index.js';
import { Random } from '../src/util/random.js';
import { buildZooModel } from '../src/zoo/index.js';
import { Net } from './deps-graphs.js';

const backend = onnxruntimeNode;
const RESNET = 'resnet20,width=0.5';

function zoo(spec: string): Model {
  return buildZooModel(spec, { seed: 1 });
}

/** The model with every BN scale (gamma) replaced by seeded U(0.1, 1.1) values, so BN-scale scores differ. */
function withRandomGammas(model: Model, seed: number): Model {
  const random = new Random(seed);
  const typed = inferModel(model);
  const initializers = new Map(model.graph.initializers);
  for (const node of model.graph.nodes) {
    const input = ruleFor(node).perChannelAffine?.(nodeContext(typed, node))?.scaleInput;
    if (input === undefined) continue;
    const name = node.inputs[input]!;
    const old = initializers.get(name)!;
    initializers.set(name, float32(old.dims, Array.from({ length: old.dims[0]! }, () => 0.1 + random.uniform())));
  }
  return { ...model, graph: { ...model.graph, initializers } };
}

async function prune(model: Model, options: Partial<ChannelPruneOptions> & { keepRatio: number }): Promise<ChannelPruneResult> {
  return pruneModelChannels(model, { criterion: l1Criterion, backend, ...options });
}

/** The largest cost one channel alone takes away, over every channel of every prunable group. */
function largestChannelCost(deps: DependencyGraph, target: 'params' | 'macs'): number {
  const costs = new ChannelCostModel(deps);
  const full = costs.cost()[target];
  let largest = 0;
  for (const g of deps.groups) {
    if (!g.prunable || g.width < 2) continue;
    for (let i = 0; i < g.width; i++) largest = Math.max(largest, full - costs.cost(new Map([[g.id, [i]]]))[target]);
  }
  return largest;
}

function removedSets(result: ChannelPruneResult): Record<number, readonly number[]> {
  return Object.fromEntries(result.groups.map((g) => [g.group, g.removed]));
}

describe('the channel pruner', () => {
  for (const target of ['params', 'macs'] as const) {
    it(`meets a global ${target} target within one channel's cost, measured on the pruned model`, async () => {
      const model = zoo(RESNET);
      const deps = buildDependencyGraph(inferModel(model));
      const result = await prune(model, { keepRatio: 0.5, target });
      const goal = 0.5 * result.before[target];
      const measured = totalCost(layerCosts(inferModel(result.model)));
      assert.equal(result.after[target], measured[target]);
      assert.ok(result.after[target] <= goal, `${result.after[target]} <= ${goal}`);
      assert.ok(result.after[target] > goal - largestChannelCost(deps, target), `${result.after[target]} within one channel of ${goal}`);
      assert.equal(result.steps.length, 1);
      assert.ok(result.steps[0]!.selfTest!.maxError <= 1e-4);
    });
  }

  it('global scope removes exactly the channels with the lowest scores normalised by their group’s maximum', async () => {
    const model = zoo(RESNET);
    const deps = buildDependencyGraph(inferModel(model));
    const result = await prune(model, { keepRatio: 0.6, target: 'channels', selfTest: false });
    let highestRemoved = -Infinity;
    let lowestKept = Infinity;
    for (const g of result.groups) {
      const scores = l1Criterion.score(deps.groups[g.group]!, { deps, seed: 0 });
      const max = Math.max(...scores);
      const removed = new Set(g.removed);
      scores.forEach((s, i) => {
        if (removed.has(i)) highestRemoved = Math.max(highestRemoved, s / max);
        else if (s !== max) lowestKept = Math.min(lowestKept, s / max);
      });
    }
    assert.ok(highestRemoved < lowestKept, `${highestRemoved} < ${lowestKept}`);
    const total = result.groups.reduce((n, g) => n + g.before, 0);
    const kept = result.groups.reduce((n, g) => n + g.after, 0);
    assert.equal(kept, Math.floor(0.6 * total));
    // Widths differ between groups: global scope does not cut every group alike.
    assert.ok(new Set(result.groups.map((g) => (g.after / g.before).toFixed(3))).size > 1);
  });

  it('local scope keeps the same share of every group, its lowest-scored channels going', async () => {
    const model = zoo(RESNET);
    const deps = buildDependencyGraph(inferModel(model));
    const result = await prune(model, { keepRatio: 0.5, scope: 'local', selfTest: false });
    for (const g of result.groups) {
      assert.equal(g.after, g.before / 2, `group ${g.group}`);
      const scores = l1Criterion.score(deps.groups[g.group]!, { deps, seed: 0 });
      const order = [...scores.keys()].sort((a, b) => scores[a]! - scores[b]!);
      assert.deepEqual([...g.removed].sort((a, b) => a - b), order.slice(0, g.before / 2).sort((a, b) => a - b));
    }
  });

  it('local scope meets a MAC target with one share for all groups', async () => {
    const result = await prune(zoo(RESNET), { keepRatio: 0.5, scope: 'local', target: 'macs', selfTest: false });
    assert.ok(result.after.macs <= 0.5 * result.before.macs);
    const shares = result.groups.map((g) => g.after / g.before);
    assert.ok(Math.max(...shares) - Math.min(...shares) <= 1 / 8 + 1e-9, shares.join());
  });

  for (const roundTo of [4, 8]) {
    it(`rounds the kept width of every pruned group to a multiple of ${roundTo}`, async () => {
      const result = await prune(zoo('vgg11,width=0.5'), { keepRatio: 0.45, target: 'params', roundTo });
      assert.ok(result.after.params <= 0.45 * result.before.params);
      const pruned = result.groups.filter((g) => g.after < g.before);
      assert.ok(pruned.length > 0);
      for (const g of pruned) assert.equal(g.after % roundTo, 0, `group ${g.group}: ${g.before} -> ${g.after}`);
      for (const layer of result.layers) assert.ok(layer.after <= layer.before);
    });
  }

  it('keeps at least minChannels in every group', async () => {
    const result = await prune(zoo(RESNET), { keepRatio: 0.2, target: 'params', minChannels: 6, selfTest: false });
    assert.ok(result.groups.every((g) => g.after >= 6));
    assert.ok(result.groups.some((g) => g.after === 6));
  });

  it('an iterative schedule equals one shot for a criterion that cutting does not change (BN scale)', async () => {
    const model = withRandomGammas(zoo(RESNET), 4);
    for (const target of ['channels', 'params'] as const) {
      const once = await prune(model, { criterion: bnScaleCriterion, keepRatio: 0.5, target, selfTest: false });
      const thrice = await prune(model, { criterion: bnScaleCriterion, keepRatio: 0.5, target, steps: 3 });
      assert.equal(thrice.steps.length, 3);
      assert.ok(thrice.steps.every((s) => s.removed > 0 && s.selfTest!.maxError <= 1e-4));
      assert.deepEqual(removedSets(thrice), removedSets(once), target);
      assert.equal(thrice.after.params, once.after.params);
    }
  });

  it('an iterative schedule differs from one shot for L1, whose filters lose input channels between steps', async () => {
    const model = zoo(RESNET);
    const once = await prune(model, { keepRatio: 0.4, selfTest: false });
    const iterative = await prune(model, { keepRatio: 0.4, steps: 4, selfTest: false });
    assert.equal(iterative.groups.reduce((n, g) => n + g.after, 0), once.groups.reduce((n, g) => n + g.after, 0));
    assert.notDeepEqual(removedSets(iterative), removedSets(once));
  });

  it('reports before/after sizes, group widths and layer widths that match the pruned model', async () => {
    const model = zoo(RESNET);
    const result = await prune(model, { keepRatio: 0.5, target: 'macs', selfTest: false });
    assert.equal(result.after.bytes, result.encoded.byteLength);
    assert.ok(result.after.bytes < result.before.bytes);
    const typed = inferModel(result.model);
    const node = (name: string) => result.model.graph.nodes.find((n) => n.name === name)!;
    for (const layer of result.layers) assert.equal(typed.types.get(node(layer.name).outputs[0]!)!.shape[1], layer.after, layer.name);
    for (const g of result.groups) assert.equal(g.before - g.after, g.removed.length);
  });

  it('refuses a ratio outside (0, 1], an unreachable target and a model with nothing to prune', async () => {
    const model = zoo(RESNET);
    for (const keepRatio of [0, -0.5, 1.5, NaN]) {
      await assert.rejects(prune(model, { keepRatio }), (e: unknown) => isSculptError(e, 'BAD_ARGUMENT') && /keepRatio must be in \(0, 1\]/.test(e.message));
    }
    await assert.rejects(
      prune(model, { keepRatio: 0.001, target: 'params', selfTest: false }),
      (e: unknown) => isSculptError(e, 'BAD_ARGUMENT') && /cannot be met.*ask for a ratio of at least 0\.\d+/.test(e.message),
    );
    const net = new Net(1);
    const lone = net.model(net.conv(net.input([1, 3, 8, 8]), 3, 4, 'only'));
    await assert.rejects(prune(lone, { keepRatio: 0.5 }), (e: unknown) => isSculptError(e, 'NOT_PRUNABLE') && /no channel group that can lose channels/.test(e.message));
  });

  it('leaves the model unchanged at ratio 1', async () => {
    const model = zoo(RESNET);
    const result = await prune(model, { keepRatio: 1 });
    assert.equal(result.model, model);
    assert.equal(result.after.params, result.before.params);
    assert.equal(result.steps.length, 0);
  });
});
