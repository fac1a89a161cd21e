/** `sculpt report`: the self-contained HTML report from one or more results files. */
import { join, resolve } from 'node:path';
import { readResultsFiles, REPORT_FILES, writeReport, type Results } from '../../index.js';
import type { Command } from '../command.js';

/** The --json object of `sculpt report`. */
export interface ReportJson {
  /** The report.html written. */
  readonly html: string;
  /** The results.json written beside it, or null when that file was the input (kept as it is). */
  readonly results: string | null;
  /** The results files read, in order. */
  readonly inputs: readonly string[];
  readonly models: number;
  readonly runs: number;
  /** The chosen model's id, or null. */
  readonly chosen: string | null;
}

const DEFAULT_DIR = 'sculpt-report';

export const reportCommand: Command = {
  name: 'report',
  summary: 'write the HTML report (tables, plots, criteria, chosen model) from results files',
  description:
    'Reads the results.json files that sculpt demo, sculpt fit and sculpt prune --json write, checks\n' +
    'them, and writes one self-contained report.html (plots embedded, nothing loaded from the\n' +
    'network) plus the results it shows as results.json. Several files are merged: their models are\n' +
    'pooled (a repeated id gets a suffix), and they must share dataset, task and metric. When the only\n' +
    'input is the results.json of the output folder, that file is kept as it is and only the page is\n' +
    'written. Model file names are rewritten relative to the output folder, so the links still work.',
  positionals: [{ name: 'results.json', description: 'one or more results files', variadic: true }],
  options: [
    { name: 'output', short: 'o', kind: 'value', valueName: 'dir', description: 'the folder for report.html and results.json (written atomically)', defaultText: DEFAULT_DIR },
    { name: 'force', kind: 'flag', description: 'replace an existing report.html / results.json (the input files are never overwritten)' },
    { name: 'title', kind: 'value', valueName: 'text', description: 'the page title', defaultText: '"Sculpt report — <dataset>"' },
  ],
  examples: [
    'sculpt report sculpt-report/results.json --force',
    'sculpt report run1/results.json run2/results.json -o compare',
    'sculpt report fit/results.json -o fit --title "U-Net on CAMUS" --json',
  ],
  async run(ctx) {
    const inputs = ctx.args.positionals;
    const dir = ctx.args.string('output') ?? DEFAULT_DIR;
    const results = readResultsFiles(inputs, { relativeTo: dir });
    const jsonTarget = resolve(join(dir, REPORT_FILES.json));
    // Re-rendering a folder's own results.json is the common case: keep that file, write the page.
    const keepInput = inputs.length === 1 && resolve(inputs[0]!) === jsonTarget;
    const title = ctx.args.string('title');
    const written = writeReport(dir, results, {
      force: ctx.args.flag('force'),
      protect: inputs,
      writeResults: !keepInput,
      ...(title === undefined ? {} : { title }),
    });
    if (written.json === undefined) ctx.note(`kept ${inputs[0]} as it is (it is the results file of the output folder)`);
    if (ctx.json) {
      const json: ReportJson = { html: written.html, results: written.json ?? null, inputs, models: results.models.length, runs: results.runs.length, chosen: results.choice?.id ?? null };
      ctx.printJson(json);
      return;
    }
    ctx.print(`wrote ${written.html}: ${describe(results)}`);
    if (written.json !== undefined) ctx.print(`wrote ${written.json}${inputs.length > 1 ? ` (merged from ${inputs.length} files)` : ''}`);
  },
};

/** "7 models, 1 run, chosen: Reconvene 16×". */
function describe(results: Results): string {
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const chosen = results.choice && results.models.find((m) => m.id === results.choice!.id);
  return `${count(results.models.length, 'model')}, ${count(results.runs.length, 'run')}${chosen ? `, chosen: ${chosen.label}` : ''}`;
}
