/**
 * `fit`: the deployment-criteria search. Given a trained model, criteria, a method and a
 * compression ladder, it makes every rung's candidate, measures size, cost and latency (which do
 * not depend on the weights), trains the rungs the search needs (./search.ts), and returns the
 * most compressed candidate meeting every criterion — with every candidate's measures, the
 * Pareto fronts (quality vs parameters, quality vs latency), and one sentence on the choice. When
 * nothing meets the criteria it names the closest candidates instead of failing.
 *
 * After the baseline, after the untrained candidates are timed, and after each training, the state
 * goes to the store (the CLI writes it atomically); `resume` continues from such a state without
 * retraining finished candidates.
 *
 * @example
 * const result = await fit({ model, method: channelMethod({ criterion: l1Criterion, backend }), criteria: parseCriteria({ minQuality: '0.96x' }),
 *   services: createFitServices({ backend, train, test, budget: { epochs: 2 } }), store: memoryStore(), fingerprint });
 * console.log(result.chosen?.reason);
 */
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { encodeModel } from '../onnx/encode.js';
import { layerCosts, totalCost } from '../ops/cost.js';
import { inferModel } from '../ops/infer.js';
import { checkMeasures, effectiveParams, latencyAt, totalShortfall, type CandidateRecord, type CriterionMiss, type ModelMeasures } from './candidate.js';
import { noCriteria, resolveCriteria, type FitCriteria, type LatencyConfig, type ResolvedCriteria } from './criteria.js';
import { DEFAULT_LADDER, formatFactor } from './ladder.js';
import { isUnreachableRung, type FitMethod, type FitServices, type PreparedCandidate } from './method.js';
import { paretoFront } from '../util/pareto.js';
import { choiceReason, closestReason } from './reason.js';
import { searchLadder, type SearchStrategy } from './search.js';
import { emptyState, type BaselineRecord, type FitFingerprint, type FitState } from './state.js';

/** Where a search keeps its state and models (the CLI: files in --out-dir; tests: memory). */
export interface FitStore {
  /** Persists the state (atomically: an interrupted write must leave the previous state). */
  saveState(state: FitState): void | Promise<void>;
  /** Stores a trained model; returns the file name the records refer to. */
  saveModel(id: string, model: Model): string | Promise<string>;
  /** Reads back a stored model. */
  loadModel(file: string): Model | Promise<Model>;
}

/** Progress of a search, for the CLI's lines and bars. */
export type FitEvent =
  | { readonly kind: 'baseline'; readonly baseline: BaselineRecord; readonly resumed: boolean }
  | { readonly kind: 'prepared'; readonly id: string; readonly params: number; readonly seconds: number }
  | { readonly kind: 'unreachable'; readonly id: string; readonly reason: string }
  | { readonly kind: 'timing'; readonly models: number; readonly configs: readonly LatencyConfig[] }
  | { readonly kind: 'training'; readonly id: string; readonly position: number }
  | { readonly kind: 'candidate'; readonly record: CandidateRecord; readonly misses: readonly CriterionMiss[]; readonly resumed: boolean };

/** Options of `fit`. */
export interface FitOptions {
  /** The unpruned model: trained, or untrained with `trainBaseline`. */
  readonly model: Model;
  readonly method: FitMethod;
  readonly criteria: FitCriteria;
  readonly services: FitServices;
  readonly store: FitStore;
  /** What identifies this search in its state (see ./state.ts). */
  readonly fingerprint: FitFingerprint;
  /** Compression factors, ascending. Default DEFAULT_LADDER (2x to 2048x). */
  readonly ladder?: readonly number[];
  /** Default 'binary'. */
  readonly strategy?: SearchStrategy;
  /** Configurations to time every model at, besides the latency criterion's. Default: batch 1, 1 thread. */
  readonly latencyConfigs?: readonly LatencyConfig[];
  /** Train the input model for the budget before the search (it is an untrained zoo model). */
  readonly trainBaseline?: boolean;
  /** The quality metric's name for messages ('Dice', 'accuracy'). Default 'quality'. */
  readonly metric?: string;
  /** A state from an earlier run of the same search (its fingerprint is checked by the caller). */
  readonly resume?: FitState;
  readonly onEvent?: (event: FitEvent) => void;
  /** Milliseconds, for generation times. Default performance.now(). */
  readonly clock?: () => number;
  /** Timestamps of records. Default the current time. */
  readonly now?: () => Date;
}

/** A model the search picked (a candidate, or the unpruned model when no candidate meets the criteria but it does). */
export interface FitChoice {
  readonly id: string;
  readonly reason: string;
  /** The chosen model's file in the store, when it has one. */
  readonly file?: string;
}

