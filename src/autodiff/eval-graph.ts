/**
 * The eval graph: eval-mode forward, the loss, and the counts metrics are made of — correct
 * top-1 predictions for classification; per-class intersection, predicted and labelled pixel
 * counts for segmentation (Dice = 2I/(P+T), IoU = I/(P+T-I), summed over batches first).
 * Parameters and running statistics are inputs, so a training run evaluates its current state
 * without a new session.
 */
import type { Model, Shape } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { ONNX_DATA_TYPE } from '../ir/tensor.js';
import type { GraphEmitter } from '../ops/backward.js';
import { Assembly, stateInitializers } from './assembly.js';
import { emitForward } from './gradients.js';
import { emitObjective, labelsType, type LossOptions } from './losses.js';
import { prepareModel, type PrepareOptions } from './prepare.js';

export interface EvalGraphOptions extends PrepareOptions {
  /** Default: cross-entropy. Its ignoreIndex also excludes those labels from the metrics. */
  readonly loss?: LossOptions;
  /** Also output the logits. Default false. */
  readonly outputLogits?: boolean;
}

/** An eval graph and its names. */
export interface EvalGraph {
  readonly model: Model;
  readonly forward: Model;
  readonly inputs: { readonly batch: string; readonly labels: string };
  readonly outputs: {
    readonly loss: string;
    readonly logits?: string;
    /** Classification: number of correct top-1 predictions (float scalar). */
    readonly correct?: string;
    /** Number of counted labels (float scalar). */
    readonly count: string;
    /** Segmentation: per-class [K] counts of pixels predicted and labelled c, predicted c, labelled c. */
    readonly intersection?: string;
    readonly predicted?: string;
    readonly target?: string;
  };
  readonly batchShape: Shape;
  /**
   * Inputs that hold parameters and running statistics, with the forward model's values. Feed
   * them every run: these values, or new ones (the current training state, |w| for SynFlow).
   */
  readonly defaults: ReadonlyMap<string, Tensor>;
}

/** Builds the eval graph of a forward model. */
export function buildEvalGraph(model: Model, options: EvalGraphOptions = {}): EvalGraph {
  const prepared = prepareModel(model, options);
  const { typed, output, outputType } = prepared;
  const lossOptions = options.loss ?? { kind: 'cross-entropy' };
  const assembly = new Assembly(prepared, 'eval', options.kernels);
  const batch = assembly.builder.input(prepared.input.name, prepared.input.dtype, prepared.input.shape!);
  const labelType = labelsType(outputType);
  const labels = assembly.input('labels', labelType.dtype, labelType.shape);
  assembly.copyInitializers(new Set());
  emitForward(typed, assembly.emitter, { mode: 'eval', stochastic: false, seed: 0 }, new Set());
  const g = assembly.emitter.graph('metrics');
  const objective = emitObjective(assembly.emitter.graph('loss'), lossOptions, output, outputType, labels);
  const rank = outputType.shape.length;
  const classes = outputType.shape[1] as number;
  const predictions = g.op('ArgMax', [output], { axis: 1, keepdims: 0 });
  const valid = lossOptions.ignoreIndex === undefined ? undefined : g.op('Not', [g.op('Equal', [labels, g.scalar(lossOptions.ignoreIndex, 'int64')])]);
  const asFloat = (x: string): string => g.op('Cast', [x], { to: ONNX_DATA_TYPE.float32 });
  const all = (x: string, r: number): string => g.reduceSum(x, [...Array(r).keys()], false);
  const count = valid ? all(asFloat(valid), rank - 1) : asFloat(g.op('Size', [labels]));
  const outputs: { -readonly [K in keyof EvalGraph['outputs']]: EvalGraph['outputs'][K] } = {
    loss: assembly.output(objective.loss, 'loss', 'float32', []),
    count: assembly.output(count, 'count', 'float32', []),
  };
  if (rank === 2) {
    let hits = asFloat(g.op('Equal', [predictions, labels]));
    if (valid) hits = g.op('Mul', [hits, asFloat(valid)]);
    outputs.correct = assembly.output(all(hits, 1), 'correct', 'float32', []);
  } else {
    const counts = classCounts(g, predictions, labels, valid, classes, rank);
    outputs.intersection = assembly.output(counts.intersection, 'intersection', 'float32', [classes]);
    outputs.predicted = assembly.output(counts.predicted, 'predicted', 'float32', [classes]);
    outputs.target = assembly.output(counts.target, 'target', 'float32', [classes]);
  }
  if (options.outputLogits) outputs.logits = assembly.output(output, output, outputType.dtype, outputType.shape);
  const { parameters, statistics } = stateInitializers(prepared);
  const overridable = [...parameters, ...statistics];
  const built = assembly.finish({ asInputs: new Set(overridable), docString: 'Sculpt eval graph: eval-mode forward, loss and metric counts.' });
  return {
    model: built,
    forward: prepared.model,
    inputs: { batch, labels },
    outputs,
    batchShape: prepared.input.shape!,
    defaults: new Map(built.graph.inputs.filter((i) => overridable.includes(i.name)).map((i) => [i.name, prepared.model.graph.initializers.get(i.name)!])),
  };
}

/** Per-class pixel counts from one-hot predictions and labels ([N, K, ...] summed over all but the class axis). */
function classCounts(g: GraphEmitter, predictions: string, labels: string, valid: string | undefined, classes: number, rank: number) {
  const depth = g.ints([classes]);
  const values = g.constantTensor({ dtype: 'float32', dims: [2], data: Float32Array.of(0, 1) });
  const safeLabels = valid ? g.op('Where', [valid, labels, g.scalar(0, 'int64')]) : labels;
  let predicted = g.op('OneHot', [predictions, depth, values], { axis: 1 });
  let target = g.op('OneHot', [safeLabels, depth, values], { axis: 1 });
  if (valid) {
    const mask = g.unsqueeze(g.op('Cast', [valid], { to: ONNX_DATA_TYPE.float32 }), [1]);
    predicted = g.op('Mul', [predicted, mask]);
    target = g.op('Mul', [target, mask]);
  }
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  return {
    intersection: g.reduceSum(g.op('Mul', [predicted, target]), axes, false),
    predicted: g.reduceSum(predicted, axes, false),
    target: g.reduceSum(target, axes, false),
  };
}
