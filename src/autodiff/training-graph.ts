/**
 * The training-step graph: one ONNX model that runs a whole step — forward with batch
 * statistics, loss, backward, optimizer update — so onnxruntime can train with standard ops.
 */
import { SculptError } from '../errors.js';
import type { Model, Shape } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { formatShape } from '../ops/shapes.js';
import { Assembly, copyTensor } from './assembly.js';
import { emitBackward, emitForward, valuesNeedingGradients } from './gradients.js';
import { emitObjective, labelsType, type LossOptions } from './losses.js';
import { checkOptimizer, emitOptimizer, type OptimizerOptions } from './optimizers.js';
import { prepareModel, type PrepareOptions } from './prepare.js';

export interface TrainingGraphOptions extends PrepareOptions {
  readonly loss: LossOptions;
  readonly optimizer: OptimizerOptions;
  /** Parameters to train (initialiser names); default: every parameter. The rest stay fixed. */
  readonly trainable?: readonly string[];
  /** 0/1 masks by parameter name: masked weights start at zero and stay exactly zero (unstructured pruning). */
  readonly masks?: ReadonlyMap<string, Tensor>;
  /** Also output the logits (for metrics). Default: true for classification ([N, K] logits), false otherwise. */
  readonly outputLogits?: boolean;
  /** Seed for random ops (Dropout). Default 0. */
  readonly seed?: number;
}

/** What a tensor carried between steps holds. */
export type StateRole = 'parameter' | 'optimizer' | 'statistic';

/** A tensor carried from one step to the next: fed as `input`, returned as `output`. */
export interface StateTensor {
  readonly input: string;
  readonly output: string;
  readonly role: StateRole;
  /** Its value before the first step. */
  readonly initial: Tensor;
  /** The forward model's initialiser it updates (parameters and statistics), for export. */
  readonly source?: string;
}

/** A training-step graph and how to drive it. */
export interface TrainingGraph {
  readonly model: Model;
  /** The forward model (constant nodes folded) whose initialisers the state updates; export from it. */
  readonly forward: Model;
  readonly inputs: { readonly batch: string; readonly labels: string; readonly learningRate: string };
  readonly outputs: { readonly loss: string; readonly logits?: string };
  readonly batchShape: Shape;
  readonly labelsShape: Shape;
  /** Tensors fed back every step. */
  readonly state: readonly StateTensor[];
  /** Inputs fed the same value every step (masks). */
  readonly constants: readonly { readonly input: string; readonly value: Tensor }[];
}

/**
 * Builds the training-step graph of a forward model.
 * @example
 * const graph = buildTrainingGraph(model, { batchSize: 64, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 } });
 */
