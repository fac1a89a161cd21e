/**
 * Evaluation of a model on a dataset: an eval graph (eval-mode forward, loss, metric counts) run
 * batch by batch, counts summed, metrics taken once (./metrics.ts). The graph has a fixed batch
 * size (onnxruntime's blocked convolutions want static shapes); the last, short batch is padded
 * with examples whose labels are the ignore label, which the graph leaves out of every count.
 */
import { buildEvalGraph } from '../autodiff/eval-graph.js';
import type { LossOptions } from '../autodiff/losses.js';
import { Batcher, type Batch } from '../data/batch.js';
import type { Dataset } from '../data/dataset.js';
import { SculptError } from '../errors.js';
import { feedInputs, type Model, type Shape } from '../ir/graph.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import type { KernelTarget } from '../ops/backward.js';
import { inferModel } from '../ops/infer.js';
import { formatShape } from '../ops/shapes.js';
import type { Backend } from '../runtime/backend.js';
import { classificationMetrics, segmentationMetrics, type Metrics } from './metrics.js';
import { EvalRunner } from './step-runner.js';

/** Options of `evaluate` and `Evaluator.create`. */
export interface EvaluateOptions {
  readonly backend: Backend;
  /** onnxruntime intra-op threads; default: the runtime's choice. */
  readonly threads?: number;
  /** Examples per run. Default 100. */
  readonly batchSize?: number;
  /** Runtime-specific kernels (detectKernels); default: standard ONNX ops only. */
  readonly kernels?: KernelTarget;
  /** Called after each batch with the examples done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A label no dataset uses as a class, for padding when the dataset has no ignore label of its own. */
const PAD_LABEL = -1;

/** The geometry a model expects and produces for a dataset, after checking that they fit. */
export interface ModelDatasetFit {
  readonly input: string;
  /** The model's output (logits) shape for a batch of one. */
  readonly outputShape: Shape;
}

/**
 * Checks that a model can be trained or evaluated on a dataset: one input taking the dataset's
 * C×H×W images, and logits with one channel per class ([N, K] for classification, [N, K, H, W]
 * for segmentation). Errors (SHAPE_MISMATCH) name both sides and the fix.
 */
export function checkModelForDataset(model: Model, dataset: Dataset): ModelDatasetFit {
  const feeds = feedInputs(model.graph);
  if (feeds.length !== 1) throw new SculptError('BAD_ARGUMENT', `the model has ${feeds.length} inputs (${feeds.map((f) => `'${f.name}'`).join(', ')}); training and evaluation need exactly one, the image batch`);
  const input = feeds[0]!;
  const { channels: c, height: h, width: w } = dataset;
  const declared = input.shape;
  const fits = !declared || (declared.length === 4 && [c, h, w].every((d, i) => typeof declared[i + 1] !== 'number' || declared[i + 1] === d));
  if (!fits) {
    throw new SculptError('SHAPE_MISMATCH', `the model's input '${input.name}' is ${formatShape(declared!)} but dataset '${dataset.name}' has ${c}x${h}x${w} images; build the model for ${c}x${h}x${w} (zoo: input=${c}x${h}x${w}) or resize the data (size=)`);
  }
  const typed = inferModel(model, { inputShapes: { [input.name]: [1, c, h, w] } });
  const output = model.graph.outputs[0];
  const shape = output ? typed.types.get(output.name)?.shape : undefined;
  if (!output || !shape) throw new SculptError('BAD_ARGUMENT', 'the model has no output to train or evaluate');
  const k = dataset.numClasses;
  if (dataset.task === 'classification') {
    if (shape.length !== 2) {
      throw new SculptError('SHAPE_MISMATCH', `dataset '${dataset.name}' is classification, so the model's output '${output.name}' must be [N, ${k}] logits; it is ${formatShape(shape)} (a segmentation model needs segmentation data)`);
    }
    if (shape[1] !== k) throw new SculptError('SHAPE_MISMATCH', `the model outputs ${String(shape[1])} classes but dataset '${dataset.name}' has ${k}; build the model with ${k} classes (zoo: classes=${k})`);
  } else {
    if (shape.length !== 4 || shape[2] !== h || shape[3] !== w) {
      throw new SculptError('SHAPE_MISMATCH', `dataset '${dataset.name}' is segmentation, so the model's output '${output.name}' must be [N, ${k}, ${h}, ${w}] per-pixel logits; it is ${formatShape(shape)}`);
    }
    if (shape[1] !== k) throw new SculptError('SHAPE_MISMATCH', `the model outputs ${String(shape[1])} classes per pixel but dataset '${dataset.name}' has ${k}; build the model with ${k} output channels (zoo unet: out=${k})`);
  }
  return { input: input.name, outputShape: shape };
}

/** The loss an evaluation reports: cross-entropy, skipping the dataset's ignore label (or the padding label). */
function evalLoss(dataset: Dataset): LossOptions {
  return { kind: 'cross-entropy', ignoreIndex: dataset.ignoreLabel ?? PAD_LABEL };
}

/** The image and label tensors of a batch buffer (views: no copy). */
export function batchTensors(batch: Batch): { images: Tensor; labels: Tensor } {
  const labels = batch.labels instanceof BigInt64Array ? tensor('int64', batch.labelDims, batch.labels) : tensor('int32', batch.labelDims, batch.labels);
  return { images: tensor('float32', batch.imageDims, batch.images), labels };
}

/** Runs one model's eval graph over datasets of one geometry; reused across a training run's evaluations. */
export class Evaluator {
  private constructor(
    private readonly runner: EvalRunner,
    private readonly batchSize: number,
    private readonly onProgress: EvaluateOptions['onProgress'],
  ) {}