/** What `fit` found. */
export interface FitResult {
  readonly baseline: BaselineRecord;
  /** One record per reachable rung of the ladder, ascending. */
  readonly candidates: readonly CandidateRecord[];
  /** Rungs the method cannot make (e.g. below the parameters that cannot be pruned), with why. */
  readonly unreachable: readonly { readonly id: string; readonly target: number; readonly reason: string }[];
  readonly criteria: ResolvedCriteria;
  readonly metric: string;
  readonly strategy: SearchStrategy;
  /** Undefined when nothing meets the criteria. */
  readonly chosen?: FitChoice;
  /** The chosen model (trained), when there is one. */
  readonly chosenModel?: Model;
  /** When nothing meets: up to three candidates closest to meeting the criteria, with what they miss. */
  readonly closest: readonly { readonly id: string; readonly misses: readonly CriterionMiss[] }[];
  /** Why nothing was chosen, in one sentence (empty when something was). */
  readonly failure: string;
  /** Candidate ids in the order the search asked for them (trained now or read from the state). */
  readonly searched: readonly string[];
  /** Candidate ids trained by this process. */
  readonly trainedNow: readonly string[];
  /** Non-dominated models (ids; 'dense' is the unpruned model): quality vs parameters, and quality vs latency at `latencyConfig`. */
  readonly pareto: { readonly params: readonly string[]; readonly latency: readonly string[]; readonly latencyConfig: LatencyConfig };
  readonly state: FitState;
}

/** The id of the unpruned model in results. */
export const BASELINE_ID = 'dense';

