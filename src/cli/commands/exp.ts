/** `sculpt exp`: the Reconvene experiments (Tables A, B, C), resumable, and their tables in EXPERIMENTS.md. */
import { relative, resolve } from 'node:path';
import {
  EXPERIMENTS,
  NETWORKS,
  VARIANTS,
  SculptError,
  describeMachine,
  experimentCells,
  experimentFor,
  experimentStore,
  generateInChildProcess,
  loadExperimentData,
  onnxruntimeNode,
  readExperimentParts,
  resultsPath,
  runExperiment,
  updateExperimentMarkdown,
  type Cell,
  type ExperimentConfig,
  type ExperimentEvent,
  type ExperimentSummary,
} from '../../index.js';
import type { Command, CommandContext } from '../command.js';
import type { ProgressBar } from '../progress.js';
import { formatDuration } from '../progress.js';

/** The --json object of `sculpt exp`. */
export interface ExpJson extends ExperimentSummary {
  /** The results files of the experiment's parts. */
  readonly results: readonly string[];
  /** The markdown file whose section was regenerated, or null (--no-tables). */
  readonly markdown: string | null;
}

const DEFAULT_RESULTS = 'results/reconvene';
const DEFAULT_MARKDOWN = 'EXPERIMENTS.md';

export const expCommand: Command = {
  name: 'exp',
  summary: 'run a Reconvene experiment (table-a, table-b, table-c), resumable, and regenerate its tables',
  description:
    'Runs the cells of a named experiment that are not finished yet. Every finished cell is written at\n' +
    'once (atomically) to <results>/<experiment>-<dataset>.json, in the report model\'s shape (sculpt\n' +
    'report renders it), with a .state.json beside it; rerunning the same command skips finished cells,\n' +
    'so a run stopped by Ctrl-C, a kill or a crash continues where it stopped. Afterwards the experiment\'s\n' +
    'section of the markdown file (between its marker comments) is regenerated from the results files.\n' +
    `Experiments: ${Object.keys(EXPERIMENTS).join(', ')}.\n` +
    'Grid and budget options override the experiment\'s defaults; a part made with another budget is\n' +
    'refused (use another --results folder). The grid\'s seeds are --seeds (the global --seed is only\n' +
    'recorded). Table A trains with 1 thread and times latency with 2; --threads sets both. From a\n' +
    'source checkout, `npm run exp -- <experiment> [options]` runs the same without building dist/.\n' +
    `${wrapList('Networks', Object.keys(NETWORKS))}\n` +
    wrapList('Variants', Object.keys(VARIANTS)),
  positionals: [{ name: 'experiment', description: `one of ${Object.keys(EXPERIMENTS).join(', ')}` }],
  options: [
    { name: 'results', kind: 'value', valueName: 'dir', description: 'folder of the results parts', defaultText: DEFAULT_RESULTS },
    { name: 'markdown', kind: 'value', valueName: 'file', description: 'markdown file whose section is regenerated', defaultText: DEFAULT_MARKDOWN },
    { name: 'no-tables', kind: 'flag', description: 'do not touch the markdown file' },
    { name: 'tables-only', kind: 'flag', description: 'only regenerate the markdown section from the results files' },
    { name: 'dry-run', kind: 'flag', description: 'list the cells and which are finished; run nothing' },
    { name: 'data', kind: 'value', valueName: 'spec', repeatable: true, description: 'dataset spec(s) replacing the experiment\'s, e.g. cifar10:<dir> (Table A on CIFAR-10)' },
    { name: 'networks', kind: 'value', valueName: 'list', description: 'networks, e.g. vgg11q,resnet20' },
    { name: 'scorers', kind: 'value', valueName: 'list', description: 'scorers, e.g. snip,synflow,random' },
    { name: 'sparsities', kind: 'value', valueName: 'list', description: 'sparsities, e.g. 0.9,0.99' },
    { name: 'seeds', kind: 'value', valueName: 'list', description: 'seeds, e.g. 1,2,3' },
    { name: 'variants', kind: 'value', valueName: 'list', description: 'Reconvene variants (PSE rule/threshold, RLR minChannels), e.g. default,emptied-0.5' },
    { name: 'epochs', kind: 'value', valueName: 'n', description: 'training epochs' },
    { name: 'train', kind: 'value', valueName: 'n', description: 'training examples (seeded, class-stratified subset)' },
    { name: 'test', kind: 'value', valueName: 'n', description: 'test examples (seeded, class-stratified subset)' },
    { name: 'batch', kind: 'value', valueName: 'n', description: 'training batch size' },
    { name: 'threads', kind: 'value', valueName: 'n', description: 'onnxruntime threads for training and for latency' },
    { name: 'only', kind: 'value', valueName: 'text', description: 'run only the cells whose id contains this text (e.g. resnet20/snip)' },
    { name: 'max-cells', kind: 'value', valueName: 'n', description: 'stop after running this many cells' },
  ],
  examples: [
    'sculpt exp table-a',
    'sculpt exp table-b --seeds 1,2',
    'sculpt exp table-a --data cifar10:/data/cifar-10-batches-bin --results results/cifar',
    'sculpt exp table-c --dry-run',
    'sculpt exp table-a --tables-only',
  ],
  async run(ctx) {
    const definition = experimentFor(ctx.args.positionals[0]!);
    const config = resolveConfig(ctx, definition.name);
    const dir = ctx.args.string('results') ?? DEFAULT_RESULTS;
    const markdown = ctx.args.flag('no-tables') ? undefined : (ctx.args.string('markdown') ?? DEFAULT_MARKDOWN);
    const only = ctx.args.string('only');
    const filter = only === undefined ? undefined : (cell: Cell): boolean => cell.id.includes(only);
    const store = experimentStore(dir);
    if (ctx.args.flag('dry-run')) return dryRun(ctx, config, dir, filter);
    let summary: ExperimentSummary = { experiment: definition.name, parts: [], computed: [], skipped: [], remaining: [], interrupted: false };
    if (!ctx.args.flag('tables-only')) {
      const abort = new AbortController();
      const onInterrupt = (): void => abort.abort();
      process.once('SIGINT', onInterrupt);
      const view = new ProgressView(ctx);
      try {
        summary = await runExperiment({
          definition,
          config,
          store,
          services: {
            backend: onnxruntimeNode,
            machine: describeMachine(),
            loadData: loadExperimentData,
            generate: (request) => generateInChildProcess(request, { signal: abort.signal }),
          },
          command: commandLine(ctx),
          seed: ctx.seed,
          ...(filter ? { filter } : {}),
          ...(ctx.args.has('max-cells') ? { maxCells: ctx.args.integer('max-cells', { default: 1, min: 1 }) } : {}),
          signal: abort.signal,
          onEvent: (event) => view.event(event),
        });
      } finally {
        view.finish();
        process.removeListener('SIGINT', onInterrupt);
      }
    }
    const parts = readExperimentParts(dir, definition.name, markdown ? relative(resolve(markdown, '..'), resolve(dir)) || '.' : dir);
    if (markdown) updateExperimentMarkdown(markdown, definition, parts);
    const results = parts.map((p) => resultsPath(dir, p.part));
    if (ctx.json) {
      const json: ExpJson = { ...summary, results, markdown: markdown ?? null };
      ctx.printJson(json);
    } else {
      if (ctx.args.flag('tables-only')) ctx.print(`${definition.name}: tables only, from ${parts.reduce((n, p) => n + Object.keys(p.state.cells).length, 0)} finished cell(s)`);
      else ctx.print(`${definition.name}: ${summary.computed.length} cell(s) run, ${summary.skipped.length} already finished, ${summary.remaining.length} left`);
      for (const file of results) ctx.print(`results: ${file}`);
      if (markdown) ctx.print(`tables: ${markdown} (section ${definition.name})`);
    }
    if (summary.interrupted) throw new SculptError('INTERRUPTED', `interrupted; ${summary.computed.length} cell(s) were written — rerun the same command to continue with the remaining ${summary.remaining.length}`);
  },
};

