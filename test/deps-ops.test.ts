// Channel rules of the reshaping, slicing and normalising ops: which graphs they leave prunable,
// the barriers they raise (with reasons), and cuts through them checked by the self-test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyGraph, type ChannelGroup, type DependencyGraph } from '../src/deps/groups.js';
import { attr, type Model } from '../src/ir/graph.js';
import { float32, int64, toNumbers } from '../src/ir/tensor.js';
import { inferModel } from '../src/ops/infer.js';
import { pruneChannels, type ChannelRemoval } from '../src/prune/surgery.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { Net } from './deps-graphs.js';

const backend = onnxruntimeNode;

function groupOf(deps: DependencyGraph, producer: string): ChannelGroup {
  const found = deps.groups.find((g) => g.producers.some((p) => p.node === producer));
  assert.ok(found, `no group produced by '${producer}'`);
  return found;
}

/** Cuts `channels` from the group produced by `producer`, with the self-test; returns the smaller model. */
async function cut(model: Model, producer: string, channels: readonly number[]): Promise<Model> {
  const deps = buildDependencyGraph(inferModel(model));
  const removals: ChannelRemoval[] = [{ group: groupOf(deps, producer).id, channels }];
  const { model: pruned, selfTest } = await pruneChannels(model, removals, { backend, dependencies: deps });
  assert.ok(selfTest && selfTest.maxError <= 1e-4);
  return pruned;
}

function constantOf(model: Model, node: string, input: number): number[] {
  const n = model.graph.nodes.find((x) => x.name === node)!;
  return toNumbers(model.graph.initializers.get(n.inputs[input]!)!);
}

/** x → conv 'a' (8 channels, 4x4) → relu: the tensor the cases below transform. */
function start(): { net: Net; a: string } {
  const net = new Net();
  const x = net.input([1, 3, 4, 4]);
  return { net, a: net.relu(net.conv(x, 3, 8, 'a')) };
}

