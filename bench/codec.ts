/**
 * Codec benchmark: decode + validate + encode of the zoo's VGG-16 at ImageNet size (vgg16_bn,
 * 224x224, 1000 classes, 138,365,992 parameters). Times each phase and records peak resident memory.
 *
 *   npm run bench:codec            # builds the model once into a temp file, then measures
 *   npm run bench:codec -- --repeats 3
 *
 * The measurement runs in a fresh child process, so its peak RSS (getrusage ru_maxrss) covers only
 * reading, decoding, validating and encoding — not building the model (see `npm run bench:zoo`
 * for building). Weights are the zoo's seeded Kaiming normals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { decodeModel } from '../src/onnx/decode.js';
import { encodeModel } from '../src/onnx/encode.js';
import { inferModel } from '../src/ops/infer.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { readBytes } from '../src/platform/node/files.js';
import { buildZooModel } from '../src/zoo/index.js';

/** torchvision's vgg16_bn at 224x224 with the 1000-class classifier: 138,365,992 parameters. */
const ZOO_SPEC = 'vgg16,classifier=imagenet';

interface ChildResult {
  readMs: number;
  decodeMs: number;
  validateMs: number;
  encodeMs: number;
  bytes: number;
  params: number;
  baselineRssMb: number;
  peakAfterReadMb: number;
  peakAfterDecodeMb: number;
  peakRssMb: number;
  identical: boolean;
}

/** The measured part, in its own process: read, decode, validate, encode; report times and peak RSS. */
function child(path: string): void {
  const baselineRssMb = process.resourceUsage().maxRSS / 1024;
  let t = performance.now();
  const bytes = readBytes(path);
  const readMs = performance.now() - t;
  const peakAfterReadMb = process.resourceUsage().maxRSS / 1024;
  t = performance.now();
  const model = decodeModel(bytes);
  const decodeMs = performance.now() - t;
  const peakAfterDecodeMb = process.resourceUsage().maxRSS / 1024;
  t = performance.now();
  const typed = inferModel(model);
  const validateMs = performance.now() - t;
  t = performance.now();
  const encoded = encodeModel(model);
  const encodeMs = performance.now() - t;
  const identical = encoded.byteLength === bytes.byteLength && Buffer.compare(encoded, bytes) === 0;
  const result: ChildResult = {
    readMs,
    decodeMs,
    validateMs,
    encodeMs,
    bytes: bytes.byteLength,
    params: totalCost(layerCosts(typed)).params,
    baselineRssMb,
    peakAfterReadMb,
    peakAfterDecodeMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    identical,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function spawnChild(args: readonly string[]): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--max-old-space-size=8192', new URL(import.meta.url).pathname, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`child ${args[0]} failed: ${run.stderr}`);
  return run.stdout;
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!);
  if (args[0] === '--build') return writeFileSync(args[1]!, encodeModel(buildZooModel(ZOO_SPEC, { seed: 0 })));
  const repeats = args[0] === '--repeats' ? Number(args[1]) : 3;
  const dir = mkdtempSync(join(tmpdir(), 'sculpt-codec-'));
  const path = join(dir, 'vgg16-imagenet.onnx');
  try {
    // Build in a child too: Linux carries a process's peak RSS across fork+exec, so this process
    // must stay small for the measuring children's ru_maxrss to be their own.
    let t = performance.now();
    spawnChild(['--build', path]);
    console.log(`built and wrote ${path} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const results: ChildResult[] = [];
    for (let r = 0; r < repeats; r++) {
      t = performance.now();
      results.push(JSON.parse(spawnChild(['--child', path]).trim().split('\n').pop()!) as ChildResult);
      console.log(`run ${r + 1}: ${JSON.stringify(results[results.length - 1])}`);
    }
    const median = (key: keyof ChildResult): number => {
      const sorted = results.map((x) => x[key] as number).sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)]!;
    };
    const first = results[0]!;
    console.log('');
    console.log(`zoo:${ZOO_SPEC}: ${first.params.toLocaleString('en-US')} parameters, ${(first.bytes / 2 ** 20).toFixed(1)} MiB; re-encoded bytes identical: ${first.identical}`);
    console.log(`median of ${repeats} runs (each a fresh process); ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`);
    console.log('| phase | time (ms) |');
    console.log('|---|---:|');
    for (const key of ['readMs', 'decodeMs', 'validateMs', 'encodeMs'] as const) console.log(`| ${key.replace('Ms', '')} | ${median(key).toFixed(0)} |`);
    console.log(`| decode + validate + encode | ${(median('decodeMs') + median('validateMs') + median('encodeMs')).toFixed(0)} |`);
    console.log(
      `peak RSS ${median('peakRssMb').toFixed(0)} MiB (after read ${median('peakAfterReadMb').toFixed(0)}, after decode ${median('peakAfterDecodeMb').toFixed(0)}; ` +
        `process baseline ${median('baselineRssMb').toFixed(0)} MiB; model file ${(first.bytes / 2 ** 20).toFixed(0)} MiB)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
