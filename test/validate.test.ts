// Validation: each kind of bad model gives a SculptError with the right code and a one-line
// message that names the node or value and the problem.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSculptError, type SculptErrorCode } from '../src/errors.js';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr, type Model } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { decodeModel } from '../src/onnx/decode.js';
import { inferModel, type InferOptions } from '../src/ops/infer.js';
import { loadFixture } from './helpers/fixtures.js';

/** A small conv net: input [batch, 3, 8, 8] -> conv1 -> relu1 -> output. */
function convNet(edit: (b: GraphBuilder) => void = () => {}, opset = 13): Model {
  const b = new GraphBuilder('net');
  b.input('input', 'float32', ['batch', 3, 8, 8]);
  const w = b.initializer('conv1.weight', float32([4, 3, 3, 3], new Float32Array(108)));
  const y = b.op('Conv', ['input', w], { pads: attr.ints([1, 1, 1, 1]) }, { name: 'conv1' });
  b.op('Relu', [y], {}, { name: 'relu1', output: 'output' });
  b.output('output', 'float32');
  edit(b);
  return modelFromGraph(b.build(), { opset });
}

/** Asserts a SculptError of `code` whose message is one line and contains every fragment. */
function assertRejects(run: () => unknown, code: SculptErrorCode, fragments: readonly string[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isSculptError(error), `not a SculptError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(!error.message.includes('\n'), `message spans lines: ${error.message}`);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `'${fragment}' missing from: ${error.message}`);
    return true;
  });
}

function infer(model: Model, options?: InferOptions): void {
  inferModel(model, options);
}

describe('model validation', () => {
  it('accepts the well-formed model the cases start from', () => {
    assert.deepEqual(inferModel(convNet()).types.get('output')!.shape, ['batch', 4, 8, 8]);
  });

  it('names an unknown op and its node', () => {
    const model = convNet((b) => b.op('FancyNorm', ['output'], {}, { name: 'norm7' }));
    assertRejects(() => infer(model), 'UNSUPPORTED_OP', ["'norm7'", "'FancyNorm'", 'not supported']);
  });

  it('names an op of another domain', () => {
    const model = convNet((b) => b.op('FusedConv', ['output'], {}, { name: 'fused', domain: 'com.microsoft' }));
    assertRejects(() => infer(model), 'UNSUPPORTED_OP', ["'fused'", 'com.microsoft.FusedConv']);
  });

  it('names a dangling input and the node that reads it', () => {
    const model = convNet((b) => b.op('Add', ['output', 'nowhere'], {}, { name: 'add1' }));
    assertRejects(() => infer(model), 'INVALID_GRAPH', ["'add1'", "'nowhere'"]);
  });

  it('names a node on a cycle', () => {
    const model = convNet((b) => {
      b.node('Add', ['output', 'loop_b'], {}, { name: 'loop_a', outputs: ['loop_a_out'] });
      b.node('Relu', ['loop_a_out'], {}, { name: 'loop_b_node', outputs: ['loop_b'] });
    });
    assertRejects(() => infer(model), 'INVALID_GRAPH', ['cycle', "'loop_a'"]);
  });

  it('names a shape mismatch between broadcast operands', () => {
    const model = convNet((b) => b.op('Add', ['output', b.initializer('bias', float32([5], new Float32Array(5)))], {}, { name: 'add_bias' }));
    assertRejects(() => infer(model), 'SHAPE_MISMATCH', ["'add_bias'", '[batch, 4, 8, 8]', '[5]', 'broadcast']);
  });

  it('names a conv whose weight does not match the input channels', () => {
    const model = convNet((b) => b.op('Conv', ['output', b.initializer('conv2.weight', float32([2, 3, 1, 1], new Float32Array(6)))], {}, { name: 'conv2' }));
    assertRejects(() => infer(model), 'SHAPE_MISMATCH', ["'conv2'", '4 channels', '[2, 3, 1, 1]']);
  });

  it('names an unsupported attribute value and lists the supported ones', () => {
    const model = convNet((b) => b.op('MaxPool', ['output'], { kernel_shape: attr.ints([2, 2]), storage_order: attr.int(1) }, { name: 'pool1' }));
    assertRejects(() => infer(model), 'UNSUPPORTED_ATTRIBUTE', ["'pool1'", 'storage_order=1', 'supported: 0']);
  });

  it('names an attribute the op does not have', () => {
    const model = convNet((b) => b.op('Relu', ['output'], { alpha: attr.float(0.1) }, { name: 'relu2' }));
    assertRejects(() => infer(model), 'UNSUPPORTED_ATTRIBUTE', ["'relu2'", "'alpha'"]);
  });

  it('names an attribute the model opset does not have', () => {
    const model = convNet((b) => b.node('Split', ['output'], { axis: attr.int(1), num_outputs: attr.int(2) }, { name: 'split1', outputs: 2 }));
    assertRejects(() => infer(model), 'UNSUPPORTED_ATTRIBUTE', ["'split1'", "'num_outputs'", 'opset 18', 'opset 13']);
  });

  it('names a missing initialiser in a real export', () => {
    const model = decodeModel(loadFixture('resnet20').modelBytes());
    const initializers = new Map(model.graph.initializers);
    initializers.delete('layers.3.conv1.weight');
    const broken = { ...model, graph: { ...model.graph, initializers } };
    assertRejects(() => infer(broken), 'INVALID_GRAPH', ["'layers.3.conv1.weight'", 'missing initialiser']);
  });

  it('names an input shape of the wrong rank', () => {
    assertRejects(() => infer(convNet(), { inputShapes: { input: [1, 3, 8] } }), 'SHAPE_MISMATCH', ["'input'", 'rank 4', 'rank 3']);
  });

  it('names a node that receives an input of the wrong rank', () => {
    const model = convNet((b) => b.op('Gemm', ['output', b.initializer('fc.weight', float32([4, 2], new Float32Array(8)))], {}, { name: 'fc' }));
    assertRejects(() => infer(model), 'SHAPE_MISMATCH', ["'fc'", 'A must have rank 2', '[batch, 4, 8, 8]']);
  });

  for (const opset of [10, 22]) {
    it(`refuses opset ${opset}, outside 11-21`, () => {
      assertRejects(() => infer(convNet(() => {}, opset)), 'BAD_MODEL', [`opset ${opset}`, '11-21']);
    });
  }

  it('names an op that the model opset does not have', () => {
    const model = convNet((b) => b.op('HardSwish', ['output'], {}, { name: 'hswish' }));
    assertRejects(() => infer(model), 'UNSUPPORTED_OP', ["'hswish'", 'opset 14', 'opset 13']);
  });
});
