import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyGraph, type DependencyGraph } from '../src/deps/groups.js';
import { attr, type Model } from '../src/ir/graph.js';
import { toFloat32, type Tensor } from '../src/ir/tensor.js';
import { decodeModel } from '../src/onnx/decode.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel } from '../src/ops/infer.js';
import { checkEquivalence } from '../src/prune/self-test.js';
import { pruneChannels, removeChannels, type ChannelRemoval } from '../src/prune/surgery.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { isSculptError } from '../src/errors.js';
import { Net } from './deps-graphs.js';
import { FIXTURE_NAMES, loadFixture } from './helpers/fixtures.js';

const backend = onnxruntimeNode;

function params(model: Model): number {
  return totalCost(layerCosts(inferModel(model))).params;
}

/** Seeded random removals: each channel of each prunable group goes with probability `rate`, never all of a group. */
function randomRemovals(deps: DependencyGraph, seed: number, rate = 0.3): ChannelRemoval[] {
  const random = new Random(seed);
  return deps.groups
    .filter((g) => g.prunable && g.width > 1)
    .map((g) => {
      const channels = [...Array(g.width).keys()].filter(() => random.uniform() < rate);
      return { group: g.id, channels: channels.length === g.width ? channels.slice(1) : channels };
    });
}

function initializer(model: Model, name: string): Tensor {
  const t = model.graph.initializers.get(name);
  assert.ok(t, `no initialiser '${name}'`);
  return t;
}

/** Reference slicing written out index by index: keeps `keep` along axis 1 of a 4-D weight. */
function columns(t: Tensor, keep: readonly number[]): number[] {
  const [o, i, h, w] = t.dims as [number, number, number, number];
  const data = toFloat32(t);
  const out: number[] = [];
  for (let a = 0; a < o; a++) for (const b of keep) for (let k = 0; k < h * w; k++) out.push(data[(a * i + b) * h * w + k]!);
  assert.ok(keep.every((b) => b < i));
  return out;
}

