/**
 * Reading a results file safely: every field is checked against the results model and copied
 * into a fresh value, so a malformed or hand-edited file fails here with one line naming the
 * file, the field (as a path like `models[2].params`), what was allowed and what was found —
 * never later as a NaN in a table or a blank plot.
 */
import { SculptError } from '../errors.js';
import {
  PARETO_OBJECTIVES,
  QUALITY_METRICS,
  RESULTS_FORMAT,
  RESULTS_VERSION,
  TASKS,
  type ModelChoice,
  type DeploymentCriteria,
  type LatencyConfig,
  type LatencyMeasurement,
  type LayerWidthEntry,
  type MachineInfo,
  type ModelEntry,
  type ParetoFront,
  type Results,
  type ResultsInput,
  type RunInfo,
  type TaskInfo,
  type TrainingBudget,
} from './results.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Fields = Record<string, unknown>;

const SLUG = /^[a-z0-9][a-z0-9-]*$/;

/** Builds a results value with the current format and version, validated (throws BAD_DATA naming the bad field). */
export function createResults(input: ResultsInput): Results {
  return validateResults({ format: RESULTS_FORMAT, version: RESULTS_VERSION, ...input }, 'results');
}

/** Parses and validates the text of a results file; `source` (the file name) prefixes every error. */
export function parseResults(text: string, source = 'results'): Results {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SculptError('BAD_DATA', `${source}: not valid JSON (${reason}); a results file is the results.json Sculpt writes`);
  }
  return validateResults(value, source);
}

/**
 * Checks that `value` is a results file of the supported version and returns a validated copy
 * holding only the known fields. Throws SculptError BAD_DATA on the first problem.
 */
export function validateResults(value: unknown, source = 'results'): Results {
  const read: FieldReader = new FieldReader(source);
  if (!isFields(value)) read.fail('the top level', 'a JSON object', value);
  if (value['format'] !== RESULTS_FORMAT) {
    throw new SculptError('BAD_DATA', `${source}: not a Sculpt results file (its "format" is ${describe(value['format'])}, expected "${RESULTS_FORMAT}"); pass the results.json Sculpt writes`);
  }
  const version = value['version'];
  if (version !== RESULTS_VERSION) {
    throw new SculptError(
      'BAD_DATA',
      `${source}: results version ${describe(version)} is not supported (this Sculpt reads version ${RESULTS_VERSION}); regenerate the file with this Sculpt or use the Sculpt that wrote it`,
    );
  }
  const top = read.object(value, '', ['format', 'version', 'task', 'runs', 'models', 'criteria', 'choice', 'pareto', 'notes']);
  const runs = read.array(top['runs'], 'runs', 1).map((run, i) => readRun(read, run, `runs[${i}]`));
  const models = read.array(top['models'], 'models', 1).map((model, i) => readModel(read, model, `models[${i}]`, runs.length));
  const ids = new Set<string>();
  models.forEach((model, i) => {
    if (ids.has(model.id)) read.fail(`models[${i}].id`, 'unique among the models', model.id);
    ids.add(model.id);
  });
  const results: Mutable<Results> = { format: RESULTS_FORMAT, version: RESULTS_VERSION, task: readTask(read, top['task'], 'task'), runs, models };
  if (top['criteria'] !== undefined) results.criteria = readCriteria(read, top['criteria'], 'criteria');
  if (top['choice'] !== undefined) results.choice = readChoice(read, top['choice'], 'choice', ids);
  if (top['pareto'] !== undefined) results.pareto = readPareto(read, top['pareto'], 'pareto', ids);
  if (top['notes'] !== undefined) results.notes = read.array(top['notes'], 'notes', 0).map((note, i) => read.string(note, `notes[${i}]`));
  return results;
}

function readTask(read: FieldReader, value: unknown, path: string): TaskInfo {
  const o = read.object(value, path, ['dataset', 'task', 'metric', 'inputShape']);
  const task: Mutable<TaskInfo> = {
    dataset: read.string(o['dataset'], `${path}.dataset`),
    task: read.oneOf(o['task'], `${path}.task`, TASKS),
    metric: read.oneOf(o['metric'], `${path}.metric`, QUALITY_METRICS),
  };
  if (o['inputShape'] !== undefined) task.inputShape = read.array(o['inputShape'], `${path}.inputShape`, 1).map((d, i) => read.integer(d, `${path}.inputShape[${i}]`, 1));
  return task;
}

