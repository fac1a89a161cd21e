/**
 * Small builders shared by op rule files: the input/output checks most rules start with, and
 * the rule shape of simple element-wise ops.
 */
import { SculptError } from '../errors.js';
import type { Dim } from '../ir/graph.js';
import { toNumbers, type Tensor } from '../ir/tensor.js';
import { describeNode } from '../ir/topology.js';
import type { AttributeSpec } from './attributes.js';
import { BROADCAST, type ChannelRule } from './channels.js';
import { binaryTensor, isIntegerType, type BinaryArithmetic } from './fold.js';
import type { OpContext, OpRule, ValueType } from './rule.js';
import { broadcastShapes, formatShape, isStatic } from './shapes.js';

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

/**
 * Checks the window attributes of a conv or pool over `n` spatial axes: one positive kernel size,
 * stride and dilation per axis, and 2n non-negative pads.
 */
export function requireWindow(
  ctx: OpContext,
  n: number,
  window: { kernel: readonly number[]; strides: readonly number[]; dilations: readonly number[]; pads: readonly number[] },
): void {
  const lists = [
    ['kernel_shape', window.kernel, n, 1],
    ['strides', window.strides, n, 1],
    ['dilations', window.dilations, n, 1],
    ['pads', window.pads, 2 * n, 0],
  ] as const;
  for (const [name, values, length, least] of lists) {
    if (values.length !== length || values.some((v) => !Number.isInteger(v) || v < least)) {
      ctx.fail(`${name} [${values.join(', ')}] must hold ${length} integers of at least ${least} for ${n} spatial axes`);
    }
  }
}

/** The values of a constant integer input (Reshape's shape, Slice's starts, Squeeze's axes...). */
export function requireIntegers(ctx: OpContext, index: number, what: string): number[] {
  const value = requireConstant(ctx, index, what);
  if (!isIntegerType(value.dtype)) ctx.fail(`${what} (input ${index}) must be an integer tensor, got ${value.dtype}`);
  return toNumbers(value);
}

/**
 * Rejects an input position that the model's opset does not have (Split's `split` input from 13,
 * Pad's `axes` from 18): onnxruntime would refuse the model.
 */
export function requireInputOpset(ctx: OpContext, index: number, name: string, first: number, instead?: string): void {
  if (ctx.node.inputs[index] && ctx.opset < first) {
    throw new SculptError(
      'INVALID_GRAPH',
      `${describeNode(ctx.node)}: input ${index} '${name}' of ${ctx.node.opType} exists from opset ${first}, but the model imports opset ${ctx.opset}${instead ? ` (${instead})` : ''}`,
    );
  }
}

/**
 * The axes of an op that moved them from an attribute to input `index` at opset `inputFrom`
 * (Squeeze and Unsqueeze at 13, ReduceMean at 18); undefined when the node gives none.
 */
export function attributeOrInputAxes(ctx: OpContext, index: number, inputFrom: number): number[] | undefined {
  requireInputOpset(ctx, index, 'axes', inputFrom, "use the 'axes' attribute");
  if (ctx.node.inputs[index]) return requireIntegers(ctx, index, 'axes');
  const axes = ctx.attrs.ints('axes');
  return axes ? [...axes] : undefined;
}

/** The elements of input 0 when it is shape arithmetic: the rules that only re-dim a value pass them on. */
export function passShapeValue(ctx: OpContext): (readonly Dim[] | undefined)[] | undefined {
  const dims = ctx.shapeValue(0);
  return dims ? [dims] : undefined;
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

/** A rule for a binary op with numpy broadcasting (Add, Sub, Mul, Div); `arithmetic` folds constants and shape arithmetic. */
export function broadcastBinaryRule(opType: string, summary: string, arithmetic: BinaryArithmetic): OpRule {
  const inferTypes = (ctx: OpContext): ValueType[] => {
    const a = requireInput(ctx, 0, 'A');
    const b = requireInput(ctx, 1, 'B');
    if (a.dtype !== b.dtype) ctx.fail(`inputs have different element types (${a.dtype} and ${b.dtype})`);
    const shape = broadcastShapes(a.shape, b.shape);
    if (!shape) return ctx.fail(`shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast`);
    return [{ dtype: a.dtype, shape }];
  };
  return {
    opType,
    summary,
    inputCount: [2, 2],
    outputCount: [1, 1],
    attributes: {},
    inferTypes,
    fold(ctx) {
      const a = ctx.constant(0);
      const b = ctx.constant(1);
      const shape = inferTypes(ctx)[0]!.shape;
      if (!a || !b || !isStatic(shape)) return undefined;
      const value = binaryTensor(a, b, shape, arithmetic);
      return value ? [value] : undefined;
    },
    // Shape arithmetic (x.size(2) * x.size(3)): numbers compute; a symbolic dim survives only an identity step.
    foldShapeValue(ctx) {
      const a = ctx.shapeValue(0);
      const b = ctx.shapeValue(1);
      if (!a || !b || (a.length !== b.length && a.length !== 1 && b.length !== 1)) return undefined;
      const n = Math.max(a.length, b.length);
      const result: Dim[] = [];
      for (let i = 0; i < n; i++) {
        const x = a[a.length === 1 ? 0 : i]!;
        const y = b[b.length === 1 ? 0 : i]!;
        const computed = typeof x === 'number' && typeof y === 'number' ? arithmetic.bigint(BigInt(x), BigInt(y)) : undefined;
        if (computed !== undefined) result.push(Number(computed));
        else if (typeof y === 'number' && isIdentity((v) => arithmetic.number(v, y))) result.push(x);
        else if (typeof x === 'number' && isIdentity((v) => arithmetic.number(x, v))) result.push(y);
        else result.push('');
      }
      return [result];
    },
    parameterInputs: [],
    channels: BROADCAST,
    macs: () => 0,
  };
}

/** True when `f` returns its argument (x * 1, x + 0, x / 1): probed at two points, enough for these ops. */
function isIdentity(f: (v: number) => number): boolean {
  return f(2) === 2 && f(3) === 3;
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
