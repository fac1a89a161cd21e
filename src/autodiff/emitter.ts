/**
 * The emitter behind the backward-rule API (src/ops/backward.ts): writes nodes and deduplicated
 * constants into a GraphBuilder, with the opset-dependent forms of Reduce*, Unsqueeze and Split.
 */
import { SculptError } from '../errors.js';
import { attr, type Attribute, type Dim, type Node } from '../ir/graph.js';
import type { GraphBuilder } from '../ir/builder.js';
import { bytesOf, float32, int64, tensor, toNumbers, type DType, type Tensor } from '../ir/tensor.js';
import { describeNode } from '../ir/topology.js';
import type { EmitAttributes, EmitContext, GraphEmitter, KernelTarget } from '../ops/backward.js';
import { attributeReader } from '../ops/attributes.js';
import type { OpRule, ValueType } from '../ops/rule.js';
import { isStatic } from '../ops/shapes.js';

/** Writes nodes and constants for rules; one per graph under construction. */
export class Emitter {
  private readonly constants = new Map<string, { value: Tensor; name: string }[]>();

  /** Operator domains other than ONNX's that emitted nodes use (they need opset imports). */
  readonly domains = new Set<string>();

  constructor(
    readonly builder: GraphBuilder,
    readonly opset: number,
    readonly target: KernelTarget = {},
  ) {}

  /** Adds a node; `outputs` is a count of fresh outputs or explicit names. */
  node(opType: string, inputs: readonly string[], attributes: EmitAttributes, outputs: number | readonly (string | null)[], name: string, domain = ''): string[] {
    if (domain) this.domains.add(domain);
    return this.builder.node(opType, inputs, toAttributes(attributes), { name, outputs: this.outputNames(outputs, name), domain });
  }

  /** Output names with fresh ones for nulls (not yet claimed, so the node can claim them). */
  outputNames(outputs: number | readonly (string | null)[], base: string): number | string[] {
    if (typeof outputs === 'number') return outputs;
    return outputs.map((o, i) => {
      if (o !== null) return o;
      let name = `${base}_out${i}`;
      for (let n = 1; this.builder.has(name); n++) name = `${base}_out${i}_${n}`;
      return name;
    });
  }

  /** Emit-style attributes as IR attributes. */
  attributes(attributes: EmitAttributes): Record<string, Attribute> {
    return toAttributes(attributes);
  }

  /** A constant initialiser, shared with every equal constant already emitted. */
  constant(value: Tensor, base = 'const'): string {
    const key = `${value.dtype}|${value.dims.join(',')}|${fingerprint(value)}`;
    const list = this.constants.get(key) ?? [];
    const found = list.find((entry) => sameData(entry.value, value));
    if (found) return found.name;
    const name = this.builder.initializer(base, value);
    list.push({ value, name });
    this.constants.set(key, list);
    return name;
  }

  /** Node-independent emitting, naming its nodes under `prefix`; `dtype` is the default scalar type. */
  graph(prefix: string, dtype: DType = 'float32'): GraphEmitter {
    const opset = this.opset;
    const op = (opType: string, inputs: readonly string[], attributes: EmitAttributes = {}, domain = ''): string =>
      this.node(opType, inputs, attributes, 1, `${prefix}/${opType}`, domain)[0]!;
    const ints = (values: readonly number[]): string => this.constant(int64([values.length], values), 'const/ints');
    const reduce = (kind: 'ReduceSum' | 'ReduceMean', x: string, axes: readonly number[], keepdims: boolean): string => {
      const axesAsInput = kind === 'ReduceSum' ? opset >= 13 : opset >= 18;
      return axesAsInput ? op(kind, [x, ints(axes)], { keepdims: keepdims ? 1 : 0 }) : op(kind, [x], { axes, keepdims: keepdims ? 1 : 0 });
    };
    const emitter: GraphEmitter = {
      opset,
      target: this.target,
      op,
      ops: (opType, inputs, attributes, outputs, domain) => this.node(opType, inputs, attributes, outputs, `${prefix}/${opType}`, domain),
      scalar: (value, type = dtype) => {
        if (type === 'float64') return this.constant(tensor('float64', [], Float64Array.of(value)), 'const/scalar');
        if (type === 'float32') return this.constant(float32([], [value]), 'const/scalar');
        if (type === 'int64') return this.constant(int64([], [value]), 'const/scalar');
        throw new SculptError('BAD_ARGUMENT', `${prefix}: scalar constants of type ${type} are not supported (float32, float64, int64)`);
      },
      ints,
      constantTensor: (value) => this.constant(value),
      shapeOf: (name, type) => (isStatic(type.shape) ? ints(type.shape) : op('Shape', [name])),
      reduceSum: (x, axes, keepdims) => reduce('ReduceSum', x, axes, keepdims),
      reduceMean: (x, axes, keepdims) => reduce('ReduceMean', x, axes, keepdims),
      unsqueeze: (x, axes) => (opset >= 13 ? op('Unsqueeze', [x, ints(axes)]) : op('Unsqueeze', [x], { axes })),
      split: (x, axis, sizes) =>
        opset >= 13
          ? this.node('Split', [x, ints(sizes)], { axis }, sizes.length, `${prefix}/Split`)
          : this.node('Split', [x], { axis, split: sizes }, sizes.length, `${prefix}/Split`),
      reshape: (x, shape) => op('Reshape', [x, ints(shape)]),
      unbroadcast: (grad, from, to) => unbroadcast(emitter, grad, from, to),
    };
    return emitter;
  }