/** Runs a criteria search (see the file comment). */
export async function fit(options: FitOptions): Promise<FitResult> {
  if (noCriteria(options.criteria)) throw new SculptError('BAD_ARGUMENT', 'sculpt fit needs at least one criterion: --min-quality, --max-latency, --max-params or --max-bytes');
  const ladder = options.ladder ?? DEFAULT_LADDER;
  if (ladder.length === 0) throw new SculptError('BAD_ARGUMENT', 'the compression ladder is empty; give factors such as 2,4,8');
  const strategy = options.strategy ?? 'binary';
  const metric = options.metric ?? 'quality';
  const clock = options.clock ?? (() => performance.now());
  const now = options.now ?? (() => new Date());
  const { method, services, store } = options;
  const configs = latencyConfigs(options);
  let state: FitState = options.resume ?? emptyState(options.fingerprint);
  const save = async (next: FitState): Promise<void> => {
    state = next;
    await store.saveState(state);
  };

  // 1. The unpruned model: trained (or given trained), evaluated, measured.
  let unpruned = options.model;
  if (state.baseline?.file !== undefined) unpruned = await store.loadModel(state.baseline.file);
  if (!state.baseline) {
    let baseline: BaselineRecord;
    if (options.trainBaseline) {
      const trained = await services.train(options.model, { id: BASELINE_ID });
      unpruned = trained.model;
      const file = await store.saveModel(BASELINE_ID, unpruned);
      baseline = { ...measureModel(unpruned), quality: trained.quality, trainedBySearch: true, training: trained.training, file };
    } else {
      baseline = { ...measureModel(unpruned), quality: await services.evaluate(unpruned), trainedBySearch: false };
    }
    await save({ ...state, baseline });
    options.onEvent?.({ kind: 'baseline', baseline, resumed: false });
  } else {
    options.onEvent?.({ kind: 'baseline', baseline: state.baseline, resumed: true });
  }
  const criteria = resolveCriteria(options.criteria, state.baseline!.quality!);
  const ids = ladder.map((target) => `${method.idPrefix}-${formatFactor(target)}`);

  // 2. Every rung made and timed, with the unpruned model, interleaved.
  const prepared = new Map<number, PreparedCandidate>();
  const prepare = async (rung: number): Promise<{ candidate: PreparedCandidate; seconds: number }> => {
    const cached = prepared.get(rung);
    if (cached) return { candidate: cached, seconds: 0 };
    const start = clock();
    const candidate = await method.prepare(unpruned, ladder[rung]!);
    const seconds = (clock() - start) / 1000;
    prepared.set(rung, candidate);
    return { candidate, seconds };
  };
  const recordOf = (rung: number): CandidateRecord | undefined => state.candidates.find((c) => c.id === ids[rung]);
  const unreachable: FitResult['unreachable'][number][] = [];
  const missingRungs = ladder.map((_, rung) => rung).filter((rung) => !recordOf(rung));
  const baselineUntimed = configs.some((c) => !latencyAt(state.baseline!, c));
  const untimed = ladder.map((_, rung) => rung).filter((rung) => recordOf(rung) && configs.some((c) => !latencyAt(recordOf(rung)!, c)));
  if (missingRungs.length > 0 || baselineUntimed || untimed.length > 0) {
    const made: { rung: number; candidate: PreparedCandidate; seconds: number }[] = [];
    for (const rung of [...missingRungs, ...untimed]) {
      let result: { candidate: PreparedCandidate; seconds: number };
      try {
        result = await prepare(rung);
      } catch (error) {
        if (!isUnreachableRung(error)) throw error;
        unreachable.push({ id: ids[rung]!, target: ladder[rung]!, reason: error.message });
        options.onEvent?.({ kind: 'unreachable', id: ids[rung]!, reason: error.message });
        continue;
      }
      const { candidate, seconds } = result;
      made.push({ rung, candidate, seconds });
      options.onEvent?.({ kind: 'prepared', id: ids[rung]!, params: effectiveParams({ params: measureModel(candidate.model).params, ...(candidate.nonzeroParams !== undefined ? { nonzeroParams: candidate.nonzeroParams } : {}) }), seconds });
    }
    const models = [unpruned, ...made.map((m) => m.candidate.model)];
    options.onEvent?.({ kind: 'timing', models: models.length, configs });
    const latencies = await services.measureLatency(models, configs);
    const baseline = { ...state.baseline!, latency: mergeLatency(state.baseline!.latency, latencies[0]!) };
    const denseParams = baseline.params;
    const records = made.map(({ rung, candidate, seconds }, i) => {
      const earlier = recordOf(rung);
      const latency = mergeLatency(earlier?.latency ?? [], latencies[i + 1]!);
      return earlier ? { ...earlier, latency } : untrainedRecord(ids[rung]!, ladder[rung]!, candidate, seconds, latency, denseParams, method, now());
    });
    await save({ ...state, baseline, candidates: upsert(state.candidates, records) });
  }

  // 3. The search: train what it needs, answering finished rungs from the state.
  const searched: string[] = [];
  const trainedNow: string[] = [];
  const models = new Map<string, Model>();
  const reachable = ladder.map((_, rung) => rung).filter((rung) => recordOf(rung) !== undefined);
  const { chosen: chosenRung } = await searchLadder({
    rungs: reachable.length,
    strategy,
    qualityFloor: criteria.minQuality !== undefined,
    feasible: (index) => checkMeasures(recordOf(reachable[index]!)!, criteria, { quality: false }).length === 0,
    train: async (index) => {
      const rung = reachable[index]!;
      const id = ids[rung]!;
      searched.push(id);
      let record = recordOf(rung)!;
      const resumed = record.trained;
      if (!resumed) {
        options.onEvent?.({ kind: 'training', id, position: searched.length });
        const { candidate } = await prepare(rung);
        const trained = await services.train(candidate.model, { id, ...(candidate.masks ? { masks: candidate.masks } : {}) });
        const file = await store.saveModel(id, trained.model);
        models.set(id, trained.model);
        trainedNow.push(id);
        prepared.delete(rung);
        record = { ...record, quality: trained.quality, trained: true, training: trained.training, file, finishedAt: now().toISOString() };
        await save({ ...state, candidates: upsert(state.candidates, [record]) });
      }
      const misses = checkMeasures(record, criteria, { metric });
      options.onEvent?.({ kind: 'candidate', record, misses, resumed });
      return !misses.some((m) => m.criterion === 'minQuality');
    },
  });

  // 4. The choice, the fronts and the sentences.
  const baseline = state.baseline!;
  // Indexed like the search's rungs.
  const candidates = reachable.map((rung) => recordOf(rung)!);
  const pareto = fronts(baseline, candidates, criteria, configs[0]!);
  let chosen: FitChoice | undefined;
  let chosenModel: Model | undefined;
  if (chosenRung !== undefined) {
    const record = candidates[chosenRung]!;
    chosen = { id: record.id, reason: choiceReason({ chosen: record, baseline, candidates, criteria, options: options.criteria, metric, strategy }), ...(record.file !== undefined ? { file: record.file } : {}) };
    chosenModel = models.get(record.id) ?? (record.file !== undefined ? await store.loadModel(record.file) : undefined);
  } else if (checkMeasures(baseline, criteria).length === 0) {
    chosen = { id: BASELINE_ID, reason: choiceReason({ chosen: undefined, baseline, candidates, criteria, options: options.criteria, metric, strategy }), ...(baseline.file !== undefined ? { file: baseline.file } : {}) };
    chosenModel = unpruned;
  }
  const closest = chosen ? [] : closestCandidates(baseline, candidates, criteria, metric);
  const failure = chosen ? '' : closestReason({ closest, candidates, baseline, criteria, options: options.criteria, metric });
  return { baseline, candidates, unreachable, criteria, metric, strategy, ...(chosen ? { chosen } : {}), ...(chosenModel ? { chosenModel } : {}), closest, failure, searched, trainedNow, pareto, state };
}

