/**
 * The experiment runner: runs the cells of a named experiment that are not finished yet, and after
 * each one writes its results part — a results file in the report model's shape (models, runs)
 * and a state file (settings, finished cells, details the results model has no field for) —
 * through a store, which on Node writes both atomically. A rerun reads them back and skips every
 * finished cell, so an interrupted run (Ctrl-C, a kill, a crash) continues where it stopped.
 *
 * @example
 * const summary = await runExperiment({ definition, config, store, services, command: 'sculpt exp table-a', seed: 0 });
 */
import { SculptError, isSculptError } from '../errors.js';
import type { MachineInfo, ModelEntry, Results, RunInfo, TaskInfo } from '../report/results.js';
import { createResults } from '../report/validate.js';
import type { Backend } from '../runtime/backend.js';
import { layerCosts, totalCost } from '../ops/cost.js';
import { inferModel } from '../ops/infer.js';
import { buildZooModel } from '../zoo/index.js';
import { networkFor, settingsFingerprint, type ExperimentConfig, type TrainingSettings } from './config.js';
import { padData, type ExperimentData } from './data.js';
import { generationOutput, measureGeneration, type GenerationOutcome, type GenerationRequest } from './generate-cell.js';
import { cellModelIds, experimentCells, type Cell, type ExperimentDefinition, type GenerateCell, type TrainCell } from './grid.js';
import { runTrainCell, type CellOutput, type CellProgress, type ModelDetails } from './train-cell.js';

/** The value of `format` in every state file. */
export const STATE_FORMAT = 'sculpt-experiment-state';

/** A finished cell as the state file records it. */
export interface CellRecord {
  /** The model ids it wrote to the results file. */
  readonly models: readonly string[];
  /** Wall time of the cell, seconds. */
  readonly seconds: number;
  /** Index into the results file's runs. */
  readonly run: number;
  readonly details: Readonly<Record<string, ModelDetails>>;
}

/** The state of one results part: what it was run with and which cells are finished. */
export interface PartState {
  readonly format: typeof STATE_FORMAT;
  readonly version: 1;
  readonly experiment: string;
  readonly part: string;
  /** settingsFingerprint of the configuration the cells were run with. */
  readonly settings: string;
  /** The configuration of the latest run. */
  readonly config: ExperimentConfig;
  readonly cells: Readonly<Record<string, CellRecord>>;
}

/** A results part as stored: the results file and the state file (either may be missing). */
export interface PartFiles {
  readonly results?: Results;
  readonly state?: PartState;
}

/** Where results parts live; the Node store writes `<dir>/<part>.json` and `<dir>/<part>.state.json` atomically. */
export interface ExperimentStore {
  read(part: string): PartFiles;
  /** Writes the results file, then the state file (a cell counts as finished only once the state lists it). */
  write(part: string, results: Results, state: PartState): void;
}

/** What the runner needs from its platform. */
export interface ExperimentServices {
  readonly backend: Backend;
  readonly machine: MachineInfo;
  /** Loads a dataset spec with the training settings' subset sizes and data seed. */
  loadData(spec: string, settings: TrainingSettings): ExperimentData;
  /** Measures one generation in a fresh process (peak memory); default: in this process, without peak memory. */
  generate?(request: GenerationRequest): Promise<GenerationOutcome>;
  /** Milliseconds; default performance.now(). */
  readonly clock?: () => number;
  /** The run's start date; default new Date(). */
  readonly now?: () => Date;
}

/** What the runner reports as it goes. */
export type ExperimentEvent =
  | { readonly type: 'plan'; readonly total: number; readonly finished: number; readonly todo: number }
  | { readonly type: 'cell-start'; readonly cell: Cell; readonly index: number; readonly todo: number; readonly etaSeconds: number }
  | { readonly type: 'cell-progress'; readonly cell: Cell; readonly progress: CellProgress }
  | { readonly type: 'cell-done'; readonly cell: Cell; readonly index: number; readonly todo: number; readonly seconds: number; readonly etaSeconds: number };

/** Options of runExperiment. */
export interface RunExperimentOptions {
  readonly definition: ExperimentDefinition;
  readonly config: ExperimentConfig;
  readonly store: ExperimentStore;
  readonly services: ExperimentServices;
  /** The command line, recorded in each part's runs. */
  readonly command: string;
  /** The run's seed as the results model records it. */
  readonly seed: number;
  /** Only the cells whose id passes. */
  readonly filter?: (cell: Cell) => boolean;
  /** Stop after this many cells have been run (the rest stay for a rerun). */
  readonly maxCells?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: ExperimentEvent) => void;
}

