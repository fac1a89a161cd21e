/**
 * The latency harness: warm-up runs (not timed), then timed runs, summarised by median and p90,
 * and achieved GFLOP/s = 2 · MACs · batch / median time. The clock and the way a run is made are
 * injectable, so the statistics are tested on a fake clock, and the same code measures
 * onnxruntime-node and onnxruntime-web. Compared runs are interleaved (A, B, A, B, ...) so load
 * from other processes on a shared machine falls on every candidate alike.
 */
import { SculptError } from '../errors.js';
import { feedInputs, type Model } from '../ir/graph.js';
import { allocate, sizeOf, type Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import type { Backend, Feeds } from '../runtime/backend.js';

/** Milliseconds from an arbitrary origin. Default: performance.now(). */
export type Clock = () => number;

/** Summary of one candidate's timed runs (milliseconds). */
export interface LatencyStats {
  readonly runs: number;
  /** The middle value; the mean of the two middle values for an even count. */
  readonly medianMs: number;
  /** Nearest-rank 90th percentile: the ⌈0.9·n⌉-th smallest time. */
  readonly p90Ms: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Every timed run, in the order measured. */
  readonly timesMs: readonly number[];
}

/** How many runs to make and how to time them. */
export interface TimingOptions {
  /** Untimed runs first, to let caches, allocators and thread pools settle. Default 5. */
  readonly warmup?: number;
  /** Timed runs. Default 30 (the least Sculpt reports from). */
  readonly runs?: number;
  readonly clock?: Clock;
  /** Called after every run (warm-up included) with runs done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A thing to time: one call is one inference. */
export type Runner = () => Promise<unknown> | unknown;

/** Default run counts. */
export const DEFAULT_WARMUP = 5;
export const DEFAULT_RUNS = 30;

/**
 * Times several runners, interleaved round by round: warm-up rounds first, then `runs` timed
 * rounds; returns one summary per runner, in order.
 * @example const [a, b] = await measureInterleaved([() => sa.run(feeds), () => sb.run(feeds)]);
 */
export async function measureInterleaved(runners: readonly Runner[], options: TimingOptions = {}): Promise<LatencyStats[]> {
  const warmup = options.warmup ?? DEFAULT_WARMUP;
  const runs = options.runs ?? DEFAULT_RUNS;
  if (!Number.isInteger(warmup) || warmup < 0) throw new SculptError('BAD_ARGUMENT', `warmup must be a non-negative integer, got ${warmup}`);
  if (!Number.isInteger(runs) || runs < 1) throw new SculptError('BAD_ARGUMENT', `runs must be a positive integer, got ${runs}`);
  const clock = options.clock ?? (() => performance.now());
  const times = runners.map(() => [] as number[]);
  const total = (warmup + runs) * runners.length;
  let done = 0;
  for (let round = 0; round < warmup + runs; round++) {
    for (let i = 0; i < runners.length; i++) {
      const start = clock();
      await runners[i]!();
      const elapsed = clock() - start;
      if (round >= warmup) times[i]!.push(elapsed);
      options.onProgress?.(++done, total);
    }
  }
  return times.map(latencyStats);
}

/** Times one runner. */
export async function measureLatency(runner: Runner, options: TimingOptions = {}): Promise<LatencyStats> {
  return (await measureInterleaved([runner], options))[0]!;
}

/** Median, p90, mean, min and max of a list of times. */
export function latencyStats(timesMs: readonly number[]): LatencyStats {
  if (timesMs.length === 0) throw new SculptError('BAD_ARGUMENT', 'latency statistics need at least one timed run');
  const sorted = [...timesMs].sort((a, b) => a - b);
  const n = sorted.length;
  const middle = Math.floor(n / 2);
  const medianMs = n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return {
    runs: n,
    medianMs,
    p90Ms: percentile(sorted, 0.9),
    meanMs: sorted.reduce((s, t) => s + t, 0) / n,
    minMs: sorted[0]!,
    maxMs: sorted[n - 1]!,
    timesMs: [...timesMs],
  };
}

/** Nearest-rank percentile of ascending `sorted`: the ⌈p·n⌉-th smallest value (p in (0, 1]). */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length - 1e-9));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Achieved GFLOP/s: 2 FLOPs per MAC, `macsPerSample · batch` MACs in `ms` milliseconds. */
export function achievedGflops(macsPerSample: number, batch: number, ms: number): number {
  return ms > 0 ? (2 * macsPerSample * batch) / (ms * 1e6) : NaN;
}

/** One cell of the benchmark matrix: which backend, how many threads, what batch. */
export interface BenchConfig {
  /** A key of `BenchOptions.backends`, e.g. 'onnxruntime-node'. */
  readonly backend: string;
  readonly threads: number;
  readonly batch: number;
}

/** A model to benchmark: its bytes (as onnxruntime loads them), counts, and input. */
export interface BenchModel {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly params: number;
  readonly macsPerSample: number;
  /** The model (for its input names, dtypes and shapes). */
  readonly model: Model;
  /** Per-input shapes replacing the declared ones; axis 0 is replaced by the batch size. */
  readonly inputShapes?: Readonly<Record<string, readonly (number | string)[]>>;
}