function readRun(read: FieldReader, value: unknown, path: string): RunInfo {
  const o = read.object(value, path, ['date', 'command', 'seed', 'machine', 'sculpt', 'seconds', 'source']);
  const date = read.string(o['date'], `${path}.date`);
  if (Number.isNaN(Date.parse(date))) read.fail(`${path}.date`, 'an ISO 8601 date-time such as "2025-01-31T12:00:00Z"', date);
  const run: Mutable<RunInfo> = {
    date,
    command: read.string(o['command'], `${path}.command`),
    seed: read.integer(o['seed'], `${path}.seed`, 0),
    machine: readMachine(read, o['machine'], `${path}.machine`),
  };
  if (o['sculpt'] !== undefined) run.sculpt = read.string(o['sculpt'], `${path}.sculpt`);
  if (o['seconds'] !== undefined) run.seconds = read.number(o['seconds'], `${path}.seconds`, { min: 0 });
  if (o['source'] !== undefined) run.source = read.string(o['source'], `${path}.source`);
  return run;
}

function readMachine(read: FieldReader, value: unknown, path: string): MachineInfo {
  const o = read.object(value, path, ['cpu', 'cores', 'node', 'onnxruntime', 'os']);
  const machine: Mutable<MachineInfo> = {
    cpu: read.string(o['cpu'], `${path}.cpu`),
    cores: read.integer(o['cores'], `${path}.cores`, 1),
    node: read.string(o['node'], `${path}.node`),
    onnxruntime: read.string(o['onnxruntime'], `${path}.onnxruntime`),
  };
  if (o['os'] !== undefined) machine.os = read.string(o['os'], `${path}.os`);
  return machine;
}

const MODEL_FIELDS = [
  'id', 'label', 'method', 'scorer', 'sparsity', 'compression', 'params', 'nonzeroParams', 'macs', 'bytes',
  'quality', 'latency', 'generationSeconds', 'training', 'layers', 'file', 'run', 'seed',
];

function readModel(read: FieldReader, value: unknown, path: string, runCount: number): ModelEntry {
  const o = read.object(value, path, MODEL_FIELDS);
  const quality = o['quality'] === null ? null : read.number(o['quality'], `${path}.quality`, { min: 0, max: 1, what: 'a number in [0, 1] or null' });
  const model: Mutable<ModelEntry> = {
    id: read.string(o['id'], `${path}.id`),
    label: read.string(o['label'], `${path}.label`),
    method: read.slug(o['method'], `${path}.method`),
    compression: read.number(o['compression'], `${path}.compression`, { above: 0, what: 'a number above 0 (dense params / non-zero params)' }),
    params: read.integer(o['params'], `${path}.params`, 0),
    macs: read.integer(o['macs'], `${path}.macs`, 0),
    bytes: read.integer(o['bytes'], `${path}.bytes`, 0),
    quality,
    latency: readLatencies(read, o['latency'], `${path}.latency`),
  };
  if (o['scorer'] !== undefined) model.scorer = read.slug(o['scorer'], `${path}.scorer`);
  if (o['sparsity'] !== undefined) model.sparsity = read.number(o['sparsity'], `${path}.sparsity`, { min: 0, below: 1, what: 'a fraction in [0, 1)' });
  if (o['nonzeroParams'] !== undefined) {
    const nonzero = read.integer(o['nonzeroParams'], `${path}.nonzeroParams`, 0);
    if (nonzero > model.params) read.fail(`${path}.nonzeroParams`, `at most params (${model.params})`, nonzero);
    model.nonzeroParams = nonzero;
  }
  if (o['generationSeconds'] !== undefined) model.generationSeconds = read.number(o['generationSeconds'], `${path}.generationSeconds`, { min: 0 });
  if (o['training'] !== undefined) model.training = readTraining(read, o['training'], `${path}.training`);
  if (o['layers'] !== undefined) model.layers = read.array(o['layers'], `${path}.layers`, 0).map((l, i) => readLayer(read, l, `${path}.layers[${i}]`));
  if (o['file'] !== undefined) model.file = readRelativeFile(read, o['file'], `${path}.file`);
  if (o['run'] !== undefined) {
    const run = read.integer(o['run'], `${path}.run`, 0);
    if (run >= runCount) read.fail(`${path}.run`, `an index into runs (0 to ${runCount - 1})`, run);
    model.run = run;
  }
  if (o['seed'] !== undefined) model.seed = read.integer(o['seed'], `${path}.seed`, 0);
  return model;
}

