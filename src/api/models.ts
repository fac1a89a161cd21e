/**
 * Models in the curated API: load one (an .onnx file or a zoo spec), summarise it (parameters,
 * non-zero parameters, MACs, bytes, layers), save it. Models are the plain IR `Model` everywhere,
 * so the detailed API (src/index.ts, second section) works on them too.
 */
import { SculptError } from '../errors.js';
import type { Model, Shape } from '../ir/graph.js';
import { sizeOf } from '../ir/tensor.js';
import { encodeModel } from '../onnx/encode.js';
import { layerCosts, totalCost, type LayerCost } from '../ops/cost.js';
import { inferModel, type TypedGraph } from '../ops/infer.js';
import { loadModelFile, saveModelFile } from '../platform/node/model-files.js';
import { prunableWeights } from '../score/weights.js';
import { buildZooModel } from '../zoo/index.js';

/** The prefix that marks a zoo spec where a model path is expected. */
export const ZOO_PREFIX = 'zoo:';

/** Options of loadModel. */
export interface LoadModelOptions {
  /** Seed of a zoo model's initialisation (a `seed=` key in the spec wins). Default 0. */
  readonly seed?: number;
}

/**
 * Loads an .onnx file, or builds a zoo model from `zoo:<name>[,key=value...]`, and validates it
 * (every op, attribute and shape).
 * @example const model = loadModel('zoo:vgg11,width=0.25,input=1x32x32', { seed: 1 });
 */
export function loadModel(source: string, options: LoadModelOptions = {}): Model {
  if (typeof source !== 'string' || source === '') throw new SculptError('BAD_ARGUMENT', "loadModel needs a path to an .onnx file or 'zoo:<name>', e.g. 'zoo:resnet20'");
  const model = source.startsWith(ZOO_PREFIX) ? buildZooModel(source.slice(ZOO_PREFIX.length), { seed: options.seed ?? 0 }) : loadModelFile(source);
  inferModel(model);
  return model;
}

/** Options of saveModel. */
export interface SaveModelOptions {
  /** Replace an existing file (default false: an existing file is an error). */
  readonly force?: boolean;
}

/**
 * Writes a model as an .onnx file, atomically (a temporary file, then a rename); returns the bytes written.
 * @example saveModel(pruned.model, 'small.onnx', { force: true });
 */
export function saveModel(model: Model, path: string, options: SaveModelOptions = {}): number {
  return saveModelFile(path, model, { force: options.force ?? false });
}

/** Options of inspectModel. */
export interface InspectOptions {
  /** Shapes for inputs with symbolic dims, by input name. */
  readonly inputShapes?: Readonly<Record<string, Shape>>;
}

/** What a model costs: stored and non-zero parameters, MACs per sample, ONNX bytes, and one row per node. */
export interface ModelSummary {
  /** Parameters stored in the model (zeros included). */
  readonly params: number;
  /** Parameters minus the exact zeros of prunable weights (what unstructured pruning removes). */
  readonly nonzeroParams: number;
  /** Multiply-accumulates per sample, zeros in dense tensors included. */
  readonly macs: number;
  /** Size of the encoded .onnx model. */
  readonly bytes: number;
  /** Node rows in topological order: op, shapes, parameters, MACs. */
  readonly layers: readonly LayerCost[];
  /** Per prunable weight (Conv, ConvTranspose, Gemm, MatMul): output width and the share of non-zero weights. */
  readonly weights: readonly WeightDensity[];
}

/** One prunable weight's output width and density. */
export interface WeightDensity {
  /** The node's name. */
  readonly layer: string;
  readonly op: string;
  /** The initialiser's name. */
  readonly weight: string;
  /** Output channels (features) of the node. */
  readonly width: number;
  readonly size: number;
  readonly nonzero: number;
}

/**
 * Counts a model: parameters (stored and non-zero), MACs per sample, ONNX bytes and per-layer rows.
 * @example const { params, macs, bytes } = inspectModel(loadModel('model.onnx'));
 */
export function inspectModel(model: Model, options: InspectOptions = {}): ModelSummary {
  const typed = inferModel(model, options.inputShapes ? { inputShapes: options.inputShapes } : {});
  const layers = layerCosts(typed);
  const { params, macs } = totalCost(layers);
  const weights = weightDensities(typed);
  const zeros = weights.reduce((n, w) => n + w.size - w.nonzero, 0);
  return { params, nonzeroParams: params - zeros, macs, bytes: encodeModel(model).byteLength, layers, weights };
}

function weightDensities(typed: TypedGraph): WeightDensity[] {
  let found;
  try {
    found = prunableWeights(typed);
  } catch {
    return []; // A model without Conv/Gemm weights simply has none to report.
  }
  return found.map((w) => {
    const value = typed.graph.initializers.get(w.name)!;
    const node = typed.graph.nodes[w.nodeIndex]!;
    const dim = typed.types.get(node.outputs[0] ?? '')?.shape[1];
    let nonzero = 0;
    if (value.dtype === 'float32') for (const v of value.data as Float32Array) nonzero += v === 0 ? 0 : 1;
    else nonzero = sizeOf(value.dims);
    return { layer: w.node, op: w.opType, weight: w.name, width: typeof dim === 'number' ? dim : 0, size: sizeOf(value.dims), nonzero };
  });
}
