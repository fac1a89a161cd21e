/**
 * Static type inference over a whole graph, driven by the op rule table: each node's rule gives
 * its output types (and folds constants), so later stages know every value's shape. This is also
 * where a model is validated: unknown ops, arity, attributes, shape mismatches, declared outputs.
 */
import { SculptError } from '../errors.js';
import type { Dim, Graph, Model, Node, Shape } from '../ir/graph.js';
import { defaultOpset } from '../ir/graph.js';
import { toNumbers, type Tensor } from '../ir/tensor.js';
import { checkStructure, describeNode } from '../ir/topology.js';
import { attributeReader, checkAttributeOpsets, checkAttributes } from './attributes.js';
import { isIntegerType, tensorFromNumbers } from './fold.js';
import { findRule, supportedOps } from './index.js';
import type { CostContext, OpContext, OpRule, ValueType } from './rule.js';
import { formatShape } from './shapes.js';

export const MIN_OPSET = 11;
export const MAX_OPSET = 21;

/** A graph with every value typed: the result of validation. */
export interface TypedGraph {
  readonly graph: Graph;
  readonly opset: number;
  /** Nodes in topological order. */
  readonly order: readonly Node[];
  readonly types: ReadonlyMap<string, ValueType>;
  /** Statically known values: initialisers and folded constants. */
  readonly constants: ReadonlyMap<string, Tensor>;
  /** Shape arithmetic that holds symbolic dims (not in `constants`): value name → its elements. */
  readonly shapeValues: ReadonlyMap<string, readonly Dim[]>;
}

export interface InferOptions {
  /** Shapes for graph inputs by name, replacing the declared ones (the rank must match). */
  readonly inputShapes?: Readonly<Record<string, Shape>>;
}

/**
 * Validates a model and infers the type of every value.
 * @example const typed = inferModel(model, { inputShapes: { input: [1, 3, 32, 32] } });
 */
export function inferModel(model: Model, options: InferOptions = {}): TypedGraph {
  const opset = defaultOpset(model);
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new SculptError('BAD_MODEL', `the model uses ONNX opset ${opset}; Sculpt supports opsets ${MIN_OPSET}-${MAX_OPSET} (re-export with one of them)`);
  }
  return inferGraph(model.graph, opset, options);
}

/** Like inferModel, for a bare graph and opset. */
export function inferGraph(graph: Graph, opset: number, options: InferOptions = {}): TypedGraph {
  const order = checkStructure(graph);
  const types = new Map<string, ValueType>();
  const constants = new Map<string, Tensor>(graph.initializers);
  for (const [name, t] of graph.initializers) types.set(name, { dtype: t.dtype, shape: t.dims });
  for (const input of graph.inputs) {
    if (graph.initializers.has(input.name)) continue;
    types.set(input.name, { dtype: input.dtype, shape: inputShape(input.name, input.shape, options.inputShapes?.[input.name]) });
  }
  for (const name of Object.keys(options.inputShapes ?? {})) {
    if (!graph.inputs.some((i) => i.name === name)) {
      const names = graph.inputs.filter((i) => !graph.initializers.has(i.name)).map((i) => `'${i.name}'`);
      throw new SculptError('BAD_ARGUMENT', `the model has no input named '${name}' (inputs: ${names.join(', ')})`);
    }
  }
  const shapeValues = new Map<string, readonly Dim[]>();
  for (const node of order) {
    const rule = ruleFor(node);
    checkOpset(node, rule, opset);
    const ctx = opContext(node, rule, opset, types, constants, shapeValues);
    const outputs = rule.inferTypes(ctx);
    const folded = rule.fold?.(ctx);
    const dims = rule.foldShapeValue?.(ctx);
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const type = outputs[i];
      if (type) types.set(name, type);
      const value = folded?.[i] ?? (type ? shapeConstant(type, dims?.[i]) : undefined);
      if (value) constants.set(name, value);
      else if (dims?.[i]) shapeValues.set(name, dims[i]!);
    });
  }
  for (const output of graph.outputs) checkDeclaredOutput(output.name, output.shape, types.get(output.name));
  return { graph, opset, order, types, constants, shapeValues };
}

/** A shape value whose dims all turned out numeric becomes an ordinary constant. */
function shapeConstant(type: ValueType, dims: readonly Dim[] | undefined): Tensor | undefined {
  if (!dims || !isIntegerType(type.dtype) || !dims.every((d): d is number => typeof d === 'number')) return undefined;
  if (type.shape.length > 1 || (type.shape.length === 1 && type.shape[0] !== dims.length) || (type.shape.length === 0 && dims.length !== 1)) return undefined;
  return tensorFromNumbers(type.dtype, type.shape as readonly number[], dims);
}