function readLatencies(read: FieldReader, value: unknown, path: string): LatencyMeasurement[] {
  const seen = new Set<string>();
  return read.array(value, path, 0).map((item, i) => {
    const p = `${path}[${i}]`;
    const o = read.object(item, p, ['threads', 'batch', 'medianMs', 'p90Ms', 'runs']);
    const medianMs = read.number(o['medianMs'], `${p}.medianMs`, { min: 0 });
    const p90Ms = read.number(o['p90Ms'], `${p}.p90Ms`, { min: 0 });
    if (p90Ms < medianMs) read.fail(`${p}.p90Ms`, `at least medianMs (${medianMs})`, p90Ms);
    const measurement: Mutable<LatencyMeasurement> = { ...readConfig(read, o, p), medianMs, p90Ms };
    if (o['runs'] !== undefined) measurement.runs = read.integer(o['runs'], `${p}.runs`, 1);
    const key = `${measurement.threads}x${measurement.batch}`;
    if (seen.has(key)) read.fail(p, `the only measurement at threads ${measurement.threads}, batch ${measurement.batch}`, 'a second one');
    seen.add(key);
    return measurement;
  });
}

function readConfig(read: FieldReader, o: Fields, path: string): LatencyConfig {
  return { threads: read.integer(o['threads'], `${path}.threads`, 1), batch: read.integer(o['batch'], `${path}.batch`, 1) };
}

function readTraining(read: FieldReader, value: unknown, path: string): TrainingBudget {
  const o = read.object(value, path, ['epochs', 'steps', 'examples', 'seconds']);
  const budget: Mutable<TrainingBudget> = {};
  if (o['epochs'] !== undefined) budget.epochs = read.number(o['epochs'], `${path}.epochs`, { min: 0 });
  if (o['steps'] !== undefined) budget.steps = read.integer(o['steps'], `${path}.steps`, 0);
  if (o['examples'] !== undefined) budget.examples = read.integer(o['examples'], `${path}.examples`, 0);
  if (o['seconds'] !== undefined) budget.seconds = read.number(o['seconds'], `${path}.seconds`, { min: 0 });
  return budget;
}

function readLayer(read: FieldReader, value: unknown, path: string): LayerWidthEntry {
  const o = read.object(value, path, ['name', 'op', 'before', 'after', 'density']);
  const layer: Mutable<LayerWidthEntry> = {
    name: read.string(o['name'], `${path}.name`),
    before: read.integer(o['before'], `${path}.before`, 1),
    after: read.integer(o['after'], `${path}.after`, 0),
  };
  if (o['op'] !== undefined) layer.op = read.string(o['op'], `${path}.op`);
  if (o['density'] !== undefined) layer.density = read.number(o['density'], `${path}.density`, { min: 0, max: 1, what: 'a fraction in [0, 1]' });
  return layer;
}

/**
 * Model files are named relative to the results file, so the report's links stay local and the
 * folder can move: no scheme (http:, javascript:), drive or leading slash.
 */
function readRelativeFile(read: FieldReader, value: unknown, path: string): string {
  const file = read.string(value, path);
  if (/^[\\/]/.test(file) || file.includes(':')) read.fail(path, 'a file path relative to the results file (no scheme, drive or leading slash)', file);
  return file;
}

function readCriteria(read: FieldReader, value: unknown, path: string): DeploymentCriteria {
  const o = read.object(value, path, ['minQuality', 'maxLatency', 'maxParams', 'maxBytes']);
  const criteria: Mutable<DeploymentCriteria> = {};
  if (o['minQuality'] !== undefined) criteria.minQuality = read.number(o['minQuality'], `${path}.minQuality`, { min: 0, max: 1, what: 'a number in [0, 1]' });
  if (o['maxLatency'] !== undefined) {
    const p = `${path}.maxLatency`;
    const l = read.object(o['maxLatency'], p, ['ms', 'threads', 'batch']);
    criteria.maxLatency = { ms: read.number(l['ms'], `${p}.ms`, { above: 0, what: 'a number of milliseconds above 0' }), ...readConfig(read, l, p) };
  }
  if (o['maxParams'] !== undefined) criteria.maxParams = read.integer(o['maxParams'], `${path}.maxParams`, 1);
  if (o['maxBytes'] !== undefined) criteria.maxBytes = read.integer(o['maxBytes'], `${path}.maxBytes`, 1);
  if (Object.keys(criteria).length === 0) read.fail(path, 'an object with at least one of minQuality, maxLatency, maxParams, maxBytes', value);
  return criteria;
}

