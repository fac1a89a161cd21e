/**
 * Training-step throughput: images/s of one step (forward, cross-entropy, backward, SGD with
 * momentum 0.9 and weight decay 5e-4) at batch 64, 32x32, for CIFAR ResNet-20 and VGG-11-BN,
 * on onnxruntime-node through Sculpt's training graph, interleaved with PyTorch CPU running the
 * same model (bench/peers/torch_train.py, when /usr/bin/python3 imports torch).
 *
 * usage: npm run bench:train -- [--models resnet20,vgg11] [--threads 1,2] [--rounds 3] [--steps 10] [--plain]
 *   --plain   standard ONNX kernels only (no NCHWc), to measure what the blocked kernels add
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { detectKernels } from '../src/autodiff/kernels.js';
import { buildTrainingGraph } from '../src/autodiff/training-graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { StepRunner } from '../src/train/step-runner.js';
import { Random } from '../src/util/random.js';
import { TRAIN_MODELS } from './train-models.js';

const BATCH = 64;
const PYTHON = '/usr/bin/python3';
const PEER = new URL('./peers/torch_train.py', import.meta.url).pathname;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function torchAvailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/** Per-step milliseconds of PyTorch on the model (one process per round: import, build, warm up, time). */
function torchSteps(model: string, threads: number, steps: number): number[] {
  const run = spawnSync(PYTHON, [PEER, model, String(threads), String(steps), '3'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the PyTorch peer failed: ${run.stderr}`);
  return (JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { ms: number[] }).ms;
}

async function ortSteps(runner: StepRunner, steps: number): Promise<number[]> {
  const random = new Random(runner.stepCount);
  const x = float32([BATCH, 3, 32, 32], random.fillNormal(new Float32Array(BATCH * 3 * 32 * 32), 1));
  const y = int64([BATCH], Array.from({ length: BATCH }, () => random.int(10)));
  for (let i = 0; i < 3; i++) await runner.step(x, y, 0.01);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await runner.step(x, y, 0.01);
    times.push(performance.now() - t);
  }
  return times;
}

async function main(): Promise<void> {
  const models = flag('models', 'resnet20,vgg11').split(',') as (keyof typeof TRAIN_MODELS)[];
  const threadCounts = flag('threads', '1,2').split(',').map(Number);
  const rounds = Number(flag('rounds', '3'));
  const steps = Number(flag('steps', '10'));
  const kernels = process.argv.includes('--plain') ? {} : await detectKernels(onnxruntimeNode);
  const torch = torchAvailable();
  console.log(`# bench:train — ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${onnxruntimeNode.name}, PyTorch ${torch ?? 'not available'}`);
  console.log(`# batch ${BATCH}, 32x32, SGD momentum 0.9, wd 5e-4; ${rounds} interleaved rounds of ${steps} timed steps; kernels ${JSON.stringify(kernels)}`);
  console.log('| model | threads | Sculpt/ORT ms/step | images/s | PyTorch ms/step | images/s | ratio (PyTorch ms / ORT ms) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const name of models) {
    const graph = buildTrainingGraph(TRAIN_MODELS[name](), { batchSize: BATCH, kernels, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 } });
    for (const threads of threadCounts) {
      const runner = await StepRunner.create(graph, { backend: onnxruntimeNode, threads });
      const ort: number[] = [];
      const peer: number[] = [];
      const ratios: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const o = median(await ortSteps(runner, steps));
        ort.push(o);
        if (torch) {
          const p = median(torchSteps(name, threads, steps));
          peer.push(p);
          ratios.push(p / o);
        }
      }
      await runner.release();
      const o = median(ort);
      const p = torch ? median(peer) : NaN;
      const cells = [name, threads, o.toFixed(1), ((BATCH * 1000) / o).toFixed(0), torch ? p.toFixed(1) : '-', torch ? ((BATCH * 1000) / p).toFixed(0) : '-', torch ? `${median(ratios).toFixed(2)}x (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})` : '-'];
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
}

await main();
