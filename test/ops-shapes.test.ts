// Every op rule's inferred output types against onnxruntime's actual outputs: one-node models,
// several cases per rule, run in onnxruntime-node. Folded constants are compared by value too,
// and where onnxruntime refuses a node, Sculpt's validation must refuse it as well.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSculptError } from '../src/errors.js';
import { toNumbers, type Tensor } from '../src/ir/tensor.js';
import { OP_RULES } from '../src/ops/index.js';
import { inferModel } from '../src/ops/infer.js';
import { CASES } from './helpers/op-cases.js';
import { oneNodeModel, runModel } from './helpers/one-node.js';

/** Compares element values (numbers; bigints as numbers). */
function values(t: Tensor): number[] {
  return toNumbers(t);
}

describe('op rules infer the output types onnxruntime produces', () => {
  it('has cases for every rule in the table', () => {
    for (const op of Object.keys(OP_RULES)) assert.ok((CASES[op as keyof typeof OP_RULES] ?? []).length > 0, `no cases for ${op}`);
  });

  for (const [op, cases] of Object.entries(CASES)) {
    describe(op, () => {
      for (const testCase of cases) {
        it(testCase.title, async () => {
          const draft = oneNodeModel(testCase);
          if (testCase.rejects) {
            assert.throws(() => inferModel(draft), (error) => isSculptError(error, testCase.rejects) && !String((error as Error).message).includes('\n'));
            if (!testCase.limitation) await assert.rejects(runModel(draft), 'onnxruntime accepted the node that Sculpt refuses');
            return;
          }
          const draftTypes = inferModel(draft).types;
          const outputs = Array.from({ length: testCase.outputs ?? 1 }, (_, i) => draftTypes.get(`out${i}`)!);
          const model = oneNodeModel(testCase, outputs.map((t) => t.dtype));
          const typed = inferModel(model);
          const actual = await runModel(model);
          outputs.forEach((type, i) => {
            const name = `out${i}`;
            const reference = actual[name]!;
            assert.deepEqual(type.shape, reference.dims, `${name} shape`);
            assert.equal(type.dtype, reference.dtype, `${name} dtype`);
            const folded = typed.constants.get(name);
            if (folded) assert.deepEqual(values(folded), values(reference), `${name} folded value`);
          });
        });
      }
    });
  }
});

describe('op rules with a symbolic batch', () => {
  // With the batch symbolic, every dim Sculpt still states as a number must equal the concrete
  // inference, which the suite above checks against onnxruntime.
  for (const [op, cases] of Object.entries(CASES)) {
    const symbolic = cases.filter((k) => !k.rejects && k.inputs[0] && 'shape' in k.inputs[0] && k.inputs[0].shape.length >= 2);
    if (symbolic.length === 0) continue;
    it(`${op} never states a wrong fixed dim`, async () => {
      for (const testCase of symbolic) {
        const model = oneNodeModel(testCase);
        const batch = (testCase.inputs[0] as { shape: readonly number[] }).shape;
        const typed = inferModel(model, { inputShapes: { in0: ['N', ...batch.slice(1)] } });
        const concrete = inferModel(model);
        for (let i = 0; i < (testCase.outputs ?? 1); i++) {
          const loose = typed.types.get(`out${i}`)!.shape;
          const exact = concrete.types.get(`out${i}`)!.shape;
          assert.equal(loose.length, exact.length, `${testCase.title}: rank`);
          loose.forEach((d, k) => {
            if (typeof d === 'number') assert.equal(d, exact[k], `${testCase.title}: dim ${k}`);
          });
        }
      }
    });
  }
});