function readChoice(read: FieldReader, value: unknown, path: string, ids: ReadonlySet<string>): ModelChoice {
  const o = read.object(value, path, ['id', 'reason']);
  const id = read.string(o['id'], `${path}.id`);
  if (!ids.has(id)) read.fail(`${path}.id`, 'the id of one of the models', id);
  return { id, reason: read.string(o['reason'], `${path}.reason`) };
}

function readPareto(read: FieldReader, value: unknown, path: string, ids: ReadonlySet<string>): ParetoFront {
  const o = read.object(value, path, ['objectives', 'latencyConfig', 'ids']);
  const objectives = read.array(o['objectives'], `${path}.objectives`, 1).map((v, i) => read.oneOf(v, `${path}.objectives[${i}]`, PARETO_OBJECTIVES));
  if (new Set(objectives).size !== objectives.length) read.fail(`${path}.objectives`, 'a list without repeats', objectives);
  const front: Mutable<ParetoFront> = { objectives, ids: [] };
  if (o['latencyConfig'] !== undefined) front.latencyConfig = readConfig(read, read.object(o['latencyConfig'], `${path}.latencyConfig`, ['threads', 'batch']), `${path}.latencyConfig`);
  if (objectives.includes('latency') && !front.latencyConfig) read.fail(`${path}.latencyConfig`, "present when 'latency' is an objective", undefined);
  const seen = new Set<string>();
  front.ids = read.array(o['ids'], `${path}.ids`, 0).map((v, i) => {
    const id = read.string(v, `${path}.ids[${i}]`);
    if (!ids.has(id) || seen.has(id)) read.fail(`${path}.ids[${i}]`, 'the id of a model, listed once', id);
    seen.add(id);
    return id;
  });
  return front;
}

interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
  readonly above?: number;
  readonly below?: number;
  /** How the allowed range reads in an error message. */
  readonly what?: string;
}

/** Typed field access with errors that name the file and the field's path. */
class FieldReader {
  constructor(private readonly source: string) {}

  fail(path: string, expected: string, got: unknown): never {
    const where = path === '' ? 'the top level' : path;
    throw new SculptError('BAD_DATA', `${this.source}: ${where} must be ${expected}, got ${describe(got)}; fix that field or regenerate the file with Sculpt`);
  }

  object(value: unknown, path: string, allowed: readonly string[]): Fields {
    if (!isFields(value)) this.fail(path, 'an object', value);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        const field = path === '' ? key : `${path}.${key}`;
        throw new SculptError('BAD_DATA', `${this.source}: unknown field "${field}" (allowed here: ${allowed.join(', ')}); remove it or fix its spelling`);
      }
    }
    return value;
  }

  array(value: unknown, path: string, minLength: number): unknown[] {
    if (!Array.isArray(value)) this.fail(path, minLength > 0 ? `a list of at least ${minLength}` : 'a list', value);
    if (value.length < minLength) this.fail(path, `a list of at least ${minLength}`, value);
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, 'a non-empty string', value);
    return value;
  }

  slug(value: unknown, path: string): string {
    const text = this.string(value, path);
    if (!SLUG.test(text)) this.fail(path, 'a lower-case name of letters, digits and dashes (e.g. "reconvene")', text);
    return text;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) this.fail(path, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
    return value as T;
  }

  number(value: unknown, path: string, bounds: NumberBounds = {}): number {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (bounds.min === undefined || value >= bounds.min) &&
      (bounds.max === undefined || value <= bounds.max) &&
      (bounds.above === undefined || value > bounds.above) &&
      (bounds.below === undefined || value < bounds.below);
    if (!ok) this.fail(path, bounds.what ?? (bounds.min === 0 ? 'a finite number of at least 0' : 'a finite number'), value);
    return value as number;
  }

  integer(value: unknown, path: string, min: number): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) this.fail(path, min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`, value);
    return value;
  }
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short rendering of a bad value for an error message. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (isFields(value)) return 'an object';
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
