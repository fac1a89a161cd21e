/**
 * The search's services on a real runtime: training with the training loop for the per-candidate
 * budget, evaluation on the held-out set, and latency from the harness (models interleaved).
 * Quality is the task's headline metric: accuracy, or mean foreground Dice for segmentation.
 */
import type { OptimizerOptions } from '../autodiff/optimizers.js';
import { benchModels, type BenchModel } from '../bench/latency.js';
import type { Dataset } from '../data/dataset.js';
import { SculptError } from '../errors.js';
import { feedInputs, type Model } from '../ir/graph.js';
import { encodeModel } from '../onnx/encode.js';
import { layerCosts, totalCost } from '../ops/cost.js';
import { inferModel } from '../ops/infer.js';
import type { Backend } from '../runtime/backend.js';
import { evaluate } from '../train/evaluate.js';
import { train } from '../train/loop.js';
import { headlineMetric } from '../train/metrics.js';
import type { AugmentSettings, TrainBudget, TrainProgress } from '../train/options.js';
import type { ScheduleOptions } from '../train/schedule.js';
import type { LatencyMeasurement } from './candidate.js';
import type { FitServices } from './method.js';

/** The name the harness knows the backend by. */
const BACKEND_KEY = 'runtime';

/** Options of `createFitServices`. */
export interface FitServiceOptions {
  readonly backend: Backend;
  /** onnxruntime intra-op threads for training and evaluation; default: the runtime's choice. */
  readonly threads?: number;
  readonly train: Dataset;
  /** The held-out set quality is measured on. */
  readonly test: Dataset;
  /** Per candidate (and for the baseline when the search trains it). */
  readonly budget: TrainBudget;
  /** Default 16. */
  readonly batchSize?: number;
  /** Default Adam. */
  readonly optimizer?: OptimizerOptions;
  /** Default 1e-3. */
  readonly learningRate?: number;
  /** Default cosine with an epoch or step budget, else constant. */
  readonly schedule?: ScheduleOptions;
  readonly augment?: AugmentSettings;
  readonly seed?: number;
  /** Evaluation batch size. Default 50. */
  readonly evalBatchSize?: number;
  /** Timed runs per model and configuration. Default the harness's (30). */
  readonly latencyRuns?: number;
  /** Untimed runs first. Default the harness's (5). */
  readonly latencyWarmup?: number;
  /** Training progress of the candidate with this id. */
  readonly onTrainProgress?: (id: string, progress: TrainProgress) => void;
  /** Latency progress: runs done of the total. */
  readonly onLatencyProgress?: (done: number, total: number) => void;
  /** Aborting stops a training before its next step; the search then throws INTERRUPTED. */
  readonly signal?: AbortSignal;
}

/** Services that train, evaluate and time on `options.backend`. */
export function createFitServices(options: FitServiceOptions): FitServices {
  const threads = options.threads !== undefined ? { threads: options.threads } : {};
  const horizon = options.budget.epochs !== undefined || options.budget.steps !== undefined;
  const batchSize = options.batchSize ?? 16;
  const evalBatchSize = options.evalBatchSize ?? 50;
  return {
    async train(model, request) {
      const result = await train(model, {
        backend: options.backend,
        ...threads,
        train: options.train,
        test: options.test,
        budget: options.budget,
        batchSize,
        evalBatchSize,
        optimizer: options.optimizer ?? { kind: 'adam' },
        learningRate: options.learningRate ?? 1e-3,
        schedule: options.schedule ?? { kind: horizon ? 'cosine' : 'constant' },
        // Evaluate only at the end: the search reads the final quality.
        evalEvery: Number.MAX_SAFE_INTEGER,
        seed: options.seed ?? 0,
        ...(options.augment ? { augment: options.augment } : {}),
        ...(request.masks ? { masks: request.masks } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onTrainProgress ? { onProgress: (p: TrainProgress) => options.onTrainProgress!(request.id, p) } : {}),
      });
      if (result.stoppedBy === 'interrupted') throw new SculptError('INTERRUPTED', `interrupted while training ${request.id}; rerun with --resume to continue from the candidates already finished`);
      if (!result.metrics) throw new SculptError('RUNTIME', `training ${request.id} ended without an evaluation of the held-out set`);
      return {
        model: result.model,
        quality: headlineMetric(result.metrics).value,
        training: { epochs: result.epochs, steps: result.steps, examples: result.steps * batchSize, seconds: result.seconds },
      };
    },
    async evaluate(model) {
      return headlineMetric(await evaluate(model, options.test, { backend: options.backend, ...threads, batchSize: evalBatchSize })).value;
    },
    async measureLatency(models, configs) {
      const input = options.test;
      const benchInputs: BenchModel[] = models.map((model, i) => {
        const name = feedInputs(model.graph)[0]?.name ?? 'input';
        const inputShapes = { [name]: [1, input.channels, input.height, input.width] };
        const cost = totalCost(layerCosts(inferModel(model, { inputShapes })));
        return { name: `model ${i}`, bytes: encodeModel(model), params: cost.params, macsPerSample: cost.macs, model, inputShapes };
      });
      const reports = await benchModels(benchInputs, {
        configs: configs.map((c) => ({ backend: BACKEND_KEY, threads: c.threads, batch: c.batch })),
        backends: { [BACKEND_KEY]: options.backend },
        seed: options.seed ?? 0,
        ...(options.latencyRuns !== undefined ? { runs: options.latencyRuns } : {}),
        ...(options.latencyWarmup !== undefined ? { warmup: options.latencyWarmup } : {}),
        ...(options.onLatencyProgress ? { onProgress: (done: number, total: number) => options.onLatencyProgress!(done, total) } : {}),
      });
      return reports.map((report) =>
        report.results.map((r): LatencyMeasurement => ({ batch: r.config.batch, threads: r.config.threads, medianMs: r.medianMs, p90Ms: r.p90Ms, runs: r.runs })),
      );
    },
  };
}
