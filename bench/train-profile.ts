/**
 * Per-op-type profile of one training step (onnxruntime's profiler): where a step's time goes.
 * usage: npx tsx bench/train-profile.ts [resnet20|vgg11] [threads] [steps] [--plain] [--nodes N]
 *   prints milliseconds per step by op type, by forward op and pass, and (--nodes) the N slowest nodes
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { detectKernels } from '../src/autodiff/kernels.js';
import { buildTrainingGraph } from '../src/autodiff/training-graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { onnxruntimeNode, toOrtTensor } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { buildZooModel } from '../src/zoo/index.js';

export interface StepProfile {
  /** Milliseconds of each profiled run. */
  readonly runs: readonly number[];
  /** Kernel milliseconds per step by op type, largest first. */
  readonly byType: readonly [string, number][];
  /** Kernel milliseconds per step by node name, largest first. */
  readonly byNode: readonly [string, number][];
}

/** Profiles `steps` training steps (after two warm-up steps) of a zoo model at batch 64. */
export async function profileTrainingStep(name: string, threads: number, steps: number, plain = false): Promise<StepProfile> {
  const kernels = plain ? {} : await detectKernels(onnxruntimeNode);
  const graph = buildTrainingGraph(buildZooModel(name), { kernels, batchSize: 64, loss: { kind: 'cross-entropy' }, optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 } });
  const prefix = `sculpt-train-profile-${process.pid}`;
  const session = await ort.InferenceSession.create(encodeModel(graph.model), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    enableProfiling: true,
    profileFilePrefix: `/tmp/${prefix}`,
  });
  const random = new Random(0);
  const feeds: Record<string, ort.Tensor> = {
    [graph.inputs.batch]: toOrtTensor(float32([64, 3, 32, 32], random.fillNormal(new Float32Array(64 * 3 * 1024), 1))),
    [graph.inputs.labels]: toOrtTensor(int64([64], Array.from({ length: 64 }, () => random.int(10)))),
    [graph.inputs.learningRate]: toOrtTensor(float32([], [0.01])),
  };
  for (const s of graph.state) feeds[s.input] = toOrtTensor(s.initial);
  for (let i = 0; i < steps + 2; i++) {
    const out = await session.run(feeds);
    for (const s of graph.state) feeds[s.input] = out[s.output] as ort.Tensor;
  }
  session.endProfiling();
  await session.release();
  // onnxruntime-node does not return the file name: it is the prefix plus a timestamp.
  const file = `/tmp/${readdirSync('/tmp').find((f) => f.startsWith(prefix))!}`;
  const events = JSON.parse(readFileSync(file, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
  rmSync(file);
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').map((e) => e.dur / 1000);
  const byType = new Map<string, number>();
  const byNode = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const ms = e.dur / 1000 / (steps + 2);
    const op = e.args?.op_name ?? '?';
    byType.set(op, (byType.get(op) ?? 0) + ms);
    const node = e.name.slice(0, -'_kernel_time'.length);
    byNode.set(node, (byNode.get(node) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]);
  return { runs, byType: sorted(byType), byNode: sorted(byNode) };
}

/** Kernel time grouped by the forward op each kernel was emitted for, and by pass. */
export function byForwardOp(profile: StepProfile): [string, number][] {
  const groups = new Map<string, number>();
  for (const [node, ms] of profile.byNode) {
    const owner = node.split('/')[0]!;
    const pass = node.includes('/grad') ? 'backward' : 'forward';
    const op = /optimizer|\.next/.test(node) ? 'optimizer' : /^(loss|objective)/.test(node) ? 'loss' : `${owner.replace(/^\/?(.*\/)?/, '').replace(/(_\d+)?$/, '').replace(/^.*\./, '')} ${pass}`;
    groups.set(op, (groups.get(op) ?? 0) + ms);
  }
  return [...groups].sort((a, b) => b[1] - a[1]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const [name = 'resnet20', threads = '2', steps = '5'] = args;
  const nodesAt = process.argv.indexOf('--nodes');
  const result = await profileTrainingStep(name, Number(threads), Number(steps), process.argv.includes('--plain'));
  const total = result.byType.reduce((a, [, ms]) => a + ms, 0);
  console.log(`${name}, ${threads} thread(s): profiled steps ${result.runs.slice(2).map((r) => r.toFixed(0)).join(' ')} ms; kernels ${total.toFixed(1)} ms/step`);
  console.log('| op type | ms/step | share |\n|---|---|---|');
  for (const [op, ms] of result.byType.filter(([, ms]) => ms >= 0.05 * total / 10)) console.log(`| ${op} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(1)}% |`);
  console.log('\nby forward op and pass:', byForwardOp(result).slice(0, 12).map(([k, ms]) => `${k} ${ms.toFixed(1)}`).join(', '));
  if (nodesAt >= 0) for (const [node, ms] of result.byNode.slice(0, Number(process.argv[nodesAt + 1] ?? 20))) console.log(`  ${ms.toFixed(2).padStart(7)} ${node}`);
}