describe('channel rules of reshaping and slicing ops', () => {
  it('makes a Reshape that splits the channel axis a barrier with the reason', () => {
    const { net, a } = start();
    const split = net.op('Reshape', [a, net.ints('to3d', [0, 2, 64])], {}, 'split');
    const back = net.op('Reshape', [net.relu(split), net.ints('to4d', [0, 8, 4, 4])], {}, 'back');
    const deps = buildDependencyGraph(inferModel(net.model(net.conv(back, 8, 2, 'c'))));
    const group = groupOf(deps, 'a');
    assert.ok(!group.prunable);
    assert.match(group.barriers.join('\n'), /'split'.*reshapes \[batch, 8, 4, 4\] to \[batch, 2, 64\], which moves the channel axis/);
  });

  it('passes channels through a Reshape that keeps batch and channels, rewriting its shape', async () => {
    const { net, a } = start();
    const flat = net.op('Reshape', [a, net.ints('to3d', [0, 8, 16])], {}, 'flat');
    const back = net.op('Reshape', [net.relu(flat), net.ints('to4d', [0, -1, 4, 4])], {}, 'back');
    const pruned = await cut(net.model(net.conv(back, 8, 2, 'c')), 'a', [1, 5]);
    assert.deepEqual(constantOf(pruned, 'flat', 1), [0, 6, 16]);
    assert.deepEqual(constantOf(pruned, 'back', 1), [0, -1, 4, 4]);
  });

  it('maps a channel to a block of columns through a flattening Reshape into MatMul', async () => {
    const { net, a } = start();
    const pooled = net.op('MaxPool', [a], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
    const flat = net.op('Reshape', [pooled, net.ints('to2d', [-1, 32])], {}, 'flat');
    const hidden = net.op('Add', [net.op('MatMul', [flat, net.weight('w1', [32, 6])], {}, 'fc1'), net.weight('b1', [6])], {}, 'bias1');
    const model = net.model(net.op('MatMul', [net.relu(hidden), net.weight('w2', [6, 3])], {}, 'fc2'));
    const deps = buildDependencyGraph(inferModel(model));
    assert.deepEqual(groupOf(deps, 'a').members.find((m) => m.tensor === flat)!.channels[2], [8, 9, 10, 11]);
    assert.ok(groupOf(deps, 'fc1').prunable);
    const pruned = await cut(model, 'a', [0, 7]);
    assert.deepEqual(constantOf(pruned, 'flat', 1), [-1, 24]);
    assert.deepEqual(pruned.graph.initializers.get('w1')!.dims, [24, 6]);
    const smaller = await cut(pruned, 'fc1', [2]);
    assert.deepEqual([smaller.graph.initializers.get('b1')!.dims, smaller.graph.initializers.get('w2')!.dims], [[5], [5, 3]]);
  });

  it('lets a Transpose keep channels only when axis 1 stays in place', async () => {
    for (const [perm, prunable] of [
      [[0, 1, 3, 2], true],
      [[0, 2, 3, 1], false],
    ] as const) {
      const { net, a } = start();
      const t = net.op('Transpose', [a], { perm: attr.ints(perm) }, 't');
      const back = net.op('Transpose', [t], { perm: attr.ints(perm[1] === 1 ? perm : [0, 3, 1, 2]) }, 'back');
      const model = net.model(net.conv(back, 8, 2, 'c'));
      const group = groupOf(buildDependencyGraph(inferModel(model)), 'a');
      assert.equal(group.prunable, prunable);
      if (prunable) await cut(model, 'a', [3]);
      else assert.match(group.barriers.join(), /'t'.*moves the channel axis/);
    }
  });

  it('rewrites Split sizes along the channel axis and refuses an even split without sizes', async () => {
    const { net, a } = start();
    const [s0, s1] = net.b.node('Split', [a, net.ints('sizes', [3, 5])], { axis: attr.int(1) }, { name: 'split', outputs: 2 });
    const sum = net.op('Add', [net.conv(s0!, 3, 4, 'c0'), net.conv(s1!, 5, 4, 'c1')]);
    const model = net.model(net.conv(net.relu(sum), 4, 2, 'head'));
    const deps = buildDependencyGraph(inferModel(model));
    assert.deepEqual(groupOf(deps, 'a').members.find((m) => m.tensor === s1)!.channels.map((c) => c.length), [0, 0, 0, 1, 1, 1, 1, 1]);
    const pruned = await cut(model, 'a', [1, 4, 6]);
    assert.deepEqual(constantOf(pruned, 'split', 1), [2, 3]);

    const even = start();
    const [e0, e1] = even.net.b.node('Split', [even.a], { axis: attr.int(1) }, { name: 'split', outputs: 2 });
    const evenModel = even.net.model(even.net.conv(even.net.op('Add', [e0!, e1!]), 4, 2, 'head'));
    assert.match(groupOf(buildDependencyGraph(inferModel(evenModel)), 'a').barriers.join(), /splits channels evenly/);
  });

  it('shifts Slice bounds on the channel axis, including for channels the slice never reads', async () => {
    const { net, a } = start();
    const s = net.op('Slice', [a, net.ints('starts', [2]), net.ints('ends', [6]), net.ints('axes', [1])], {}, 'slice');
    const model = net.model(net.conv(s, 4, 2, 'c'));
    const pruned = await cut(model, 'a', [0, 3, 7]);
    assert.deepEqual([constantOf(pruned, 'slice', 1), constantOf(pruned, 'slice', 2)], [[1], [4]]);
    assert.deepEqual(pruned.graph.initializers.get('c.weight')!.dims, [2, 3, 3, 3]);
  });

  it('passes channels through a Slice of spatial axes', async () => {
    const { net, a } = start();
    const s = net.op('Slice', [a, net.ints('starts', [1, 1]), net.ints('ends', [3, 3]), net.ints('axes', [2, 3])], {}, 'crop');
    await cut(net.model(net.conv(s, 8, 2, 'c')), 'a', [2]);
  });

  it('concatenating along a spatial axis couples the inputs channel by channel', async () => {
    const net = new Net();
    const x = net.input([1, 3, 4, 4]);
    const cat = net.op('Concat', [net.conv(x, 3, 8, 'a'), net.conv(x, 3, 8, 'b')], { axis: attr.int(2) });
    const model = net.model(net.conv(cat, 8, 2, 'c'));
    const deps = buildDependencyGraph(inferModel(model));
    assert.equal(groupOf(deps, 'a').id, groupOf(deps, 'b').id);
    await cut(model, 'a', [0, 4]);
  });
});

describe('channel rules of normalising and reading ops', () => {
  it('blocks padding of the channel axis and passes spatial padding', async () => {
    for (const [pads, prunable] of [
      [[0, 0, 1, 1, 0, 0, 1, 1], true],
      [[0, 1, 0, 0, 0, 1, 0, 0], false],
    ] as const) {
      const { net, a } = start();
      const p = net.op('Pad', [a, net.ints('pads', pads)], {}, 'pad');
      const model = net.model(net.conv(p, prunable ? 8 : 10, 2, 'c'));
      const group = groupOf(buildDependencyGraph(inferModel(model)), 'a');
      assert.equal(group.prunable, prunable);
      if (prunable) await cut(model, 'a', [1]);
      else assert.match(group.barriers.join(), /'pad'.*pads the channel axis/);
    }
  });

  it('blocks a Softmax across channels and passes one along the last axis', async () => {
    for (const [axis, prunable] of [
      [1, false],
      [-1, true],
    ] as const) {
      const { net, a } = start();
      const model = net.model(net.conv(net.op('Softmax', [a], { axis: attr.int(axis) }, 'softmax'), 8, 2, 'c'));
      const group = groupOf(buildDependencyGraph(inferModel(model)), 'a');
      assert.equal(group.prunable, prunable);
      if (prunable) await cut(model, 'a', [6]);
      else assert.match(group.barriers.join(), /'softmax'.*normalises across channels/);
    }
  });

  it('couples a squeeze-excitation block built from ReduceMean, Sigmoid and Mul', async () => {
    const { net, a } = start();
    const squeezed = net.op('ReduceMean', [a], { axes: attr.ints([2, 3]), keepdims: attr.int(1) });
    const gate = net.op('Sigmoid', [net.conv(net.relu(net.conv(squeezed, 8, 2, 'reduce', { k: 1 })), 2, 8, 'expand', { k: 1 })]);
    const model = net.model(net.conv(net.op('Mul', [a, gate]), 8, 2, 'c'));
    const deps = buildDependencyGraph(inferModel(model));
    assert.equal(groupOf(deps, 'a').id, groupOf(deps, 'expand').id);
    const pruned = await cut(model, 'a', [0, 2, 5]);
    assert.deepEqual(pruned.graph.initializers.get('reduce.weight')!.dims, [2, 5, 1, 1]);
    assert.deepEqual(pruned.graph.initializers.get('expand.weight')!.dims, [5, 2, 1, 1]);
  });

  it('blocks a ReduceMean across channels', () => {
    const { net, a } = start();
    const mean = net.op('ReduceMean', [a], { axes: attr.ints([1]), keepdims: attr.int(1) }, 'mean');
    const group = groupOf(buildDependencyGraph(inferModel(net.model(net.conv(mean, 1, 2, 'c')))), 'a');
    assert.match(group.barriers.join(), /'mean'.*averages across channels/);
  });

  it('blocks a tensor whose Shape is read (x.view(x.size(0), -1)), but not a Shape of spatial dims only', async () => {
    const { net, a } = start();
    const pooled = net.op('GlobalAveragePool', [a]);
    const batch = net.op('Unsqueeze', [net.op('Gather', [net.op('Shape', [pooled], {}, 'shape'), net.b.initializer('zero', int64([], [0]))]), net.ints('axis0', [0])]);
    const target = net.op('Concat', [batch, net.ints('rest', [-1])], { axis: attr.int(0) });
    const flat = net.op('Reshape', [pooled, target]);
    const viewModel = net.model(net.op('Gemm', [flat, net.weight('fc.weight', [8, 3])], {}, 'fc'));
    assert.match(groupOf(buildDependencyGraph(inferModel(viewModel)), 'a').barriers.join(), /'shape'.*reads the channel count of its input as a value/);

    const spatial = start();
    const dims = spatial.net.op('Shape', [spatial.a], { start: attr.int(2) }, 'dims');
    const model = spatial.net.model(spatial.net.conv(spatial.a, 8, 2, 'c'), [{ name: dims, dtype: 'int64' }]);
    assert.ok(groupOf(buildDependencyGraph(inferModel(model)), 'a').prunable);
    await cut(model, 'a', [4]);
  });

  it('slices per-channel constants of PRelu, Sub and Div with the channels', async () => {
    const { net, a } = start();
    const prelu = net.op('PRelu', [a, net.b.initializer('slope', float32([8, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]))], {}, 'prelu');
    const centred = net.op('Sub', [prelu, net.weight('mean', [1, 8, 1, 1])]);
    const scaled = net.op('Div', [centred, net.b.initializer('std', float32([1, 8, 1, 1], [1, 2, 3, 4, 5, 6, 7, 8]))]);
    const pruned = await cut(net.model(net.conv(scaled, 8, 2, 'c')), 'a', [0, 3]);
    assert.deepEqual(toNumbers(pruned.graph.initializers.get('std')!), [2, 3, 5, 6, 7, 8]);
    assert.deepEqual(pruned.graph.initializers.get('slope')!.dims, [6, 1, 1]);
    assert.deepEqual(pruned.graph.initializers.get('mean')!.dims, [1, 6, 1, 1]);
  });

  it('passes channels through Squeeze and Unsqueeze of trailing axes', async () => {
    const { net, a } = start();
    const squeezed = net.op('Squeeze', [net.op('GlobalAveragePool', [a]), net.ints('axes', [2, 3])]);
    const hidden = net.op('Gemm', [squeezed, net.weight('fc.weight', [8, 4]), net.weight('fc.bias', [4])], {}, 'fc');
    const back = net.op('Unsqueeze', [net.relu(hidden), net.ints('axes2', [2, 3])]);
    const pruned = await cut(net.model(net.conv(back, 4, 2, 'c', { k: 1 })), 'a', [1]);
    assert.deepEqual(pruned.graph.initializers.get('fc.weight')!.dims, [7, 4]);
    await cut(pruned, 'fc', [0, 3]);
  });
});
