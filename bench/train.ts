/**
 * Training-step throughput: images/s of one step (forward, cross-entropy, backward, SGD with
 * momentum 0.9 and weight decay 5e-4) at batch 64, 32x32, for the zoo's CIFAR ResNet-20 and VGG-11-BN,
 * on onnxruntime-node through Sculpt's training graph, interleaved with PyTorch CPU running the
 * same model (bench/peers/torch_train.py, when /usr/bin/python3 imports torch).
 *
 * usage: npm run bench:train -- [--models resnet20,vgg11] [--threads 1,2] [--pairs 8] [--warm 2] [--steps 4] [--plain]
 *   --plain   standard ONNX kernels only (no NCHWc), to measure what the blocked kernels add
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpus } from 'node:os';
import { detectKernels } from '../src/autodiff/kernels.js';
import { buildTrainingGraph } from '../src/autodiff/training-graph.js';
import { float32, int64, type Tensor } from '../src/ir/tensor.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { StepRunner } from '../src/train/step-runner.js';
import { Random } from '../src/util/random.js';
import { buildZooModel } from '../src/zoo/index.js';

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

/** A PyTorch peer process that runs steps on request, so its steps interleave with ours. */
class TorchPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | undefined;

  constructor(model: string, threads: number) {
    this.child = spawn(PYTHON, [PEER, model, String(threads), 'serve', '3']);
    let buffer = '';
    this.child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (this.waiting) {
          const resolve = this.waiting;
          this.waiting = undefined;
          resolve(line);
        } else this.lines.push(line);
      }
    });
  }

  private next(): Promise<string> {
    const line = this.lines.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => (this.waiting = resolve));
  }

  async ready(): Promise<void> {
    const line = await this.next();
    if (line !== 'ready') throw new Error(`the PyTorch peer said '${line}'`);
  }

  /** Runs `steps` steps; their milliseconds. */
  async steps(steps: number): Promise<number[]> {
    this.child.stdin.write(`${steps}\n`);
    return JSON.parse(await this.next()) as number[];
  }

  close(): void {
    this.child.stdin.end();
  }
}

function batch(): [Tensor, Tensor] {
  const random = new Random(0);
  const x = float32([BATCH, 3, 32, 32], random.fillNormal(new Float32Array(BATCH * 3 * 32 * 32), 1));
  const y = int64([BATCH], Array.from({ length: BATCH }, () => random.int(10)));
  return [x, y];
}

async function ortSteps(runner: StepRunner, data: [Tensor, Tensor], steps: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await runner.step(data[0], data[1], 0.01);
    times.push(performance.now() - t);
  }
  return times;
}

async function main(): Promise<void> {
  const models = flag('models', 'resnet20,vgg11').split(',');
  const threadCounts = flag('threads', '1,2').split(',').map(Number);
  const pairs = Number(flag('pairs', '8'));
  const steps = Number(flag('steps', '4'));
  const warm = Number(flag('warm', '2'));
  const kernels = process.argv.includes('--plain') ? {} : await detectKernels(onnxruntimeNode);
  const torch = torchAvailable();
  console.log(`# bench:train — ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, ${onnxruntimeNode.name}, PyTorch ${torch ?? 'not available'}`);
  console.log(`# batch ${BATCH}, 32x32, SGD momentum 0.9, wd 5e-4; ${pairs} interleaved pairs of bursts of ${warm} + ${steps} steps (medians of the last ${steps}); kernels ${JSON.stringify(kernels)}`);
  console.log('| model | threads | Sculpt/ORT ms/step | images/s | PyTorch ms/step | images/s | ratio (PyTorch ms / ORT ms) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const name of models) {
    const graph = buildTrainingGraph(buildZooModel(name), { batchSize: BATCH, kernels, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 } });
    for (const threads of threadCounts) {
      const runner = await StepRunner.create(graph, { backend: onnxruntimeNode, threads });
      const data = batch();
      await ortSteps(runner, data, 3);
      const peer = torch ? new TorchPeer(name, threads) : undefined;
      await peer?.ready();
      // Pairs of a few steps each, alternating which side goes first: load from other processes
      // on this shared machine then lands on both sides of most pairs.
      const ort: number[] = [];
      const theirs: number[] = [];
      const ratios: number[] = [];
      for (let pair = 0; pair < pairs; pair++) {
        let o: number;
        let p = NaN;
        // The first steps of a burst run on cold caches and sleeping thread pools: timed are the rest.
        const timed = (times: number[]): number => median(times.slice(warm));
        if (pair % 2 === 0 || !peer) {
          o = timed(await ortSteps(runner, data, warm + steps));
          if (peer) p = timed(await peer.steps(warm + steps));
        } else {
          p = timed(await peer.steps(warm + steps));
          o = timed(await ortSteps(runner, data, warm + steps));
        }
        ort.push(o);
        if (peer) {
          theirs.push(p);
          ratios.push(p / o);
        }
      }
      peer?.close();
      await runner.release();
      const o = median(ort);
      const p = peer ? median(theirs) : NaN;
      const spread = ratios.length ? `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}` : '';
      const cells = [name, threads, o.toFixed(1), ((BATCH * 1000) / o).toFixed(0), peer ? p.toFixed(1) : '-', peer ? ((BATCH * 1000) / p).toFixed(0) : '-', peer ? `${median(ratios).toFixed(2)}x (pairs ${spread})` : '-'];
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
}

await main();