/** What a run did. */
export interface ExperimentSummary {
  readonly experiment: string;
  /** Results parts touched or read. */
  readonly parts: readonly string[];
  /** Cell ids run now, finished earlier, and left to run. */
  readonly computed: readonly string[];
  readonly skipped: readonly string[];
  readonly remaining: readonly string[];
  /** True when the run stopped on its signal (Ctrl-C). */
  readonly interrupted: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A part being worked on: its files and this run's index in its runs, once it has one. */
interface OpenPart {
  results: Results | undefined;
  state: PartState;
  run: number | undefined;
}

/** Runs the unfinished cells of an experiment (see the file comment). */
export async function runExperiment(options: RunExperimentOptions): Promise<ExperimentSummary> {
  const { definition, config, store, services } = options;
  const clock = services.clock ?? (() => performance.now());
  const started = (services.now ?? (() => new Date()))();
  const startedAt = clock();
  const cells = experimentCells(definition, config).filter((cell) => options.filter?.(cell) ?? true);
  const settings = settingsFingerprint(config);
  const parts = new Map<string, OpenPart>();
  for (const part of new Set(cells.map((c) => c.part))) parts.set(part, openPart(store, part, config, settings));
  const finished = (cell: Cell): boolean => {
    const part = parts.get(cell.part)!;
    const ids = new Set(part.results?.models.map((m) => m.id) ?? []);
    return part.state.cells[cell.id] !== undefined && cellModelIds(cell).every((id) => ids.has(id));
  };
  const skipped = cells.filter(finished).map((c) => c.id);
  const todo = cells.filter((c) => !finished(c));
  options.onEvent?.({ type: 'plan', total: cells.length, finished: skipped.length, todo: todo.length });

  const data = new DataCache(services, config.training);
  const weights = todo.map((cell) => cellWeight(cell, config, data));
  let doneWeight = 0;
  let doneSeconds = 0;
  const eta = (from: number): number => {
    const left = weights.slice(from).reduce((s, w) => s + w, 0);
    return doneWeight > 0 ? (left * doneSeconds) / doneWeight : NaN;
  };
  const computed: string[] = [];
  let interrupted = false;
  for (const [index, cell] of todo.entries()) {
    if (options.maxCells !== undefined && computed.length >= options.maxCells) break;
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    options.onEvent?.({ type: 'cell-start', cell, index, todo: todo.length, etaSeconds: eta(index) });
    const cellStart = clock();
    let output: CellOutput;
    try {
      output = await runCell(cell, config, services, data, clock, options);
    } catch (error) {
      if (isSculptError(error, 'INTERRUPTED')) {
        interrupted = true;
        break;
      }
      throw error;
    }
    const seconds = (clock() - cellStart) / 1000;
    const part = parts.get(cell.part)!;
    const runs = [...(part.results?.runs ?? [])];
    const run: Mutable<RunInfo> = { date: started.toISOString(), command: options.command, seed: options.seed, machine: services.machine, seconds: (clock() - startedAt) / 1000 };
    if (part.run === undefined) part.run = runs.length;
    runs[part.run] = run;
    const ids = new Set(output.models.map((m) => m.id));
    const models: ModelEntry[] = [...(part.results?.models.filter((m) => !ids.has(m.id)) ?? []), ...output.models.map((m) => ({ ...m, run: part.run! }))];
    part.results = createResults({ task: part.results?.task ?? taskFor(cell, data), runs, models });
    part.state = { ...part.state, config, cells: { ...part.state.cells, [cell.id]: { models: cellModelIds(cell), seconds, run: part.run, details: output.details } } };
    store.write(cell.part, part.results, part.state);
    computed.push(cell.id);
    doneWeight += weights[index]!;
    doneSeconds += seconds;
    options.onEvent?.({ type: 'cell-done', cell, index, todo: todo.length, seconds, etaSeconds: eta(index + 1) });
  }
  const done = new Set([...skipped, ...computed]);
  return { experiment: config.experiment, parts: [...parts.keys()], computed, skipped, remaining: cells.filter((c) => !done.has(c.id)).map((c) => c.id), interrupted };
}

/** Reads a part, refusing one made with other settings. */
function openPart(store: ExperimentStore, part: string, config: ExperimentConfig, settings: string): OpenPart {
  const files = store.read(part);
  const state = files.state;
  if (state && state.settings !== settings) {
    throw new SculptError(
      'BAD_ARGUMENT',
      `results part '${part}' was run with other settings (${describeDifference(state.settings, settings)}); rerun with the same options, or write to another folder with --results`,
    );
  }
  return { results: files.results, state: state ?? { format: STATE_FORMAT, version: 1, experiment: config.experiment, part, settings, config, cells: {} }, run: undefined };
}

/** The first setting that differs between two fingerprints, as 'training.epochs 2 → 3'. */
function describeDifference(before: string, after: string): string {
  const flat = (value: unknown, prefix: string, out: Map<string, string>): Map<string, string> => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) flat(v, prefix ? `${prefix}.${k}` : k, out);
    else out.set(prefix, JSON.stringify(value));
    return out;
  };
  const a = flat(JSON.parse(before), '', new Map());
  const b = flat(JSON.parse(after), '', new Map());
  for (const key of new Set([...a.keys(), ...b.keys()])) if (a.get(key) !== b.get(key)) return `${key} ${a.get(key) ?? 'unset'} → ${b.get(key) ?? 'unset'}`;
  return 'settings differ';
}

