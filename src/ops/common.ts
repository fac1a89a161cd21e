/**
 * Small builders shared by op rule files: the input/output checks most rules start with, and
 * the rule shape of simple element-wise ops.
 */
import type { Tensor } from '../ir/tensor.js';
import type { AttributeSpec } from './attributes.js';
import { BROADCAST, type ChannelRule } from './channels.js';
import type { OpContext, OpRule, ValueType } from './rule.js';
import { broadcastShapes, formatShape } from './shapes.js';

/** The type of input `index`, or a clear error when it is missing or has no known type. */
export function requireInput(ctx: OpContext, index: number, what = `input ${index}`): ValueType {
  const type = ctx.inputs[index];
  if (!type) ctx.fail(`${what} is required but missing or of unknown type`);
  return type;
}

/** Checks the rank of an input. */
export function requireRank(ctx: OpContext, type: ValueType, ranks: readonly number[], what: string): void {
  if (!ranks.includes(type.shape.length)) {
    ctx.fail(`${what} must have rank ${ranks.join(' or ')}, got ${formatShape(type.shape)}`);
  }
}

/** The static value of an input that must be constant (Reshape's shape, Slice's starts...). */
export function requireConstant(ctx: OpContext, index: number, what: string): Tensor {
  const value = ctx.constant(index);
  if (!value) ctx.fail(`${what} (input ${index}) must be a constant or initialiser for static shape inference`);
  return value;
}

/** A rule for an op whose single output has the type of its first input (activations, Identity-likes). */
export function unaryRule(options: {
  opType: string;
  summary: string;
  attributes?: Readonly<Record<string, AttributeSpec>>;
  inputCount?: readonly [number, number];
  outputCount?: readonly [number, number];
  parameterInputs?: readonly number[];
  channels?: ChannelRule;
}): OpRule {
  return {
    opType: options.opType,
    summary: options.summary,
    inputCount: options.inputCount ?? [1, 1],
    outputCount: options.outputCount ?? [1, 1],
    attributes: options.attributes ?? {},
    inferTypes: (ctx) => [requireInput(ctx, 0, 'X')],
    parameterInputs: options.parameterInputs ?? [],
    ...(options.channels ? { channels: options.channels } : {}),
    macs: () => 0,
  };
}

/** A rule for a binary op with numpy broadcasting (Add, Sub, Mul, Div). */
export function broadcastBinaryRule(opType: string, summary: string): OpRule {
  return {
    opType,
    summary,
    inputCount: [2, 2],
    outputCount: [1, 1],
    attributes: {},
    inferTypes: (ctx) => {
      const a = requireInput(ctx, 0, 'A');
      const b = requireInput(ctx, 1, 'B');
      if (a.dtype !== b.dtype) ctx.fail(`inputs have different element types (${a.dtype} and ${b.dtype})`);
      const shape = broadcastShapes(a.shape, b.shape);
      if (!shape) return ctx.fail(`shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast`);
      return [{ dtype: a.dtype, shape }];
    },
    parameterInputs: [],
    channels: BROADCAST,
    macs: () => 0,
  };
}

/** Product of an output's dims after the batch axis: per-sample element count. */
export function perSample(type: ValueType | undefined): number {
  if (!type) return 0;
  let n = 1;
  for (const d of type.shape.slice(1)) {
    if (typeof d !== 'number') return NaN;
    n *= d;
  }
  return n;
}
