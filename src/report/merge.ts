/**
 * Merging several results files into one report: the runs are listed side by side, the models
 * pooled (ids made unique), and the decision parts reconciled — identical criteria are kept,
 * the Pareto front is recomputed over the pooled models, of several chosen models the
 * smallest is kept, and the notes are listed one after another. Files about different datasets, tasks or metrics cannot be compared and
 * are refused.
 */
import { SculptError } from '../errors.js';
import { paretoFront } from './analysis.js';
import { formatBytes } from './format.js';
import type { ModelChoice, DeploymentCriteria, ModelEntry, ParetoFront, Results, RunInfo, TaskInfo } from './results.js';
import { validateResults } from './validate.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One results file to merge and the name errors and run listings call it by. */
export interface MergeInput {
  readonly results: Results;
  /** Usually the file path. */
  readonly source: string;
}

/**
 * Merges results files (in order; the first file's models come first). A model id that is
 * already taken gets a suffix: the second 'dense' becomes 'dense-2'.
 */
export function mergeResults(inputs: readonly MergeInput[]): Results {
  const first = inputs[0];
  if (!first) throw new SculptError('BAD_ARGUMENT', 'mergeResults needs at least one results file; pass one or more results.json files');
  if (inputs.length === 1) return first.results;

  const task = mergeTask(inputs);
  const runs: RunInfo[] = [];
  const models: ModelEntry[] = [];
  const taken = new Set<string>();
  const choices: { choice: ModelChoice; model: ModelEntry }[] = [];
  for (const { results, source } of inputs) {
    const runOffset = runs.length;
    for (const run of results.runs) runs.push(run.source === undefined ? { ...run, source } : run);
    const renamed = new Map<string, string>();
    for (const model of results.models) {
      const id = uniqueId(model.id, taken);
      renamed.set(model.id, id);
      const merged = { ...model, id, run: runOffset + (model.run ?? 0) };
      models.push(merged);
    }
    if (results.choice) {
      const id = renamed.get(results.choice.id)!;
      choices.push({ choice: { id, reason: results.choice.reason }, model: models.find((m) => m.id === id)! });
    }
  }

  const merged: Mutable<Results> = { format: first.results.format, version: first.results.version, task, runs, models };
  const criteria = mergeCriteria(inputs);
  if (criteria) merged.criteria = criteria;
  const choice = mergeChoices(choices);
  if (choice) merged.choice = choice;
  const front = inputs.find((i) => i.results.pareto)?.results.pareto;
  if (front) merged.pareto = recomputeFront(front, models);
  const notes = inputs.flatMap((i) => i.results.notes ?? []);
  if (notes.length > 0) merged.notes = notes;
  return validateResults(merged, 'merged results');
}

function mergeTask(inputs: readonly MergeInput[]): TaskInfo {
  const first = inputs[0]!;
  const describeTask = (t: TaskInfo): string => `${t.dataset}, ${t.task}, ${t.metric}`;
  for (const input of inputs.slice(1)) {
    const a = first.results.task;
    const b = input.results.task;
    if (a.dataset !== b.dataset || a.task !== b.task || a.metric !== b.metric) {
      throw new SculptError(
        'BAD_DATA',
        `cannot merge ${input.source} (${describeTask(b)}) with ${first.source} (${describeTask(a)}): merged results must share dataset, task and metric; report them separately`,
      );
    }
  }
  const { inputShape, ...task } = first.results.task;
  const sameShape = inputs.every((i) => sameNumbers(i.results.task.inputShape, inputShape));
  return sameShape && inputShape ? { ...task, inputShape } : task;
}

function uniqueId(id: string, taken: Set<string>): string {
  let candidate = id;
  for (let k = 2; taken.has(candidate); k += 1) candidate = `${id}-${k}`;
  taken.add(candidate);
  return candidate;
}

function mergeCriteria(inputs: readonly MergeInput[]): DeploymentCriteria | undefined {
  const stated = inputs.filter((i) => i.results.criteria);
  const first = stated[0];
  if (!first) return undefined;
  for (const other of stated.slice(1)) {
    if (!sameCriteria(first.results.criteria!, other.results.criteria!)) {
      throw new SculptError('BAD_DATA', `${first.source} and ${other.source} state different deployment criteria; merge results searched under the same criteria, or report them separately`);
    }
  }
  return first.results.criteria;
}

function sameCriteria(a: DeploymentCriteria, b: DeploymentCriteria): boolean {
  const la = a.maxLatency;
  const lb = b.maxLatency;
  const sameLatency = la === undefined || lb === undefined ? la === lb : la.ms === lb.ms && la.threads === lb.threads && la.batch === lb.batch;
  return a.minQuality === b.minQuality && a.maxParams === b.maxParams && a.maxBytes === b.maxBytes && sameLatency;
}

function mergeChoices(choices: readonly { choice: ModelChoice; model: ModelEntry }[]): ModelChoice | undefined {
  if (choices.length <= 1) return choices[0]?.choice;
  let best = choices[0]!;
  for (const candidate of choices.slice(1)) {
    const size = (m: ModelEntry): number => m.nonzeroParams ?? m.params;
    if (candidate.model.bytes < best.model.bytes || (candidate.model.bytes === best.model.bytes && size(candidate.model) < size(best.model))) best = candidate;
  }
  const reason = `${best.model.label} is the smallest (${formatBytes(best.model.bytes)}) of the ${choices.length} models chosen by the merged runs; its run chose it because: ${best.choice.reason}`;
  return { id: best.choice.id, reason };
}

function recomputeFront(front: ParetoFront, models: readonly ModelEntry[]): ParetoFront {
  return { ...front, ids: paretoFront(models, front.objectives, front.latencyConfig) };
}

function sameNumbers(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
