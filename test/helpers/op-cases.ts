// The table of one-node cases shared by the op tests: several per rule, including refusals that
// onnxruntime also makes. Each case is a node onnxruntime runs (or refuses, with `rejects`).
import type { SculptErrorCode } from '../../src/errors.js';
import { attr, type Attribute } from '../../src/ir/graph.js';
import { float32, int64, sizeOf, type Tensor } from '../../src/ir/tensor.js';
import type { OP_RULES } from '../../src/ops/index.js';
import type { InputSpec, OneNode } from './one-node.js';

export interface Case extends OneNode {
  readonly title: string;
  /** When set, onnxruntime refuses the node and Sculpt must refuse it with this code. */
  readonly rejects?: SculptErrorCode;
  /** With `rejects`: a documented Sculpt limitation that onnxruntime does run. */
  readonly limitation?: true;
}

const x = (...shape: number[]): InputSpec => ({ shape });
const xi = (...shape: number[]): InputSpec => ({ shape, dtype: 'int64' });
const c = (value: Tensor): InputSpec => ({ value });
const ints = (...values: number[]): InputSpec => c(int64([values.length], values));
const scalarInt = (value: number): InputSpec => c(int64([], [value]));
const weights = (...dims: number[]): InputSpec => c(float32(dims, Array.from({ length: sizeOf(dims) }, (_, i) => ((i * 7) % 11) / 10 - 0.5)));
const floats = (...values: number[]): InputSpec => c(float32([values.length], values));
const a = attr;
const INT64_MAX = 2 ** 63 - 1;

function unary(op: string, attributes: Record<string, Attribute> = {}, opset = 17): Case[] {
  return [
    { title: `${op} keeps a 4-D shape`, op, inputs: [x(2, 3, 4, 5)], attributes, opset },
    { title: `${op} keeps a 2-D shape`, op, inputs: [x(3, 7)], attributes, opset },
  ];
}

