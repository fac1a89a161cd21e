// removeIdentities and removeDeadNodes on small graphs: what must go, what must stay, and the
// outputs onnxruntime computes before and after.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import type { Model } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { inferModel } from '../src/ops/infer.js';
import { removeDeadNodes, removeIdentities } from '../src/transform/index.js';
import { Random } from '../src/util/random.js';
import { randomTensor, runWithFeeds } from './helpers/one-node.js';

const ops = (m: Model): string[] => m.graph.nodes.map((n) => n.opType);

async function assertSameOutputs(original: Model, changed: Model): Promise<void> {
  const feeds = { x: randomTensor('float32', [2, 3], new Random(5)) };
  const expected = await runWithFeeds(original, feeds);
  const actual = await runWithFeeds(changed, feeds);
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const name of Object.keys(expected)) assert.deepEqual(actual[name]!.data, expected[name]!.data, name);
}

describe('removeIdentities', () => {
  it('rewires readers past a chain of identities and inference-mode Dropout', async () => {
    const b = new GraphBuilder('chain');
    b.input('x', 'float32', [2, 3]);
    const a = b.op('Identity', [b.op('Relu', ['x'])]);
    const d = b.op('Dropout', [a, b.initializer('ratio', float32([], [0.5]))]);
    b.op('Sigmoid', [b.op('Identity', [d])], {}, { output: 'y' });
    b.output('y', 'float32');
    const model = modelFromGraph(b.build(), { opset: 13 });
    const clean = removeIdentities(model);
    assert.deepEqual(ops(clean), ['Relu', 'Sigmoid']);
    assert.equal(clean.graph.initializers.size, 0, 'the Dropout ratio is dropped with it');
    await assertSameOutputs(model, clean);
  });

  it('renames the copied value when an identity produces a graph output', async () => {
    const b = new GraphBuilder('out');
    b.input('x', 'float32', [2, 3]);
    const r = b.op('Relu', ['x']);
    b.op('Identity', [r], {}, { output: 'y' });
    b.op('Tanh', [r], {}, { output: 'z' });
    b.output('y', 'float32');
    b.output('z', 'float32');
    const model = modelFromGraph(b.build(), { opset: 13 });
    const clean = removeIdentities(model);
    assert.deepEqual(ops(clean), ['Relu', 'Tanh']);
    assert.deepEqual(clean.graph.nodes[0]!.outputs, ['y']);
    inferModel(clean);
    await assertSameOutputs(model, clean);
  });

  it('keeps an identity from a graph input to a graph output, a training Dropout, and a Dropout whose mask is read', async () => {
    const b = new GraphBuilder('keep');
    b.input('x', 'float32', [2, 3]);
    b.op('Identity', ['x'], {}, { output: 'y' });
    const training = b.initializer('training', { dtype: 'bool', dims: [], data: new Uint8Array([1]) });
    b.op('Dropout', ['x', b.initializer('ratio', float32([], [0.5])), training], {}, { output: 'dropped' });
    const [kept, mask] = b.node('Dropout', ['x'], {}, { outputs: ['kept', 'mask'] });
    b.output('y', 'float32');
    b.output('dropped', 'float32');
    b.output(kept!, 'float32');
    b.output(mask!, 'bool');
    const model = modelFromGraph(b.build(), { opset: 13 });
    assert.deepEqual(ops(removeIdentities(model)), ['Identity', 'Dropout', 'Dropout']);
  });
});

describe('removeDeadNodes', () => {
  it('removes unread branches and initialisers and keeps unread graph inputs', () => {
    const b = new GraphBuilder('dead');
    b.input('x', 'float32', [2, 3]);
    b.input('unused_input', 'float32', [1]);
    b.op('Relu', ['x'], {}, { output: 'y' });
    const w = b.initializer('dead.weight', float32([3, 3], new Float32Array(9)));
    b.op('Tanh', [b.op('MatMul', ['x', w])]);
    b.output('y', 'float32');
    const model = modelFromGraph(b.build(), { opset: 13 });
    const clean = removeDeadNodes(model);
    assert.deepEqual(ops(clean), ['Relu']);
    assert.equal(clean.graph.initializers.size, 0);
    assert.deepEqual(clean.graph.inputs.map((i) => i.name), ['x', 'unused_input']);
  });
});
