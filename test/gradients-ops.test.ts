// Every op's backward rule against central finite differences of the op's forward in onnxruntime.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr, type Attribute, type Model } from '../src/ir/graph.js';
import { float32, int64, type Tensor } from '../src/ir/tensor.js';
import type { ForwardMode } from '../src/ops/backward.js';
import { Random } from '../src/util/random.js';
import { detectKernels } from '../src/autodiff/kernels.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { gradCheck } from './helpers/gradcheck.js';
import { OP_RULES } from '../src/ops/index.js';
import type { OpRule } from '../src/ops/rule.js';

type Fill = 'normal' | 'spaced';

/** Values spaced 0.05 apart in random order (offset from 0 and from multiples of 0.05): no ties, no kinks within eps. */
function spaced(n: number, random: Random): Float32Array {
  const order = random.shuffle(Array.from({ length: n }, (_, i) => i));
  return Float32Array.from(order, (k) => (k - n / 2 + 0.5) * 0.05);
}

function values(dims: readonly number[], fill: Fill, random: Random): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return float32(dims, fill === 'spaced' ? spaced(n, random) : random.fillNormal(new Float32Array(n), 1));
}

interface Case {
  readonly title: string;
  readonly input: readonly number[];
  readonly fill?: Fill;
  readonly mode?: ForwardMode;
  /** Builds the graph on X; returns the output and the initialisers to check. */
  readonly build: (g: GraphBuilder, x: string, random: Random) => { output: string; wrt: string[] };
  /** Skip the input gradient (ops whose input gradient is not defined, or the batch is an index). */
  readonly noInputGradient?: boolean;
  /** Finite-difference step; chains with ReLU kinks inside need a smaller one. Default 1e-2. */
  readonly eps?: number;
}

const ints = attr.ints;
const int = attr.int;

/** One node with initialisers for its other inputs (float values checked unless listed in `fixed`). */
function single(opType: string, weights: readonly (readonly number[] | Tensor | '')[], attributes: Record<string, Attribute> = {}, fixed: readonly number[] = []) {
  return (g: GraphBuilder, x: string, random: Random) => {
    const wrt: string[] = [];
    const inputs = [x];
    weights.forEach((w, i) => {
      if (w === '') return inputs.push('');
      const isTensor = !Array.isArray(w);
      const name = g.initializer(`w${i + 1}`, isTensor ? (w as Tensor) : values(w as number[], 'normal', random));
      if (!isTensor && !fixed.includes(i + 1)) wrt.push(name);
      inputs.push(name);
    });
    return { output: g.op(opType, inputs, attributes), wrt };
  };
}

/** A binary op whose second operand (checked too) stays in [0.5, 1.5], away from division by zero. */
function positive(opType: string, dims: readonly number[]) {
  return (g: GraphBuilder, x: string, random: Random) => {
    const w = g.initializer('w1', float32(dims, random.fillUniform(new Float32Array(dims.reduce((a, b) => a * b, 1)), 0.5, 1.5)));
    return { output: g.op(opType, [x, w]), wrt: [w] };
  };
}

