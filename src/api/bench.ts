/**
 * Latency in the curated API: `benchmarkModels` times several models side by side on
 * onnxruntime-node, interleaved run by run so background load falls on all of them alike, at every
 * combination of thread count and batch size. (The harness underneath is `benchModels`.)
 */
import { benchModels, DEFAULT_RUNS, DEFAULT_WARMUP, type BenchConfig, type BenchModel } from '../bench/latency.js';
import { SculptError } from '../errors.js';
import type { Model, Shape } from '../ir/graph.js';
import { encodeModel } from '../onnx/encode.js';
import { layerCosts, totalCost } from '../ops/cost.js';
import { inferModel } from '../ops/infer.js';
import type { LatencyMeasurement } from '../report/results.js';
import type { Backend } from '../runtime/backend.js';
import { onnxruntimeNode } from '../runtime/onnxruntime-node.js';

/** Options of benchmarkModels. */
export interface BenchmarkOptions {
  /** onnxruntime intra-op thread counts to try. Default [1]. */
  readonly threads?: readonly number[];
  /** Batch sizes to try. Default [1]. */
  readonly batches?: readonly number[];
  /** Timed runs per model and configuration. Default 30. */
  readonly runs?: number;
  /** Untimed runs first. Default 5. */
  readonly warmup?: number;
  /** Seed of the random inputs. Default 0. */
  readonly seed?: number;
  /** Shapes for inputs with symbolic non-batch dims. */
  readonly inputShapes?: Readonly<Record<string, Shape>>;
  /** Default onnxruntime-node. */
  readonly backend?: Backend;
  /** Called after every run with the runs done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One model's latency at one configuration, and its median over the first model's. */
export interface BenchmarkLatency extends LatencyMeasurement {
  readonly ratio: number;
}

/** One model's counts and latencies. */
export interface BenchmarkRow {
  readonly name: string;
  readonly params: number;
  readonly macs: number;
  readonly bytes: number;
  /** One entry per (threads, batch), threads-major. */
  readonly latency: readonly BenchmarkLatency[];
}

/**
 * Measures median and p90 latency of models side by side; the first model is the baseline of the ratios.
 * @example const [dense, small] = await benchmarkModels({ dense: model, small: pruned.model }, { threads: [1, 2], batches: [1, 32] });
 */
export async function benchmarkModels(models: Readonly<Record<string, Model>>, options: BenchmarkOptions = {}): Promise<BenchmarkRow[]> {
  const entries = Object.entries(models);
  if (entries.length === 0) throw new SculptError('BAD_ARGUMENT', 'benchmarkModels needs at least one model, e.g. { dense: model }');
  const inputShapes = options.inputShapes ? { inputShapes: options.inputShapes } : {};
  const prepared: BenchModel[] = entries.map(([name, model]) => {
    const { params, macs } = totalCost(layerCosts(inferModel(model, inputShapes)));
    return { name, bytes: encodeModel(model), params, macsPerSample: macs, model, ...inputShapes };
  });
  const backend = options.backend ?? onnxruntimeNode;
  const configs: BenchConfig[] = [];
  for (const threads of options.threads ?? [1]) for (const batch of options.batches ?? [1]) configs.push({ backend: backend.name, threads, batch });
  const runs = options.runs ?? DEFAULT_RUNS;
  const reports = await benchModels(prepared, {
    configs,
    backends: { [backend.name]: backend },
    runs,
    warmup: options.warmup ?? DEFAULT_WARMUP,
    seed: options.seed ?? 0,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return reports.map((r) => ({
    name: r.name,
    params: r.params,
    macs: r.macsPerSample,
    bytes: r.bytes,
    latency: r.results.map((x) => ({ threads: x.config.threads, batch: x.config.batch, medianMs: x.medianMs, p90Ms: x.p90Ms, runs, ratio: x.ratio })),
  }));
}
