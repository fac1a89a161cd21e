/**
 * The results model: the one JSON shape that `sculpt demo`, `sculpt fit`, `sculpt prune --json`
 * and the experiment runner write, and `sculpt report` reads. A results file describes one or
 * more runs (where and how the numbers were measured), the models they produced, and — for a
 * deployment-criteria search — the criteria, the chosen model with its reason, and the Pareto
 * front. Plain data only: it round-trips through JSON.stringify / parseResults unchanged.
 *
 * Example:
 * ```ts
 * const results = createResults({
 *   task: { dataset: 'mnist', task: 'classification', metric: 'accuracy' },
 *   runs: [{ date: new Date().toISOString(), command: 'sculpt demo', seed: 1, machine }],
 *   models: [{ id: 'dense', label: 'Dense', method: 'dense', compression: 1, params: 61706, macs: 421642, bytes: 248123, quality: 0.981, latency: [] }],
 * });
 * ```
 */
import type { Task } from '../data/dataset.js';

/** The value of `format` in every results file. */
export const RESULTS_FORMAT = 'sculpt-results';

/** The results-file version this Sculpt writes and reads; other versions are rejected. */
export const RESULTS_VERSION = 1;

/** The kinds of task a results file can describe (the data layer's `Task`). */
export const TASKS = ['classification', 'segmentation'] as const satisfies readonly Task[];

/**
 * Quality metrics, both in [0, 1] with higher better: top-1 accuracy for classification, mean
 * foreground Dice for segmentation.
 */
export const QUALITY_METRICS = ['accuracy', 'dice'] as const;
/** The metric a model's `quality` is measured in. */
export type QualityMetric = (typeof QUALITY_METRICS)[number];

/** What the models were trained and measured on. */
export interface TaskInfo {
  /** Dataset name as the data layer spells it ('mnist', 'cifar10', 'camus', 'phantom', ...). */
  readonly dataset: string;
  readonly task: Task;
  readonly metric: QualityMetric;
  /** Model input shape with the batch dimension, e.g. [1, 1, 28, 28]. */
  readonly inputShape?: readonly number[];
}

/** The machine a run measured on. */
export interface MachineInfo {
  /** CPU model name as the OS reports it. */
  readonly cpu: string;
  /** Logical cores available to the process. */
  readonly cores: number;
  /** Node.js version, e.g. 'v20.20.2'. */
  readonly node: string;
  /** onnxruntime version that measured latency and ran training, e.g. '1.30.0'. */
  readonly onnxruntime: string;
  /** Operating system and architecture, e.g. 'linux x64'. */
  readonly os?: string;
}

/** One invocation that produced models: when, where, how. */
export interface RunInfo {
  /** ISO 8601 date-time the run started. */
  readonly date: string;
  /** The command line, as typed (e.g. 'sculpt demo --seed 1'). */
  readonly command: string;
  /** The seed every random choice in the run derived from. */
  readonly seed: number;
  readonly machine: MachineInfo;
  /** Sculpt version that wrote the file. */
  readonly sculpt?: string;
  /** Wall time of the whole run, in seconds. */
  readonly seconds?: number;
  /** The results file this run came from; set by mergeResults. */
  readonly source?: string;
}

/** A measured latency at one runtime configuration. */
export interface LatencyMeasurement {
  /** onnxruntime intra-op threads. */
  readonly threads: number;
  /** Batch size of the measured input. */
  readonly batch: number;
  /** Median wall time of one inference call, in milliseconds. */
  readonly medianMs: number;
  /** 90th-percentile wall time, in milliseconds. */
  readonly p90Ms: number;
  /** How many timed calls the statistics come from. */
  readonly runs?: number;
}

/** A runtime configuration latency is measured (or required) at. */
export interface LatencyConfig {
  readonly threads: number;
  readonly batch: number;
}

/** How much training a model received. Any subset may be known. */
export interface TrainingBudget {
  readonly epochs?: number;
  /** Optimiser steps. */
  readonly steps?: number;
  /** Training examples seen in total (steps × batch). */
  readonly examples?: number;
  /** Wall time spent training, in seconds. */
  readonly seconds?: number;
}

/**
 * One prunable layer's output width before and after pruning. The channel pruner's
 * `LayerWidth` (name, op, before, after) is one of these as it is.
 */
export interface LayerWidthEntry {
  /** Node name in the ONNX graph. */
  readonly name: string;
  /** ONNX op type of the layer ('Conv', 'Gemm', ...). */
  readonly op?: string;
  /** Output channels (or features) of the dense layer. */
  readonly before: number;
  /** Output channels left in the pruned model (equal to `before` for unstructured pruning). */
  readonly after: number;
  /** Fraction of this layer's weights that are non-zero in the pruned model. */
  readonly density?: number;
}

/**
 * One model: how it was made and what it measured. `method` is a lower-case slug; the ones
 * Sculpt writes are 'dense', 'upai' (unstructured pruning at initialisation), 'reconvene',
 * 'structured-zero' (delete emptied filters of a UPaI mask), 'l1', 'l2', 'bn-scale', 'taylor'
 * (post-training structured criteria) and 'sculpt' (criteria search).
 */
