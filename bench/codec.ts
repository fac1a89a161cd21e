/**
 * Codec benchmark: decode + validate + encode of VGG-16 at ImageNet size (224x224, 1000 classes,
 * 138,357,544 parameters). Times each phase and records the peak resident memory.
 *
 *   npm run bench:codec            # builds the model once into a temp file, then measures
 *   npm run bench:codec -- --repeats 3
 *
 * The measurement runs in a fresh child process, so its peak RSS (getrusage ru_maxrss) covers only
 * reading, decoding, validating and encoding — not building the model. The model is built here
 * with GraphBuilder (torchvision's vgg16 layout, no BN); switch to the zoo's `buildZooModel` when it
 * lands. Weights are seeded normals (the codec's work does not depend on the values).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { decodeModel } from '../src/onnx/decode.js';
import { encodeModel } from '../src/onnx/encode.js';
import { inferModel } from '../src/ops/infer.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr, type Model } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { readBytes } from '../src/platform/node/files.js';
import { Random } from '../src/util/random.js';

const VGG16 = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const;

/** torchvision-style VGG-16 (no BN) at 224x224 with a 1000-class classifier. */
export function vgg16Imagenet(seed: number): Model {
  const random = new Random(seed);
  const b = new GraphBuilder('vgg16');
  const weights = (dims: number[], fanIn: number): Float32Array => {
    const data = new Float32Array(dims.reduce((n, d) => n * d, 1));
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < data.length; i++) data[i] = random.normal() * std;
    return data;
  };
  let x = b.input('input', 'float32', ['batch', 3, 224, 224]);
  let channels = 3;
  let conv = 0;
  for (const layer of VGG16) {
    if (layer === 'M') {
      x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
      continue;
    }
    const w = b.initializer(`features.${conv}.weight`, float32([layer, channels, 3, 3], weights([layer, channels, 3, 3], channels * 9)));
    const bias = b.initializer(`features.${conv}.bias`, float32([layer], new Float32Array(layer)));
    x = b.op('Relu', [b.op('Conv', [x, w, bias], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) })]);
    channels = layer;
    conv++;
  }
  x = b.op('Flatten', [x], { axis: attr.int(1) });
  const sizes = [512 * 7 * 7, 4096, 4096, 1000];
  for (let i = 0; i < 3; i++) {
    const w = b.initializer(`classifier.${i}.weight`, float32([sizes[i + 1]!, sizes[i]!], weights([sizes[i + 1]!, sizes[i]!], sizes[i]!)));
    const bias = b.initializer(`classifier.${i}.bias`, float32([sizes[i + 1]!], new Float32Array(sizes[i + 1]!)));
    x = b.op('Gemm', [x, w, bias], { transB: attr.int(1) }, i === 2 ? { output: 'output' } : {});
    if (i < 2) x = b.op('Relu', [x]);
  }
  b.output(x, 'float32', ['batch', 1000]);
  return modelFromGraph(b.build());
}

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
  if (args[0] === '--build') return writeFileSync(args[1]!, encodeModel(vgg16Imagenet(0)));
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
    console.log(`VGG-16 ImageNet: ${first.params.toLocaleString('en-US')} parameters, ${(first.bytes / 2 ** 20).toFixed(1)} MiB; re-encoded bytes identical: ${first.identical}`);
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
