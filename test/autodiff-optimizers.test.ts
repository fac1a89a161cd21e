// Optimizer updates in the training-step graph against the torch.optim formulas computed by hand
// in float64, on a linear classifier whose gradient is written out here too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTrainingGraph } from '../src/autodiff/training-graph.js';
import type { OptimizerOptions } from '../src/autodiff/optimizers.js';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32, int64, type Tensor } from '../src/ir/tensor.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { StepRunner } from '../src/train/step-runner.js';
import { Random } from '../src/util/random.js';
import { maxAbsDiff } from './helpers/numeric.js';

const N = 4;
const IN = 5;
const OUT = 3;

function linearModel(random: Random) {
  const g = new GraphBuilder('linear');
  const x = g.input('x', 'float32', ['batch', IN]);
  const w = g.initializer('fc.weight', float32([OUT, IN], random.fillNormal(new Float32Array(OUT * IN), 0.5)));
  const b = g.initializer('fc.bias', float32([OUT], random.fillNormal(new Float32Array(OUT), 0.5)));
  g.output(g.op('Gemm', [x, w, b], { transB: attr.int(1) }), 'float32');
  return modelFromGraph(g.build());
}

/** dL/dW and dL/db of mean softmax cross-entropy of x·Wᵀ + b, in float64. */
function linearGradients(w: Float64Array, b: Float64Array, x: Float32Array, labels: readonly number[]): { dw: Float64Array; db: Float64Array } {
  const dw = new Float64Array(OUT * IN);
  const db = new Float64Array(OUT);
  for (let n = 0; n < N; n++) {
    const logits = Array.from({ length: OUT }, (_, o) => b[o]! + Array.from({ length: IN }, (_, i) => w[o * IN + i]! * x[n * IN + i]!).reduce((s, v) => s + v, 0));
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const total = exps.reduce((s, v) => s + v, 0);
    for (let o = 0; o < OUT; o++) {
      const d = (exps[o]! / total - (labels[n] === o ? 1 : 0)) / N;
      db[o]! += d;
      for (let i = 0; i < IN; i++) dw[o * IN + i]! += d * x[n * IN + i]!;
    }
  }
  return { dw, db };
}

/** One torch.optim step on `p` (in place) for gradient `g`, with per-tensor state. */
function referenceStep(options: OptimizerOptions, p: Float64Array, g: Float64Array, lr: number, state: { buffer?: Float64Array; m?: Float64Array; v?: Float64Array }, t: number): void {
  if (options.kind === 'sgd') {
    const wd = options.weightDecay ?? 0;
    const mu = options.momentum ?? 0;
    for (let i = 0; i < p.length; i++) {
      let d = g[i]! + wd * p[i]!;
      if (mu > 0) {
        state.buffer ??= new Float64Array(p.length);
        state.buffer[i] = t === 1 ? d : mu * state.buffer[i]! + d;
        d = options.nesterov ? d + mu * state.buffer[i]! : state.buffer[i]!;
      }
      p[i] = p[i]! - lr * d;
    }
    return;
  }
  const [b1, b2, eps] = [options.beta1 ?? 0.9, options.beta2 ?? 0.999, options.epsilon ?? 1e-8];
  const wd = options.weightDecay ?? (options.kind === 'adamw' ? 0.01 : 0);
  state.m ??= new Float64Array(p.length);
  state.v ??= new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    let grad = g[i]!;
    if (options.kind === 'adamw') p[i] = p[i]! * (1 - lr * wd);
    else grad += wd * p[i]!;
    state.m[i] = b1 * state.m[i]! + (1 - b1) * grad;
    state.v[i] = b2 * state.v[i]! + (1 - b2) * grad * grad;
    const denominator = Math.sqrt(state.v[i]!) / Math.sqrt(1 - b2 ** t) + eps;
    p[i] = p[i]! - (lr / (1 - b1 ** t)) * (state.m[i]! / denominator);
  }
}

const OPTIMIZERS: { title: string; options: OptimizerOptions }[] = [
  { title: 'plain SGD', options: { kind: 'sgd' } },
  { title: 'SGD with momentum and weight decay', options: { kind: 'sgd', momentum: 0.9, weightDecay: 1e-2 } },
  { title: 'SGD with Nesterov momentum and weight decay', options: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-2 } },
  { title: 'Adam with L2 weight decay', options: { kind: 'adam', weightDecay: 1e-2 } },
  { title: 'AdamW with decoupled weight decay', options: { kind: 'adamw', weightDecay: 0.1, beta1: 0.8, beta2: 0.99 } },
];

