import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyGraph, type DependencyGraph } from '../src/deps/groups.js';
import type { Model } from '../src/ir/graph.js';
import { float32, toFloat32, type Tensor } from '../src/ir/tensor.js';
import { decodeModel } from '../src/onnx/decode.js';
import { encodeModel } from '../src/onnx/encode.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel } from '../src/ops/infer.js';
import { structuredZero } from '../src/prune/structured-zero.js';
import { removeChannels, type ChannelRemoval } from '../src/prune/surgery.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { Net } from './deps-graphs.js';
import { FIXTURE_NAMES, loadFixture } from './helpers/fixtures.js';
import { maxAbsDiff } from './helpers/numeric.js';

const backend = onnxruntimeNode;

function params(model: Model): number {
  return totalCost(layerCosts(inferModel(model))).params;
}

/** The model with node `nodeIndex`'s input `input` pointed at a new initialiser holding `value`. */
function setInput(model: Model, nodeIndex: number, input: number, value: Tensor): Model {
  const graph = model.graph;
  const name = `${graph.nodes[nodeIndex]!.name}.input${input}.test`;
  const nodes = graph.nodes.map((n, i) => (i === nodeIndex ? { ...n, inputs: n.inputs.map((v, j) => (j === input ? name : v)) } : n));
  return { ...model, graph: { ...graph, nodes, initializers: new Map(graph.initializers).set(name, value) } };
}

/** `t` with the given indices along `axis` zeroed, written out index by index. */
function zeroIndices(t: Tensor, axis: number, indices: readonly number[]): Tensor {
  const data = Float32Array.from(toFloat32(t));
  const n = t.dims[axis]!;
  const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let k = 0; k < data.length; k++) if (indices.includes(Math.floor(k / inner) % n)) data[k] = 0;
  return float32(t.dims, data);
}

/** Zeroes, for the chosen channels, every slice that produces them: filters and biases on the output side. */
function zeroProducers(model: Model, deps: DependencyGraph, removals: readonly ChannelRemoval[]): Model {
  let result = model;
  for (const r of removals) {
    for (const p of deps.groups[r.group]!.parameters.filter((q) => q.side === 'output')) {
      const current = result.graph.nodes[p.nodeIndex]!.inputs[p.input]!;
      const value = result.graph.initializers.get(current) ?? deps.typed.constants.get(p.value)!;
      result = setInput(result, p.nodeIndex, p.input, zeroIndices(value, p.axis, r.channels.flatMap((i) => p.indices[i]!)));
    }
  }
  return result;
}

async function outputsOf(model: Model, input: Float32Array, shape: readonly number[]): Promise<Float32Array> {
  const session = await backend.createSession(encodeModel(model));
  const out = await session.run({ [model.graph.inputs[0]!.name]: { dtype: 'float32', dims: shape, data: input } });
  await session.release();
  return out[model.graph.outputs[0]!.name]!.data as Float32Array;
}

/** Three prunable groups and two channels of each, chosen with a seed. */
function pick(deps: DependencyGraph, seed: number): ChannelRemoval[] {
  const random = new Random(seed);
  const groups = random.shuffle(deps.groups.filter((g) => g.prunable && g.width > 2).map((g) => g.id)).slice(0, 3);
  return groups
    .sort((a, b) => a - b)
    .map((id) => {
      const channels = random.shuffle([...Array(deps.groups[id]!.width).keys()]).slice(0, 2);
      return { group: id, channels: channels.sort((a, b) => a - b) };
    });
}