const CASES: Case[] = [
  { title: 'Conv 3x3, stride 1, pad 1, with bias', input: [2, 3, 6, 6], build: single('Conv', [[4, 3, 3, 3], [4]], { pads: ints([1, 1, 1, 1]) }) },
  { title: 'Conv 3x3, stride 2, pad 1', input: [2, 3, 7, 7], build: single('Conv', [[4, 3, 3, 3], [4]], { pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) }) },
  { title: 'Conv 3x3, stride 2, even input, pad 1', input: [2, 3, 8, 8], build: single('Conv', [[4, 3, 3, 3]], { pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) }) },
  { title: 'Conv 3x3, dilation 2, pad 2', input: [2, 2, 7, 7], build: single('Conv', [[3, 2, 3, 3]], { pads: ints([2, 2, 2, 2]), dilations: ints([2, 2]) }) },
  { title: 'Conv with asymmetric pads and strides [1, 2]', input: [2, 2, 6, 7], build: single('Conv', [[3, 2, 3, 2], [3]], { pads: ints([0, 1, 2, 0]), strides: ints([1, 2]) }) },
  { title: 'Conv grouped (group 2)', input: [2, 4, 5, 5], build: single('Conv', [[6, 2, 3, 3], [6]], { group: int(2), pads: ints([1, 1, 1, 1]) }) },
  { title: 'Conv depthwise (group = channels)', input: [2, 4, 6, 6], build: single('Conv', [[4, 1, 3, 3]], { group: int(4), pads: ints([1, 1, 1, 1]) }) },
  { title: 'Conv depthwise with multiplier 2, stride 2', input: [2, 3, 7, 7], build: single('Conv', [[6, 1, 3, 3]], { group: int(3), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) }) },
  { title: 'Conv 1x1 with stride 2 (shortcut)', input: [2, 3, 6, 6], build: single('Conv', [[5, 3, 1, 1]], { strides: ints([2, 2]) }) },
  { title: 'Conv 1x1, stride 1', input: [2, 3, 4, 4], build: single('Conv', [[5, 3, 1, 1], [5]]) },
  { title: 'Conv with auto_pad SAME_UPPER and stride 2', input: [2, 2, 6, 6], build: single('Conv', [[3, 2, 3, 3]], { auto_pad: attr.string('SAME_UPPER'), strides: ints([2, 2]) }) },
  { title: 'Conv with pads larger than the kernel reach', input: [2, 2, 4, 4], build: single('Conv', [[3, 2, 2, 2]], { pads: ints([2, 2, 2, 2]) }) },
  { title: 'Conv 1-D', input: [2, 3, 9], build: single('Conv', [[4, 3, 3], [4]], { pads: ints([1, 1]) }) },
  { title: 'Conv with many channels on a small map (weight gradient as shifted Gemms)', input: [2, 8, 3, 3], build: single('Conv', [[12, 8, 3, 3], [12]], { pads: ints([1, 1, 1, 1]) }) },
  { title: 'Conv with 16 channels in and out (whole NCHWc blocks)', input: [2, 16, 4, 4], build: single('Conv', [[16, 16, 3, 3], [16]], { pads: ints([1, 1, 1, 1]) }) },
  { title: 'Conv with 20 channels in and 24 out (partial NCHWc blocks)', input: [2, 20, 3, 3], build: single('Conv', [[24, 20, 3, 3]], { pads: ints([1, 1, 1, 1]) }) },
  { title: 'Conv on a 2x2 map with a batch of 16 (weight gradient as a convolution over the batch)', input: [16, 8, 2, 2], build: single('Conv', [[20, 8, 3, 3], [20]], { pads: ints([1, 1, 1, 1]) }) },
  { title: 'Conv, many channels, stride 2, dilation 2, asymmetric pads', input: [2, 8, 5, 5], build: single('Conv', [[12, 8, 3, 3]], { pads: ints([2, 1, 1, 2]), strides: ints([2, 2]), dilations: ints([2, 1]) }) },
  { title: 'ConvTranspose 2x2, stride 2 (U-Net up-sampling)', input: [2, 4, 3, 3], build: single('ConvTranspose', [[4, 3, 2, 2], [3]], { strides: ints([2, 2]) }) },
  { title: 'ConvTranspose 3x3, stride 2, pad 1, output_padding 1', input: [2, 3, 4, 4], build: single('ConvTranspose', [[3, 2, 3, 3], [2]], { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 1]) }) },
  { title: 'ConvTranspose grouped, dilated', input: [2, 4, 3, 3], build: single('ConvTranspose', [[4, 1, 2, 2]], { group: int(2), dilations: ints([2, 2]) }) },
  { title: 'BatchNormalization in training mode', mode: 'train', input: [3, 4, 3, 3], build: single('BatchNormalization', [[4], [4], [4], float32([4], [0.5, 1, 1.5, 2])], {}, [3]) },
  { title: 'BatchNormalization in eval mode', input: [2, 3, 4, 4], build: single('BatchNormalization', [[3], [3], [3], float32([3], [0.5, 1, 2])], {}, [3]) },
  { title: 'BatchNormalization in training mode on [N, C]', mode: 'train', input: [5, 3], build: single('BatchNormalization', [[3], [3], [3], float32([3], [1, 1, 1])], {}, [3]) },
  { title: 'Relu', input: [2, 3, 4, 4], fill: 'spaced', build: single('Relu', []) },
  { title: 'Clip as ReLU6 (constant bounds)', input: [2, 3, 5, 5], fill: 'spaced', build: single('Clip', [float32([], [0]), float32([], [1])]) },
  { title: 'Clip with only a lower bound', input: [2, 3, 4, 4], fill: 'spaced', build: single('Clip', [float32([], [-0.5])]) },
  { title: 'Add with a per-channel bias [C, 1, 1]', input: [2, 3, 4, 4], build: single('Add', [[3, 1, 1]]) },
  { title: 'Add with a trailing-axis vector', input: [2, 3, 4, 5], build: single('Add', [[5]]) },
  { title: 'Add where the batch input is the broadcast one', input: [1, 3, 1, 4], build: single('Add', [[2, 3, 5, 4]]) },
  { title: 'Sub with broadcasting', input: [2, 3, 4, 4], build: single('Sub', [[1, 3, 1, 1]]) },
  { title: 'Mul with a per-channel scale', input: [2, 3, 4, 4], build: single('Mul', [[3, 1, 1]]) },
  { title: 'Mul of same-shape tensors', input: [2, 3, 4], build: single('Mul', [[2, 3, 4]]) },
  { title: 'MaxPool 2x2, stride 2', input: [2, 3, 6, 6], fill: 'spaced', build: single('MaxPool', [], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }) },
  { title: 'MaxPool 2x2, stride 2, ceil_mode on odd input', input: [2, 2, 5, 5], fill: 'spaced', build: single('MaxPool', [], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), ceil_mode: int(1) }) },
  { title: 'MaxPool 3x3, stride 2, pad 1 (overlapping windows)', input: [2, 2, 7, 7], fill: 'spaced', build: single('MaxPool', [], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }) },
  { title: 'MaxPool 3x3, stride 2, ceil_mode (overlapping)', input: [2, 2, 6, 6], fill: 'spaced', build: single('MaxPool', [], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: int(1) }) },
  { title: 'GlobalAveragePool', input: [2, 3, 4, 5], build: single('GlobalAveragePool', []) },
  { title: 'Flatten at axis 1', input: [2, 3, 2, 2], build: single('Flatten', [], { axis: int(1) }) },
  { title: 'Flatten at axis 2', input: [2, 3, 2, 2], build: single('Flatten', [], { axis: int(2) }) },
  { title: 'Gemm with transB (a linear layer)', input: [3, 5], build: single('Gemm', [[4, 5], [4]], { transB: int(1) }) },
  { title: 'Gemm with alpha, beta and a row-vector C', input: [3, 5], build: single('Gemm', [[5, 4], [1, 4]], { alpha: attr.float(0.5), beta: attr.float(2) }) },
  { title: 'Gemm with transA and transB', input: [5, 3], build: single('Gemm', [[4, 5], [3, 4]], { transA: int(1), transB: int(1) }) },
  { title: 'Gemm with transA and a scalar C', input: [5, 3], build: single('Gemm', [[5, 4], [1]], { transA: int(1) }) },
  { title: 'Concat along channels (a U-Net skip)', input: [2, 3, 4, 4], build: single('Concat', [[2, 2, 4, 4], [2, 1, 4, 4]], { axis: int(1) }) },
  { title: 'Concat along the last axis', input: [2, 3, 4], build: single('Concat', [[2, 3, 2]], { axis: int(-1) }) },
  { title: 'Identity', input: [2, 3], build: single('Identity', []) },
  { title: 'Dropout outside training (the identity)', input: [2, 3], build: single('Dropout', []) },
  {
    title: 'Resize nearest 2x, asymmetric/floor (PyTorch Upsample)',
    input: [2, 3, 3, 4],
    build: single('Resize', ['', float32([4], [1, 1, 2, 2])], { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') }, [2]),
  },
  {
    title: 'Resize nearest 2x, half_pixel/round_prefer_floor',
    input: [2, 2, 3, 3],
    build: single('Resize', ['', float32([4], [1, 1, 2, 2])], { mode: attr.string('nearest') }, [2]),
  },
  {
    title: 'Resize nearest by 1.5 (not whole blocks)',
    input: [2, 2, 4, 4],
    build: single('Resize', ['', float32([4], [1, 1, 1.5, 1.5])], { mode: attr.string('nearest') }, [2]),
  },
  {
    title: 'Resize linear 2x, half_pixel',
    input: [2, 2, 3, 4],
    build: single('Resize', ['', float32([4], [1, 1, 2, 2])], { mode: attr.string('linear') }, [2]),
  },
  {
    title: 'Resize linear to sizes, align_corners',
    input: [2, 2, 3, 4],
    build: single('Resize', ['', '', int64([4], [2, 2, 7, 5])], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('align_corners') }),
  },
  {
    title: 'Resize linear down-sampling, pytorch_half_pixel',
    input: [2, 2, 6, 5],
    build: single('Resize', ['', float32([4], [1, 1, 0.5, 0.6])], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('pytorch_half_pixel') }, [2]),
  },
  { title: 'Div by a per-channel tensor', input: [2, 3, 4], build: positive('Div', [3, 1]) },
  { title: 'MatMul of a batch with a weight matrix', input: [2, 3, 4], build: single('MatMul', [[4, 5]]) },
  { title: 'MatMul of 2-D operands', input: [3, 4], build: single('MatMul', [[4, 2]]) },
  { title: 'MatMul with batched, broadcast operands', input: [2, 1, 3, 4], build: single('MatMul', [[3, 4, 2]]) },
  { title: 'Softmax on the last axis', input: [2, 3, 5], build: single('Softmax', [], { axis: int(-1) }) },
  { title: 'Softmax on the channel axis of a map', input: [2, 4, 3, 3], build: single('Softmax', [], { axis: int(1) }) },
  { title: 'Sigmoid', input: [2, 3, 4], build: single('Sigmoid', []) },
  { title: 'Tanh', input: [2, 3, 4], build: single('Tanh', []) },
  { title: 'LeakyRelu', input: [2, 3, 4, 4], fill: 'spaced', build: single('LeakyRelu', [], { alpha: attr.float(0.1) }) },
  { title: 'PRelu with a per-channel slope', input: [2, 3, 4, 4], fill: 'spaced', build: single('PRelu', [[3, 1, 1]]) },
  { title: 'HardSigmoid as PyTorch exports it', input: [2, 3, 5, 5], fill: 'spaced', build: single('HardSigmoid', [], { alpha: attr.float(1 / 6), beta: attr.float(0.5) }) },
  { title: 'HardSwish', input: [2, 3, 5, 5], fill: 'spaced', build: single('HardSwish', []) },
  { title: 'Reshape', input: [2, 3, 4], build: single('Reshape', [int64([2], [2, 12])]) },
  { title: 'Squeeze and Unsqueeze', input: [2, 1, 4], build: (g, x) => ({ output: g.op('Unsqueeze', [g.op('Squeeze', [x, g.initializer('axes', int64([1], [1]))]), g.initializer('at', int64([1], [0]))]), wrt: [] }) },
  { title: 'Transpose', input: [2, 3, 4], build: single('Transpose', [], { perm: ints([2, 0, 1]) }) },
  { title: 'Pad with zeros, cropping one axis', input: [2, 3, 4, 4], build: single('Pad', [int64([8], [0, 0, 1, -1, 0, 1, 2, 0])]) },
  { title: 'Slice with unit steps on two axes', input: [2, 3, 6, 5], build: single('Slice', [int64([2], [1, 0]), int64([2], [5, -1]), int64([2], [2, 3])]) },
  { title: 'Slice with steps 2 and -1', input: [2, 7, 5], build: single('Slice', [int64([2], [1, -1]), int64([2], [7, -6]), int64([2], [1, 2]), int64([2], [2, -1])]) },
  { title: 'Slice with step -2', input: [2, 3, 7], build: single('Slice', [int64([1], [6]), int64([1], [0]), int64([1], [2]), int64([1], [-2])]) },
  {
    title: 'Split (the gradient of an unused part is zero)',
    input: [2, 6, 3],
    build: (g, x) => {
      const [first, second] = g.node('Split', [x, g.initializer('sizes', int64([2], [2, 4]))], { axis: int(1) }, { outputs: 2 });
      return { output: g.op('Mul', [second!, g.initializer('c', float32([], [1.5]))]), wrt: [first!].slice(1) };
    },
  },
  { title: 'ReduceMean over space, keeping dims', input: [2, 3, 4, 5], build: single('ReduceMean', [], { axes: ints([2, 3]) }) },
  { title: 'ReduceMean over channels, dropping the axis', input: [2, 3, 4], build: single('ReduceMean', [], { axes: ints([1]), keepdims: int(0) }) },
  { title: 'AveragePool 2x2, stride 2', input: [2, 3, 6, 6], build: single('AveragePool', [], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }) },
  { title: 'AveragePool 3x3, pad 1, padding not counted', input: [2, 2, 5, 5], build: single('AveragePool', [], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }) },
  { title: 'AveragePool 3x3, stride 2, pad 1, padding counted', input: [2, 2, 6, 6], build: single('AveragePool', [], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), count_include_pad: int(1) }) },
  { title: 'AveragePool 3x3, stride 2, ceil_mode', input: [2, 2, 6, 6], build: single('AveragePool', [], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: int(1) }) },
  { title: 'Cast between float types', input: [2, 3], build: single('Cast', [], { to: int(1) }) },
  { title: 'Gather with a repeated index', input: [2, 5, 3], build: single('Gather', [int64([4], [0, 2, 2, -1])], { axis: int(1) }) },
  {
    title: 'Conv, Relu, MaxPool (mask applied at pooled resolution), Flatten, Gemm',
    input: [2, 2, 6, 6],
    eps: 1e-3,
    build: (g, x, random) => {
      const w = g.initializer('conv.weight', values([3, 2, 3, 3], 'normal', random));
      const b = g.initializer('conv.bias', values([3], 'normal', random));
      const fc = g.initializer('fc.weight', values([4, 27], 'normal', random));
      const y = g.op('Conv', [x, w, b], { pads: ints([1, 1, 1, 1]) });
      const pooled = g.op('MaxPool', [g.op('Relu', [y])], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
      return { output: g.op('Gemm', [g.op('Flatten', [pooled]), fc], { transB: int(1) }), wrt: [w, b, fc] };
    },
  },
  {
    title: 'a residual block: Conv, BatchNormalization (training), Relu, Add',
    input: [2, 3, 4, 4],
    mode: 'train',
    eps: 1e-3,
    build: (g, x, random) => {
      const w = g.initializer('conv.weight', values([3, 3, 3, 3], 'normal', random));
      const scale = g.initializer('bn.weight', values([3], 'normal', random));
      const shift = g.initializer('bn.bias', values([3], 'normal', random));
      const mean = g.initializer('bn.running_mean', float32([3], [0, 0, 0]));
      const variance = g.initializer('bn.running_var', float32([3], [1, 1, 1]));
      const y = g.op('BatchNormalization', [g.op('Conv', [x, w], { pads: ints([1, 1, 1, 1]) }), scale, shift, mean, variance]);
      return { output: g.op('Add', [g.op('Relu', [y]), x]), wrt: [w, scale, shift] };
    },
  },
];