/** Checks that the op and the attributes the node sets exist in the model's opset. */
function checkOpset(node: Node, rule: OpRule, opset: number): void {
  const range = rule.opsets;
  if (range && (opset < range[0] || opset > range[1])) {
    const exists = range[1] === Infinity ? `from opset ${range[0]}` : `only in opsets ${range[0]}-${range[1]}`;
    const hint = rule.opsetNote ? ` (${rule.opsetNote})` : '';
    throw new SculptError('UNSUPPORTED_OP', `${describeNode(node)}: ${node.opType} exists ${exists}, but the model imports opset ${opset}${hint}`);
  }
  checkAttributeOpsets(node, rule.attributes, opset);
}

/** The rule for a node, after checking its domain, arity and attributes. */
export function ruleFor(node: Node): OpRule {
  const rule = node.domain === '' || node.domain === 'ai.onnx' ? findRule(node.opType) : undefined;
  if (!rule) {
    const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType;
    throw new SculptError('UNSUPPORTED_OP', `${describeNode(node)}: op '${op}' is not supported (supported: ${supportedOps().join(', ')})`);
  }
  const [minIn, maxIn] = rule.inputCount;
  const [minOut, maxOut] = rule.outputCount;
  if (node.inputs.length < minIn || node.inputs.length > maxIn) {
    throw new SculptError('INVALID_GRAPH', `${describeNode(node)}: has ${node.inputs.length} inputs; ${node.opType} takes ${range(minIn, maxIn)}`);
  }
  if (node.outputs.length < minOut || node.outputs.length > maxOut) {
    throw new SculptError('INVALID_GRAPH', `${describeNode(node)}: has ${node.outputs.length} outputs; ${node.opType} produces ${range(minOut, maxOut)}`);
  }
  checkAttributes(node, rule.attributes);
  return rule;
}

function range(min: number, max: number): string {
  return min === max ? String(min) : `${min} to ${max}`;
}

/** Builds the context a rule sees for one node. */
export function opContext(
  node: Node,
  rule: OpRule,
  opset: number,
  types: ReadonlyMap<string, ValueType>,
  constants: ReadonlyMap<string, Tensor>,
  shapeValues: ReadonlyMap<string, readonly Dim[]> = new Map(),
): OpContext {
  return {
    node,
    opset,
    inputs: node.inputs.map((name) => (name ? types.get(name) : undefined)),
    constant: (index) => {
      const name = node.inputs[index];
      return name ? constants.get(name) : undefined;
    },
    shapeValue: (index) => {
      const name = node.inputs[index];
      if (!name) return undefined;
      const value = constants.get(name);
      if (value) return isIntegerType(value.dtype) && value.dims.length <= 1 ? toNumbers(value) : undefined;
      return shapeValues.get(name);
    },
    attrs: attributeReader(node, rule.attributes),
    fail: (message) => {
      throw new SculptError('SHAPE_MISMATCH', `${describeNode(node)}: ${message}`);
    },
  };
}

/** The context a node's rule sees in a typed graph (for reading rule fields outside inference). */
export function nodeContext(typed: TypedGraph, node: Node): OpContext {
  return opContext(node, ruleFor(node), typed.opset, typed.types, typed.constants, typed.shapeValues);
}

/** The cost context (types of inputs and outputs) for a node of a typed graph. */
export function costContext(typed: TypedGraph, node: Node): CostContext {
  const ctx = nodeContext(typed, node);
  const outputs = node.outputs.map((name) => typed.types.get(name) ?? { dtype: 'float32' as const, shape: [] });
  return { ...ctx, outputs };
}

function inputShape(name: string, declared: Shape | undefined, given: Shape | undefined): Shape {
  if (given === undefined) {
    if (!declared) throw new SculptError('BAD_ARGUMENT', `input '${name}' has no declared shape; give one with --input-shape (e.g. 1,3,32,32)`);
    return declared;
  }
  if (declared && declared.length !== given.length) {
    throw new SculptError(
      'SHAPE_MISMATCH',
      `input '${name}' has rank ${declared.length} ${formatShape(declared)}, but the given shape ${formatShape(given)} has rank ${given.length}`,
    );
  }
  declared?.forEach((d, i) => {
    // The batch (axis 0) and symbolic dims may change; fixed feature dims may not.
    if (i > 0 && i < 2 && typeof d === 'number' && d !== given[i]) {
      throw new SculptError('SHAPE_MISMATCH', `input '${name}' is declared ${formatShape(declared)}; the given shape ${formatShape(given)} changes its channel dim ${d}`);
    }
  });
  return given;
}

function checkDeclaredOutput(name: string, declared: Shape | undefined, inferred: ValueType | undefined): void {
  if (!declared || !inferred) return;
  const mismatch =
    declared.length !== inferred.shape.length ||
    declared.some((d, i) => typeof d === 'number' && typeof inferred.shape[i] === 'number' && d !== inferred.shape[i] && i > 0);
  if (mismatch) {
    throw new SculptError('SHAPE_MISMATCH', `graph output '${name}' is declared ${formatShape(declared)} but computes ${formatShape(inferred.shape)}`);
  }
}