  /** Builds the eval graph of `model` for `dataset`'s geometry and creates its session. */
  static async create(model: Model, dataset: Dataset, options: EvaluateOptions): Promise<Evaluator> {
    checkModelForDataset(model, dataset);
    const batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new SculptError('BAD_ARGUMENT', `the eval batch size must be a positive integer, got ${batchSize}`);
    const graph = buildEvalGraph(model, { batchSize, loss: evalLoss(dataset), ...(options.kernels ? { kernels: options.kernels } : {}) });
    const runner = await EvalRunner.create(graph, { backend: options.backend, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
    return new Evaluator(runner, batchSize, options.onProgress);
  }

  /** Metrics of the model on `dataset`, with `parameters` (by initialiser name) replacing the model's own. */
  async run(dataset: Dataset, parameters?: ReadonlyMap<string, Tensor>): Promise<Metrics> {
    const batcher = new Batcher(dataset, { batchSize: this.batchSize });
    const pad = BigInt(dataset.ignoreLabel ?? PAD_LABEL);
    const perExample = dataset.task === 'segmentation' ? dataset.height * dataset.width : 1;
    const indices = new Int32Array(this.batchSize);
    let lossSum = 0;
    let count = 0;
    let correct = 0;
    const k = dataset.numClasses;
    const intersection = new Float64Array(k);
    const predicted = new Float64Array(k);
    const target = new Float64Array(k);
    for (let start = 0; start < dataset.count; start += this.batchSize) {
      const n = Math.min(this.batchSize, dataset.count - start);
      for (let i = 0; i < n; i++) indices[i] = start + i;
      const batch = batcher.batch(indices.subarray(0, n));
      if (n < this.batchSize) (batch.labels as BigInt64Array).fill(pad, n * perExample);
      const { images, labels } = batchTensors(batch);
      const result = await this.runner.run(images, labels, parameters);
      if (result.count > 0) lossSum += result.loss * result.count;
      count += result.count;
      correct += result.correct ?? 0;
      if (result.intersection) {
        for (let c = 0; c < k; c++) {
          intersection[c]! += result.intersection[c]!;
          predicted[c]! += result.predicted![c]!;
          target[c]! += result.target![c]!;
        }
      }
      this.onProgress?.(start + n, dataset.count);
    }
    const loss = count > 0 ? lossSum / count : NaN;
    return dataset.task === 'classification' ? classificationMetrics({ loss, correct, count }) : segmentationMetrics({ loss, count, intersection, predicted, target });
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.runner.release();
  }
}

/**
 * Evaluates a model on a dataset: accuracy, or per-class Dice and IoU with their means.
 * @example const metrics = await evaluate(model, test, { backend: onnxruntimeNode, threads: 2 });
 */
export async function evaluate(model: Model, dataset: Dataset, options: EvaluateOptions): Promise<Metrics> {
  const evaluator = await Evaluator.create(model, dataset, options);
  try {
    return await evaluator.run(dataset);
  } finally {
    await evaluator.release();
  }
}
