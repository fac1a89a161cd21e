/** `sculpt bench`: latency of one or more models side by side, with ratios against the first. */
import { cpus } from 'node:os';
import {
  benchModels,
  DEFAULT_RUNS,
  DEFAULT_WARMUP,
  inferModel,
  layerCosts,
  onnxruntimeNode,
  onnxruntimeWebNode,
  totalCost,
  type Backend,
  type BenchConfig,
  type BenchModel,
  type ModelBenchReport,
} from '../../index.js';
import type { Command } from '../command.js';
import { formatBytes, formatCount, formatInteger, formatMs, formatRatio, formatTable } from '../format.js';
import { distinctLabels, parseInputShapes, resolvedInputShapes } from '../model-arg.js';

const BACKEND_NAMES = { node: 'onnxruntime-node', web: 'onnxruntime-web' } as const;

export const bench: Command = {
  name: 'bench',
  summary: 'measure latency on onnxruntime (node CPU and web wasm), models side by side',
  description:
    'For each backend, thread count and batch size, every model runs warm-up rounds and then timed\n' +
    'rounds, interleaved model by model so background load falls on all alike. Reports median and p90\n' +
    'latency, achieved GFLOP/s (2 x MACs x batch / median), and each model’s median over the first’s.\n' +
    'Inputs are seeded random normals. onnxruntime-web runs its wasm build in this process.',
  positionals: [{ name: 'model', description: 'an .onnx file or zoo:<name>; the first is the baseline', variadic: true }],
  options: [
    { name: 'threads', kind: 'value', valueName: 'list', description: 'onnxruntime-node intra-op threads to try', defaultText: '1,2' },
    { name: 'batch', kind: 'value', valueName: 'list', description: 'batch sizes to try', defaultText: '1,8' },
    { name: 'runs', kind: 'value', valueName: 'n', description: 'timed runs per cell', defaultText: String(DEFAULT_RUNS) },
    { name: 'warmup', kind: 'value', valueName: 'n', description: 'untimed runs first', defaultText: String(DEFAULT_WARMUP) },
    { name: 'backends', kind: 'value', valueName: 'list', description: 'node (onnxruntime-node CPU), web (onnxruntime-web wasm)', defaultText: 'node,web' },
    { name: 'web-threads', kind: 'value', valueName: 'n', description: 'onnxruntime-web wasm threads (one count per process)', defaultText: '1' },
    { name: 'input-shape', kind: 'value', valueName: 'dims', repeatable: true, description: 'input shape for every model, e.g. 1,3,32,32 (batch is replaced)' },
  ],
  examples: [
    'sculpt bench model.onnx',
    'sculpt bench dense.onnx pruned.onnx --threads 1 --batch 1,16',
    'sculpt bench zoo:resnet20 --backends node --runs 50 --json',
  ],
  async run(ctx) {
    const threads = ctx.args.integerList('threads', { default: [1, 2], min: 1, max: 256 });
    const batches = ctx.args.integerList('batch', { default: [1, 8], min: 1, max: 65536 });
    const runs = ctx.args.integer('runs', { default: DEFAULT_RUNS, min: 1 });
    const warmup = ctx.args.integer('warmup', { default: DEFAULT_WARMUP, min: 0 });
    const webThreads = ctx.args.integer('web-threads', { default: 1, min: 1, max: 64 });
    const backendKeys = ctx.args.choiceList('backends', ['node', 'web'] as const, ['node', 'web']);
    const models: BenchModel[] = [];
    const labels = distinctLabels(ctx.args.positionals);
    for (const [i, spec] of ctx.args.positionals.entries()) {
      const resolved = await ctx.resolveModel(spec);
      const given = parseInputShapes(ctx.args.strings('input-shape'), resolved.model, resolved.label);
      const inputShapes = resolvedInputShapes(resolved.model, given, resolved.label);
      const totals = totalCost(layerCosts(inferModel(resolved.model, { inputShapes })));
      models.push({ name: labels[i]!, bytes: resolved.bytes, params: totals.params, macsPerSample: totals.macs, model: resolved.model, inputShapes });
    }
    const backends: Record<string, Backend> = {};
    const web = backendKeys.includes('web') ? onnxruntimeWebNode({ threads: webThreads }) : undefined;
    const configs: BenchConfig[] = [];
    if (backendKeys.includes('node')) {
      backends[BACKEND_NAMES.node] = onnxruntimeNode;
      for (const t of threads) for (const b of batches) configs.push({ backend: BACKEND_NAMES.node, threads: t, batch: b });
    }
    if (backendKeys.includes('web')) {
      backends[BACKEND_NAMES.web] = web!;
      for (const b of batches) configs.push({ backend: BACKEND_NAMES.web, threads: webThreads, batch: b });
    }
    const bar = ctx.progress('bench', configs.length * models.length * (warmup + runs), 'runs');
    let reports: ModelBenchReport[];
    try {
      reports = await benchModels(models, { configs, backends, runs, warmup, seed: ctx.seed, onProgress: (done) => bar.update(done) });
    } finally {
      bar.finish();
    }
    if (web?.threads !== undefined && web.threads !== webThreads) {
      ctx.note(`note: WebAssembly threads are not available here; onnxruntime-web ran with ${web.threads} thread(s), not ${webThreads}`);
    }
    const backendNames = Object.fromEntries(Object.entries(backends).map(([key, b]) => [key, b.name]));
    if (ctx.json) {
      ctx.printJson({
        runs,
        warmup,
        cpus: cpus().length,
        backends: backendNames,
        models: reports.map((r, i) => ({
          name: r.name,
          spec: ctx.args.positionals[i],
          bytes: r.bytes,
          params: r.params,
          macs: r.macsPerSample,
          results: r.results.map(({ timesMs: _times, config, ...stats }) => ({ ...config, ...stats })),
        })),
      });
      return;
    }
    printReport(ctx.print, reports, configs, backendNames, { runs, warmup });
  },
};

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function letter(i: number): string {
  return LETTERS[i] ?? `M${i + 1}`;
}

