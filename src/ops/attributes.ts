/**
 * Attribute declarations (per op rule) and a typed reader that applies their defaults.
 * Checking a node's attributes against its rule happens here, once, for every op.
 */
import { SculptError } from '../errors.js';
import type { Attribute, AttributeType, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { describeNode } from '../ir/topology.js';

export interface AttributeSpec {
  readonly type: AttributeType;
  /** The spec's default; absent means the attribute is required when the op reads it. */
  readonly default?: number | string | readonly number[] | readonly string[];
  /** The values Sculpt supports (a subset of what the spec allows, where it must be). */
  readonly allowed?: readonly (number | string)[];
  /** Why other values are unsupported, appended to the error. */
  readonly allowedNote?: string;
  /** Opsets in which the attribute exists, [first, last]; absent: all (Split's `num_outputs` from 18). */
  readonly opsets?: readonly [first: number, last: number];
}

/** The same declaration, limited to opsets first..last (an attribute added or removed by an op version). */
export function inOpsets(declared: AttributeSpec, first: number, last = Infinity): AttributeSpec {
  return { ...declared, opsets: [first, last] };
}

/** Declares an attribute of the given type with an optional default. */
export const spec = {
  int: (defaultValue?: number, allowed?: readonly number[]): AttributeSpec => withOptional({ type: 'int' }, defaultValue, allowed),
  float: (defaultValue?: number): AttributeSpec => withOptional({ type: 'float' }, defaultValue),
  string: (defaultValue?: string, allowed?: readonly string[]): AttributeSpec => withOptional({ type: 'string' }, defaultValue, allowed),
  ints: (defaultValue?: readonly number[]): AttributeSpec => withOptional({ type: 'ints' }, defaultValue),
  floats: (defaultValue?: readonly number[]): AttributeSpec => withOptional({ type: 'floats' }, defaultValue),
  strings: (defaultValue?: readonly string[]): AttributeSpec => withOptional({ type: 'strings' }, defaultValue),
  tensor: (): AttributeSpec => ({ type: 'tensor' }),
};

function withOptional(base: AttributeSpec, defaultValue?: AttributeSpec['default'], allowed?: AttributeSpec['allowed']): AttributeSpec {
  let result: AttributeSpec = base;
  if (defaultValue !== undefined) result = { ...result, default: defaultValue };
  if (allowed !== undefined) result = { ...result, allowed };
  return result;
}

/** Typed access to a node's attributes with its rule's defaults. */
export interface AttributeReader {
  has(name: string): boolean;
  int(name: string): number;
  float(name: string): number;
  string(name: string): string;
  /** The list, its default, or undefined when neither exists. */
  ints(name: string): readonly number[] | undefined;
  floats(name: string): readonly number[] | undefined;
  tensor(name: string): Tensor | undefined;
}

export function attributeReader(node: Node, specs: Readonly<Record<string, AttributeSpec>>): AttributeReader {
  const value = (name: string): Attribute['value'] | AttributeSpec['default'] => node.attributes[name]?.value ?? specs[name]?.default;
  const required = (name: string): Attribute['value'] | NonNullable<AttributeSpec['default']> => {
    const v = value(name);
    if (v === undefined) throw new SculptError('UNSUPPORTED_ATTRIBUTE', `${describeNode(node)}: required attribute '${name}' is missing`);
    return v;
  };
  return {
    has: (name) => node.attributes[name] !== undefined,
    int: (name) => required(name) as number,
    float: (name) => required(name) as number,
    string: (name) => required(name) as string,
    ints: (name) => value(name) as readonly number[] | undefined,
    floats: (name) => value(name) as readonly number[] | undefined,
    tensor: (name) => value(name) as Tensor | undefined,
  };
}

/** Checks a node's attributes against the rule's declarations: known names, types, supported values. */
export function checkAttributes(node: Node, specs: Readonly<Record<string, AttributeSpec>>): void {
  for (const [name, attribute] of Object.entries(node.attributes)) {
    const declared = specs[name];
    if (!declared) {
      const known = Object.keys(specs);
      throw new SculptError(
        'UNSUPPORTED_ATTRIBUTE',
        `${describeNode(node)}: attribute '${name}' is not supported for ${node.opType} (known: ${known.length ? known.join(', ') : 'none'})`,
      );
    }
    if (declared.type !== attribute.type) {
      throw new SculptError('UNSUPPORTED_ATTRIBUTE', `${describeNode(node)}: attribute '${name}' must be of type ${declared.type}, got ${attribute.type}`);
    }
    if (declared.allowed && (attribute.type === 'int' || attribute.type === 'string') && !declared.allowed.includes(attribute.value)) {
      const shown = declared.allowed.map((a) => JSON.stringify(a)).join(', ');
      throw new SculptError(
        'UNSUPPORTED_ATTRIBUTE',
        `${describeNode(node)}: ${name}=${JSON.stringify(attribute.value)} is not supported (supported: ${shown})${declared.allowedNote ? `; ${declared.allowedNote}` : ''}`,
      );
    }
  }
}

/** Checks that each attribute a node sets exists in the model's opset (see `AttributeSpec.opsets`). */
export function checkAttributeOpsets(node: Node, specs: Readonly<Record<string, AttributeSpec>>, opset: number): void {
  for (const name of Object.keys(node.attributes)) {
    const range = specs[name]?.opsets;
    if (!range || (opset >= range[0] && opset <= range[1])) continue;
    const exists = range[1] === Infinity ? `from opset ${range[0]}` : `in opsets ${range[0]}-${range[1]}`;
    throw new SculptError(
      'UNSUPPORTED_ATTRIBUTE',
      `${describeNode(node)}: attribute '${name}' of ${node.opType} exists ${exists}, but the model imports opset ${opset} (re-export, or use that opset's form)`,
    );
  }
}
