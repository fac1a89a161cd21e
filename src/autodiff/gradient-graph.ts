/**
 * The gradient graph: dObjective/dParameter for chosen parameters, the building block of the
 * pruning-at-initialisation scorers (SNIP, GraSP, SynFlow). Parameters and running statistics
 * are graph inputs, so one session can be run again and again with new parameter values (|w|
 * for SynFlow, w ± εg for a finite-difference Hessian product).
 */
import { SculptError } from '../errors.js';
import type { Model, Shape } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { Assembly, stateInitializers } from './assembly.js';
import { emitBackward, emitForward, valuesNeedingGradients } from './gradients.js';
import { emitObjective, labelsType, needsLabels, type ObjectiveOptions } from './losses.js';
import { prepareModel, type PrepareOptions } from './prepare.js';
import type { ForwardMode } from '../ops/backward.js';

export interface GradientGraphOptions extends PrepareOptions {
  /** Default: cross-entropy. `{ kind: 'sum' }` is SynFlow's R = Σ output; temperature scales logits (GraSP). */
  readonly objective?: ObjectiveOptions;
  /** BatchNormalization with running statistics ('eval', the default, as the reference scorers) or batch statistics ('train'). */
  readonly mode?: ForwardMode;
  /** Values to differentiate with respect to: parameters (default: every parameter), other initialisers, or the batch input. */
  readonly wrt?: readonly string[];
  /** Also output the logits. Default false. */
  readonly outputLogits?: boolean;
  /** Further initialisers to make overridable inputs without differentiating them (SynFlow's rescaling factors). */
  readonly inputs?: readonly string[];
}

/** A gradient graph and its names. */
export interface GradientGraph {
  readonly model: Model;
  /** The forward model (constant nodes folded); its initialisers are the parameters' default values. */
  readonly forward: Model;
  readonly inputs: {
    readonly batch: string;
    /** For losses. */
    readonly labels?: string;
    /** For the 'dot' objective: the weights, shaped like the logits. */
    readonly weights?: string;
  };
  readonly outputs: { readonly loss: string; readonly logits?: string; readonly gradients: ReadonlyMap<string, string> };
  readonly batchShape: Shape;
  /** Initialisers a run may override by feeding them: every parameter and running statistic. */
  /**
   * Inputs that hold parameters and running statistics, with the forward model's values. Feed
   * them every run: these values, or new ones (the current training state, |w| for SynFlow).
   */
  readonly defaults: ReadonlyMap<string, Tensor>;
}

/**
 * Builds the gradient graph of a forward model.
 * @example
 * const graph = buildGradientGraph(model, { batchSize: 2, objective: { kind: 'cross-entropy', temperature: 200 } });
 */
export function buildGradientGraph(model: Model, options: GradientGraphOptions = {}): GradientGraph {
  const prepared = prepareModel(model, options);
  const { typed, output, outputType } = prepared;
  const objectiveOptions = options.objective ?? { kind: 'cross-entropy' };
  const wanted = options.wrt ?? prepared.parameters;
  const initializers = prepared.model.graph.initializers;
  for (const name of wanted) {
    if (!initializers.has(name) && name !== prepared.input.name) {
      throw new SculptError('BAD_ARGUMENT', `cannot differentiate with respect to '${name}': it is neither an initialiser nor the input '${prepared.input.name}' (parameters: ${prepared.parameters.slice(0, 8).join(', ')}${prepared.parameters.length > 8 ? ', ...' : ''})`);
    }
  }
  const needs = valuesNeedingGradients(typed, wanted, [output]);
  const assembly = new Assembly(prepared, 'gradients', options.kernels);
  const batch = assembly.builder.input(prepared.input.name, prepared.input.dtype, prepared.input.shape!);
  let extra: string | undefined;
  const inputs: { batch: string; labels?: string; weights?: string } = { batch };
  if (needsLabels(objectiveOptions)) {
    const type = labelsType(outputType);
    extra = inputs.labels = assembly.input('labels', type.dtype, type.shape);
  } else if (objectiveOptions.kind === 'dot') {
    extra = inputs.weights = assembly.input('objective_weights', outputType.dtype, outputType.shape);
  }
  assembly.copyInitializers(new Set());
  const mode = options.mode ?? 'eval';
  const forward = emitForward(typed, assembly.emitter, { mode, stochastic: false, seed: 0 }, needs);
  const objective = emitObjective(assembly.emitter.graph('objective'), objectiveOptions, output, outputType, extra);
  const grads = emitBackward(typed, assembly.emitter, forward, { mode, seeds: new Map([[output, objective.gradient]]), wrt: wanted, needs });
  const loss = assembly.output(objective.loss, 'loss', 'float32', []);
  const logits = options.outputLogits ? assembly.output(output, output, outputType.dtype, outputType.shape) : undefined;
  const gradients = new Map<string, string>();
  for (const name of wanted) {
    const type = typed.types.get(name)!;
    const grad = grads.get(name);
    if (grad) {
      gradients.set(name, assembly.output(grad, `${name}.grad`, type.dtype, type.shape));
      continue;
    }
    // A value the objective does not depend on has a zero gradient.
    const zeros = assembly.emitter.graph('zero').op('ConstantOfShape', [assembly.emitter.graph('zero').shapeOf(name, type)]);
    gradients.set(name, assembly.output(zeros, `${name}.grad`, type.dtype, type.shape));
  }
  const { parameters, statistics } = stateInitializers(prepared);
  for (const name of options.inputs ?? []) {
    if (!initializers.has(name)) throw new SculptError('BAD_ARGUMENT', `cannot make '${name}' an input: it is not an initialiser of the model`);
  }
  const overridable = [...new Set([...parameters, ...statistics, ...wanted.filter((name) => initializers.has(name)), ...(options.inputs ?? [])])];
  const built = assembly.finish({ asInputs: new Set(overridable), docString: 'Sculpt gradient graph: objective and its gradient with respect to the parameters.' });
  return {
    model: built,
    forward: prepared.model,
    inputs,
    outputs: logits ? { loss, logits, gradients } : { loss, gradients },
    batchShape: prepared.input.shape!,
    defaults: new Map(built.graph.inputs.filter((i) => overridable.includes(i.name)).map((i) => [i.name, prepared.model.graph.initializers.get(i.name)!])),
  };
}
