// Benchmark (not a test): build zoo VGG-16-BN at ImageNet size (138M parameters), then decode +
// validate + encode it, with wall times and memory. Also checks the model against torchvision's
// vgg16_bn (parameter count, MACs, parameter names: bench/peers/zoo_reference.py).
// Run: npm run bench:zoo  (node --expose-gc --import tsx bench/zoo-vgg16-imagenet.ts [repeats])
import { createHash } from 'node:crypto';
import { decodeModel } from '../src/onnx/decode.js';
import { encodeModel } from '../src/onnx/encode.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel, ruleFor } from '../src/ops/infer.js';
import { buildZooModel } from '../src/zoo/index.js';
import type { Model } from '../src/ir/graph.js';

const TORCHVISION = { params: 138_365_992, macs: 15_470_264_320, names: '4baa34abb3115e2d' };
const repeats = Number(process.argv[2] ?? 3);
const gc = (globalThis as { gc?: () => void }).gc;

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function nameSignature(model: Model): string {
  const lines: string[] = [];
  for (const node of model.graph.nodes) {
    for (const index of ruleFor(node).parameterInputs) {
      const name = node.inputs[index]!;
      lines.push(`${name}:${model.graph.initializers.get(name)!.dims.join('x')}`);
    }
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex').slice(0, 16);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const [model, buildMs] = timed(() => buildZooModel('vgg16,classifier=imagenet', { seed: 0 }));
const cost = totalCost(layerCosts(inferModel(model)));
const names = nameSignature(model);
const ok = cost.params === TORCHVISION.params && cost.macs === TORCHVISION.macs && names === TORCHVISION.names;
console.log(`zoo vgg16,classifier=imagenet: ${cost.params} params, ${cost.macs} MACs, names ${names} — ${ok ? 'equal to' : 'DIFFERENT FROM'} torchvision vgg16_bn`);
console.log(`build (Kaiming init of 138M weights): ${buildMs.toFixed(0)} ms`);

const times = { encode: [] as number[], decode: [] as number[], validate: [] as number[] };
let bytes = 0;
for (let r = 0; r < repeats; r++) {
  gc?.();
  const [encoded, encodeMs] = timed(() => encodeModel(model));
  bytes = encoded.byteLength;
  const [decoded, decodeMs] = timed(() => decodeModel(encoded));
  const [, validateMs] = timed(() => totalCost(layerCosts(inferModel(decoded))));
  times.encode.push(encodeMs);
  times.decode.push(decodeMs);
  times.validate.push(validateMs);
}
const usage = process.memoryUsage();
console.log(`encoded size: ${mib(bytes)}; median of ${repeats}: encode ${median(times.encode).toFixed(0)} ms, decode ${median(times.decode).toFixed(0)} ms, validate + count ${median(times.validate).toFixed(1)} ms`);
console.log(`peak RSS ${mib(process.resourceUsage().maxRSS * 1024)} (weights alone: ${mib(cost.params * 4)}); now rss ${mib(usage.rss)}, arrayBuffers ${mib(usage.arrayBuffers)}`);
if (!ok) process.exitCode = 1;
