/**
 * Reconvene benchmark: from an initialised zoo model to the exported ONNX bytes of the Reconvene
 * model (score, global mask, PSE, RLR with the channel surgery, re-initialisation, export), with
 * the equivalence self-test timed apart, against a PyTorch peer doing the same steps
 * (bench/peers/reconvene_peer.py: score, global mask, PSE, channel removal, torch.onnx export).
 *
 *   npm run bench:reconvene                       # the comparison table (VGG-19, ResNet-50; SNIP, SynFlow)
 *   npm run bench:reconvene -- --scaling          # time against model size (VGG-19 widths 0.25-3)
 *   npm run bench:reconvene -- --repeats 3
 *
 * Every measured run is its own process (a child of this one), so its peak resident memory
 * (getrusage ru_maxrss, for both sides) is that run's alone; Sculpt and PyTorch runs alternate.
 * Building the model and the data batch is not timed. Both sides use every core (2 here).
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { tensor } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { reconvenePrune } from '../src/prune/reconvene/index.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { buildZooModel } from '../src/zoo/index.js';

/** A benchmark case: a zoo model, its input, and the SNIP batch. */
interface Case {
  readonly name: string;
  readonly zoo: string;
  /** [C, H, W]. */
  readonly input: readonly [number, number, number];
  readonly classes: number;
  /** SNIP's batch: `perClass` examples of each of `classes` classes, or `batch` examples when set (too many classes). */
  readonly perClass: number;
  readonly batch?: number;
}

const CASES: Readonly<Record<string, Case>> = {
  vgg19: { name: 'VGG-19 (CIFAR)', zoo: 'vgg19', input: [3, 32, 32], classes: 10, perClass: 1 },
  resnet50: { name: 'ResNet-50 (ImageNet)', zoo: 'resnet50', input: [3, 224, 224], classes: 1000, perClass: 1, batch: 8 },
};

const SCALING_WIDTHS = [0.25, 0.5, 1, 2, 3];

const SPARSITY = 0.99;
/** The RLR floor both sides use: the peer's min_channels, and the one BENCHMARKS.md's numbers were measured with (Sculpt's default became 16 later). */
const PEER_MIN_CHANNELS = 4;

/** What one run reports (both sides print this as JSON). */
interface RunResult {
  readonly totalMs: number;
  readonly steps: Readonly<Record<string, number>>;
  readonly selfTestMs?: number;
  readonly peakMb: number;
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  readonly bytes: number;
}

function caseFor(key: string): Case {
  const scaling = /^vgg19,width=([\d.]+)$/.exec(key);
  if (scaling) return { name: `VGG-19 (CIFAR) width ${scaling[1]}`, zoo: key, input: [3, 32, 32], classes: 10, perClass: 1 };
  const c = CASES[key];
  if (!c) throw new Error(`unknown case ${key}`);
  return c;
}

/** The measured part of one Sculpt run, in its own process. */
async function child(key: string, scorer: string): Promise<void> {
  const c = caseFor(key);
  const model = buildZooModel(c.zoo, { seed: 0 });
  const n = c.batch ?? c.perClass * c.classes;
  const random = new Random(1);
  const data = {
    input: tensor('float32', [n, ...c.input], random.fillNormal(new Float32Array(n * c.input[0] * c.input[1] * c.input[2]), 1)),
    labels: tensor('int64', [n], BigInt64Array.from({ length: n }, (_, i) => BigInt(i % c.classes))),
  };
  const start = performance.now();
  const result = await reconvenePrune(model, { scorer, sparsity: SPARSITY, backend: onnxruntimeNode, data, seed: 0, minChannels: PEER_MIN_CHANNELS });
  const pruned = performance.now();
  const bytes = encodeModel(result.model);
  const exported = performance.now();
  const t = result.report.timeMs;
  const steps = { score: t.score, mask: t.mask, pse: t.pse, rlr: t.plan + t.surgery + t.reinitialise, export: exported - pruned };
  const out: RunResult = {
    totalMs: exported - start - t.selfTest,
    steps,
    selfTestMs: t.selfTest,
    peakMb: process.resourceUsage().maxRSS / 1024,
    paramsBefore: result.report.before.params,
    paramsAfter: result.report.after.params,
    bytes: bytes.length,
  };
  console.log(JSON.stringify(out));
}