describe('structured-zero', () => {
  for (const name of FIXTURE_NAMES) {
    it(`removes exactly the zeroed channels of ${name}/model-deploy.onnx with identical outputs`, async () => {
      const fixture = loadFixture(name);
      const original = decodeModel(fixture.deployBytes());
      const deps = buildDependencyGraph(inferModel(original));
      const chosen = pick(deps, 7);
      const zeroed = zeroProducers(original, deps, chosen);
      const result = await structuredZero(zeroed, { backend });
      assert.deepEqual(result.removed, chosen);
      assert.deepEqual(result.folded, []);
      const expected = params(zeroed) - params(removeChannels(zeroed, chosen));
      assert.ok(expected > 0);
      assert.equal(params(zeroed) - params(result.model), expected);
      const [before, after] = await Promise.all([outputsOf(zeroed, fixture.input(), fixture.meta.input_shape), outputsOf(result.model, fixture.input(), fixture.meta.input_shape)]);
      assert.ok(maxAbsDiff(after, before) <= 1e-5 * Math.max(1, maxAbsDiff(before, new Float32Array(before.length))), `max diff ${maxAbsDiff(after, before)}`);
    });
  }

  it('counts the parameter drop of a VGG conv channel by hand', async () => {
    const original = decodeModel(loadFixture('vgg11-quarter').deployBytes());
    const deps = buildDependencyGraph(inferModel(original));
    const group = deps.groups.find((g) => g.prunable && g.consumers[0]?.opType === 'Conv')!;
    const zeroed = zeroProducers(original, deps, [{ group: group.id, channels: [3] }]);
    const producer = original.graph.nodes[group.producers[0]!.nodeIndex]!;
    const consumer = original.graph.nodes[group.consumers[0]!.nodeIndex]!;
    const [, cin, kh, kw] = original.graph.initializers.get(producer.inputs[1]!)!.dims as number[];
    const [cnext, , nh, nw] = original.graph.initializers.get(consumer.inputs[1]!)!.dims as number[];
    const result = await structuredZero(zeroed, { backend });
    assert.equal(params(zeroed) - params(result.model), cin! * kh! * kw! + 1 + cnext! * nh! * nw!);
  });

  for (const name of ['vgg11-quarter', 'resnet20'] as const) {
    it(`folds BNs with zero scales in ${name}/model.onnx first, then removes their channels`, async () => {
      const fixture = loadFixture(name);
      const original = decodeModel(fixture.modelBytes());
      const deps = buildDependencyGraph(inferModel(original));
      const chosen = pick(deps, 3);
      // Network-slimming style zeros: BN scale and shift are 0 for the chosen channels of every BN in the group.
      let zeroed = original;
      const bns = new Set<number>();
      for (const r of chosen) {
        for (const p of deps.groups[r.group]!.parameters.filter((q) => original.graph.nodes[q.nodeIndex]!.opType === 'BatchNormalization' && (q.input === 1 || q.input === 2))) {
          zeroed = setInput(zeroed, p.nodeIndex, p.input, zeroIndices(deps.typed.constants.get(p.value)!, 0, r.channels));
          bns.add(p.nodeIndex);
        }
      }
      const result = await structuredZero(zeroed, { backend });
      assert.deepEqual(result.removed.map((r) => r.channels), chosen.map((r) => r.channels));
      assert.equal(result.folded.length, bns.size);
      const [before, after] = await Promise.all([outputsOf(zeroed, fixture.input(), fixture.meta.input_shape), outputsOf(result.model, fixture.input(), fixture.meta.input_shape)]);
      assert.ok(maxAbsDiff(after, before) <= 1e-4 * Math.max(1, maxAbsDiff(before, new Float32Array(before.length))), `max diff ${maxAbsDiff(after, before)}`);
      assert.ok(params(result.model) < params(zeroed));
    });
  }

  it('keeps a channel whose filter is zero but whose bias is not (a constant, not a zero)', async () => {
    const original = decodeModel(loadFixture('vgg11-quarter').deployBytes());
    const deps = buildDependencyGraph(inferModel(original));
    const group = deps.groups.find((g) => g.prunable)!;
    const filter = group.parameters.find((p) => p.side === 'output' && p.input === 1)!;
    const zeroed = setInput(original, filter.nodeIndex, 1, zeroIndices(deps.typed.constants.get(filter.value)!, 0, [0, 1]));
    const result = await structuredZero(zeroed, { backend });
    assert.deepEqual(result.removed, []);
    assert.equal(result.model, zeroed);
  });

  it('leaves a model without zero channels as it is and never empties a group', async () => {
    const untouched = decodeModel(loadFixture('unet8').deployBytes());
    const same = await structuredZero(untouched, { backend });
    assert.equal(same.model, untouched);
    assert.deepEqual([same.removed, same.folded], [[], []]);

    const net = new Net();
    const x = net.input([1, 3, 8, 8]);
    const a = net.relu(net.conv(x, 3, 4, 'a'));
    const model = net.model(net.conv(a, 4, 2, 'head'));
    const deps = buildDependencyGraph(inferModel(model));
    const group = deps.groups.find((g) => g.prunable)!;
    const result = await structuredZero(zeroProducers(model, deps, [{ group: group.id, channels: [0, 1, 2, 3] }]), { backend });
    assert.deepEqual(result.removed, [{ group: group.id, channels: [1, 2, 3] }]);
  });
});