function caseModel(c: Case, random: Random): { model: Model; wrt: string[] } {
  const g = new GraphBuilder('case');
  const x = g.input('X', 'float32', c.input);
  const { output, wrt } = c.build(g, x, random);
  g.output(output, 'float32');
  return { model: modelFromGraph(g.build()), wrt: c.noInputGradient ? wrt : [x, ...wrt] };
}

describe('backward rule coverage', () => {
  it('gives every op a backward rule except Upsample, which onnxruntime refuses', () => {
    const rules: OpRule[] = Object.values(OP_RULES);
    const missing = rules.filter((rule) => !rule.backward).map((rule) => rule.opType);
    assert.deepEqual(missing, ['Upsample']);
  });

  it('checks every differentiable op against finite differences below', () => {
    const random = new Random(1);
    const tested = new Set(CASES.flatMap((c) => caseModel(c, random).model.graph.nodes.map((n) => n.opType)));
    const untested = (Object.values(OP_RULES) as OpRule[])
      .filter((rule) => rule.backward && rule.backward.differentiable !== 'all' && rule.backward.differentiable.length > 0 && !tested.has(rule.opType))
      .map((rule) => rule.opType);
    assert.deepEqual(untested, []);
  });
});

describe('backward rules agree with central finite differences', () => {
  for (const c of CASES) {
    it(`gives the gradient of ${c.title}`, async () => {
      const random = new Random(7);
      const { model, wrt } = caseModel(c, random);
      const input = values(c.input, c.fill ?? 'normal', random);
      const result = await gradCheck(model, { wrt, input, mode: c.mode ?? 'eval', samples: 40, eps: c.eps ?? 1e-2 });
      // float32 forward: single ops with eps 1e-2 measure ≤ 5e-5 relative error, chains with eps 1e-3
      // ≤ 1e-3 (rounding over a smaller step); a wrong term shows as 1e-2 or more.
      const tolerance = c.eps === undefined ? 5e-4 : 3e-3;
      for (const [name, e] of result.errors) {
        assert.ok(e.relative < tolerance, `${name}: relative error ${e.relative.toExponential(2)} (|g| ${e.norm.toFixed(3)}, max |diff| ${e.maxAbs.toExponential(2)}, ${e.checked} elements)`);
        assert.ok(e.norm > 0, `${name}: the finite-difference gradient is zero, so the check proves nothing`);
      }
    });
  }
});