function runChild(command: string, args: readonly string[]): RunResult {
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`${command} ${args.join(' ')} failed (${run.status}):\n${run.stderr.slice(-3000)}`);
  return JSON.parse(line) as RunResult;
}

function sculptRun(key: string, scorer: string): RunResult {
  return runChild(process.execPath, ['--import', 'tsx', '--max-old-space-size=12288', new URL(import.meta.url).pathname, '--child', key, scorer]);
}

function peerRun(key: string, scorer: string): RunResult {
  const c = caseFor(key);
  const n = c.batch ?? c.perClass * c.classes;
  return runChild('/usr/bin/python3', [new URL('./peers/reconvene_peer.py', import.meta.url).pathname, c.zoo, scorer, String(SPARSITY), '--batch', String(n)]);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (ms: number): string => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

function compare(keys: readonly string[], scorers: readonly string[], repeats: number, withPeer: boolean): void {
  console.log(`| model | scorer | Sculpt | steps (score / mask / PSE / RLR / export) | self-test | peak RSS | PyTorch | peak RSS | Sculpt / PyTorch | params before -> after |`);
  console.log('|---|---|---:|---|---:|---:|---:|---:|---:|---|');
  for (const key of keys) {
    for (const scorer of scorers) {
      const ours: RunResult[] = [];
      const theirs: RunResult[] = [];
      for (let r = 0; r < repeats; r++) {
        ours.push(sculptRun(key, scorer));
        if (withPeer) theirs.push(peerRun(key, scorer));
      }
      const best = ours.reduce((a, b) => (a.totalMs <= b.totalMs ? a : b));
      const oursMs = median(ours.map((r) => r.totalMs));
      const steps = ['score', 'mask', 'pse', 'rlr', 'export'].map((s) => fmt(median(ours.map((r) => r.steps[s] ?? 0)))).join(' / ');
      const peerMs = theirs.length ? median(theirs.map((r) => r.totalMs)) : NaN;
      const cells = [
        caseFor(key).name,
        scorer,
        `**${fmt(oursMs)}**`,
        steps,
        fmt(median(ours.map((r) => r.selfTestMs ?? 0))),
        `${Math.round(Math.max(...ours.map((r) => r.peakMb)))} MiB`,
        theirs.length ? fmt(peerMs) : '-',
        theirs.length ? `${Math.round(Math.max(...theirs.map((r) => r.peakMb)))} MiB` : '-',
        theirs.length ? `**${(oursMs / peerMs).toFixed(2)}x**` : '-',
        `${(best.paramsBefore / 1e6).toFixed(2)}M -> ${(best.paramsAfter / 1e6).toFixed(2)}M`,
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, args[2]!);
  const at = args.indexOf('--repeats');
  const repeats = at >= 0 ? Number(args[at + 1]) : 3;
  console.log(`Reconvene at sparsity ${SPARSITY}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; median of ${repeats}, runs alternating Sculpt / PyTorch.\n`);
  if (args.includes('--scaling')) {
    compare(SCALING_WIDTHS.map((w) => `vgg19,width=${w}`), ['snip'], repeats, !args.includes('--no-peer'));
    return;
  }
  const keys = args.includes('--only') ? [args[args.indexOf('--only') + 1]!] : Object.keys(CASES);
  const scorers = args.includes('--scorer') ? [args[args.indexOf('--scorer') + 1]!] : ['snip', 'synflow'];
  compare(keys, scorers, repeats, !args.includes('--no-peer'));
}

await main();
