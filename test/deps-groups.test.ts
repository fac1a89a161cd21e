import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyGraph, type ChannelGroup, type DependencyGraph } from '../src/deps/groups.js';
import { formatPrunabilityReport, prunabilityReport } from '../src/deps/report.js';
import { attr, type Model } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { inferModel } from '../src/ops/infer.js';
import { decodeModel } from '../src/onnx/decode.js';
import { findRule, supportedOps } from '../src/ops/index.js';
import { Net } from './deps-graphs.js';
import { loadFixture } from './helpers/fixtures.js';

function groupsOf(model: Model): DependencyGraph {
  return buildDependencyGraph(inferModel(model));
}

/** The group that holds `tensor`'s channels (the tensor must sit in exactly one group). */
function groupWith(deps: DependencyGraph, tensor: string): ChannelGroup {
  const found = deps.groups.filter((g) => g.members.some((m) => m.tensor === tensor));
  assert.equal(found.length, 1, `'${tensor}' is in ${found.length} groups`);
  return found[0]!;
}

function channelsOf(group: ChannelGroup, tensor: string): readonly (readonly number[])[] {
  return group.members.find((m) => m.tensor === tensor)!.channels;
}

const names = (nodes: readonly { node: string }[]): string[] => nodes.map((n) => n.node).sort();