/** 'Label: a, b, c.' wrapped at 100 columns, for the help text. */
function wrapList(label: string, items: readonly string[]): string {
  const lines: string[] = [];
  let line = `${label}:`;
  items.forEach((item, i) => {
    const word = ` ${item}${i === items.length - 1 ? '.' : ','}`;
    if (line.length + word.length > 100) {
      lines.push(line);
      line = ' ';
    }
    line += word;
  });
  return [...lines, line].join('\n');
}

/** The experiment's defaults with the command's overrides. */
function resolveConfig(ctx: CommandContext, name: string): ExperimentConfig {
  const defaults = experimentFor(name).defaults;
  const args = ctx.args;
  const list = (option: string): string[] | undefined => {
    const raw = args.string(option);
    if (raw === undefined) return undefined;
    const items = raw.split(',').map((s) => s.trim());
    if (items.some((s) => s === '')) throw new SculptError('BAD_ARGUMENT', `--${option} must be a comma-separated list without empty items, got '${raw}'`);
    return items;
  };
  const numbers = (option: string, check: (x: number) => boolean, allowed: string): number[] | undefined =>
    list(option)?.map((s) => {
      const x = Number(s);
      if (!Number.isFinite(x) || !check(x)) throw new SculptError('BAD_ARGUMENT', `--${option} got '${s}'; allowed: ${allowed}`);
      return x;
    });
  const integer = (option: string, fallback: number): number => args.integer(option, { default: fallback, min: 1 });
  const threads = integer('threads', defaults.training.threads);
  const data = args.strings('data');
  return {
    experiment: name,
    datasets: data.length > 0 ? data : defaults.datasets,
    networks: list('networks') ?? defaults.networks,
    scorers: list('scorers') ?? defaults.scorers,
    sparsities: numbers('sparsities', (x) => x > 0 && x < 1, 'fractions between 0 and 1') ?? defaults.sparsities,
    seeds: numbers('seeds', (x) => Number.isInteger(x) && x >= 0, 'non-negative integers') ?? defaults.seeds,
    variants: list('variants') ?? defaults.variants,
    dense: defaults.dense,
    training: {
      ...defaults.training,
      epochs: integer('epochs', defaults.training.epochs),
      trainExamples: integer('train', defaults.training.trainExamples),
      testExamples: integer('test', defaults.training.testExamples),
      batchSize: integer('batch', defaults.training.batchSize),
      threads,
    },
    latency: { ...defaults.latency, threads: args.has('threads') ? threads : defaults.latency.threads },
  };
}

