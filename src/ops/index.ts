/**
 * The op rule table: one record per supported ONNX op (default domain). Adding an op means
 * adding its file and one line here.
 */
import { Add } from './add.js';
import { BatchNormalization } from './batch-normalization.js';
import { Clip } from './clip.js';
import { Concat } from './concat.js';
import { Constant } from './constant.js';
import { Conv } from './conv.js';
import { ConvTranspose } from './conv-transpose.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { Gemm } from './gemm.js';
import { GlobalAveragePool } from './global-average-pool.js';
import { Identity } from './identity.js';
import { MaxPool } from './max-pool.js';
import { Mul } from './mul.js';
import { Relu } from './relu.js';
import { Resize } from './resize.js';
import type { OpRule } from './rule.js';
import { Sub } from './sub.js';

export const OP_RULES = {
  Add,
  BatchNormalization,
  Clip,
  Concat,
  Constant,
  Conv,
  ConvTranspose,
  Dropout,
  Flatten,
  Gemm,
  GlobalAveragePool,
  Identity,
  MaxPool,
  Mul,
  Relu,
  Resize,
  Sub,
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