describe('channel dependency groups', () => {
  it('has a channel rule (or an explicit barrier) declared by every supported op', () => {
    const missing = supportedOps().filter((op) => !findRule(op)!.channels);
    assert.deepEqual(missing, []);
  });

  it('puts both branches of a residual Add in one group with every producer and consumer', () => {
    const net = new Net();
    const x = net.input([1, 3, 8, 8]);
    const r = net.relu(net.conv(x, 3, 8, 'a'));
    const b = net.bn(net.conv(r, 8, 8, 'b'), 8, 'b_bn');
    const sum = net.op('Add', [r, b], {}, 'add');
    const deps = groupsOf(net.model(net.conv(net.relu(sum), 8, 4, 'c')));
    const group = groupWith(deps, sum);
    assert.equal(group.width, 8);
    assert.ok(group.prunable);
    assert.deepEqual(names(group.producers), ['a', 'b']);
    assert.deepEqual(names(group.consumers), ['b', 'c']);
    assert.deepEqual(channelsOf(group, r), channelsOf(group, b));
    assert.equal(deps.groups.filter((g) => g.prunable).length, 1);
    // BN's four vectors follow the group.
    assert.deepEqual(group.parameters.filter((p) => p.node === 'b_bn').map((p) => p.input).sort(), [1, 2, 3, 4]);
  });

  it('gives each Concat input its own group at its offset in the output', () => {
    const net = new Net();
    const x = net.input([1, 3, 8, 8]);
    const a = net.conv(x, 3, 4, 'a');
    const b = net.conv(x, 3, 6, 'b');
    const cat = net.op('Concat', [a, b], { axis: attr.int(1) }, 'cat');
    const deps = groupsOf(net.model(net.conv(cat, 10, 2, 'c')));
    const ga = groupWith(deps, a);
    const gb = groupWith(deps, b);
    assert.notEqual(ga.id, gb.id);
    assert.deepEqual(channelsOf(ga, cat), [[0], [1], [2], [3]]);
    assert.deepEqual(channelsOf(gb, cat), [[4], [5], [6], [7], [8], [9]]);
    const columns = gb.parameters.find((p) => p.node === 'c' && p.side === 'input')!;
    assert.equal(columns.axis, 1);
    assert.deepEqual(columns.indices[2], [6]);
  });

  it('couples a depthwise conv input channel with its output channels', () => {
    const net = new Net();
    const x = net.input([1, 3, 8, 8]);
    const a = net.relu(net.conv(x, 3, 4, 'a'));
    // Depth multiplier 2: input channel c feeds output channels 2c and 2c+1.
    const dw = net.conv(a, 4, 8, 'dw', { group: 4 });
    const deps = groupsOf(net.model(net.conv(net.relu(dw), 8, 2, 'c')));
    const group = groupWith(deps, dw);
    assert.equal(group.width, 4);
    assert.deepEqual(channelsOf(group, a), [[0], [1], [2], [3]]);
    assert.deepEqual(channelsOf(group, dw), [[0, 1], [2, 3], [4, 5], [6, 7]]);
    assert.deepEqual(names(group.producers), ['a']);
    assert.deepEqual(names(group.consumers), ['c']);
  });

  it('maps a channel to its block of columns through Flatten into Gemm (both transB layouts)', () => {
    for (const transB of [0, 1]) {
      const net = new Net();
      const x = net.input([1, 3, 4, 4]);
      const a = net.op('MaxPool', [net.relu(net.conv(x, 3, 4, 'a'))], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
      const flat = net.op('Flatten', [a], {}, 'flat');
      const w = net.weight('fc.weight', transB ? [5, 16] : [16, 5]);
      const y = net.op('Gemm', [flat, w, net.weight('fc.bias', [5])], { transB: attr.int(transB) }, 'fc');
      const deps = groupsOf(net.model(y));
      const group = groupWith(deps, a);
      assert.equal(group.width, 4);
      assert.deepEqual(channelsOf(group, flat)[1], [4, 5, 6, 7]);
      const columns = group.parameters.find((p) => p.node === 'fc')!;
      assert.equal(columns.axis, transB ? 1 : 0);
      assert.deepEqual(columns.indices[3], [12, 13, 14, 15]);
    }
  });

  it('couples squeeze-excitation gates with the tensor they scale, not the squeezed width', () => {
    const net = new Net();
    const x = net.input([1, 3, 8, 8]);
    const f = net.relu(net.conv(x, 3, 8, 'a'));
    const squeezed = net.relu(net.conv(net.op('GlobalAveragePool', [f]), 8, 2, 'reduce', { k: 1 }));
    const gate = net.op('Clip', [net.conv(squeezed, 2, 8, 'expand', { k: 1 })]);
    const scaled = net.op('Mul', [f, gate], {}, 'scale');
    const deps = groupsOf(net.model(net.conv(scaled, 8, 2, 'c')));
    const group = groupWith(deps, scaled);
    assert.equal(group.width, 8);
    assert.ok(group.prunable);
    assert.deepEqual(names(group.producers), ['a', 'expand']);
    assert.deepEqual(names(group.consumers), ['c', 'reduce']);
    assert.equal(groupWith(deps, squeezed).width, 2);
    assert.notEqual(groupWith(deps, squeezed).id, group.id);
  });

  it('does not couple a broadcast operand whose channel dim is 1, and slices a per-channel constant', () => {
    const net = new Net();
    const x = net.input([1, 3, 8, 8]);
    const a = net.conv(x, 3, 6, 'a');
    const mask = net.conv(x, 3, 1, 'mask');
    const gated = net.op('Mul', [a, mask], {}, 'gate');
    const shifted = net.op('Add', [gated, net.weight('shift', [6, 1, 1])], {}, 'add');
    const deps = groupsOf(net.model(net.conv(shifted, 6, 2, 'c')));
    const group = groupWith(deps, a);
    assert.ok(group.prunable);
    assert.equal(group.width, 6);
    assert.ok(!group.members.some((m) => m.tensor === mask));
    const shift = group.parameters.find((p) => p.node === 'add')!;
    assert.deepEqual([shift.value, shift.axis], ['shift', 0]);
  });

  it('keeps ConvTranspose input channels on weight axis 0 and output channels on axis 1', () => {
    const net = new Net();
    const x = net.input([1, 3, 4, 4]);
    const a = net.conv(x, 3, 6, 'a');
    const up = net.op('ConvTranspose', [a, net.weight('up.weight', [6, 4, 2, 2]), net.weight('up.bias', [4])], { strides: attr.ints([2, 2]) }, 'up');
    const deps = groupsOf(net.model(net.conv(up, 4, 2, 'c')));
    const into = groupWith(deps, a).parameters.find((p) => p.node === 'up')!;
    assert.deepEqual([into.axis, into.side], [0, 'input']);
    const out = groupWith(deps, up);
    assert.equal(out.width, 4);
    assert.deepEqual(
      out.parameters.filter((p) => p.node === 'up').map((p) => [p.value, p.axis]),
      [['up.weight', 1], ['up.bias', 0]],
    );
  });

  it('never prunes channels that reach a graph output or come from a graph input', () => {
    const net = new Net();
    const x = net.input([1, 3, 8, 8]);
    const hidden = net.relu(net.conv(x, 3, 8, 'a'));
    const logits = net.conv(hidden, 8, 4, 'head');
    const deps = groupsOf(net.model(logits));
    assert.ok(!groupWith(deps, x).prunable);
    const head = groupWith(deps, logits);
    assert.ok(!head.prunable);
    assert.match(head.barriers.join(), /graph output/);
    assert.ok(groupWith(deps, hidden).prunable);
  });

  it('treats a Resize that scales the channel axis as a barrier with the reason', () => {
    const net = new Net();
    const x = net.input([1, 3, 4, 4]);
    const a = net.conv(x, 3, 4, 'a');
    const scales = net.b.initializer('scales', float32([4], [1, 2, 2, 2]));
    const up = net.op('Resize', [a, '', scales], {}, 'up');
    const deps = groupsOf(net.model(net.conv(up, 8, 2, 'c')));
    const group = groupWith(deps, a);
    assert.ok(!group.prunable);
    assert.match(group.barriers.join(), /'up'.*scales 2 on the channel axis/);
    assert.ok(deps.barriers.some((b) => b.node?.includes("'up'") && b.tensor === a));
  });

  it('passes channels through a Resize that scales only spatial axes', () => {
    const net = new Net();
    const x = net.input([1, 3, 4, 4]);
    const a = net.conv(x, 3, 4, 'a');
    const scales = net.b.initializer('scales', float32([4], [1, 1, 2, 2]));
    const up = net.op('Resize', [a, '', scales], {}, 'up');
    const deps = groupsOf(net.model(net.conv(up, 4, 2, 'c')));
    const group = groupWith(deps, up);
    assert.ok(group.prunable);
    assert.deepEqual(names(group.consumers), ['c']);
  });

  it('finds the residual stream of ResNet-20 as one group per stage', () => {
    const deps = groupsOf(decodeModel(loadFixture('resnet20').modelBytes()));
    // Stem + three blocks per stage: each stage has one stream group and three block-internal groups.
    const widths = deps.groups.filter((g) => g.prunable).map((g) => g.width);
    assert.deepEqual(widths, [16, 16, 16, 16, 32, 32, 32, 32, 64, 64, 64, 64]);
    const streams = deps.groups.filter((g) => g.prunable && g.producers.length > 1);
    assert.deepEqual(streams.map((g) => g.producers.length), [4, 4, 4]);
  });
});

describe('the prunability report', () => {
  it('lists every group with width and barriers, as data and as text', () => {
    const net = new Net();
    const x = net.input([1, 3, 8, 8]);
    const a = net.relu(net.conv(x, 3, 8, 'a'));
    const deps = groupsOf(net.model(net.conv(a, 8, 4, 'head')));
    const report = prunabilityReport(deps);
    assert.deepEqual(report.totals, { groups: 3, prunableGroups: 1, channels: 15, prunableChannels: 8 });
    const row = report.groups.find((g) => g.prunable)!;
    assert.deepEqual([row.producers, row.consumers], [['a (Conv)'], ['head (Conv)']]);
    assert.ok(row.parameters.includes('a.weight[0]') && row.parameters.includes('head.weight[1]'));
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
    const text = formatPrunabilityReport(report);
    assert.match(text, /^1 of 3 channel groups are prunable \(8 of 15 channels\)\./);
    assert.match(text, /\n +1 +8 +yes +a \(Conv\) -> head \(Conv\)\n/);
    assert.match(text, /reaches graph output/);
  });
});
