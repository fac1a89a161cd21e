/**
 * Common first steps of every derived graph: give parameters PyTorch's exporter shared through
 * Identity nodes (because their values were equal) their own tensors again, type the graph for
 * a batch shape, find the parameters, and choose the opset the derived graph is written in.
 */
import { SculptError } from '../errors.js';
import { defaultOpset, feedInputs, type Model, type Shape, type ValueInfo } from '../ir/graph.js';
import { inferModel, ruleFor, type TypedGraph } from '../ops/infer.js';
import { materializeSharedParameters } from '../transform/shared-parameters.js';
import type { KernelTarget } from '../ops/backward.js';
import type { ValueType } from '../ops/rule.js';
import { formatShape } from '../ops/shapes.js';

/** A forward model made ready for differentiation. */
export interface PreparedModel {
  /** The model with shared parameters separated: the forward graph a trained model is exported from. */
  readonly model: Model;
  readonly typed: TypedGraph;
  /** The batch input. */
  readonly input: ValueInfo;
  /** The output the loss reads (logits). */
  readonly output: string;
  readonly outputType: ValueType;
  /** Trainable parameters (initialisers at rule-declared parameter positions), in order of first use. */
  readonly parameters: readonly string[];
  /** The opset the derived graph is written in. */
  readonly opset: number;
}

export interface PrepareOptions {
  /** Fixes the batch dimension (axis 0 of the input); default: keep the model's (possibly symbolic) batch. */
  readonly batchSize?: number;
  /** The full input shape, replacing the declared one. */
  readonly inputShape?: Shape;
  /** The model output the loss reads; default: the first. */
  readonly output?: string;
  /** Runtime-specific kernels to use (detectKernels); default: standard ONNX ops only. */
  readonly kernels?: KernelTarget;
}

/** The opset a derived graph is written in: at least 17 (for ScatterElements with reduction) when the model's ops keep their meaning there. */
export function derivedOpset(model: Model): number {
  const opset = defaultOpset(model);
  // Between opsets 13 and 17 the ops Sculpt differentiates only gained types and attributes;
  // below 13, Reduce*/Squeeze/Split/Softmax changed, so older graphs keep their opset.
  return opset >= 13 ? Math.max(opset, 17) : opset;
}

/** Folds, types and inspects a forward model for differentiation. */
export function prepareModel(model: Model, options: PrepareOptions = {}): PreparedModel {
  const folded = materializeSharedParameters(model);
  const feeds = feedInputs(folded.graph);
  if (feeds.length !== 1) {
    throw new SculptError('BAD_ARGUMENT', `the model has ${feeds.length} inputs (${feeds.map((f) => `'${f.name}'`).join(', ')}); training graphs need exactly one, the batch`);
  }
  const input = feeds[0]!;
  let shape = options.inputShape ?? input.shape;
  if (!shape) throw new SculptError('BAD_ARGUMENT', `input '${input.name}' has no declared shape; give inputShape`);
  if (options.batchSize !== undefined) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new SculptError('BAD_ARGUMENT', `batchSize must be a positive integer, got ${options.batchSize}`);
    shape = [options.batchSize, ...shape.slice(1)];
  }
  const typed = inferModel(folded, { inputShapes: { [input.name]: shape } });
  const output = options.output ?? folded.graph.outputs[0]?.name;
  const outputType = output ? typed.types.get(output) : undefined;
  if (!output || !outputType || !folded.graph.outputs.some((o) => o.name === output)) {
    const names = folded.graph.outputs.map((o) => `'${o.name}'`).join(', ');
    throw new SculptError('BAD_ARGUMENT', `the model has no output '${output ?? ''}' (outputs: ${names})`);
  }
  if (outputType.shape.length < 2) throw new SculptError('SHAPE_MISMATCH', `output '${output}' ${formatShape(outputType.shape)} must be [batch, classes, ...] logits`);
  const parameters: string[] = [];
  for (const node of typed.order) {
    for (const position of ruleFor(node).parameterInputs) {
      const name = node.inputs[position];
      if (name && folded.graph.initializers.has(name) && !parameters.includes(name)) parameters.push(name);
    }
  }
  return { model: folded, typed, input: { ...input, shape }, output, outputType, parameters, opset: derivedOpset(folded) };
}
