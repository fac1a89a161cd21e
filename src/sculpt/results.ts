/**
 * A search's results in the results-file shape `sculpt report` reads (format 'sculpt-results',
 * version 1; see the report stream's src/report/results.ts): the unpruned model and every rung as
 * model entries, the resolved criteria, the choice with its reason, and the quality-vs-parameters
 * Pareto front. The quality-vs-latency front and the search path are in `fit --json` (FitJson).
 */
import type { CandidateRecord } from './candidate.js';
import { BASELINE_ID, type FitResult } from './fit.js';
import { formatFactor } from './ladder.js';

/** Where and how the search ran, as the results file records it. */
export interface FitRunInfo {
  readonly date: string;
  readonly command: string;
  readonly seed: number;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string; readonly onnxruntime: string; readonly os?: string };
  readonly sculpt?: string;
}

/** What the models were trained and measured on. */
export interface FitTaskInfo {
  readonly dataset: string;
  readonly task: 'classification' | 'segmentation';
  readonly metric: 'accuracy' | 'dice';
  readonly inputShape?: readonly number[];
}

/** A results file (the report stream's `Results`). */
export interface FitResultsFile {
  readonly format: 'sculpt-results';
  readonly version: 1;
  readonly task: FitTaskInfo;
  readonly runs: readonly FitRunInfo[];
  readonly models: readonly Record<string, unknown>[];
  readonly criteria?: Record<string, unknown>;
  readonly choice?: { readonly id: string; readonly reason: string };
  readonly pareto?: { readonly objectives: readonly string[]; readonly ids: readonly string[] };
}

/**
 * The results file of a search. `files` maps store files to paths relative to the results file
 * (default: unchanged).
 */
export function fitResultsFile(result: FitResult, info: { readonly task: FitTaskInfo; readonly run: FitRunInfo; readonly files?: (file: string) => string }): FitResultsFile {
  const relocate = info.files ?? ((file: string) => file);
  const baseline = result.baseline;
  const latency = (list: CandidateRecord['latency']): Record<string, number>[] => list.map((l) => ({ threads: l.threads, batch: l.batch, medianMs: l.medianMs, p90Ms: l.p90Ms, runs: l.runs }));
  const dense: Record<string, unknown> = {
    id: BASELINE_ID,
    label: 'Unpruned',
    method: 'dense',
    compression: 1,
    params: baseline.params,
    macs: baseline.macs,
    bytes: baseline.bytes,
    quality: baseline.quality,
    latency: latency(baseline.latency),
    ...(baseline.training ? { training: baseline.training } : {}),
    ...(baseline.file !== undefined ? { file: relocate(baseline.file) } : {}),
  };
  const models = result.candidates.map((c): Record<string, unknown> => ({
    id: c.id,
    label: `${c.id.replace(/-[^-]+x$/, '')} ${formatFactor(c.target)}${c.trained ? '' : ' (not trained)'}`,
    method: c.method,
    ...(c.scorer !== undefined ? { scorer: c.scorer } : {}),
    ...(c.sparsity !== undefined ? { sparsity: c.sparsity } : {}),
    compression: c.compression,
    params: c.params,
    ...(c.nonzeroParams !== undefined ? { nonzeroParams: c.nonzeroParams } : {}),
    macs: c.macs,
    bytes: c.bytes,
    quality: c.quality,
    latency: latency(c.latency),
    generationSeconds: c.generationSeconds,
    ...(c.training ? { training: c.training } : {}),
    ...(c.layers ? { layers: c.layers } : {}),
    ...(c.file !== undefined ? { file: relocate(c.file) } : {}),
  }));
  const criteria = result.criteria;
  return {
    format: 'sculpt-results',
    version: 1,
    task: info.task,
    runs: [info.run],
    models: [dense, ...models],
    criteria: {
      ...(criteria.minQuality !== undefined ? { minQuality: criteria.minQuality } : {}),
      ...(criteria.maxLatency ? { maxLatency: { threads: criteria.maxLatency.threads, batch: criteria.maxLatency.batch, ms: criteria.maxLatency.ms } } : {}),
      ...(criteria.maxParams !== undefined ? { maxParams: criteria.maxParams } : {}),
      ...(criteria.maxBytes !== undefined ? { maxBytes: criteria.maxBytes } : {}),
    },
    ...(result.chosen ? { choice: { id: result.chosen.id, reason: result.chosen.reason } } : {}),
    pareto: { objectives: ['quality', 'params'], ids: result.pareto.params },
  };
}