/** Loads each dataset once, and pads it once per input size. */
class DataCache {
  private readonly loaded = new Map<string, ExperimentData>();
  private readonly padded = new Map<string, ExperimentData>();
  private readonly macs = new Map<string, number>();

  constructor(
    private readonly services: ExperimentServices,
    private readonly settings: TrainingSettings,
  ) {}

  /** The dataset, padded for the network. */
  forNetwork(spec: string, networkKey: string): ExperimentData {
    const size = networkFor(networkKey).minSize;
    const key = `${spec}\u0000${size ?? ''}`;
    let data = this.padded.get(key);
    if (!data) {
      let raw = this.loaded.get(spec);
      if (!raw) {
        raw = this.services.loadData(spec, this.settings);
        this.loaded.set(spec, raw);
      }
      data = padData(raw, size);
      this.padded.set(key, data);
    }
    return data;
  }

  /** Dense MACs per sample of a network on a dataset (for the ETA's weights). */
  denseMacs(spec: string, networkKey: string): number {
    const key = `${spec}\u0000${networkKey}`;
    let macs = this.macs.get(key);
    if (macs === undefined) {
      const { train } = this.forNetwork(spec, networkKey);
      const model = buildZooModel(`${networkFor(networkKey).zoo},input=${train.channels}x${train.height}x${train.width},classes=${train.numClasses}`, { seed: 0 });
      macs = totalCost(layerCosts(inferModel(model))).macs;
      this.macs.set(key, macs);
    }
    return macs;
  }
}

/**
 * A cell's expected cost in arbitrary units, for the ETA: training MACs of its dense-shaped models
 * plus half as much for each Reconvene variant (narrower), or for generation cells the network's
 * MACs times the gradient passes of each scorer.
 */
function cellWeight(cell: Cell, config: ExperimentConfig, data: DataCache): number {
  if (cell.kind === 'generate') {
    const passes = cell.scorers.reduce((n, s) => n + (s === 'synflow' ? 100 : 3), 0);
    return (networkFor(cell.network).megaMacs ?? 1) * passes * cell.sparsities.length;
  }
  const models = cell.scorer === undefined ? 1 : 1 + 0.5 * cell.variants.length;
  return data.denseMacs(cell.dataset, cell.network) * models * config.training.trainExamples * config.training.epochs;
}

async function runCell(cell: Cell, config: ExperimentConfig, services: ExperimentServices, data: DataCache, clock: () => number, options: RunExperimentOptions): Promise<CellOutput> {
  const onProgress = (progress: CellProgress): void => options.onEvent?.({ type: 'cell-progress', cell, progress });
  if (cell.kind === 'generate') return runGenerateCell(cell, config, services, onProgress);
  return runTrainCell(cell as TrainCell, {
    config,
    backend: services.backend,
    data: data.forNetwork(cell.dataset, cell.network),
    clock,
    onProgress,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

async function runGenerateCell(cell: GenerateCell, config: ExperimentConfig, services: ExperimentServices, onProgress: (progress: CellProgress) => void): Promise<CellOutput> {
  const requests = cell.sparsities.flatMap((sparsity) => cell.scorers.map((scorer): GenerationRequest => ({ network: cell.network, scorer, sparsity, seed: cell.seed, batch: 10, threads: config.training.threads })));
  const outcomes: GenerationOutcome[] = [];
  for (const [i, request] of requests.entries()) {
    onProgress({ phase: 'generate', model: `${request.scorer} ${request.sparsity}`, done: i, total: requests.length });
    outcomes.push(services.generate ? await services.generate(request) : await measureInProcess(request, services.backend));
  }
  return generationOutput(cell, outcomes);
}

/** A generation in this process; a SculptError other than an interruption is recorded as the outcome. */
async function measureInProcess(request: GenerationRequest, backend: Backend): Promise<GenerationOutcome> {
  try {
    return await measureGeneration(request, backend);
  } catch (error) {
    if (isSculptError(error) && error.code !== 'INTERRUPTED') return { request, failed: { code: error.code, message: error.message } };
    throw error;
  }
}

/** The task a part's results describe, from its first cell. */
function taskFor(cell: Cell, data: DataCache): TaskInfo {
  if (cell.kind === 'generate') return { dataset: 'random-normal', task: 'classification', metric: 'accuracy' };
  const { name, train } = data.forNetwork(cell.dataset, cell.network);
  return { dataset: name, task: 'classification', metric: 'accuracy', inputShape: [1, train.channels, train.height, train.width] };
}
