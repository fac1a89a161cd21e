/**
 * The Node side of the experiment runner: results parts as files (`<dir>/<part>.json`, in the
 * report model's shape, and `<dir>/<part>.state.json`), each written atomically; the experiments'
 * datasets; Table C's generations, each in a fresh child process so its peak resident memory is
 * its own; and the generated sections of EXPERIMENTS.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDatasetSpec } from '../../data/spec.js';
import { limitDataset } from '../../data/dataset.js';
import { SculptError } from '../../errors.js';
import type { TrainingSettings } from '../../exp/config.js';
import type { ExperimentData } from '../../exp/data.js';
import type { GenerationOutcome, GenerationRequest } from '../../exp/generate-cell.js';
import type { ExperimentDefinition } from '../../exp/grid.js';
import { replaceSection } from '../../exp/markdown.js';
import { STATE_FORMAT, type ExperimentStore, type PartFiles, type PartState } from '../../exp/runner.js';
import { renderExperiment, type PartData } from '../../exp/tables.js';
import { loadDataset } from './datasets.js';
import { readBytes, writeAtomic } from './files.js';
import { readResultsFile } from './report-files.js';

/** The results file of a part. */
export function resultsPath(dir: string, part: string): string {
  return join(dir, `${part}.json`);
}

/** The state file of a part. */
export function statePath(dir: string, part: string): string {
  return join(dir, `${part}.state.json`);
}

/** Reads and checks a state file; errors name the file. */
export function readStateFile(path: string): PartState {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(readBytes(path)));
  } catch (error) {
    if (error instanceof SculptError) throw error;
    throw new SculptError('BAD_DATA', `${path}: not valid JSON (${error instanceof Error ? error.message : String(error)}); delete it to rerun the part from the start`);
  }
  const state = value as Partial<PartState> | null;
  if (!state || state.format !== STATE_FORMAT || state.version !== 1 || typeof state.cells !== 'object' || state.cells === null || typeof state.settings !== 'string' || typeof state.config !== 'object') {
    throw new SculptError('BAD_DATA', `${path}: not an experiment state file of version 1 (format "${STATE_FORMAT}"); delete it to rerun the part from the start`);
  }
  return state as PartState;
}

/** A store over a folder: each write replaces the results file, then the state file, atomically. */
export function experimentStore(dir: string): ExperimentStore {
  return {
    read(part: string): PartFiles {
      const results = resultsPath(dir, part);
      const state = statePath(dir, part);
      return {
        ...(existsSync(results) ? { results: readResultsFile(results) } : {}),
        ...(existsSync(state) ? { state: readStateFile(state) } : {}),
      };
    },
    write(part, results, state) {
      mkdirSync(dir, { recursive: true });
      writeAtomic(resultsPath(dir, part), `${JSON.stringify(results, null, 1)}\n`, { force: true });
      writeAtomic(statePath(dir, part), `${JSON.stringify(state, null, 1)}\n`, { force: true });
    },
  };
}

/** Every results part of an experiment found in a folder (by the state files' experiment name), with its files. */
export function readExperimentParts(dir: string, experiment: string, sourceDir = dir): PartData[] {
  if (!existsSync(dir)) return [];
  const parts: PartData[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.state.json')) continue;
    const state = readStateFile(join(dir, file));
    if (state.experiment !== experiment) continue;
    const results = resultsPath(dir, state.part);
    if (!existsSync(results)) continue;
    parts.push({ part: state.part, source: join(sourceDir, `${state.part}.json`), results: readResultsFile(results), state });
  }
  return parts;
}

/**
 * Loads a dataset for the experiments: the spec's training and test parts, each cut to a seeded,
 * class-stratified subset of the settings' size (test with the data seed + 1).
 */
export function loadExperimentData(spec: string, settings: TrainingSettings): ExperimentData {
  const { train, test } = loadDataset(spec, { seed: settings.dataSeed });
  return {
    name: parseDatasetSpec(spec).kind,
    train: limitDataset(train, { limit: settings.trainExamples, seed: settings.dataSeed }),
    test: limitDataset(test, { limit: settings.testExamples, seed: settings.dataSeed + 1 }),
  };
}

/** Node options a child needs from this process: the module loaders (tsx when running from source), not the test runner's flags. */
function loaderArguments(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^--(import|require|loader|experimental-loader)=/.test(arg)) out.push(arg);
    else if (/^--(import|require|loader|experimental-loader)$/.test(arg) && i + 1 < argv.length) out.push(arg, argv[++i]!);
    else if (arg === '-r' && i + 1 < argv.length) out.push(arg, argv[++i]!);
  }
  return out;
}

/** Measures one generation in a fresh Node process (./experiment-child), which reports its peak resident memory. */
export function generateInChildProcess(request: GenerationRequest, options: { signal?: AbortSignal } = {}): Promise<GenerationOutcome> {
  const here = fileURLToPath(import.meta.url);
  const entry = fileURLToPath(new URL(`./experiment-child${extname(here)}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...loaderArguments(), '--max-old-space-size=16384', entry, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Uint8Array) => (stdout += String(d)));
    child.stderr.on('data', (d: Uint8Array) => (stderr += String(d)));
    child.on('error', (error) => {
      if (options.signal?.aborted) reject(new SculptError('INTERRUPTED', `interrupted while generating ${request.network} with ${request.scorer}; rerun the same command to continue`));
      else reject(new SculptError('RUNTIME', `could not start the generation process for ${request.network}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      if (options.signal?.aborted || signal === 'SIGINT') return reject(new SculptError('INTERRUPTED', `interrupted while generating ${request.network} with ${request.scorer}; rerun the same command to continue`));
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        const lines = stderr.trim().split('\n');
        const last = lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.slice(-3).join(' / ');
        return reject(new SculptError('RUNTIME', `generating ${request.network} with ${request.scorer} at sparsity ${request.sparsity} failed (exit ${code ?? signal}): ${last || 'no output'}`));
      }
      resolve(JSON.parse(line) as GenerationOutcome);
    });
  });
}

/** Regenerates an experiment's section of a markdown file from the parts in `dir`; returns the parts read. */
export function updateExperimentMarkdown(path: string, definition: ExperimentDefinition, parts: readonly PartData[]): void {
  const before = existsSync(path) ? new TextDecoder().decode(readBytes(path)) : '';
  const after = replaceSection(before, definition.name, renderExperiment(definition, parts), definition.title);
  if (after !== before) writeAtomic(path, after, { force: true });
}
