/**
 * Reverse-mode differentiation of a typed ONNX graph into ONNX nodes. Every op's gradient comes
 * from the `backward` field of its rule record; this file only decides which values need
 * gradients, writes the forward pass (letting rules rewrite their node for training), walks the
 * nodes in reverse and sums gradient contributions.
 */
import { SculptError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { consumers, describeNode } from '../ir/topology.js';
import { isDifferentiable, type BackwardContext, type EmitAttributes, type ForwardMode, type ForwardRewrite } from '../ops/backward.js';
import { ruleFor, type TypedGraph } from '../ops/infer.js';
import type { OpRule } from '../ops/rule.js';
import type { Emitter } from './emitter.js';

/** How the forward pass of a derived graph runs. */
export interface ForwardOptions {
  /** 'train': BatchNormalization uses batch statistics; 'eval': running statistics. */
  readonly mode: ForwardMode;
  /** Random ops (Dropout) active. */
  readonly stochastic: boolean;
  readonly seed: number;
}

/** A running-state input the forward pass updates (BatchNormalization statistics). */
export interface StateUpdate {
  /** The forward graph's value (an initialiser) that holds the state. */
  readonly value: string;
  /** The value in the derived graph holding its new state after the step. */
  readonly updated: string;
}

/** The forward pass as written into a derived graph. */
export interface ForwardPass {
  readonly rewrites: ReadonlyMap<Node, ForwardRewrite>;
  readonly stateUpdates: readonly StateUpdate[];
}

/**
 * The values that need a gradient: those that depend on `wrt` through differentiable inputs and
 * on which some target depends.
 */
export function valuesNeedingGradients(typed: TypedGraph, wrt: Iterable<string>, targets: Iterable<string>): Set<string> {
  const forward = new Set(wrt);
  for (const node of typed.order) {
    const positions = differentiablePositions(node);
    if (positions.some((i) => forward.has(node.inputs[i] ?? ''))) for (const o of node.outputs) if (o) forward.add(o);
  }
  const backward = new Set(targets);
  for (let k = typed.order.length - 1; k >= 0; k--) {
    const node = typed.order[k]!;
    if (!node.outputs.some((o) => backward.has(o))) continue;
    for (const i of differentiablePositions(node)) if (node.inputs[i]) backward.add(node.inputs[i]!);
  }
  return new Set([...forward].filter((v) => backward.has(v)));
}

/** Input positions of a node that may carry gradients; every position for ops without a backward rule (checked later). */
function differentiablePositions(node: Node): number[] {
  const rule = ruleFor(node);
  const backward = rule.backward;
  return node.inputs.map((_, i) => i).filter((i) => !backward || isDifferentiable(backward, i));
}

/** Writes the forward pass, letting each rule rewrite its node for the mode. */
export function emitForward(typed: TypedGraph, emitter: Emitter, options: ForwardOptions, needs: ReadonlySet<string>): ForwardPass {
  const rewrites = new Map<Node, ForwardRewrite>();
  const stateUpdates: StateUpdate[] = [];
  typed.order.forEach((node, index) => {
    const rule = ruleFor(node);
    const forward = rule.backward?.forward;
    const base = emitter.context(node, rule, typed, (i) => needs.has(node.inputs[i] ?? ''));
    const copy = (outputs: readonly (string | null)[], attributes: EmitAttributes = {}): string[] =>
      emitter.builder.node(node.opType, node.inputs, { ...node.attributes, ...emitter.attributes(attributes) }, {
        ...(node.name ? { name: node.name } : {}),
        outputs: emitter.outputNames(outputs, node.name || node.opType) as string[],
        domain: node.domain,
      });
    const seed = ((Math.imul(options.seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 40503)) >>> 1) || 1;
    const rewrite = forward?.({ ...base, mode: options.mode, stochastic: options.stochastic, seed, copy });
    if (!rewrite) {
      emitter.builder.node(node.opType, node.inputs, node.attributes, { ...(node.name ? { name: node.name } : {}), outputs: node.outputs, domain: node.domain });
      return;
    }
    rewrites.set(node, rewrite);
    for (const update of rewrite.stateUpdates ?? []) stateUpdates.push({ value: node.inputs[update.input]!, updated: update.value });
  });
  return { rewrites, stateUpdates };
}

/**
 * Emits the backward pass. `seeds` maps target values to their incoming gradients; returns the
 * gradient of each `wrt` value that some target depends on.
 */
export function emitBackward(
  typed: TypedGraph,
  emitter: Emitter,
  forward: ForwardPass,
  options: { readonly mode: ForwardMode; readonly seeds: ReadonlyMap<string, string>; readonly wrt: Iterable<string>; readonly needs: ReadonlySet<string> },
): Map<string, string> {
  const { needs } = options;
  const contributions = new Map<string, string[]>();
  const summed = new Map<string, string>();
  const add = (value: string, grad: string): void => {
    const list = contributions.get(value);
    if (list) list.push(grad);
    else contributions.set(value, [grad]);
  };
  const total = (value: string): string | undefined => {
    const done = summed.get(value);
    if (done) return done;
    const list = contributions.get(value);
    if (!list || list.length === 0) return undefined;
    const sum = list.length === 1 ? list[0]! : emitter.builder.op('Sum', list, {}, { name: `${value}/grad/Sum` });
    summed.set(value, sum);
    return sum;
  };
  for (const [target, seed] of options.seeds) add(target, seed);

  const fused = fusedMasks(typed);
  const maskedBy = new Map<Node, Node>([...fused].map(([producer, consumer]) => [consumer, producer]));
  for (let k = typed.order.length - 1; k >= 0; k--) {
    const node = typed.order[k]!;
    if (!node.outputs.some((o) => needs.has(o))) continue;
    const rule = ruleFor(node);
    const backward = rule.backward;
    const wanted = node.inputs.map((name, i) => !!name && needs.has(name) && (backward ? isDifferentiable(backward, i) : true));
    if (!wanted.some(Boolean)) continue;
    if (!backward) {
      throw new SculptError('UNSUPPORTED_OP', `${describeNode(node)}: op '${node.opType}' has no gradient rule, but the loss depends on parameters through it (replace the op or freeze the parameters before it)`);
    }
    let outputGrads = node.outputs.map((o) => (o && needs.has(o) ? total(o) : undefined));
    if (!outputGrads.some((g) => g !== undefined)) continue;
    if (fused.has(node)) {
      // The mask was applied at the consumer's output (see fusedMasks): pass the gradient through.
      if (outputGrads[0] && wanted[0]) add(node.inputs[0]!, outputGrads[0]);
      continue;
    }
    const producer = maskedBy.get(node);
    if (producer && outputGrads[0]) {
      outputGrads = [maskAtOutput(typed, emitter, producer, node, outputGrads[0], options.mode), ...outputGrads.slice(1)];
    }
    const ctx = backwardContext(typed, emitter, node, rule, forward, options.mode, outputGrads, (i) => wanted[i] ?? false);
    const grads = backward.emit(ctx);
    node.inputs.forEach((name, i) => {
      const grad = grads[i];
      if (grad && wanted[i]) add(name, grad);
    });
  }
  const result = new Map<string, string>();
  for (const value of options.wrt) {
    const grad = total(value);
    if (grad) result.set(value, grad);
  }
  return result;
}

function backwardContext(
  typed: TypedGraph,
  emitter: Emitter,
  node: Node,
  rule: OpRule,
  forward: ForwardPass,
  mode: ForwardMode,
  outputGrads: readonly (string | undefined)[],
  needsGrad: (index: number) => boolean,
): BackwardContext {
  const base = emitter.context(node, rule, typed, needsGrad, `${node.name || node.opType}/grad`);
  const saved = forward.rewrites.get(node)?.saved ?? {};
  return {
    ...base,
    mode,
    outputGrads,
    saved: (key) => saved[key],
  };
}

/**
 * Pairs (producer → consumer) where the producer's gradient mask can be applied at the
 * consumer's output: a monotone op with a mask from its output (ReLU) whose only reader is an op
 * that commutes with monotone maps (MaxPool). Exact, and the mask is then computed on the
 * pooled tensor.
 */
function fusedMasks(typed: TypedGraph): Map<Node, Node> {
  const readers = consumers(typed.graph);
  const graphOutputs = new Set(typed.graph.outputs.map((o) => o.name));
  const pairs = new Map<Node, Node>();
  for (const node of typed.order) {
    if (!ruleFor(node).backward?.monotoneMaskFromOutput) continue;
    const out = node.outputs[0]!;
    const list = readers.get(out) ?? [];
    if (list.length !== 1 || graphOutputs.has(out)) continue;
    const reader = list[0]!;
    if (reader.inputs[0] === out && reader.inputs.filter((i) => i === out).length === 1 && ruleFor(reader).backward?.commutesWithMonotone) pairs.set(node, reader);
  }
  return pairs;
}

/** Runs the producer's mask rule as if its output were the consumer's output. */
function maskAtOutput(typed: TypedGraph, emitter: Emitter, producer: Node, consumer: Node, grad: string, mode: ForwardMode): string {
  const virtual: Node = { ...producer, outputs: [consumer.outputs[0]!] };
  const rule = ruleFor(producer);
  const ctx: BackwardContext = {
    ...emitter.context(virtual, rule, typed, () => true, `${consumer.name || consumer.opType}/grad/mask`),
    mode,
    outputGrads: [grad],
    saved: () => undefined,
  };
  const masked = rule.backward!.emit(ctx)[0];
  if (!masked) throw new SculptError('INVALID_GRAPH', `${describeNode(producer)}: its mask rule returned no gradient`);
  return masked;
}