/** Parameters, MACs per sample and encoded bytes of a model; no quality or latency yet. */
export function measureModel(model: Model): ModelMeasures {
  const cost = totalCost(layerCosts(inferModel(model)));
  return { params: cost.params, macs: cost.macs, bytes: encodeModel(model).byteLength, quality: null, latency: [] };
}

/** The configurations to time at: the latency criterion's first, then the requested ones, without repeats. */
function latencyConfigs(options: FitOptions): LatencyConfig[] {
  const wanted = [...(options.criteria.maxLatency ? [options.criteria.maxLatency] : []), ...(options.latencyConfigs ?? [{ batch: 1, threads: 1 }])];
  const seen = new Map<string, LatencyConfig>();
  for (const c of wanted) if (!seen.has(`${c.batch}/${c.threads}`)) seen.set(`${c.batch}/${c.threads}`, { batch: c.batch, threads: c.threads });
  return [...seen.values()];
}

function mergeLatency<T extends LatencyConfig>(earlier: readonly T[], added: readonly T[]): T[] {
  return [...earlier.filter((e) => !added.some((a) => a.batch === e.batch && a.threads === e.threads)), ...added];
}

function upsert(list: readonly CandidateRecord[], records: readonly CandidateRecord[]): CandidateRecord[] {
  const ids = new Set(records.map((r) => r.id));
  return [...list.filter((c) => !ids.has(c.id)), ...records];
}

function untrainedRecord(id: string, target: number, candidate: PreparedCandidate, seconds: number, latency: CandidateRecord['latency'], denseParams: number, method: FitMethod, date: Date): CandidateRecord {
  const measures = measureModel(candidate.model);
  const nonzero = candidate.nonzeroParams;
  return {
    id,
    method: method.slug,
    ...(method.scorer !== undefined ? { scorer: method.scorer } : {}),
    target,
    compression: denseParams / (nonzero ?? measures.params),
    ...measures,
    ...(nonzero !== undefined ? { nonzeroParams: nonzero } : {}),
    latency,
    trained: false,
    generationSeconds: seconds,
    ...(candidate.layers ? { layers: candidate.layers } : {}),
    ...(candidate.sparsity !== undefined ? { sparsity: candidate.sparsity } : {}),
    finishedAt: date.toISOString(),
  };
}

/** Pareto fronts over the unpruned model and the trained candidates. */
function fronts(baseline: BaselineRecord, candidates: readonly CandidateRecord[], criteria: ResolvedCriteria, fallback: LatencyConfig): FitResult['pareto'] {
  const latencyConfig = criteria.maxLatency ? { batch: criteria.maxLatency.batch, threads: criteria.maxLatency.threads } : fallback;
  const items = [{ id: BASELINE_ID, measures: baseline as ModelMeasures }, ...candidates.filter((c) => c.trained).map((c) => ({ id: c.id, measures: c as ModelMeasures }))];
  const quality = { value: (i: (typeof items)[number]) => i.measures.quality, maximise: true };
  return {
    params: paretoFront(items, [quality, { value: (i) => effectiveParams(i.measures) }]).map((i) => i.id),
    latency: paretoFront(items, [quality, { value: (i) => latencyAt(i.measures, latencyConfig)?.medianMs }]).map((i) => i.id),
    latencyConfig,
  };
}

/** Up to three candidates (or the unpruned model) with the smallest total relative shortfall. */
function closestCandidates(baseline: BaselineRecord, candidates: readonly CandidateRecord[], criteria: ResolvedCriteria, metric: string): FitResult['closest'] {
  const all = [{ id: BASELINE_ID, measures: baseline as ModelMeasures }, ...candidates.map((c) => ({ id: c.id, measures: c as ModelMeasures }))];
  // Unknown quality (an untrained rung) counts as an infinite shortfall: such rungs come last, ranked by how many bounds they miss.
  const rank = (misses: readonly CriterionMiss[]): [number, number] => {
    const total = totalShortfall(misses);
    return Number.isFinite(total) ? [0, total] : [1, misses.length];
  };
  return all
    .map((c) => ({ id: c.id, misses: checkMeasures(c.measures, criteria, { metric }) }))
    .map((c) => ({ ...c, rank: rank(c.misses) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1])
    .slice(0, 3)
    .map(({ id, misses }) => ({ id, misses }));
}