describe('channel surgery with the equivalence self-test', () => {
  for (const name of FIXTURE_NAMES) {
    const fixture = loadFixture(name);
    for (const [file, bytes] of [
      ['model.onnx', fixture.modelBytes()],
      ['model-deploy.onnx', fixture.deployBytes()],
    ] as const) {
      it(`removes random channels from every group of ${name}/${file} and matches the zeroed original (3 seeds)`, async () => {
        const model = decodeModel(bytes);
        const deps = buildDependencyGraph(inferModel(model));
        for (const seed of [1, 2, 3]) {
          const removals = randomRemovals(deps, seed);
          const { model: pruned, selfTest } = await pruneChannels(model, removals, { backend, dependencies: deps, selfTest: { seed } });
          assert.ok(selfTest && selfTest.maxError <= 1e-4 && selfTest.tensors > 0, JSON.stringify(selfTest));
          const removed = removals.reduce((n, r) => n + r.channels.length, 0);
          assert.ok(removed > 0 && params(pruned) < params(model));
          // Every cut group's producer output is narrower by exactly the removed count.
          const typed = inferModel(pruned);
          for (const r of removals) {
            const group = deps.groups[r.group]!;
            const tensor = group.producers[0]!.tensor;
            const width = deps.spaces.get(tensor)!.width;
            const perIndex = group.members.find((m) => m.tensor === tensor)!.channels[0]!.length;
            assert.equal(typed.types.get(tensor)!.shape[1], width - r.channels.length * perIndex, `group ${r.group} tensor ${tensor}`);
          }
        }
      });
    }
  }

  it('slices a consumer after Concat at each input offset', async () => {
    const net = new Net();
    const x = net.input([1, 3, 8, 8]);
    const a = net.conv(x, 3, 4, 'a');
    const b = net.conv(x, 3, 6, 'b');
    const cat = net.op('Concat', [net.relu(a), net.relu(b)], { axis: attr.int(1) });
    const model = net.model(net.conv(cat, 10, 2, 'c'));
    const deps = buildDependencyGraph(inferModel(model));
    const ga = deps.groups.find((g) => g.producers.some((p) => p.node === 'a'))!;
    const gb = deps.groups.find((g) => g.producers.some((p) => p.node === 'b'))!;
    const { model: pruned } = await pruneChannels(model, [{ group: ga.id, channels: [1] }, { group: gb.id, channels: [2, 5] }], { backend });
    assert.deepEqual(initializer(pruned, 'c.weight').dims, [2, 7, 3, 3]);
    assert.deepEqual(Array.from(toFloat32(initializer(pruned, 'c.weight'))), columns(initializer(model, 'c.weight'), [0, 2, 3, 4, 5, 7, 8]));
    assert.deepEqual(initializer(pruned, 'a.weight').dims, [3, 3, 3, 3]);
    assert.deepEqual(Array.from(toFloat32(initializer(pruned, 'b.bias'))), [0, 1, 3, 4].map((i) => toFloat32(initializer(model, 'b.bias'))[i]));
  });

  it('shrinks the group count of depthwise and grouped convolutions', async () => {
    const net = new Net();
    const x = net.input([1, 3, 8, 8]);
    const a = net.relu(net.conv(x, 3, 8, 'a'));
    const dw = net.relu(net.conv(a, 8, 8, 'dw', { group: 8 }));
    const pw = net.relu(net.conv(dw, 8, 8, 'pw', { k: 1 }));
    // Two groups of 4 channels in and out, then a ConvTranspose with 4 groups of 2 in, 1 out.
    const grouped = net.relu(net.conv(pw, 8, 8, 'grouped', { group: 2 }));
    const up = net.op('ConvTranspose', [grouped, net.weight('up.weight', [8, 1, 2, 2]), net.weight('up.bias', [4])], { group: attr.int(4), strides: attr.ints([2, 2]) }, 'up');
    const model = net.model(net.conv(net.relu(up), 4, 2, 'c'));
    const deps = buildDependencyGraph(inferModel(model));
    const byProducer = (node: string) => deps.groups.find((g) => g.producers.some((p) => p.node === node))!;
    assert.equal(byProducer('a').width, 8);
    // Whole groups are the units: pw's 8 channels form 2 units of 4, reaching up's outputs 2 by 2.
    const chain = byProducer('pw');
    assert.equal(chain.width, 2);
    assert.deepEqual(chain.members.find((m) => m.tensor === up)!.channels, [[0, 1], [2, 3]]);
    const { model: pruned } = await pruneChannels(
      model,
      [
        { group: byProducer('a').id, channels: [0, 3, 4, 7] },
        { group: chain.id, channels: [1] },
      ],
      { backend },
    );
    const node = (n: string) => pruned.graph.nodes.find((x) => x.name === n)!;
    assert.deepEqual(node('dw').attributes['group'], attr.int(4));
    assert.deepEqual(initializer(pruned, 'dw.weight').dims, [4, 1, 3, 3]);
    assert.deepEqual(node('grouped').attributes['group'], attr.int(1));
    assert.deepEqual(initializer(pruned, 'grouped.weight').dims, [4, 4, 3, 3]);
    assert.deepEqual(node('up').attributes['group'], attr.int(2));
    assert.deepEqual(initializer(pruned, 'up.weight').dims, [4, 1, 2, 2]);
    assert.deepEqual(initializer(pruned, 'c.weight').dims, [2, 2, 3, 3]);
  });

  it('removes the Gemm column block of a flattened channel', async () => {
    const net = new Net();
    const x = net.input([1, 3, 2, 2]);
    const a = net.relu(net.conv(x, 3, 4, 'a'));
    const flat = net.op('Flatten', [a]);
    const model = net.model(net.op('Gemm', [flat, net.weight('fc.weight', [16, 5]), net.weight('fc.bias', [5])], {}, 'fc'));
    const deps = buildDependencyGraph(inferModel(model));
    const group = deps.groups.find((g) => g.prunable)!;
    const { model: pruned } = await pruneChannels(model, [{ group: group.id, channels: [1] }], { backend });
    const before = toFloat32(initializer(model, 'fc.weight'));
    const expected = Array.from(before).filter((_, i) => Math.floor(i / 5) < 4 || Math.floor(i / 5) >= 8);
    assert.deepEqual(Array.from(toFloat32(initializer(pruned, 'fc.weight'))), expected);
  });

  it('drops exactly the filters, BN vectors and consumer columns of the removed channels', () => {
    const model = decodeModel(loadFixture('vgg11-quarter').modelBytes());
    const deps = buildDependencyGraph(inferModel(model));
    // A plain conv → BN → ReLU → conv group: each channel carries one filter, its bias if any,
    // BN scale and B (the counted BN parameters), and one input slice of the next conv.
    const group = deps.groups.find((g) => g.prunable && g.producers.length === 1 && g.consumers[0]?.opType === 'Conv')!;
    const graph = model.graph;
    const producer = graph.nodes[group.producers[0]!.nodeIndex]!;
    const consumer = graph.nodes[group.consumers[0]!.nodeIndex]!;
    const w = initializer(model, producer.inputs[1]!).dims;
    const next = initializer(model, consumer.inputs[1]!).dims;
    const perChannel = w[1]! * w[2]! * w[3]! + (producer.inputs[2] ? 1 : 0) + 2 + next[0]! * next[2]! * next[3]!;
    const pruned = removeChannels(model, [{ group: group.id, channels: [0, 2, 5] }], { dependencies: deps });
    assert.equal(params(model) - params(pruned), 3 * perChannel);
  });

  it('leaves the input model untouched', () => {
    const bytes = loadFixture('resnet20').modelBytes();
    const model = decodeModel(bytes);
    const deps = buildDependencyGraph(inferModel(model));
    removeChannels(model, randomRemovals(deps, 4), { dependencies: deps });
    assert.deepEqual(model, decodeModel(bytes));
  });

  it('refuses to empty a group, to cut a fixed group, and out-of-range channels', () => {
    const model = decodeModel(loadFixture('vgg11-quarter').deployBytes());
    const deps = buildDependencyGraph(inferModel(model));
    const group = deps.groups.find((g) => g.prunable)!;
    const fixed = deps.groups.find((g) => !g.prunable)!;
    const all = [...Array(group.width).keys()];
    const expectError = (removals: ChannelRemoval[], code: string, pattern: RegExp): void =>
      assert.throws(() => removeChannels(model, removals, { dependencies: deps }), (e: unknown) => isSculptError(e) && e.code === code && pattern.test(e.message));
    expectError([{ group: group.id, channels: all }], 'BAD_ARGUMENT', /removing all 16 channels of group 1 would leave a zero-width tensor; keep at least one/);
    expectError([{ group: fixed.id, channels: [0] }], 'NOT_PRUNABLE', /group 0 cannot be pruned: graph input/);
    expectError([{ group: group.id, channels: [16] }], 'BAD_ARGUMENT', /channel 16 is out of range for group 1 of width 16 \(allowed: 0-15\)/);
    expectError([{ group: 99, channels: [0] }], 'BAD_ARGUMENT', /group 99 does not exist/);
    assert.equal(removeChannels(model, [{ group: group.id, channels: [] }], { dependencies: deps }), model);
  });

  it('needs a backend for the self-test unless it is turned off', async () => {
    const model = decodeModel(loadFixture('vgg11-quarter').deployBytes());
    const removals = [{ group: 1, channels: [0] }];
    await assert.rejects(pruneChannels(model, removals), /self-test needs a backend: pass \{ backend: onnxruntimeNode \}, or \{ selfTest: false \}/);
    const { model: pruned, selfTest } = await pruneChannels(model, removals, { selfTest: false });
    assert.equal(selfTest, undefined);
    assert.ok(params(pruned) < params(model));
  });

  it('reports SELF_TEST_FAILED naming the group when the cut model is not the zeroed original', async () => {
    const model = decodeModel(loadFixture('resnet20').modelBytes());
    const deps = buildDependencyGraph(inferModel(model));
    const group = deps.groups.find((g) => g.prunable && g.producers.length === 1)!;
    const pruned = removeChannels(model, [{ group: group.id, channels: [1, 2] }], { dependencies: deps });
    // Claim other channels were removed: same shapes, different function.
    await assert.rejects(
      checkEquivalence(model, pruned, [{ group: group.id, channels: [3, 4] }], { backend, dependencies: deps }),
      (e: unknown) => isSculptError(e, 'SELF_TEST_FAILED') && e.message.startsWith(`self-test failed for group ${group.id} (produced by '${group.producers[0]!.node}')`),
    );
    // A corrupted BN vector is caught on the producer side.
    const bn = pruned.graph.nodes.find((n) => n.inputs[0] === group.producers[0]!.tensor)!;
    const scale = pruned.graph.initializers.get(bn.inputs[1]!)!;
    const corrupted = new Map(pruned.graph.initializers).set(bn.inputs[1]!, { ...scale, data: toFloat32(scale).map((v, i) => (i === 0 ? v + 1 : v)) });
    await assert.rejects(
      checkEquivalence(model, { ...pruned, graph: { ...pruned.graph, initializers: corrupted } }, [{ group: group.id, channels: [1, 2] }], { backend, dependencies: deps }),
      (e: unknown) => isSculptError(e, 'SELF_TEST_FAILED') && /tensor '.*' differs/.test(e.message),
    );
  });
});