export const CASES: Record<keyof typeof OP_RULES, Case[]> = {
  Conv: [
    { title: 'a 3x3 conv with pads 1 keeps the size', op: 'Conv', inputs: [x(2, 3, 8, 8), weights(4, 3, 3, 3)], attributes: { pads: a.ints([1, 1, 1, 1]) } },
    { title: 'a strided conv without pads', op: 'Conv', inputs: [x(1, 3, 9, 9), weights(4, 3, 3, 3)], attributes: { strides: a.ints([2, 2]) } },
    { title: 'a dilated conv with asymmetric pads', op: 'Conv', inputs: [x(1, 2, 10, 10), weights(2, 2, 3, 3)], attributes: { dilations: a.ints([2, 2]), pads: a.ints([1, 2, 1, 0]) } },
    { title: 'a grouped conv with bias', op: 'Conv', inputs: [x(1, 4, 8, 8), weights(6, 2, 3, 3), weights(6)], attributes: { group: a.int(2) } },
    { title: 'a depthwise strided conv', op: 'Conv', inputs: [x(1, 4, 7, 7), weights(4, 1, 3, 3)], attributes: { group: a.int(4), strides: a.ints([2, 2]), pads: a.ints([1, 1, 1, 1]) } },
    { title: 'auto_pad SAME_UPPER with stride 2 on an odd size', op: 'Conv', inputs: [x(1, 2, 7, 7), weights(3, 2, 3, 3)], attributes: { auto_pad: a.string('SAME_UPPER'), strides: a.ints([2, 2]) } },
    { title: 'auto_pad SAME_LOWER with an even kernel', op: 'Conv', inputs: [x(1, 2, 6, 6), weights(2, 2, 2, 2)], attributes: { auto_pad: a.string('SAME_LOWER') } },
    { title: 'auto_pad SAME_UPPER with a kernel smaller than the stride', op: 'Conv', inputs: [x(1, 2, 8, 7), weights(2, 2, 1, 1)], attributes: { auto_pad: a.string('SAME_UPPER'), strides: a.ints([3, 2]) } },
    { title: 'auto_pad VALID with mixed strides', op: 'Conv', inputs: [x(1, 2, 7, 5), weights(2, 2, 3, 2)], attributes: { auto_pad: a.string('VALID'), strides: a.ints([2, 1]) } },
    { title: 'a 1-D conv', op: 'Conv', inputs: [x(2, 2, 10), weights(3, 2, 3)] },
    { title: 'a 3-D conv', op: 'Conv', inputs: [x(1, 1, 4, 5, 6), weights(2, 1, 2, 2, 2)] },
    { title: 'auto_pad SAME with dilations is refused, as onnxruntime refuses it', op: 'Conv', inputs: [x(1, 1, 7, 7), weights(1, 1, 3, 3)], attributes: { auto_pad: a.string('SAME_UPPER'), dilations: a.ints([2, 2]) }, rejects: 'UNSUPPORTED_ATTRIBUTE' },
  ],
  ConvTranspose: [
    { title: 'a stride-2 2x2 up-sampling', op: 'ConvTranspose', inputs: [x(1, 4, 5, 5), weights(4, 2, 2, 2)], attributes: { strides: a.ints([2, 2]) } },
    { title: 'output_padding with pads', op: 'ConvTranspose', inputs: [x(1, 2, 4, 4), weights(2, 3, 3, 3)], attributes: { strides: a.ints([2, 2]), pads: a.ints([1, 1, 1, 1]), output_padding: a.ints([1, 1]) } },
    { title: 'output_shape with an odd total padding', op: 'ConvTranspose', inputs: [x(1, 2, 3, 3), weights(2, 1, 3, 3)], attributes: { strides: a.ints([2, 2]), output_shape: a.ints([6, 6]) } },
    { title: 'output_shape with different sizes per axis', op: 'ConvTranspose', inputs: [x(1, 2, 3, 3), weights(2, 1, 3, 3)], attributes: { strides: a.ints([2, 2]), output_shape: a.ints([6, 5]) } },
    { title: 'output_shape listing batch and channels is refused', op: 'ConvTranspose', inputs: [x(1, 2, 3, 3), weights(2, 1, 3, 3)], attributes: { strides: a.ints([2, 2]), output_shape: a.ints([1, 1, 6, 5]) }, rejects: 'SHAPE_MISMATCH' },
    { title: 'auto_pad SAME_UPPER', op: 'ConvTranspose', inputs: [x(1, 1, 3, 4), weights(1, 1, 3, 3)], attributes: { strides: a.ints([2, 2]), auto_pad: a.string('SAME_UPPER') } },
    { title: 'auto_pad SAME_LOWER with dilations', op: 'ConvTranspose', inputs: [x(1, 1, 4, 4), weights(1, 1, 3, 3)], attributes: { strides: a.ints([2, 2]), dilations: a.ints([2, 2]), auto_pad: a.string('SAME_LOWER') } },
    { title: 'a grouped transposed conv with bias', op: 'ConvTranspose', inputs: [x(1, 4, 3, 3), weights(4, 3, 3, 3), weights(6)], attributes: { group: a.int(2) } },
    { title: 'a 1-D transposed conv with pads', op: 'ConvTranspose', inputs: [x(2, 3, 5), weights(3, 2, 4)], attributes: { strides: a.ints([3]), pads: a.ints([1, 2]) } },
  ],
  MaxPool: [
    { title: 'a 2x2 stride-2 pool', op: 'MaxPool', inputs: [x(2, 3, 8, 8)], attributes: { kernel_shape: a.ints([2, 2]), strides: a.ints([2, 2]) } },
    { title: 'ceil_mode adds a partial window', op: 'MaxPool', inputs: [x(1, 1, 5, 5)], attributes: { kernel_shape: a.ints([2, 2]), strides: a.ints([2, 2]), ceil_mode: a.int(1) } },
    { title: 'ceil_mode drops a window that would start in the right padding', op: 'MaxPool', inputs: [x(1, 1, 6, 4)], attributes: { kernel_shape: a.ints([2, 2]), strides: a.ints([4, 3]), pads: a.ints([1, 1, 1, 0]), ceil_mode: a.int(1) } },
    { title: 'ceil_mode with dilations', op: 'MaxPool', inputs: [x(1, 1, 8, 8)], attributes: { kernel_shape: a.ints([3, 3]), strides: a.ints([2, 2]), dilations: a.ints([2, 2]), ceil_mode: a.int(1) } },
    { title: 'a padded 3x3 stride-2 pool', op: 'MaxPool', inputs: [x(1, 2, 7, 7)], attributes: { kernel_shape: a.ints([3, 3]), strides: a.ints([2, 2]), pads: a.ints([1, 1, 1, 1]) } },
    { title: 'auto_pad SAME_UPPER on an odd size', op: 'MaxPool', inputs: [x(1, 1, 7, 9)], attributes: { kernel_shape: a.ints([3, 2]), strides: a.ints([2, 2]), auto_pad: a.string('SAME_UPPER') } },
    { title: 'auto_pad SAME_LOWER with dilations (onnxruntime pads for the undilated kernel)', op: 'MaxPool', inputs: [x(1, 1, 7, 7)], attributes: { kernel_shape: a.ints([3, 3]), strides: a.ints([2, 2]), dilations: a.ints([2, 2]), auto_pad: a.string('SAME_LOWER') } },
    { title: 'auto_pad SAME_LOWER needing negative pads is refused', op: 'MaxPool', inputs: [x(1, 1, 8, 9)], attributes: { kernel_shape: a.ints([1, 2]), strides: a.ints([3, 4]), auto_pad: a.string('SAME_LOWER') }, rejects: 'UNSUPPORTED_ATTRIBUTE' },
    { title: 'auto_pad SAME_UPPER with a kernel smaller than the stride but no negative pads', op: 'MaxPool', inputs: [x(1, 1, 7, 9)], attributes: { kernel_shape: a.ints([1, 2]), strides: a.ints([3, 4]), auto_pad: a.string('SAME_UPPER') } },
    { title: 'the indices output', op: 'MaxPool', inputs: [x(1, 2, 4, 4)], attributes: { kernel_shape: a.ints([2, 2]), strides: a.ints([2, 2]) }, outputs: 2 },
    { title: 'a 1-D pool', op: 'MaxPool', inputs: [x(1, 2, 9)], attributes: { kernel_shape: a.ints([3]), strides: a.ints([2]) } },
  ],
  AveragePool: [
    { title: 'a 2x2 stride-2 pool', op: 'AveragePool', inputs: [x(2, 3, 8, 8)], attributes: { kernel_shape: a.ints([2, 2]), strides: a.ints([2, 2]) } },
    { title: 'ceil_mode with count_include_pad', op: 'AveragePool', inputs: [x(1, 1, 6, 7)], attributes: { kernel_shape: a.ints([3, 3]), strides: a.ints([2, 2]), pads: a.ints([1, 1, 1, 1]), ceil_mode: a.int(1), count_include_pad: a.int(1) } },
    { title: 'ceil_mode with a window that would start in the padding', op: 'AveragePool', inputs: [x(1, 1, 4, 6)], attributes: { kernel_shape: a.ints([2, 2]), strides: a.ints([3, 4]), pads: a.ints([1, 1, 0, 1]), ceil_mode: a.int(1) } },
    { title: 'auto_pad SAME_UPPER', op: 'AveragePool', inputs: [x(1, 2, 5, 5)], attributes: { kernel_shape: a.ints([3, 3]), strides: a.ints([2, 2]), auto_pad: a.string('SAME_UPPER') } },
    { title: 'dilations at opset 19', op: 'AveragePool', opset: 19, inputs: [x(1, 1, 9, 9)], attributes: { kernel_shape: a.ints([2, 2]), dilations: a.ints([3, 3]) } },
    { title: 'dilations before opset 19 are refused', op: 'AveragePool', opset: 17, inputs: [x(1, 1, 9, 9)], attributes: { kernel_shape: a.ints([2, 2]), dilations: a.ints([3, 3]) }, rejects: 'UNSUPPORTED_ATTRIBUTE' },
  ],
  GlobalAveragePool: [
    { title: 'pools a 4-D input to 1x1', op: 'GlobalAveragePool', inputs: [x(2, 3, 5, 7)] },
    { title: 'pools a 3-D input to 1', op: 'GlobalAveragePool', inputs: [x(1, 4, 6)] },
  ],
  BatchNormalization: [
    { title: 'normalises a 4-D input', op: 'BatchNormalization', inputs: [x(2, 3, 4, 4), weights(3), weights(3), weights(3), c(float32([3], [1, 2, 3]))] },
    { title: 'normalises a 2-D input (BatchNorm1d)', op: 'BatchNormalization', inputs: [x(4, 5), weights(5), weights(5), weights(5), c(float32([5], [1, 1, 1, 1, 1]))], opset: 13 },
  ],
  Relu: unary('Relu'),
  LeakyRelu: unary('LeakyRelu', { alpha: a.float(0.2) }),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  HardSigmoid: unary('HardSigmoid', { alpha: a.float(1 / 6), beta: a.float(0.5) }),
  HardSwish: [
    ...unary('HardSwish', {}, 14),
    { title: 'HardSwish before opset 14 is refused', op: 'HardSwish', opset: 13, inputs: [x(2, 3)], rejects: 'UNSUPPORTED_OP' },
  ],
  PRelu: [
    { title: 'a per-channel slope [C, 1, 1]', op: 'PRelu', inputs: [x(2, 3, 4, 4), weights(3, 1, 1)] },
    { title: 'a single shared slope', op: 'PRelu', inputs: [x(2, 3, 4), weights(1)] },
    { title: 'a slope along the last axis', op: 'PRelu', inputs: [x(2, 5), weights(5)] },
  ],
  Clip: [
    { title: 'ReLU6 bounds', op: 'Clip', inputs: [x(2, 3, 4), c(float32([], [0])), c(float32([], [6]))] },
    { title: 'only a max bound', op: 'Clip', inputs: [x(3, 2), null, c(float32([], [1]))] },
    { title: 'no bounds', op: 'Clip', inputs: [x(4)] },
  ],
  Add: [
    { title: 'broadcasts a per-channel bias', op: 'Add', inputs: [x(2, 3, 4, 5), x(3, 1, 1)] },
    { title: 'broadcasts both ways', op: 'Add', inputs: [x(4, 1), x(3)] },
    { title: 'folds constant integers', op: 'Add', inputs: [ints(1, 2, 3), scalarInt(10)] },
  ],
  Sub: [
    { title: 'broadcasts a scalar', op: 'Sub', inputs: [x(2, 3), c(float32([], [1]))] },
    { title: 'folds constant floats', op: 'Sub', inputs: [floats(1, 2), floats(0.5, 4)] },
  ],
  Mul: [
    { title: 'broadcasts both ways in four dims', op: 'Mul', inputs: [x(1, 3, 1, 5), x(2, 1, 4, 1)] },
    { title: 'gates channels (squeeze-excitation)', op: 'Mul', inputs: [x(2, 8, 6, 6), x(2, 8, 1, 1)] },
    { title: 'folds constant integers', op: 'Mul', inputs: [ints(2, 3), ints(4, 5)] },
  ],
  Div: [
    { title: 'broadcasts a divisor', op: 'Div', inputs: [x(2, 3, 4), x(4)] },
    { title: 'folds integer division toward zero', op: 'Div', inputs: [ints(-7, 7, 3, -1), scalarInt(2)] },
    { title: 'folds float division', op: 'Div', inputs: [floats(1, 3), floats(4, 0.5)] },
  ],
  Concat: [
    { title: 'joins along channels', op: 'Concat', inputs: [x(2, 3, 4, 4), x(2, 5, 4, 4)], attributes: { axis: a.int(1) } },
    { title: 'joins three inputs along a negative axis', op: 'Concat', inputs: [x(2, 3), x(2, 1), x(2, 4)], attributes: { axis: a.int(-1) } },
    { title: 'folds constant shapes', op: 'Concat', inputs: [ints(2), ints(-1, 4)], attributes: { axis: a.int(0) } },
  ],
  Split: [
    { title: 'split sizes as an attribute (opset 11)', op: 'Split', opset: 11, inputs: [x(2, 6, 3)], attributes: { axis: a.int(1), split: a.ints([2, 4]) }, outputs: 2 },
    { title: 'split sizes as an input (opset 13)', op: 'Split', opset: 13, inputs: [x(2, 6, 3), ints(1, 2, 3)], attributes: { axis: a.int(1) }, outputs: 3 },
    { title: 'equal parts along a negative axis', op: 'Split', opset: 13, inputs: [x(2, 6, 4)], attributes: { axis: a.int(-1) }, outputs: 2 },
    { title: 'num_outputs with a smaller last chunk (opset 18)', op: 'Split', opset: 18, inputs: [x(7, 2)], attributes: { num_outputs: a.int(3) }, outputs: 3 },
    { title: 'num_outputs before opset 18 is refused', op: 'Split', opset: 13, inputs: [x(6, 2)], attributes: { num_outputs: a.int(3) }, outputs: 3, rejects: 'UNSUPPORTED_ATTRIBUTE' },
    { title: 'the split input before opset 13 is refused', op: 'Split', opset: 11, inputs: [x(6, 2), ints(3, 3)], outputs: 2, rejects: 'INVALID_GRAPH' },
  ],
  Slice: [
    { title: 'a basic slice', op: 'Slice', inputs: [x(4, 6), ints(1, 2), ints(3, 5)] },
    { title: 'negative starts and an INT64_MAX end', op: 'Slice', inputs: [x(4, 6), ints(-3), c(int64([1], [INT64_MAX])), ints(1)] },
    { title: 'steps of 2 with clamped ends', op: 'Slice', inputs: [x(5, 7, 3), ints(0, 1), ints(100, 7), ints(0, 1), ints(2, 3)] },
    { title: 'a negative step', op: 'Slice', inputs: [x(6, 3), ints(-1), c(int64([1], [-INT64_MAX])), ints(0), ints(-2)] },
    { title: 'a negative axis at opset 11', op: 'Slice', opset: 11, inputs: [x(2, 3, 8), ints(2), ints(-2), ints(-1)] },
    { title: 'an empty slice', op: 'Slice', inputs: [x(4, 6), ints(3), ints(1), ints(0)] },
    { title: 'folds a constant', op: 'Slice', inputs: [ints(2, 3, 32, 32), ints(1), ints(3)] },
  ],
  Reshape: [
    { title: 'copies a dim with 0 and infers -1', op: 'Reshape', inputs: [x(2, 3, 4), ints(0, -1)] },
    { title: 'infers a leading -1', op: 'Reshape', inputs: [x(2, 3, 4), ints(-1, 4)] },
    { title: 'gives explicit dims', op: 'Reshape', inputs: [x(2, 3, 4), ints(4, 3, 2)] },
    { title: 'infers a middle -1 at opset 13', op: 'Reshape', opset: 13, inputs: [x(2, 3, 4, 5), ints(2, -1, 5)] },
    { title: 'folds a constant', op: 'Reshape', inputs: [ints(1, 2, 3, 4, 5, 6), ints(3, 2)] },
  ],
  Transpose: [
    { title: 'reverses the axes by default', op: 'Transpose', inputs: [x(2, 3, 4)] },
    { title: 'moves channels last', op: 'Transpose', inputs: [x(2, 3, 4, 5)], attributes: { perm: a.ints([0, 2, 3, 1]) } },
    { title: 'folds a constant', op: 'Transpose', inputs: [c(int64([2, 3], [1, 2, 3, 4, 5, 6]))], attributes: { perm: a.ints([1, 0]) } },
  ],
  MatMul: [
    { title: 'a batch of rows times a weight', op: 'MatMul', inputs: [x(2, 3, 4), weights(4, 5)] },
    { title: 'a vector times a matrix', op: 'MatMul', inputs: [x(4), weights(4, 5)] },
    { title: 'a matrix times a vector', op: 'MatMul', inputs: [x(2, 3, 4), x(4)] },
    { title: 'broadcast leading dims', op: 'MatMul', inputs: [x(2, 1, 3, 4), x(5, 4, 6)] },
    { title: 'a plain 2-D product', op: 'MatMul', inputs: [x(3, 4), weights(4, 5)] },
  ],
  Gemm: [
    { title: 'a linear layer with transB and a bias', op: 'Gemm', inputs: [x(2, 8), weights(5, 8), weights(5)], attributes: { transB: a.int(1) } },
    { title: 'transA with a [1, N] bias', op: 'Gemm', inputs: [x(8, 3), weights(8, 4), weights(1, 4)], attributes: { transA: a.int(1) } },
    { title: 'a scalar bias with alpha and beta', op: 'Gemm', inputs: [x(2, 3), weights(3, 4), c(float32([], [1]))], attributes: { alpha: a.float(0.5), beta: a.float(2) } },
    { title: 'no bias', op: 'Gemm', inputs: [x(2, 3), weights(3, 4)] },
  ],
  Resize: [
    { title: 'nearest 2x up-sampling by scales', op: 'Resize', opset: 13, inputs: [x(1, 2, 4, 5), null, floats(1, 1, 2, 2)] },
    { title: 'scales of 0.7 computed in float32 (10 -> 7)', op: 'Resize', opset: 13, inputs: [x(1, 1, 10, 9), null, floats(1, 1, 0.7, 0.7)] },
    { title: 'sizes with linear interpolation', op: 'Resize', opset: 13, inputs: [x(1, 2, 4, 4), null, null, ints(1, 2, 7, 3)], attributes: { mode: a.string('linear') } },
    { title: 'opset 11 with roi, empty scales and sizes', op: 'Resize', opset: 11, inputs: [x(1, 1, 3, 3), c(float32([0], [])), c(float32([0], [])), ints(1, 1, 6, 5)] },
    { title: 'opset 11 with roi and scales', op: 'Resize', opset: 11, inputs: [x(1, 1, 3, 3), c(float32([0], [])), floats(1, 1, 1.5, 2)], attributes: { coordinate_transformation_mode: a.string('asymmetric') } },
    { title: 'axes with scales (opset 18)', op: 'Resize', opset: 18, inputs: [x(1, 2, 4, 6), null, floats(2, 0.5)], attributes: { axes: a.ints([2, -1]) } },
    { title: 'keep_aspect_ratio_policy not_larger', op: 'Resize', opset: 18, inputs: [x(1, 1, 5, 7), null, null, ints(8, 9)], attributes: { axes: a.ints([2, 3]), keep_aspect_ratio_policy: a.string('not_larger') } },
    { title: 'keep_aspect_ratio_policy not_smaller', op: 'Resize', opset: 18, inputs: [x(1, 1, 5, 7), null, null, ints(8, 9)], attributes: { axes: a.ints([2, 3]), keep_aspect_ratio_policy: a.string('not_smaller') } },
    { title: 'half_pixel_symmetric at opset 19', op: 'Resize', opset: 19, inputs: [x(1, 1, 4, 4), null, floats(1, 1, 1.5, 1.5)], attributes: { mode: a.string('linear'), coordinate_transformation_mode: a.string('half_pixel_symmetric') } },
    { title: 'tf_crop_and_resize sizes the output from scales alone, not the roi', op: 'Resize', opset: 13, inputs: [x(1, 1, 8, 8), floats(0, 0, 0.25, 0, 1, 1, 0.75, 1), floats(1, 1, 2, 1)], attributes: { mode: a.string('linear'), coordinate_transformation_mode: a.string('tf_crop_and_resize') } },
    { title: 'axes before opset 18 are refused', op: 'Resize', opset: 13, inputs: [x(1, 1, 4, 4), null, floats(2, 2)], attributes: { axes: a.ints([2, 3]) }, rejects: 'UNSUPPORTED_ATTRIBUTE' },
    { title: 'half_pixel_symmetric before opset 19 runs in onnxruntime, so it is accepted', op: 'Resize', opset: 18, inputs: [x(1, 1, 4, 4), null, floats(1, 1, 2, 2)], attributes: { coordinate_transformation_mode: a.string('half_pixel_symmetric') } },
  ],
  Upsample: [{ title: 'Upsample is refused in opsets 11-21 (deprecated; onnxruntime rejects it)', op: 'Upsample', opset: 11, inputs: [x(1, 1, 2, 2), floats(1, 1, 2, 2)], rejects: 'UNSUPPORTED_OP' }],
  Softmax: [
    { title: 'the default axis at opset 11', op: 'Softmax', opset: 11, inputs: [x(2, 3, 4)] },
    { title: 'the default axis at opset 13', op: 'Softmax', opset: 13, inputs: [x(2, 3, 4)] },
    { title: 'a negative axis', op: 'Softmax', inputs: [x(2, 3, 4)], attributes: { axis: a.int(-2) } },
  ],
  Pad: [
    { title: 'constant padding of spatial dims', op: 'Pad', inputs: [x(1, 2, 4, 4), ints(0, 0, 1, 2, 0, 0, 3, 0)] },
    { title: 'reflect padding with a constant value input absent', op: 'Pad', inputs: [x(1, 2, 5), ints(0, 0, 2, 0, 0, 1)], attributes: { mode: a.string('reflect') } },
    { title: 'edge padding at opset 11', op: 'Pad', opset: 11, inputs: [x(3, 4), ints(1, 1, 1, 1)], attributes: { mode: a.string('edge') } },
    { title: 'negative pads crop', op: 'Pad', inputs: [x(2, 6), ints(0, -1, 0, -2), c(float32([], [0.5]))] },
    { title: 'axes at opset 18', op: 'Pad', opset: 18, inputs: [x(1, 2, 4, 4), ints(1, 2, 3, 4), null, ints(-2, -1)] },
    { title: 'the axes input at opset 17 is refused', op: 'Pad', opset: 17, inputs: [x(1, 2, 4, 4), ints(1, 2, 3, 4), null, ints(-2, -1)], rejects: 'INVALID_GRAPH' },
    { title: 'wrap at opset 19', op: 'Pad', opset: 19, inputs: [x(1, 1, 4, 4), ints(0, 0, 1, 1, 0, 0, 1, 2)], attributes: { mode: a.string('wrap') } },
    { title: 'wrap before opset 19 runs in onnxruntime, so it is accepted', op: 'Pad', opset: 18, inputs: [x(1, 1, 4, 4), ints(0, 0, 1, 1, 0, 0, 1, 2)], attributes: { mode: a.string('wrap') } },
  ],
  Shape: [
    { title: 'the dims of a 4-D input (folded)', op: 'Shape', inputs: [x(2, 3, 5, 7)] },
    { title: 'start and end at opset 15', op: 'Shape', opset: 15, inputs: [x(2, 3, 5, 7)], attributes: { start: a.int(1), end: a.int(-1) } },
    { title: 'a negative start at opset 15', op: 'Shape', opset: 15, inputs: [x(2, 3, 5, 7)], attributes: { start: a.int(-2) } },
  ],
  Gather: [
    { title: 'a scalar index of a shape (x.size(0))', op: 'Gather', inputs: [ints(2, 3, 32, 32), scalarInt(0)] },
    { title: 'a 1-D index along axis 1', op: 'Gather', inputs: [x(3, 4, 5), ints(2, 0)], attributes: { axis: a.int(1) } },
    { title: 'a 2-D index with a negative entry', op: 'Gather', inputs: [x(5, 3), c(int64([2, 2], [0, -1, 2, 3]))] },
    { title: 'folds a constant matrix along a negative axis', op: 'Gather', inputs: [c(int64([2, 3], [1, 2, 3, 4, 5, 6])), ints(2, 0)], attributes: { axis: a.int(-1) } },
  ],
  Unsqueeze: [
    { title: 'axes as an attribute at opset 11', op: 'Unsqueeze', opset: 11, inputs: [x(3, 4)], attributes: { axes: a.ints([0, 3]) } },
    { title: 'axes as an input at opset 13', op: 'Unsqueeze', opset: 13, inputs: [x(3, 4), ints(1)] },
    { title: 'negative axes', op: 'Unsqueeze', opset: 13, inputs: [x(3, 4), ints(-1, -3)] },
    { title: 'a scalar becomes [1] (folded)', op: 'Unsqueeze', opset: 13, inputs: [scalarInt(7), ints(0)] },
    { title: 'the axes attribute at opset 13 is refused', op: 'Unsqueeze', opset: 13, inputs: [x(3, 4)], attributes: { axes: a.ints([0]) }, rejects: 'UNSUPPORTED_ATTRIBUTE' },
  ],
  Squeeze: [
    { title: 'axes as an attribute at opset 11', op: 'Squeeze', opset: 11, inputs: [x(1, 3, 1, 4)], attributes: { axes: a.ints([0, 2]) } },
    { title: 'axes as an input at opset 13', op: 'Squeeze', opset: 13, inputs: [x(2, 3, 1, 1), ints(-1, 2)] },
    { title: 'all size-1 dims without axes', op: 'Squeeze', opset: 13, inputs: [x(2, 1, 3, 1)] },
    { title: 'a size-3 axis is refused', op: 'Squeeze', opset: 13, inputs: [x(1, 3), ints(1)], rejects: 'SHAPE_MISMATCH' },
    { title: 'the axes input at opset 11 is refused', op: 'Squeeze', opset: 11, inputs: [x(1, 3), ints(0)], rejects: 'INVALID_GRAPH' },
  ],
  Cast: [
    { title: 'float to int64 (folded, truncating)', op: 'Cast', inputs: [floats(-1.7, 2.5, 3.9, -0.2)], attributes: { to: a.int(7) } },
    { title: 'float to bool', op: 'Cast', inputs: [x(2, 3)], attributes: { to: a.int(9) } },
    { title: 'int64 to float', op: 'Cast', inputs: [xi(4)], attributes: { to: a.int(1) } },
    { title: 'float to float16', op: 'Cast', inputs: [x(3)], attributes: { to: a.int(10) } },
  ],
  ReduceMean: [
    { title: 'axes attribute with keepdims', op: 'ReduceMean', opset: 13, inputs: [x(2, 3, 4, 5)], attributes: { axes: a.ints([2, 3]) } },
    { title: 'axes attribute without keepdims', op: 'ReduceMean', opset: 13, inputs: [x(2, 3, 4, 5)], attributes: { axes: a.ints([-1, -2]), keepdims: a.int(0) } },
    { title: 'axes input at opset 18', op: 'ReduceMean', opset: 18, inputs: [x(2, 3, 4, 5), ints(1)], attributes: { keepdims: a.int(0) } },
    { title: 'all axes by default', op: 'ReduceMean', opset: 18, inputs: [x(2, 3, 4)] },
    { title: 'noop_with_empty_axes', op: 'ReduceMean', opset: 18, inputs: [x(2, 3, 4)], attributes: { noop_with_empty_axes: a.int(1) } },
    { title: 'the axes input at opset 17 is refused', op: 'ReduceMean', opset: 17, inputs: [x(2, 3, 4), ints(1)], rejects: 'INVALID_GRAPH' },
    { title: 'the axes attribute at opset 18 is refused', op: 'ReduceMean', opset: 18, inputs: [x(2, 3, 4)], attributes: { axes: a.ints([1]) }, rejects: 'UNSUPPORTED_ATTRIBUTE' },
  ],
  Flatten: [
    { title: 'flattens after the batch', op: 'Flatten', inputs: [x(2, 3, 4, 5)] },
    { title: 'axis 0', op: 'Flatten', inputs: [x(2, 3, 4)], attributes: { axis: a.int(0) } },
    { title: 'axis 3', op: 'Flatten', inputs: [x(2, 3, 4, 5)], attributes: { axis: a.int(3) } },
    { title: 'a negative axis', op: 'Flatten', inputs: [x(2, 3, 4, 5)], attributes: { axis: a.int(-1) } },
  ],
  Identity: [{ title: 'passes the input through', op: 'Identity', inputs: [x(2, 3)] }],
  Dropout: [
    { title: 'the ratio attribute and mask at opset 11', op: 'Dropout', opset: 11, inputs: [x(2, 3)], attributes: { ratio: a.float(0.3) }, outputs: 2 },
    { title: 'the ratio input at opset 13', op: 'Dropout', opset: 13, inputs: [x(2, 3), c(float32([], [0.2]))] },
    { title: 'the training_mode input at opset 11 is refused', op: 'Dropout', opset: 11, inputs: [x(2, 3), c(float32([], [0.2])), c({ dtype: 'bool', dims: [], data: new Uint8Array([0]) })], rejects: 'INVALID_GRAPH' },
    { title: 'training_mode false at opset 13', op: 'Dropout', opset: 13, inputs: [x(2, 3), c(float32([], [0.2])), c({ dtype: 'bool', dims: [], data: new Uint8Array([0]) })], outputs: 2 },
    { title: 'the ratio attribute at opset 13 is refused', op: 'Dropout', opset: 13, inputs: [x(2, 3)], attributes: { ratio: a.float(0.3) }, rejects: 'UNSUPPORTED_ATTRIBUTE' },
  ],
  Constant: [
    { title: 'a tensor value', op: 'Constant', inputs: [], attributes: { value: a.tensor(float32([2, 2], [1, 2, 3, 4])) } },
    { title: 'value_ints at opset 12', op: 'Constant', opset: 12, inputs: [], attributes: { value_ints: a.ints([3, 4]) } },
    { title: 'value_float at opset 11 runs in onnxruntime, so it is accepted', op: 'Constant', opset: 11, inputs: [], attributes: { value_float: a.float(1) } },
    { title: 'a string value is refused', op: 'Constant', inputs: [], attributes: { value_string: a.string('x') }, rejects: 'UNSUPPORTED_ATTRIBUTE', limitation: true },
  ],
};

