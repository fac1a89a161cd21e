// The explicit pads Sculpt resolves from auto_pad and output_shape are the ones onnxruntime uses:
// the node with auto_pad/output_shape and the same node with Sculpt's explicit pads must give
// identical outputs in onnxruntime. (Odd total padding is where the begin/end split matters;
// autodiff and surgery read these pads.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attr, type Attribute, type Model } from '../src/ir/graph.js';
import { float32, sizeOf } from '../src/ir/tensor.js';
import { convGeometry } from '../src/ops/conv.js';
import { convTransposeGeometry } from '../src/ops/conv-transpose.js';
import { costContext, inferModel } from '../src/ops/infer.js';
import { poolGeometry } from '../src/ops/pool.js';
import type { OpContext } from '../src/ops/rule.js';
import { oneNodeModel, randomTensor, runWithFeeds, type InputSpec } from './helpers/one-node.js';
import { maxAbsDiff } from './helpers/numeric.js';
import { Random } from '../src/util/random.js';

interface PadCase {
  readonly title: string;
  readonly op: 'Conv' | 'ConvTranspose' | 'MaxPool' | 'AveragePool';
  readonly input: readonly number[];
  readonly weight?: readonly number[];
  readonly attributes: Readonly<Record<string, Attribute>>;
}

const a = attr;
const CASES: readonly PadCase[] = [
  { title: 'Conv SAME_UPPER with an odd total pad', op: 'Conv', input: [1, 1, 8, 7], weight: [1, 1, 2, 4], attributes: { auto_pad: a.string('SAME_UPPER') } },
  { title: 'Conv SAME_LOWER with an odd total pad', op: 'Conv', input: [1, 1, 8, 7], weight: [1, 1, 2, 4], attributes: { auto_pad: a.string('SAME_LOWER') } },
  { title: 'strided Conv SAME_LOWER', op: 'Conv', input: [1, 2, 9, 6], weight: [2, 2, 3, 3], attributes: { auto_pad: a.string('SAME_LOWER'), strides: a.ints([2, 2]) } },
  { title: 'ConvTranspose output_shape with an odd total pad', op: 'ConvTranspose', input: [1, 1, 3, 4], weight: [1, 1, 3, 3], attributes: { strides: a.ints([2, 2]), output_shape: a.ints([6, 8]) } },
  { title: 'ConvTranspose SAME_UPPER', op: 'ConvTranspose', input: [1, 1, 3, 4], weight: [1, 1, 3, 3], attributes: { strides: a.ints([2, 2]), auto_pad: a.string('SAME_UPPER') } },
  { title: 'ConvTranspose SAME_LOWER', op: 'ConvTranspose', input: [1, 1, 3, 4], weight: [1, 1, 3, 3], attributes: { strides: a.ints([2, 2]), auto_pad: a.string('SAME_LOWER') } },
  { title: 'ConvTranspose SAME_UPPER with output_shape and output_padding', op: 'ConvTranspose', input: [1, 2, 3, 3], weight: [2, 1, 3, 3], attributes: { strides: a.ints([2, 2]), output_padding: a.ints([1, 1]), output_shape: a.ints([6, 5]), auto_pad: a.string('SAME_UPPER') } },
  { title: 'ConvTranspose SAME_LOWER with dilations', op: 'ConvTranspose', input: [1, 1, 4, 4], weight: [1, 1, 3, 3], attributes: { strides: a.ints([2, 2]), dilations: a.ints([2, 2]), auto_pad: a.string('SAME_LOWER') } },
  { title: 'MaxPool SAME_UPPER with an odd total pad', op: 'MaxPool', input: [1, 1, 7, 8], attributes: { kernel_shape: a.ints([2, 3]), strides: a.ints([2, 2]), auto_pad: a.string('SAME_UPPER') } },
  { title: 'MaxPool SAME_LOWER with dilations', op: 'MaxPool', input: [1, 1, 9, 9], attributes: { kernel_shape: a.ints([3, 2]), strides: a.ints([2, 2]), dilations: a.ints([2, 2]), auto_pad: a.string('SAME_LOWER') } },
  { title: 'AveragePool SAME_LOWER counting pads', op: 'AveragePool', input: [1, 1, 7, 6], attributes: { kernel_shape: a.ints([2, 3]), strides: a.ints([2, 1]), auto_pad: a.string('SAME_LOWER'), count_include_pad: a.int(1) } },
];

const GEOMETRY: Record<PadCase['op'], (ctx: OpContext) => { pads: readonly number[] }> = {
  Conv: convGeometry,
  ConvTranspose: convTransposeGeometry,
  MaxPool: poolGeometry,
  AveragePool: poolGeometry,
};

function model(testCase: PadCase, attributes: Readonly<Record<string, Attribute>>): Model {
  const inputs: InputSpec[] = [{ shape: testCase.input }];
  if (testCase.weight) inputs.push({ value: float32(testCase.weight, Array.from({ length: sizeOf(testCase.weight) }, (_, i) => 1 + ((i * 5) % 7))) });
  return oneNodeModel({ op: testCase.op, inputs, attributes });
}

describe('auto_pad and output_shape resolve to the pads onnxruntime uses', () => {
  for (const testCase of CASES) {
    it(testCase.title, async () => {
      const original = model(testCase, testCase.attributes);
      const typed = inferModel(original);
      const { pads } = GEOMETRY[testCase.op](costContext(typed, typed.order[0]!));
      const { auto_pad: _autoPad, output_shape: _outputShape, ...rest } = testCase.attributes;
      const explicit = model(testCase, { ...rest, pads: a.ints(pads) });
      const feeds = { in0: randomTensor('float32', testCase.input, new Random(3)) };
      const expected = (await runWithFeeds(original, feeds)).out0!;
      const actual = (await runWithFeeds(explicit, feeds)).out0!;
      assert.deepEqual(actual.dims, expected.dims, `dims with pads [${pads.join(', ')}]`);
      assert.ok(maxAbsDiff(actual.data as Float32Array, expected.data as Float32Array) < 1e-5, `values differ with pads [${pads.join(', ')}]`);
    });
  }
});
