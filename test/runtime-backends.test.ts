import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { runInBatches } from '../src/runtime/batch.js';
import type { Backend } from '../src/runtime/backend.js';
import { onnxruntimeNode, ortSessionOptions } from '../src/runtime/onnxruntime-node.js';
import { onnxruntimeWebNode } from '../src/runtime/onnxruntime-web-node.js';
import { isSculptError } from '../src/errors.js';
import { Random } from '../src/util/random.js';
import { loadFixture } from './helpers/fixtures.js';
import { relativeError } from './helpers/numeric.js';

// onnxruntime-web initialises once per process, so this file uses one web backend with 2 threads.
const web = onnxruntimeWebNode({ threads: 2 });

async function runFixture(backend: Backend, name: 'resnet20' | 'unet8'): Promise<number> {
  const fixture = loadFixture(name);
  const session = await backend.createSession(fixture.modelBytes());
  const out = await session.run({ [fixture.meta.input_name]: { dtype: 'float32', dims: fixture.meta.input_shape, data: fixture.input() } });
  await session.release();
  return relativeError(out[fixture.meta.output_name]!.data as Float32Array, fixture.outputEval());
}

/** A small conv net with a fixed batch of 4 (for padLastBatch) or symbolic batch. */
function smallConvNet(batch: number | string): Uint8Array {
  const random = new Random(3);
  const b = new GraphBuilder('small');
  const x = b.input('x', 'float32', [batch, 2, 6, 6]);
  const w = b.initializer('w', float32([3, 2, 3, 3], Float32Array.from({ length: 54 }, () => random.normal())));
  const y = b.op('Conv', [x, w], { pads: attr.ints([1, 1, 1, 1]) });
  const r = b.op('Relu', [y], {}, { output: 'y' });
  b.output(r, 'float32', [batch, 3, 6, 6]);
  return encodeModel(modelFromGraph(b.build()));
}

function randomInput(n: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: n * 2 * 6 * 6 }, () => random.normal());
}

describe('runtime backends', () => {
  for (const name of ['resnet20', 'unet8'] as const) {
    it(`onnxruntime-node runs the ${name} fixture within 1e-4 of PyTorch's output`, async () => {
      const error = await runFixture(onnxruntimeNode, name);
      assert.ok(error < 1e-4, `relative error ${error}`);
    });

    it(`onnxruntime-web (wasm) runs the ${name} fixture within 1e-4 of PyTorch's output`, async () => {
      const error = await runFixture(web, name);
      assert.ok(error < 1e-4, `relative error ${error}`);
    });
  }

  it('onnxruntime-web reports the thread count it runs with, and refuses to change it', async () => {
    await runFixture(web, 'resnet20');
    assert.equal(web.threads, 2, 'Node has SharedArrayBuffer and worker_threads, so wasm threads are available');
    assert.match(web.name, /^onnxruntime-web \d+\.\d+\.\d+ \(wasm, 2 threads\)$/);
    await assert.rejects(web.createSession(smallConvNet('N'), { intraOpThreads: 1 }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /cannot change to 1/.test(e.message));
  });

  it('onnxruntime-web turns a model it cannot load into a RUNTIME error', async () => {
    await assert.rejects(web.createSession(new Uint8Array([1, 2, 3, 4])), (e) => isSculptError(e, 'RUNTIME') && /onnxruntime-web could not load/.test(e.message));
  });

  it('passes thread options to onnxruntime-node session options', () => {
    assert.deepEqual(ortSessionOptions({ intraOpThreads: 2, interOpThreads: 1 }), {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      enableMemPattern: true,
      interOpNumThreads: 1,
      intraOpNumThreads: 2,
    });
  });
});

describe('runInBatches', () => {
  it('gives the same outputs as one run over the whole input, for a batch size that does not divide it', async () => {
    const session = await onnxruntimeNode.createSession(smallConvNet('N'), { intraOpThreads: 1 });
    const x = float32([7, 2, 6, 6], randomInput(7, 1));
    const whole = await session.run({ x });
    const seen: number[] = [];
    const batched = await runInBatches(session, { x }, { batchSize: 3, onProgress: (done) => seen.push(done) });
    await session.release();
    assert.deepEqual(batched.y!.dims, [7, 3, 6, 6]);
    assert.ok(relativeError(batched.y!.data as Float32Array, whole.y!.data as Float32Array) < 1e-6);
    assert.deepEqual(seen, [3, 6, 7]);
  });

  it('pads the last batch for a model with a fixed batch size and drops the padded rows', async () => {
    const fixed = await onnxruntimeNode.createSession(smallConvNet(4), { intraOpThreads: 1 });
    const free = await onnxruntimeNode.createSession(smallConvNet('N'), { intraOpThreads: 1 });
    const x = float32([6, 2, 6, 6], randomInput(6, 2));
    await assert.rejects(runInBatches(fixed, { x }, { batchSize: 4 }), (e) => isSculptError(e, 'RUNTIME'));
    const batched = await runInBatches(fixed, { x }, { batchSize: 4, padLastBatch: true });
    const reference = await free.run({ x });
    await fixed.release();
    await free.release();
    assert.deepEqual(batched.y!.dims, [6, 3, 6, 6]);
    assert.ok(relativeError(batched.y!.data as Float32Array, reference.y!.data as Float32Array) < 1e-6);
  });

  it('rejects feeds with different batch sizes and a batch size below 1', async () => {
    const session = await onnxruntimeNode.createSession(smallConvNet('N'));
    const a = float32([2, 2, 6, 6], randomInput(2, 3));
    const b = float32([3, 2, 6, 6], randomInput(3, 4));
    await assert.rejects(runInBatches(session, { x: a, z: b }, { batchSize: 2 }), (e) => isSculptError(e, 'BAD_ARGUMENT') && /share the batch size/.test(e.message));
    await assert.rejects(runInBatches(session, { x: a }, { batchSize: 0 }), (e) => isSculptError(e, 'BAD_ARGUMENT'));
    await session.release();
  });
});