/** A prepared candidate: `run` makes one inference, `release` frees it. */
export interface PreparedRun {
  run(): Promise<unknown>;
  release(): Promise<void>;
}

/** Makes a PreparedRun for a model and config; injectable so tests need no runtime. */
export type Preparer = (model: BenchModel, config: BenchConfig) => Promise<PreparedRun>;

export interface BenchOptions extends Omit<TimingOptions, 'onProgress'> {
  readonly configs: readonly BenchConfig[];
  /** Backends by the names configs use. Needed unless `prepare` is given. */
  readonly backends?: Readonly<Record<string, Backend>>;
  /** Seed for the random inputs. Default 0. */
  readonly seed?: number;
  readonly prepare?: Preparer;
  /** Called after every run with runs done and the total over the whole matrix. */
  readonly onProgress?: (done: number, total: number, config: BenchConfig) => void;
}

/** One model under one config. */
export interface BenchResult extends LatencyStats {
  readonly config: BenchConfig;
  readonly gflops: number;
  /** This model's median over the first model's, same config (1 for the first model). */
  readonly ratio: number;
}

/** Everything measured for one model. */
export interface ModelBenchReport {
  readonly name: string;
  readonly bytes: number;
  readonly params: number;
  readonly macsPerSample: number;
  readonly results: readonly BenchResult[];
}

/**
 * Benchmarks models over a matrix of configs. For each config, every model's session is created,
 * their runs interleaved, then released — so models are compared under the same conditions.
 * @example const [report] = await benchModels([m], { configs: [{ backend: 'onnxruntime-node', threads: 1, batch: 1 }], backends: { 'onnxruntime-node': onnxruntimeNode } });
 */
export async function benchModels(models: readonly BenchModel[], options: BenchOptions): Promise<ModelBenchReport[]> {
  if (models.length === 0) throw new SculptError('BAD_ARGUMENT', 'benchModels needs at least one model');
  const prepare = options.prepare ?? sessionPreparer(options.backends ?? {}, options.seed ?? 0);
  const warmup = options.warmup ?? DEFAULT_WARMUP;
  const runs = options.runs ?? DEFAULT_RUNS;
  const perConfig = (warmup + runs) * models.length;
  const results = models.map(() => [] as BenchResult[]);
  for (const [c, config] of options.configs.entries()) {
    const prepared: PreparedRun[] = [];
    try {
      for (const model of models) prepared.push(await prepare(model, config));
      const stats = await measureInterleaved(
        prepared.map((p) => () => p.run()),
        {
          warmup,
          runs,
          ...(options.clock ? { clock: options.clock } : {}),
          onProgress: (done) => options.onProgress?.(c * perConfig + done, options.configs.length * perConfig, config),
        },
      );
      stats.forEach((s, m) => {
        results[m]!.push({ ...s, config, gflops: achievedGflops(models[m]!.macsPerSample, config.batch, s.medianMs), ratio: s.medianMs / stats[0]!.medianMs });
      });
    } finally {
      for (const p of prepared) await p.release();
    }
  }
  return models.map((m, i) => ({ name: m.name, bytes: m.bytes.byteLength, params: m.params, macsPerSample: m.macsPerSample, results: results[i]! }));
}

/** The default Preparer: a session on the named backend, fed seeded random inputs of the batch size. */
export function sessionPreparer(backends: Readonly<Record<string, Backend>>, seed: number): Preparer {
  return async (model, config) => {
    const backend = backends[config.backend];
    if (!backend) throw new SculptError('BAD_ARGUMENT', `no backend named '${config.backend}' (available: ${Object.keys(backends).join(', ') || 'none'})`);
    const feeds = randomFeeds(model, config.batch, seed);
    const session = await backend.createSession(model.bytes, { intraOpThreads: config.threads, interOpThreads: 1 });
    return { run: () => session.run(feeds), release: () => session.release() };
  };
}

/** Seeded inputs for every feed of a model: standard normal floats, zeros for integer inputs. */
export function randomFeeds(model: BenchModel, batch: number, seed: number): Feeds {
  const random = new Random(seed);
  const feeds: Record<string, Tensor> = {};
  for (const input of feedInputs(model.model.graph)) {
    const shape = model.inputShapes?.[input.name] ?? input.shape;
    if (!shape) throw new SculptError('BAD_ARGUMENT', `input '${input.name}' of ${model.name} has no declared shape; give one with --input-shape`);
    const dims = shape.map((d, axis) => (axis === 0 ? batch : d));
    const symbolic = dims.find((d) => typeof d !== 'number');
    if (symbolic !== undefined) {
      throw new SculptError('BAD_ARGUMENT', `input '${input.name}' of ${model.name} has a symbolic dim '${symbolic}' in [${shape.join(', ')}]; give a shape with --input-shape`);
    }
    const numeric = dims as number[];
    const data = allocate(input.dtype, sizeOf(numeric));
    if (data instanceof Float32Array || data instanceof Float64Array) for (let i = 0; i < data.length; i++) data[i] = random.normal();
    feeds[input.name] = { dtype: input.dtype, dims: numeric, data };
  }
  return feeds;
}