export function buildTrainingGraph(model: Model, options: TrainingGraphOptions): TrainingGraph {
  checkOptimizer(options.optimizer);
  const prepared = prepareModel(model, options);
  const { typed, output, outputType } = prepared;
  const initializers = prepared.model.graph.initializers;
  const trainable = options.trainable ?? prepared.parameters;
  for (const name of trainable) {
    if (!prepared.parameters.includes(name)) throw new SculptError('BAD_ARGUMENT', `'${name}' is not a parameter of the model (parameters: ${prepared.parameters.slice(0, 8).join(', ')}${prepared.parameters.length > 8 ? ', ...' : ''})`);
  }
  const needs = valuesNeedingGradients(typed, trainable, [output]);
  const learned = trainable.filter((name) => needs.has(name));
  const masks = checkMasks(options.masks, learned, initializers);

  const assembly = new Assembly(prepared, 'training_step', options.kernels);
  const batch = assembly.builder.input(prepared.input.name, prepared.input.dtype, prepared.input.shape!);
  const labelType = labelsType(outputType);
  const labels = assembly.input('labels', labelType.dtype, labelType.shape);
  const learningRate = assembly.input('learning_rate', 'float32', []);
  const state: StateTensor[] = [];
  const parameterInputs = new Map<string, string>();
  for (const name of learned) {
    const value = initializers.get(name)!;
    parameterInputs.set(name, assembly.builder.input(name, value.dtype, value.dims));
  }
  const maskInputs = new Map<string, string>();
  for (const [name, mask] of masks) maskInputs.set(name, assembly.input(`${name}.mask`, mask.dtype, mask.dims));
  assembly.copyInitializers(new Set(learned));

  const forward = emitForward(typed, assembly.emitter, { mode: 'train', stochastic: true, seed: options.seed ?? 0 }, needs);
  const objective = emitObjective(assembly.emitter.graph('loss'), options.loss, output, outputType, labels);
  const gradients = emitBackward(typed, assembly.emitter, forward, { mode: 'train', seeds: new Map([[output, objective.gradient]]), wrt: learned, needs });
  const targets = learned.map((name) => {
    const value = initializers.get(name)!;
    const mask = maskInputs.get(name);
    return { name, gradient: gradients.get(name)!, dims: value.dims, ...(mask ? { mask } : {}) };
  });
  const update = emitOptimizer(assembly.emitter.graph('optimizer'), options.optimizer, targets, learningRate, (base, dims) => assembly.input(base, 'float32', dims));

  const loss = assembly.output(objective.loss, 'loss', 'float32', []);
  const outputLogits = options.outputLogits ?? outputType.shape.length === 2;
  const logits = outputLogits ? assembly.output(output, output, outputType.dtype, outputType.shape) : undefined;
  for (const name of learned) {
    const value = initializers.get(name)!;
    const mask = masks.get(name);
    const initial = mask ? applyMask(value, mask) : copyTensor(value);
    const out = assembly.output(update.updated.get(name)!, `${name}.next`, value.dtype, value.dims);
    state.push({ input: parameterInputs.get(name)!, output: out, role: 'parameter', initial, source: name });
  }
  for (const s of update.state) state.push({ input: s.input, output: assembly.output(s.next, `${s.input}.next`, 'float32', s.initial.dims), role: 'optimizer', initial: s.initial });
  const statistics = new Set<string>();
  for (const { value, updated } of forward.stateUpdates) {
    const initial = initializers.get(value);
    if (!initial || statistics.has(value)) continue;
    statistics.add(value);
    state.push({ input: value, output: assembly.output(updated, `${value}.next`, initial.dtype, initial.dims), role: 'statistic', initial: copyTensor(initial), source: value });
  }
  const built = assembly.finish({ asInputs: statistics, docString: 'Sculpt training step: forward (batch statistics), loss, backward, optimizer update.' });
  return {
    model: built,
    forward: prepared.model,
    inputs: { batch, labels, learningRate },
    outputs: logits ? { loss, logits } : { loss },
    batchShape: prepared.input.shape!,
    labelsShape: labelType.shape,
    state,
    constants: [...masks].map(([name, value]) => ({ input: maskInputs.get(name)!, value })),
  };
}

function checkMasks(masks: ReadonlyMap<string, Tensor> | undefined, learned: readonly string[], initializers: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const result = new Map<string, Tensor>();
  for (const [name, mask] of masks ?? []) {
    const value = initializers.get(name);
    if (!value || !learned.includes(name)) throw new SculptError('BAD_ARGUMENT', `mask for '${name}': not a trained parameter of the model (give masks for trainable weights only)`);
    if (mask.dims.join() !== value.dims.join() || mask.dtype !== value.dtype) {
      throw new SculptError('SHAPE_MISMATCH', `mask for '${name}' is ${mask.dtype} ${formatShape(mask.dims)}; the weight is ${value.dtype} ${formatShape(value.dims)}`);
    }
    const data = mask.data as Float32Array;
    for (let i = 0; i < data.length; i++) {
      if (data[i] !== 0 && data[i] !== 1) throw new SculptError('BAD_ARGUMENT', `mask for '${name}' holds ${data[i]} at element ${i}; masks hold only 0 and 1`);
    }
    result.set(name, mask);
  }
  return result;
}

function applyMask(value: Tensor, mask: Tensor): Tensor {
  const data = (value.data as Float32Array).slice();
  const m = mask.data as Float32Array;
  for (let i = 0; i < data.length; i++) data[i] = data[i]! * m[i]!;
  return { dtype: value.dtype, dims: [...value.dims], data } as Tensor;
}