export interface ModelEntry {
  /** Unique within the results file; the chosen model and the Pareto front refer to it. */
  readonly id: string;
  /** Human-readable name shown in tables and legends. */
  readonly label: string;
  readonly method: string;
  /** Saliency criterion that scored the weights or channels ('synflow', 'snip', 'l1', ...). */
  readonly scorer?: string;
  /** Fraction of prunable weights removed or zeroed, in [0, 1). */
  readonly sparsity?: number;
  /** Dense parameter count divided by this model's non-zero parameter count (1 for dense). */
  readonly compression: number;
  /** Parameters stored in the model file (zeros included). */
  readonly params: number;
  /** Non-zero parameters. */
  readonly nonzeroParams?: number;
  /** Multiply-accumulates per sample as stored (zeros in dense tensors count). */
  readonly macs: number;
  /** Size of the .onnx file in bytes. */
  readonly bytes: number;
  /** Quality on the held-out set in the task's metric, in [0, 1]; null when not measured. */
  readonly quality: number | null;
  /** Latency at each measured configuration (empty when not measured). */
  readonly latency: readonly LatencyMeasurement[];
  /** Wall time to generate the pruned model (scoring, masking, surgery), in seconds. */
  readonly generationSeconds?: number;
  readonly training?: TrainingBudget;
  /** Per prunable layer, in graph order. */
  readonly layers?: readonly LayerWidthEntry[];
  /** The .onnx file, relative to the results file's folder. */
  readonly file?: string;
  /** Index into `runs` of the run that produced this model (default 0). */
  readonly run?: number;
  /** Seed of this model when it differs from the run's. */
  readonly seed?: number;
}

/** Deployment criteria: every stated bound must hold. At least one is stated. */
export interface DeploymentCriteria {
  /** Lowest acceptable quality, in the task's metric. */
  readonly minQuality?: number;
  /** Highest acceptable median latency at a configuration. */
  readonly maxLatency?: LatencyConfig & { readonly ms: number };
  /** Most parameters (non-zero parameters when recorded, else stored). */
  readonly maxParams?: number;
  /** Largest .onnx file in bytes. */
  readonly maxBytes?: number;
}

/** The model a criteria search picked, and why, in one sentence. */
export interface ModelChoice {
  readonly id: string;
  readonly reason: string;
}

/** A model measure a Pareto front can trade off; quality is maximised, the others minimised. */
export const PARETO_OBJECTIVES = ['quality', 'params', 'nonzeroParams', 'macs', 'bytes', 'latency'] as const;
/** One measure of a Pareto front. */
export type ParetoObjective = (typeof PARETO_OBJECTIVES)[number];

/** The models no other model beats on every objective at once. */
export interface ParetoFront {
  readonly objectives: readonly ParetoObjective[];
  /** The configuration the 'latency' objective is read at; required when it is an objective. */
  readonly latencyConfig?: LatencyConfig;
  readonly ids: readonly string[];
}

/** A complete results file. */
export interface Results {
  readonly format: typeof RESULTS_FORMAT;
  readonly version: typeof RESULTS_VERSION;
  readonly task: TaskInfo;
  /** At least one run; models point into this list with `run`. */
  readonly runs: readonly RunInfo[];
  /** At least one model; the first 'dense' model (else the first model) is the baseline ratios are taken against. */
  readonly models: readonly ModelEntry[];
  readonly criteria?: DeploymentCriteria;
  readonly choice?: ModelChoice;
  readonly pareto?: ParetoFront;
  /** Sentences shown with the decision, e.g. why no model was chosen or what a search skipped. */
  readonly notes?: readonly string[];
}

/** Everything a producer fills in; `createResults` (validate.ts) adds the format and version. */
export type ResultsInput = Omit<Results, 'format' | 'version'>;

/** The model ratios and deltas are taken against: the first 'dense' model, else the first model. */
export function baselineModel(results: Results): ModelEntry {
  return results.models.find((m) => m.method === 'dense') ?? results.models[0]!;
}

/** The measurement at a configuration, if the model has one. */
export function latencyAt(model: ModelEntry, config: LatencyConfig): LatencyMeasurement | undefined {
  return model.latency.find((l) => l.threads === config.threads && l.batch === config.batch);
}

/**
 * The configuration tables and plots show latency at: the criteria's, else the Pareto front's
 * (each only when some model was measured there), else the most common configuration among the
 * models (ties: the first seen).
 */
export function primaryLatencyConfig(results: Results): LatencyConfig | undefined {
  for (const stated of [results.criteria?.maxLatency, results.pareto?.latencyConfig]) {
    if (stated && results.models.some((m) => latencyAt(m, stated))) return { threads: stated.threads, batch: stated.batch };
  }
  const counts = new Map<string, { config: LatencyConfig; count: number }>();
  for (const model of results.models) {
    for (const l of model.latency) {
      const key = `${l.threads}x${l.batch}`;
      const entry = counts.get(key) ?? { config: { threads: l.threads, batch: l.batch }, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
  }
  let best: { config: LatencyConfig; count: number } | undefined;
  for (const entry of counts.values()) if (!best || entry.count > best.count) best = entry;
  return best?.config;
}

/** Every distinct latency configuration measured, ordered by threads then batch. */
export function latencyConfigs(results: Results): LatencyConfig[] {
  const seen = new Map<string, LatencyConfig>();
  for (const model of results.models) for (const l of model.latency) seen.set(`${l.threads}x${l.batch}`, { threads: l.threads, batch: l.batch });
  return [...seen.values()].sort((a, b) => a.threads - b.threads || a.batch - b.batch);
}
