/**
 * The report on disk: reads uPlot's files from node_modules (the core report code gets them
 * passed in), describes this machine for a run record, reads and merges results files, and
 * writes report.html + results.json atomically.
 *
 * Example:
 * ```ts
 * const { html, json } = writeReport('sculpt-report', results, { force: true });
 * ```
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, platform } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SculptError } from '../../errors.js';
import { readBytes, writeAtomic } from './files.js';
import { renderReport, type PlotLibrary } from '../../report/html.js';
import { mergeResults } from '../../report/merge.js';
import type { MachineInfo, Results } from '../../report/results.js';
import { parseResults, validateResults } from '../../report/validate.js';

const require = createRequire(import.meta.url);

/** The file names writeReport writes inside its folder. */
export const REPORT_FILES = { html: 'report.html', json: 'results.json' } as const;

let cachedLibrary: PlotLibrary | undefined;

/** uPlot's minified script, stylesheet and licence, read once from node_modules. */
export function loadPlotLibrary(): PlotLibrary {
  if (cachedLibrary) return cachedLibrary;
  const read = (file: string): string => {
    try {
      return readFileSync(require.resolve(`uplot/${file}`), 'utf8');
    } catch (error) {
      throw new SculptError('IO', `cannot read uplot/${file} from node_modules (${error instanceof Error ? error.message : String(error)}); run npm install`, { cause: error });
    }
  };
  const manifest = JSON.parse(read('package.json')) as { version: string };
  cachedLibrary = { name: 'uPlot', version: manifest.version, script: read('dist/uPlot.iife.min.js'), style: read('dist/uPlot.min.css'), license: read('LICENSE') };
  return cachedLibrary;
}

/** This machine as a run records it: CPU model, logical cores, Node and onnxruntime versions, OS. */
export function describeMachine(): MachineInfo {
  let onnxruntime = 'unknown';
  try {
    onnxruntime = (JSON.parse(readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // Not fatal: the run record says 'unknown' rather than failing the whole run.
  }
  const cores = cpus();
  return { cpu: cores[0]?.model.trim() || 'unknown', cores: Math.max(1, cores.length), node: process.version, onnxruntime, os: `${platform()} ${arch()}` };
}

/** Reads and validates one results file; errors name the file. */
export function readResultsFile(path: string): Results {
  return parseResults(new TextDecoder().decode(readBytes(path)), path);
}

/** Options of readResultsFiles. */
export interface ReadResultsOptions {
  /** The folder the results will be written to: model file names are rewritten relative to it. */
  readonly relativeTo?: string;
}

/** Reads several results files and merges them (one file is returned as read, unless its model files need rebasing). */
export function readResultsFiles(paths: readonly string[], options: ReadResultsOptions = {}): Results {
  return mergeResults(paths.map((path) => ({ results: rebaseModelFiles(readResultsFile(path), dirname(path), options.relativeTo), source: path })));
}

/** Rewrites model file names, relative to `from`, as relative to `to` (with '/' separators, as links want). */
function rebaseModelFiles(results: Results, from: string, to: string | undefined): Results {
  if (to === undefined || resolve(from) === resolve(to) || !results.models.some((m) => m.file !== undefined)) return results;
  const models = results.models.map((m) => (m.file === undefined ? m : { ...m, file: relative(resolve(to), resolve(from, m.file)).split(sep).join('/') }));
  return validateResults({ ...results, models });
}

/** Options of writeReport. */
export interface WriteReportOptions {
  /** Replace an existing report.html / results.json (default false: refuse). */
  readonly force?: boolean;
  /** Page title. */
  readonly title?: string;
  /** Paths that must never be written (the input results files). */
  readonly protect?: readonly string[];
  /** Write results.json beside the page (default true); false when the results were read from that very file. */
  readonly writeResults?: boolean;
}

/** The files writeReport wrote; `json` is undefined when results.json was not written. */
export interface WrittenReport {
  readonly html: string;
  readonly json?: string;
}

/**
 * Validates `results`, then writes `<dir>/results.json` and `<dir>/report.html`, each atomically,
 * creating the folder if needed. Refuses before writing anything if either file exists (unless
 * `force`) or is one of the `protect` paths.
 */
export function writeReport(dir: string, results: Results, options: WriteReportOptions = {}): WrittenReport {
  const checked = validateResults(results, 'results');
  const htmlPath = join(dir, REPORT_FILES.html);
  const jsonPath = options.writeResults === false ? undefined : join(dir, REPORT_FILES.json);
  const force = options.force ?? false;
  const protect = (options.protect ?? []).map((p) => resolve(p));
  for (const path of jsonPath === undefined ? [htmlPath] : [jsonPath, htmlPath]) {
    // Both checks before either write, so a refusal never leaves one new file beside one old one.
    if (protect.includes(resolve(path))) throw new SculptError('BAD_ARGUMENT', `refusing to overwrite the input file '${path}'; choose another output folder`);
    if (!force && existsSync(path)) throw new SculptError('BAD_ARGUMENT', `'${path}' already exists; pass --force to replace it or choose another output folder`);
  }
  const page = renderReport(checked, { plotLibrary: loadPlotLibrary(), ...(options.title === undefined ? {} : { title: options.title }) });
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new SculptError('IO', `cannot create the folder '${dir}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const write = { force, protect };
  if (jsonPath !== undefined) writeAtomic(jsonPath, `${JSON.stringify(checked, null, 2)}\n`, write);
  writeAtomic(htmlPath, page, write);
  return jsonPath === undefined ? { html: htmlPath } : { html: htmlPath, json: jsonPath };
}