function printReport(
  print: (line?: string) => void,
  reports: readonly ModelBenchReport[],
  configs: readonly BenchConfig[],
  backendNames: Readonly<Record<string, string>>,
  counts: { runs: number; warmup: number },
): void {
  const base = reports[0]!;
  const modelRows = reports.map((r, i) => [
    letter(i),
    r.name,
    formatBytes(r.bytes),
    formatInteger(r.params),
    formatCount(r.macsPerSample),
    i === 0 ? '' : formatRatio(r.bytes / base.bytes),
    i === 0 ? '' : formatRatio(r.params / base.params),
    i === 0 ? '' : formatRatio(r.macsPerSample / base.macsPerSample),
  ]);
  for (const line of formatTable(['', 'model', 'bytes', 'params', 'MACs/sample', 'bytes/A', 'params/A', 'MACs/A'], modelRows, ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'])) print(line);
  print();
  const header = ['backend', 'threads', 'batch'];
  for (let i = 0; i < reports.length; i++) header.push(`${letter(i)} median ms`, `${letter(i)} p90 ms`, `${letter(i)} GFLOP/s`, ...(i === 0 ? [] : [`${letter(i)}/A`]));
  const rows = configs.map((config, c) => {
    const row = [config.backend, String(config.threads), String(config.batch)];
    reports.forEach((r, i) => {
      const result = r.results[c]!;
      row.push(formatMs(result.medianMs), formatMs(result.p90Ms), result.gflops.toFixed(1), ...(i === 0 ? [] : [formatRatio(result.ratio)]));
    });
    return row;
  });
  for (const line of formatTable(header, rows, header.map((_, i) => (i === 0 ? 'left' : 'right')))) print(line);
  print();
  print(`${counts.warmup} warm-up + ${counts.runs} timed runs per cell, interleaved across models; ${cpus().length} CPUs; ${Object.values(backendNames).join('; ')}.`);
  if (reports.length > 1) print('X/A = median of X over median of A (below 1 is faster).');
  print('Times vary with other load on the machine; compare models within one run.');
}