describe('optimizer updates match torch.optim computed by hand', () => {
  for (const { title, options } of OPTIMIZERS) {
    it(`follows ${title} over three steps with changing learning rates`, async () => {
      const random = new Random(3);
      const model = linearModel(random);
      const graph = buildTrainingGraph(model, { batchSize: N, loss: { kind: 'cross-entropy' }, optimizer: options });
      const runner = await StepRunner.create(graph, { backend: onnxruntimeNode, threads: 1 });
      const w = Float64Array.from(model.graph.initializers.get('fc.weight')!.data as Float32Array);
      const b = Float64Array.from(model.graph.initializers.get('fc.bias')!.data as Float32Array);
      const states = [{}, {}];
      const rates = [0.5, 0.1, 0.3];
      try {
        for (let t = 1; t <= rates.length; t++) {
          const x = random.fillNormal(new Float32Array(N * IN), 1);
          const labels = Array.from({ length: N }, () => random.int(OUT));
          const { dw, db } = linearGradients(w, b, x, labels);
          referenceStep(options, w, dw, rates[t - 1]!, states[0]!, t);
          referenceStep(options, b, db, rates[t - 1]!, states[1]!, t);
          await runner.step(float32([N, IN], x), int64([N], labels), rates[t - 1]!);
        }
        const trained = runner.parameters();
        assert.ok(maxAbsDiff(trained.get('fc.weight')!.data as Float32Array, w) < 2e-5, `weights differ by ${maxAbsDiff(trained.get('fc.weight')!.data as Float32Array, w)}`);
        assert.ok(maxAbsDiff(trained.get('fc.bias')!.data as Float32Array, b) < 2e-5, `biases differ by ${maxAbsDiff(trained.get('fc.bias')!.data as Float32Array, b)}`);
        const moved = maxAbsDiff(trained.get('fc.weight')!.data as Float32Array, model.graph.initializers.get('fc.weight')!.data as Float32Array);
        assert.ok(moved > 1e-3, 'the weights moved');
      } finally {
        await runner.release();
      }
    });
  }
});

describe('masks hold pruned weights at exactly zero', () => {
  for (const { title, options } of OPTIMIZERS.slice(1)) {
    it(`keeps masked conv and linear weights at zero under ${title}`, async () => {
      const random = new Random(5);
      const g = new GraphBuilder('masked');
      const x = g.input('x', 'float32', [4, 2, 6, 6]);
      const conv = g.initializer('conv.weight', float32([3, 2, 3, 3], random.fillNormal(new Float32Array(54), 0.5)));
      const fc = g.initializer('fc.weight', float32([4, 27], random.fillNormal(new Float32Array(108), 0.3)));
      const pooled = g.op('MaxPool', [g.op('Relu', [g.op('Conv', [x, conv], { pads: attr.ints([1, 1, 1, 1]) })])], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
      g.output(g.op('Gemm', [g.op('Flatten', [pooled]), fc], { transB: attr.int(1) }), 'float32');
      const model = modelFromGraph(g.build());
      const mask = (n: number): Tensor => float32([n], Float32Array.from({ length: n }, () => (random.uniform() < 0.5 ? 0 : 1)));
      const masks = new Map<string, Tensor>([
        ['conv.weight', { ...mask(54), dims: [3, 2, 3, 3] }],
        ['fc.weight', { ...mask(108), dims: [4, 27] }],
      ]);
      const graph = buildTrainingGraph(model, { loss: { kind: 'cross-entropy' }, optimizer: options, masks });
      const runner = await StepRunner.create(graph, { backend: onnxruntimeNode, threads: 1 });
      try {
        for (let step = 0; step < 4; step++) {
          const batch = float32([4, 2, 6, 6], random.fillNormal(new Float32Array(288), 1));
          const loss = await runner.step(batch, int64([4], [0, 1, 2, 3]), 0.1);
          assert.ok(Number.isFinite(loss));
        }
        for (const [name, m] of masks) {
          const trained = runner.parameters().get(name)!.data as Float32Array;
          const original = model.graph.initializers.get(name)!.data as Float32Array;
          let kept = 0;
          (m.data as Float32Array).forEach((keep, i) => {
            // -0 counts: masking multiplies, and a negative weight times 0 is -0.
            if (keep === 0) assert.ok(trained[i] === 0, `${name}[${i}] is masked but holds ${trained[i]}`);
            else if (trained[i] !== original[i]) kept++;
          });
          assert.ok(kept > 0, `${name}: the unmasked weights trained`);
        }
      } finally {
        await runner.release();
      }
    });
  }
});
