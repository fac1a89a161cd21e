// Shape arithmetic as PyTorch exports it (`x.view(x.size(0), -1)`, squeeze-excitation) infers
// statically, with the batch symbolic, to the shapes onnxruntime produces.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr, type Model } from '../src/ir/graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel } from '../src/ops/infer.js';
import { runModel } from './helpers/one-node.js';

/** Emits `x.size(axis)` as a 1-element int64 shape value, the way the exporter does. */
function size(b: GraphBuilder, x: string, axis: number): string {
  const shape = b.op('Shape', [x]);
  const dim = b.op('Gather', [shape, b.initializer('index', int64([], [axis]))], { axis: attr.int(0) });
  return b.op('Unsqueeze', [dim, b.initializer('axes', int64([1], [0]))]);
}

function weight(b: GraphBuilder, name: string, dims: number[]): string {
  return b.initializer(name, float32(dims, Array.from({ length: dims[0]! * dims[1]! }, (_, i) => Math.sin(i))));
}

/** features -> x.view(x.size(0), -1) -> Linear(C*H*W, 10) */
function flattenByView(opset: number): Model {
  const b = new GraphBuilder('view');
  b.input('x', 'float32', ['batch', 4, 3, 3]);
  const minusOne = b.op('Constant', [], { value: attr.tensor(int64([1], [-1])) });
  const target = b.op('Concat', [size(b, 'x', 0), minusOne], { axis: attr.int(0) });
  const flat = b.op('Reshape', ['x', target]);
  const y = b.op('Gemm', [flat, weight(b, 'fc.weight', [10, 36])], { transB: attr.int(1) }, { output: 'y' });
  b.output(y, 'float32');
  return modelFromGraph(b.build(), { opset });
}

/** Squeeze-excitation: mean over H, W -> Linear -> Relu -> Linear -> Sigmoid -> view(b, c, 1, 1) -> x * gate. */
function squeezeExcitation(opset: number): Model {
  const b = new GraphBuilder('se');
  b.input('x', 'float32', ['batch', 8, 5, 5]);
  const axes = [2, 3];
  const pooled =
    opset >= 18
      ? b.op('ReduceMean', ['x', b.initializer('mean_axes', int64([2], axes))], { keepdims: attr.int(0) })
      : b.op('ReduceMean', ['x'], { axes: attr.ints(axes), keepdims: attr.int(0) });
  const squeezed = b.op('Relu', [b.op('MatMul', [pooled, weight(b, 'fc1', [8, 2])])]);
  const gate = b.op('Sigmoid', [b.op('Gemm', [squeezed, weight(b, 'fc2', [2, 8])])]);
  const one = b.initializer('one', int64([1], [1]));
  const target = b.op('Concat', [size(b, 'x', 0), size(b, 'x', 1), one, one], { axis: attr.int(0) });
  const y = b.op('Mul', ['x', b.op('Reshape', [gate, target])], {}, { output: 'y' });
  b.output(y, 'float32');
  return modelFromGraph(b.build(), { opset });
}

/** x.view(b, c, h * w).transpose(1, 2) with the spatial size computed by Mul of two sizes. */
function tokens(): Model {
  const b = new GraphBuilder('tokens');
  b.input('x', 'float32', ['batch', 6, 4, 5]);
  const hw = b.op('Mul', [size(b, 'x', 2), size(b, 'x', 3)]);
  const target = b.op('Concat', [size(b, 'x', 0), size(b, 'x', 1), hw], { axis: attr.int(0) });
  const y = b.op('Transpose', [b.op('Reshape', ['x', target])], { perm: attr.ints([0, 2, 1]) }, { output: 'y' });
  b.output(y, 'float32');
  return modelFromGraph(b.build(), { opset: 13 });
}

const MODELS: readonly [string, () => Model, readonly (number | string)[]][] = [
  ['x.view(x.size(0), -1) before a Linear (opset 13)', () => flattenByView(13), ['batch', 10]],
  ['x.view(x.size(0), -1) before a Linear (opset 21)', () => flattenByView(21), ['batch', 10]],
  ['squeeze-excitation with ReduceMean axes as an attribute (opset 13)', () => squeezeExcitation(13), ['batch', 8, 5, 5]],
  ['squeeze-excitation with ReduceMean axes as an input (opset 18)', () => squeezeExcitation(18), ['batch', 8, 5, 5]],
  ['x.view(b, c, h * w).transpose(1, 2)', tokens, ['batch', 20, 6]],
];

describe('shape arithmetic infers statically with a symbolic batch', () => {
  for (const [title, build, expected] of MODELS) {
    it(title, async () => {
      const model = build();
      const symbolic = inferModel(model);
      assert.deepEqual(symbolic.types.get('y')!.shape, expected);
      assert.ok(Number.isFinite(totalCost(layerCosts(symbolic)).macs), 'MACs per sample are known');
      const concrete = inferModel(model, { inputShapes: { x: [2, ...(model.graph.inputs[0]!.shape!.slice(1) as number[])] } });
      const actual = (await runModel(model)).y!;
      assert.deepEqual(concrete.types.get('y')!.shape, actual.dims);
      assert.deepEqual(actual.dims, [2, ...expected.slice(1)]);
    });
  }

  it('counts a Linear after x.view(x.size(0), -1) as in*out MACs per sample', () => {
    const layers = layerCosts(inferModel(flattenByView(13)));
    const fc = layers.find((l) => l.op === 'Gemm')!;
    assert.equal(fc.macs, 36 * 10);
    assert.equal(fc.params, 360);
  });
});