  /** The emitter API for one node: its types, names and the opset-aware helpers. `prefix` names its nodes. */
  context(node: Node, rule: OpRule, typed: { types: ReadonlyMap<string, ValueType>; constants: ReadonlyMap<string, Tensor>; shapeValues: ReadonlyMap<string, readonly Dim[]> }, needsGrad: (index: number) => boolean, prefix?: string): EmitContext {
    const { types, constants: values } = typed;
    const first = node.inputs[0] ? types.get(node.inputs[0]) : undefined;
    const base = this.graph(prefix ?? (node.name || node.opType), first?.dtype ?? 'float32');
    return {
      ...base,
      node,
      attrs: attributeReader(node, rule.attributes),
      inputs: node.inputs.map((name) => (name ? types.get(name) : undefined)),
      outputs: node.outputs.map((name) => (name ? types.get(name) : undefined)),
      input: (index) => node.inputs[index] ?? '',
      output: (index) => node.outputs[index] ?? '',
      constant: (index) => {
        const name = node.inputs[index];
        return name ? values.get(name) : undefined;
      },
      shapeValue: (index) => {
        const name = node.inputs[index];
        if (!name) return undefined;
        const value = values.get(name);
        return value && (value.dtype === 'int64' || value.dtype === 'int32') && value.dims.length <= 1 ? toNumbers(value) : typed.shapeValues.get(name);
      },
      needsGrad,
      fail: (message) => {
        throw new SculptError('UNSUPPORTED_ATTRIBUTE', `${describeNode(node)}: ${message}`);
      },
    };
  }
}

function unbroadcast(ctx: GraphEmitter, grad: string, from: ValueType, to: ValueType): string {
  const lead = from.shape.length - to.shape.length;
  const leading = Array.from({ length: lead }, (_, i) => i);
  const inner: number[] = [];
  to.shape.forEach((d, i) => {
    if (d === 1 && from.shape[i + lead] !== 1) inner.push(i);
  });
  let result = grad;
  if (leading.length > 0) result = ctx.reduceSum(result, leading, false);
  if (inner.length > 0) result = ctx.reduceSum(result, inner, true);
  return result;
}

/** Emit-style attributes to IR attributes: integers become ints, other numbers floats. */
function toAttributes(attributes: EmitAttributes): Record<string, Attribute> {
  const result: Record<string, Attribute> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'number') result[name] = Number.isInteger(value) ? attr.int(value) : attr.float(value);
    else if (typeof value === 'string') result[name] = attr.string(value);
    else if (Array.isArray(value)) {
      const list = value as readonly (number | string)[];
      if (list.every((v) => typeof v === 'string')) result[name] = attr.strings(list as string[]);
      else if (list.every((v) => Number.isInteger(v))) result[name] = attr.ints(list as number[]);
      else result[name] = attr.floats(list as number[]);
    } else if ('float' in (value as object)) result[name] = attr.float((value as { float: number }).float);
    else result[name] = attr.tensor(value as Tensor);
  }
  return result;
}

function fingerprint(value: Tensor): number {
  const bytes = bytesOf(value.data);
  let hash = 0x811c9dc5;
  const step = Math.max(1, Math.floor(bytes.length / 4096));
  for (let i = 0; i < bytes.length; i += step) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

function sameData(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.dims.join() !== b.dims.join()) return false;
  const x = bytesOf(a.data);
  const y = bytesOf(b.data);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
