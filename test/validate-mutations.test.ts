// Validation never fails with anything but a SculptError: every op-table case, mutated thousands
// of times (attribute values, dims, dropped and extra inputs), either infers or is refused with a
// one-line SculptError. No TypeError, RangeError or non-finite dim gets through.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSculptError } from '../src/errors.js';
import { attr, type Attribute } from '../src/ir/graph.js';
import { int64 } from '../src/ir/tensor.js';
import { inferModel } from '../src/ops/infer.js';
import { Random } from '../src/util/random.js';
import { CASES, type Case } from './helpers/op-cases.js';
import { oneNodeModel, type InputSpec } from './helpers/one-node.js';

const ODD_INTS = [-3, -1, 0, 1, 2, 7, 1e9];

function mutate(testCase: Case, random: Random): Case {
  const pick = <T>(items: readonly T[]): T => items[random.int(items.length)]!;
  const attributes: Record<string, Attribute> = { ...(testCase.attributes ?? {}) };
  let inputs: InputSpec[] = [...testCase.inputs];
  let outputs = testCase.outputs ?? 1;
  let opset = testCase.opset ?? 17;
  switch (random.int(7)) {
    case 0: {
      const names = Object.keys(attributes);
      if (names.length === 0) break;
      const name = pick(names);
      const old = attributes[name]!;
      if (old.type === 'int') attributes[name] = attr.int(pick(ODD_INTS));
      else if (old.type === 'ints') attributes[name] = attr.ints(old.value.map((v) => (random.int(2) ? pick(ODD_INTS) : v)).slice(0, random.int(old.value.length + 2)));
      else if (old.type === 'float') attributes[name] = attr.float(pick([0, -1, NaN, 1e30]));
      else if (old.type === 'string') attributes[name] = attr.string(pick(['', 'SAME', 'bogus']));
      break;
    }
    case 1: {
      const k = random.int(Math.max(1, inputs.length));
      const input = inputs[k];
      if (input && 'shape' in input && input.shape.length > 0) {
        const shape = [...input.shape];
        shape[random.int(shape.length)] = pick([0, 1, 3, 100]);
        inputs[k] = { ...input, shape: random.int(3) === 0 ? shape.slice(1) : shape };
      }
      break;
    }
    case 2:
      inputs = inputs.slice(0, random.int(inputs.length + 1));
      break;
    case 3:
      inputs = [...inputs, pick(inputs.filter(Boolean)) ?? { shape: [2] }];
      break;
    case 4:
      outputs = pick([0, 1, 2, 4]);
      break;
    case 5: {
      const k = inputs.findIndex((i) => i && 'value' in i && i.value.dtype === 'int64');
      const input = inputs[k];
      if (input && 'value' in input) {
        const length = random.int(3) === 0 ? random.int(5) : input.value.data.length;
        const values = Array.from({ length }, () => pick([...ODD_INTS, -(2 ** 62)]));
        inputs[k] = { value: int64(input.value.dims.length === 0 && length === 1 ? [] : [length], values) };
      }
      break;
    }
    default:
      opset = pick([11, 12, 13, 14, 17, 18, 19, 21]);
  }
  return { ...testCase, attributes, inputs, outputs, opset };
}

describe('validation of mutated nodes', () => {
  it('refuses every mutated node it cannot type with a one-line SculptError', () => {
    const random = new Random(2024);
    const all = Object.values(CASES).flat();
    let refused = 0;
    for (let round = 0; round < 3000; round++) {
      const mutant = mutate(all[random.int(all.length)]!, random);
      const label = `${mutant.op} (${mutant.title}) mutated: ${JSON.stringify({ attributes: mutant.attributes, inputs: mutant.inputs.map((i) => (i && 'shape' in i ? i.shape : i ? 'const' : null)), outputs: mutant.outputs, opset: mutant.opset })}`;
      try {
        const typed = inferModel(oneNodeModel(mutant));
        for (const [name, type] of typed.types) {
          for (const d of type.shape) assert.ok(typeof d === 'string' || (Number.isInteger(d) && d >= 0), `${label}: ${name} has dim ${d}`);
        }
      } catch (error) {
        if (error instanceof assert.AssertionError) throw error;
        assert.ok(isSculptError(error), `${label}: ${String(error)}`);
        assert.ok(!error.message.includes('\n'), `${label}: multi-line message`);
        refused++;
      }
    }
    assert.ok(refused > 500, `only ${refused} of 3000 mutants were refused; the mutations are too mild`);
  });
});