describe('channel surgery on a group spread over several tensors', () => {
  it('refuses a cut that would empty one tensor of a group that keeps other channels', () => {
    // Add(a, Concat(b, d)): a's channels 0-1 go with b, 2-3 with d, so a, b and d form one group.
    const net = new Net();
    const x = net.input([1, 3, 4, 4]);
    const a = net.conv(x, 3, 4, 'a');
    const cat = net.op('Concat', [net.conv(x, 3, 2, 'b'), net.conv(x, 3, 2, 'd')], { axis: attr.int(1) });
    const model = net.model(net.conv(net.op('Add', [a, cat]), 4, 2, 'c'));
    const deps = buildDependencyGraph(inferModel(model));
    const group = deps.groups.find((g) => g.prunable)!;
    assert.equal(group.width, 4);
    assert.deepEqual(group.producers.map((p) => p.node).sort(), ['a', 'b', 'd']);
    const bIndices = group.members.find((m) => m.tensor === 'b_out')!.channels.flatMap((c, i) => (c.length ? [i] : []));
    assert.throws(() => removeChannels(model, [{ group: group.id, channels: bIndices }], { dependencies: deps }), /take every channel of tensor 'b_out'.*keep at least one/);
    const pruned = removeChannels(model, [{ group: group.id, channels: [bIndices[0]!] }], { dependencies: deps });
    assert.deepEqual(pruned.graph.initializers.get('b.weight')!.dims, [1, 3, 3, 3]);
  });
});
