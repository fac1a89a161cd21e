// SynFlow beyond the fixtures: the exact float32 rescaling on networks whose |parameter| forward
// overflows float32, checked against SynFlow's conservation law, and the iterative schedule.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Model } from '../src/ir/graph.js';
import { tensor, toFloat32 } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { masksFromScores } from '../src/prune/masks.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { synflowScores } from '../src/score/synflow.js';
import type { WeightScores } from '../src/score/weights.js';
import { buildCifarResNet, buildVgg } from '../src/zoo/index.js';

/** Σ of each weight's scores (in float64). */
function sums(scores: WeightScores): Map<string, number> {
  return new Map([...scores].map(([name, t]) => [name, t.data.reduce((a, b) => a + b, 0)]));
}

/** The model's first output on an all-ones input with every initialiser replaced by its absolute value, in plain float32. */
async function plainForward(model: Model, shape: number[]): Promise<Float32Array> {
  const initializers = new Map([...model.graph.initializers].map(([name, t]) => [name, t.dtype === 'float32' ? tensor('float32', t.dims, toFloat32(t).map(Math.abs)) : t]));
  const session = await onnxruntimeNode.createSession(encodeModel({ ...model, graph: { ...model.graph, initializers } }));
  try {
    const out = await session.run({ input: tensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1)) });
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('SynFlow', () => {
  // At initialisation the zoo's networks are positively homogeneous (zero biases, BN with mean 0,
  // variance 1, scale 1, shift 0), so SynFlow's conservation law holds exactly: in a chain every
  // layer's scores sum to R, and in a residual block y = x + F(x) the block's two convolutions
  // both sum to <dR/dF, F>. Equal sums are a check that needs no float64 reference.
  test('on ResNet-110, whose float32 forward overflows, scores are finite and each block conserves its flow', async () => {
    const model = buildCifarResNet({ depth: 110, seed: 1 });
    const plain = await plainForward(model, [1, 3, 32, 32]);
    assert.ok(plain.some((v) => !Number.isFinite(v)), 'the unscaled float32 forward overflows');
    const total = sums(await synflowScores(model, { backend: onnxruntimeNode, rounds: 1 }));
    assert.equal(total.size, 112); // 109 convolutions, 2 shortcut convolutions, the classifier
    for (const [name, s] of total) assert.ok(Number.isFinite(s) && s > 0, `${name}: ${s}`);
    let blocks = 0;
    for (const [name, s1] of total) {
      const match = /^(layers\.\d+)\.conv1\.weight$/.exec(name);
      if (!match) continue;
      const s2 = total.get(`${match[1]}.conv2.weight`)!;
      assert.ok(Math.abs(s1 / s2 - 1) < 1e-3, `${match[1]}: conv1 sums to ${s1}, conv2 to ${s2}`);
      blocks++;
    }
    assert.equal(blocks, 54);
  });

  test('on VGG-19 every layer carries the same total flow', async () => {
    const total = sums(await synflowScores(buildVgg({ depth: 19, width: 0.25, seed: 1 }), { backend: onnxruntimeNode, rounds: 1 }));
    assert.equal(total.size, 17);
    const values = [...total.values()];
    for (const [name, s] of total) assert.ok(Math.abs(s / values[0]! - 1) < 1e-3, `${name} sums to ${s}, the first layer to ${values[0]}`);
  });

  test('iterative SynFlow prunes towards the target: the last round scores pruned weights zero, and its scores reproduce the final mask', async () => {
    const model = buildCifarResNet({ depth: 20, width: 0.5, seed: 4 });
    const sparsity = 0.9;
    const run = () => synflowScores(model, { backend: onnxruntimeNode, rounds: 5, sparsity });
    const [scores, again] = await Promise.all([run(), run()]);
    for (const [name, t] of scores) assert.deepEqual(t.data, again.get(name)!.data, `${name} is deterministic`);
    let n = 0;
    let zeros = 0;
    for (const t of scores.values()) {
      n += t.data.length;
      zeros += t.data.filter((v) => v === 0).length;
    }
    // Round 4 of 5 masked to density 0.1^(4/5): its pruned weights score exactly zero in round 5.
    assert.ok(zeros >= Math.ceil((1 - 0.1 ** 0.8) * n), `${zeros} zero scores of ${n}`);
    const masks = masksFromScores(scores, { sparsity });
    const kept = [...masks.values()].reduce((s, m) => s + m.data.reduce((a, b) => a + b, 0), 0);
    assert.equal(n - kept, Math.ceil(sparsity * n));
    await assert.rejects(synflowScores(model, { backend: onnxruntimeNode, rounds: 3 }), /give sparsity/);
  });
});
