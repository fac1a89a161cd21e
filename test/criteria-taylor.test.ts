import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyGraph, type ChannelGroup, type DependencyGraph } from '../src/deps/groups.js';
import { attr, type Model } from '../src/ir/graph.js';
import { float32, int64, toFloat32, type Tensor } from '../src/ir/tensor.js';
import { decodeModel } from '../src/onnx/decode.js';
import { encodeModel } from '../src/onnx/encode.js';
import { inferModel } from '../src/ops/infer.js';
import { pruneModelChannels } from '../src/prune/channel-pruner.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { taylorCriterion, taylorGradients, type LabelledBatch } from '../src/score/channel/index.js';
import { Random } from '../src/util/random.js';
import { Net } from './deps-graphs.js';
import { loadFixture } from './helpers/fixtures.js';

const backend = onnxruntimeNode;

/** x -> conv_a, conv_b (with BN) -> Add -> Relu -> conv_c -> Relu -> GAP -> Flatten -> Gemm (3 classes). */
function residualNet(): Model {
  const net = new Net(11);
  const x = net.input([1, 3, 8, 8]);
  const a = net.bn(net.conv(x, 3, 4, 'conv_a'), 4, 'bn_a');
  const b = net.bn(net.conv(x, 3, 4, 'conv_b', { k: 1 }), 4, 'bn_b');
  const c = net.relu(net.conv(net.relu(net.op('Add', [a, b])), 4, 6, 'conv_c'));
  const flat = net.op('Flatten', [net.op('GlobalAveragePool', [c])]);
  return net.model(net.op('Gemm', [flat, net.weight('fc.weight', [3, 6]), net.weight('fc.bias', [3])], { transB: attr.int(1) }, 'fc'));
}

function randomBatch(seed: number, n: number, classes: number): LabelledBatch {
  const random = new Random(seed);
  return {
    input: float32([n, 3, 8, 8], random.fillNormal(new Float32Array(n * 3 * 64), 1)),
    labels: int64([n], Array.from({ length: n }, () => random.int(classes))),
  };
}

/** Mean softmax cross-entropy of the model on a batch, computed here from onnxruntime's logits. */
async function loss(model: Model, batch: LabelledBatch): Promise<number> {
  const session = await backend.createSession(encodeModel(model));
  try {
    const logits = (await session.run({ x: batch.input }))[model.graph.outputs[0]!.name]!;
    const [n, k] = logits.dims as [number, number];
    const z = toFloat32(logits);
    const labels = batch.labels.data as BigInt64Array;
    let total = 0;
    for (let s = 0; s < n; s++) {
      const row = Array.from(z.subarray(s * k, (s + 1) * k), Number);
      const max = Math.max(...row);
      const logSum = max + Math.log(row.reduce((acc, v) => acc + Math.exp(v - max), 0));
      total += logSum - row[Number(labels[s])]!;
    }
    return total / n;
  } finally {
    await session.release();
  }
}

/** The model with every weight slice that reads channel `i` of the group scaled by `m` (removal is m = 0). */
function scaleChannel(model: Model, deps: DependencyGraph, group: ChannelGroup, i: number, m: number): Model {
  const initializers = new Map(model.graph.initializers);
  for (const p of group.parameters.filter((q) => q.absorbs)) {
    const t: Tensor = initializers.get(p.value)!;
    const data = Float32Array.from(toFloat32(t));
    const n = t.dims[p.axis]!;
    const inner = t.dims.slice(p.axis + 1).reduce((a, d) => a * d, 1);
    const slice = new Set(p.indices[i]!);
    for (let k = 0; k < data.length; k++) if (slice.has(Math.floor(k / inner) % n)) data[k]! *= m;
    initializers.set(p.value, float32(t.dims, data));
  }
  assert.ok(deps.typed.graph === model.graph);
  return { ...model, graph: { ...model.graph, initializers } };
}

describe('the taylor criterion on gradients from the autodiff', () => {
  it('equals |dL/dm| for a scale m on each channel, by central finite differences in onnxruntime', async () => {
    const model = residualNet();
    const deps = buildDependencyGraph(inferModel(model));
    const batches = [randomBatch(1, 4, 3), randomBatch(2, 4, 3)];
    const gradients = await taylorGradients(model, batches, { backend, dependencies: deps });
    // Float32 logits bound the difference quotient's precision from below, ReLU kinks crossed by the
    // step from above: 1e-3 keeps both near 0.5% of the smallest scores here.
    const eps = 1e-3;
    for (const group of deps.groups.filter((g) => g.prunable)) {
      const scores = taylorCriterion.score(group, { deps, seed: 0, gradients });
      for (let i = 0; i < group.width; i++) {
        let expected = 0;
        for (const batch of batches) {
          const up = await loss(scaleChannel(model, deps, group, i, 1 + eps), batch);
          const down = await loss(scaleChannel(model, deps, group, i, 1 - eps), batch);
          expected += Math.abs((up - down) / (2 * eps)) / batches.length;
        }
        assert.ok(Math.abs(scores[i]! - expected) <= 5e-3 * Math.max(expected, 0.05), `group ${group.id} channel ${i}: ${scores[i]} vs ${expected}`);
      }
    }
  });

  it('prunes a fixture on its labelled batch in two steps, re-differentiating the pruned model, each cut passing the self-test', async () => {
    const fixture = loadFixture('resnet20');
    const model = decodeModel(fixture.modelBytes());
    const batch: LabelledBatch = { input: float32(fixture.meta.input_shape, fixture.input()), labels: int64([fixture.meta.input_shape[0]!], Array.from(fixture.labels(), Number)) };
    let calls = 0;
    const result = await pruneModelChannels(model, {
      criterion: taylorCriterion,
      keepRatio: 0.7,
      target: 'params',
      steps: 2,
      backend,
      gradients: async (current) => {
        calls++;
        return taylorGradients(current, [batch], { backend, dependencies: buildDependencyGraph(inferModel(current)) });
      },
    });
    assert.equal(calls, 2);
    assert.ok(result.steps.every((s) => s.selfTest!.maxError <= 1e-4));
    assert.ok(result.after.params <= 0.7 * result.before.params);
  });
});
