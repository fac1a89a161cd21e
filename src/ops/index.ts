/**
 * The op rule table: one record per supported ONNX op (default domain). Adding an op means
 * adding its file and one line here.
 */
import { Add } from './add.js';
import { AveragePool } from './average-pool.js';
import { BatchNormalization } from './batch-normalization.js';
import { Cast } from './cast.js';
import { Clip } from './clip.js';
import { Concat } from './concat.js';
import { Constant } from './constant.js';
import { Conv } from './conv.js';
import { ConvTranspose } from './conv-transpose.js';
import { Div } from './div.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { Gather } from './gather.js';
import { Gemm } from './gemm.js';
import { GlobalAveragePool } from './global-average-pool.js';
import { HardSigmoid } from './hard-sigmoid.js';
import { HardSwish } from './hard-swish.js';
import { Identity } from './identity.js';
import { LeakyRelu } from './leaky-relu.js';
import { MatMul } from './matmul.js';
import { MaxPool } from './max-pool.js';
import { Mul } from './mul.js';
import { Pad } from './pad.js';
import { PRelu } from './prelu.js';
import { ReduceMean } from './reduce-mean.js';
import { Relu } from './relu.js';
import { Reshape } from './reshape.js';
import { Resize } from './resize.js';
import { Shape } from './shape.js';
import { Sigmoid } from './sigmoid.js';
import { Slice } from './slice.js';
import { Softmax } from './softmax.js';
import { Split } from './split.js';
import { Squeeze } from './squeeze.js';
import { Sub } from './sub.js';
import { Tanh } from './tanh.js';
import { Transpose } from './transpose.js';
import { Unsqueeze } from './unsqueeze.js';
import { Upsample } from './upsample.js';
import type { OpRule } from './rule.js';

export const OP_RULES = {
  Add,
  AveragePool,
  BatchNormalization,
  Cast,
  Clip,
  Concat,
  Constant,
  Conv,
  ConvTranspose,
  Div,
  Dropout,
  Flatten,
  Gather,
  Gemm,
  GlobalAveragePool,
  HardSigmoid,
  HardSwish,
  Identity,
  LeakyRelu,
  MatMul,
  MaxPool,
  Mul,
  Pad,
  PRelu,
  ReduceMean,
  Relu,
  Reshape,
  Resize,
  Shape,
  Sigmoid,
  Slice,
  Softmax,
  Split,
  Squeeze,
  Sub,
  Tanh,
  Transpose,
  Unsqueeze,
  Upsample,
} satisfies Record<string, OpRule>;

export type OpType = keyof typeof OP_RULES;

const RULES: ReadonlyMap<string, OpRule> = new Map(Object.entries(OP_RULES));

/** The rule for an op type, or undefined if Sculpt does not support it. */
export function findRule(opType: string): OpRule | undefined {
  return RULES.get(opType);
}

/** Names of all supported ops, sorted. */
export function supportedOps(): string[] {
  return [...RULES.keys()].sort();
}