/** The command as a user would retype it: the experiment, then every option given (in the table's order). */
function commandLine(ctx: CommandContext): string {
  const words = ['sculpt', 'exp', ...ctx.args.positionals];
  for (const option of expCommand.options) {
    if (!ctx.args.has(option.name)) continue;
    if (option.kind === 'flag') words.push(`--${option.name}`);
    else for (const value of option.repeatable ? ctx.args.strings(option.name) : [ctx.args.string(option.name)!]) words.push(`--${option.name}`, value);
  }
  if (ctx.args.has('seed')) words.push('--seed', String(ctx.seed));
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`)).join(' ');
}

function dryRun(ctx: CommandContext, config: ExperimentConfig, dir: string, filter: ((cell: Cell) => boolean) | undefined): void {
  const definition = experimentFor(config.experiment);
  const cells = experimentCells(definition, config).filter((c) => filter?.(c) ?? true);
  const store = experimentStore(dir);
  const states = new Map<string, ReturnType<typeof store.read>>();
  const finished = cells.filter((cell) => {
    let files = states.get(cell.part);
    if (!files) states.set(cell.part, (files = store.read(cell.part)));
    return files.state?.cells[cell.id] !== undefined;
  });
  const done = new Set(finished.map((c) => c.id));
  if (ctx.json) {
    ctx.printJson({ experiment: config.experiment, cells: cells.map((c) => ({ id: c.id, part: c.part, finished: done.has(c.id) })), config });
    return;
  }
  for (const cell of cells) ctx.print(`${done.has(cell.id) ? 'done' : 'todo'}  ${cell.id}  -> ${resultsPath(dir, cell.part)}`);
  ctx.print(`${cells.length} cells: ${finished.length} finished, ${cells.length - finished.length} to run`);
}

/** Notes per cell (with the ETA) on stderr, and a progress bar for the running cell on a terminal. */
class ProgressView {
  private bar: ProgressBar | undefined;
  private barKey = '';
  private label = '';

  constructor(private readonly ctx: CommandContext) {}

  event(event: ExperimentEvent): void {
    switch (event.type) {
      case 'plan':
        this.ctx.note(`${event.total} cells: ${event.finished} finished earlier, ${event.todo} to run`);
        break;
      case 'cell-start':
        this.label = `[${event.index + 1}/${event.todo}] ${event.cell.id}`;
        this.ctx.note(`${this.label}: started${Number.isFinite(event.etaSeconds) ? ` (ETA of the run ${formatDuration(event.etaSeconds)})` : ''}`);
        break;
      case 'cell-progress': {
        const p = event.progress;
        const key = `${p.phase}:${p.model ?? ''}`;
        if (key !== this.barKey) {
          this.bar?.finish();
          this.barKey = key;
          // Without a terminal (nohup, CI) there is no bar: a line per phase shows where the cell is.
          if (this.ctx.stderr.isTTY !== true) this.ctx.note(`${this.label}: ${p.phase}${p.model ? ` ${p.model}` : ''}`);
          this.bar = this.ctx.progress(`${this.label} ${p.phase}${p.model ? ` ${p.model}` : ''}`, p.total, p.phase === 'train' ? 'steps' : 'it');
        }
        this.bar!.update(p.done);
        break;
      }
      case 'cell-done':
        this.bar?.finish();
        this.bar = undefined;
        this.barKey = '';
        this.ctx.note(`${this.label}: done in ${formatDuration(event.seconds)}; ${event.todo - event.index - 1} left, ETA ${formatDuration(event.etaSeconds)}`);
        break;
    }
  }

  finish(): void {
    this.bar?.finish();
  }
}