describe('convolution gradients agree with finite differences on NCHWc kernels', () => {
  const convolutions = CASES.filter((c) => /^Conv|Relu, MaxPool|residual/.test(c.title));
  for (const c of convolutions) {
    it(`gives the gradient of ${c.title} with blocked-layout kernels`, async (t) => {
      const kernels = await detectKernels(onnxruntimeNode);
      if (!kernels.nchwcBlockSize) return t.skip('this onnxruntime build has no NCHWc kernels');
      const random = new Random(7);
      const { model, wrt } = caseModel(c, random);
      const input = values(c.input, c.fill ?? 'normal', random);
      const result = await gradCheck(model, { wrt, input, mode: c.mode ?? 'eval', samples: 40, eps: c.eps ?? 1e-2, kernels });
      const tolerance = c.eps === undefined ? 5e-4 : 3e-3;
      for (const [name, e] of result.errors) assert.ok(e.relative < tolerance && e.norm > 0, `${name}: relative error ${e.relative.toExponential(2)}`);
      const blocked = result.graph.graph.nodes.filter((n) => n.domain === 'com.microsoft.nchwc').length;
      const eligible = model.graph.nodes.some((n) => n.opType === 'Conv' && (n.attributes.group?.value ?? 1) === 1 && c.input.length === 4);
      if (eligible) assert.ok(blocked > 0, 'the graph uses the NCHWc kernels');
    });
  }
});
