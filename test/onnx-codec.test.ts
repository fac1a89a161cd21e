import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeModel } from '../src/onnx/decode.js';
import { encodeModel } from '../src/onnx/encode.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { FIXTURE_NAMES, loadFixture } from './helpers/fixtures.js';
import { relativeError } from './helpers/numeric.js';

describe('ONNX decode and encode', () => {
  for (const name of FIXTURE_NAMES) {
    const fixture = loadFixture(name);
    for (const [file, bytes] of [
      ['model.onnx', fixture.modelBytes()],
      ['model-deploy.onnx', fixture.deployBytes()],
    ] as const) {
      it(`round-trips ${name}/${file} losslessly`, () => {
        const model = decodeModel(bytes);
        assert.deepEqual(decodeModel(encodeModel(model)), model);
      });

      it(`re-encoded ${name}/${file} runs in onnxruntime within 1e-4 of PyTorch's output`, async () => {
        const session = await onnxruntimeNode.createSession(encodeModel(decodeModel(bytes)));
        const out = await session.run({ [fixture.meta.input_name]: { dtype: 'float32', dims: fixture.meta.input_shape, data: fixture.input() } });
        await session.release();
        const y = out[fixture.meta.output_name]!.data as Float32Array;
        assert.ok(relativeError(y, fixture.outputEval()) < 1e-4, `relative error ${relativeError(y, fixture.outputEval())}`);
      });
    }
  }
});
