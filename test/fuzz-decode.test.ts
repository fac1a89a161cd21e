// Mutated and truncated variants of the fixtures' model bytes through decodeModel + inferModel:
// every outcome must be a model or a SculptError. Seeded, so a failure names a reproducible case.
// Each case is bounded by construction: the input is at most 8 bytes longer than a fixture,
// decoding is linear in it, and the decoder checks sizes before allocating (a corrupted dims
// field cannot make it allocate gigabytes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSculptError } from '../src/errors.js';
import { decodeModel } from '../src/onnx/decode.js';
import { onnxTypes } from '../src/onnx/proto.js';
import { inferModel } from '../src/ops/infer.js';
import { Random } from '../src/util/random.js';
import { FIXTURE_NAMES, loadFixture } from './helpers/fixtures.js';
import { MUTATION_KINDS, mutate, mutateFields, structureRanges } from './helpers/mutate.js';

const BYTE_CASES_PER_FILE = 100;
const FIELD_CASES_PER_FILE = 40;

type Outcome = 'valid' | string;

function outcome(bytes: Uint8Array): Outcome {
  try {
    inferModel(decodeModel(bytes));
    return 'valid';
  } catch (error) {
    if (isSculptError(error)) return error.code;
    throw error;
  }
}

describe('fuzzing the decoder and validator', () => {
  const files = FIXTURE_NAMES.flatMap((name) => {
    const fixture = loadFixture(name);
    return [
      { label: `${name}/model.onnx`, bytes: fixture.modelBytes() },
      { label: `${name}/model-deploy.onnx`, bytes: fixture.deployBytes() },
    ];
  });

  it('finds the structure of each fixture outside its tensor payloads', () => {
    for (const { label, bytes } of files) {
      const ranges = structureRanges(bytes);
      const size = ranges.reduce((n, [s, e]) => n + e - s, 0);
      assert.ok(size > 1000 && size < bytes.byteLength / 2, `${label}: ${size} of ${bytes.byteLength} bytes are structure`);
    }
  });

  it(`turns ${files.length * (BYTE_CASES_PER_FILE + FIELD_CASES_PER_FILE)} mutated and truncated models into a model or a SculptError, never another exception`, () => {
    const tally = new Map<string, number>();
    const failures: string[] = [];
    let cases = 0;
    files.forEach(({ label, bytes }, f) => {
      const random = new Random(1000 + f);
      const structure = structureRanges(bytes);
      for (let k = 0; k < BYTE_CASES_PER_FILE + FIELD_CASES_PER_FILE; k++) {
        const kind = k < BYTE_CASES_PER_FILE ? MUTATION_KINDS[k % MUTATION_KINDS.length]! : 'field';
        const variant = kind === 'field' ? mutateFields(bytes, random) : mutate(bytes, structure, kind, random);
        assert.ok(variant.byteLength <= bytes.byteLength + 8 || kind === 'field');
        cases++;
        try {
          const result = outcome(variant);
          tally.set(`${kind}:${result}`, (tally.get(`${kind}:${result}`) ?? 0) + 1);
        } catch (error) {
          failures.push(`${label} case ${k} (${kind}, seed ${1000 + f}): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        }
      }
    });
    assert.deepEqual(failures, [], failures.slice(0, 10).join('\n'));
    assert.ok(cases >= 1000);
    // The mutations must reach past the protobuf decoder: some variants fail graph validation or
    // shape inference, and some flips (inside names or attributes that do not matter) stay valid.
    const count = (pattern: RegExp): number => [...tally].filter(([k]) => pattern.test(k)).reduce((n, [, v]) => n + v, 0);
    assert.ok(count(/:BAD_MODEL$/) > 100, 'decoder rejections');
    assert.ok(count(/:(INVALID_GRAPH|SHAPE_MISMATCH|UNSUPPORTED_OP|UNSUPPORTED_ATTRIBUTE)$/) > 100, 'validation rejections');
    assert.ok(count(/:valid$/) > 20, 'variants that still validate');
  });

  it('rejects tensors whose dims claim more data than the file holds, without allocating them', () => {
    const { ModelProto } = onnxTypes();
    for (const dims of [[1e9], [2 ** 40], [1e5, 1e5], [2 ** 26, 2 ** 26]]) {
      const bytes = ModelProto.encode(
        ModelProto.fromObject({ ir_version: 8, opset_import: [{ domain: '', version: 17 }], graph: { name: 'g', initializer: [{ name: 'w', data_type: 1, dims }] } }),
      ).finish();
      assert.throws(() => decodeModel(bytes), (e) => isSculptError(e, 'BAD_MODEL') && /has no data but its dims need/.test(e.message), `dims ${dims}`);
    }
  });
});
