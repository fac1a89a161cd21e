// Each loss's value against a float64 reference written out here, and its gradient with respect
// to the logits against central differences of that reference.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGradientGraph } from '../src/autodiff/gradient-graph.js';
import { GradientRunner } from '../src/autodiff/gradient-runner.js';
import type { ObjectiveOptions } from '../src/autodiff/losses.js';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';
import { Random } from '../src/util/random.js';
import { relativeError } from './helpers/numeric.js';

/** Logits [N, K, ...positions] as per-position class vectors. */
function positions(dims: readonly number[]): { n: number; k: number; p: number; at: (n: number, k: number, p: number) => number } {
  const [n, k] = dims as [number, number];
  const p = dims.slice(2).reduce((a, b) => a * b, 1);
  return { n, k, p, at: (i, c, q) => (i * k + c) * p + q };
}

function softmaxAt(z: ArrayLike<number>, dims: readonly number[], i: number, q: number, temperature = 1): number[] {
  const { k, at } = positions(dims);
  const row = Array.from({ length: k }, (_, c) => z[at(i, c, q)]! / temperature);
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** The loss in float64, as the options define it. */
function referenceLoss(options: ObjectiveOptions, z: ArrayLike<number>, dims: readonly number[], labels: readonly number[]): number {
  const { n, k, p } = positions(dims);
  const ignore = 'ignoreIndex' in options ? options.ignoreIndex : undefined;
  const valid = (i: number, q: number): boolean => labels[i * p + q] !== ignore;
  let ce = 0;
  let count = 0;
  const intersection = new Float64Array(k);
  const sums = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < p; q++) {
      if (!valid(i, q)) continue;
      const label = labels[i * p + q]!;
      const probabilities = softmaxAt(z, dims, i, q, options.kind === 'cross-entropy' ? (options.temperature ?? 1) : 1);
      ce -= Math.log(probabilities[label]!);
      count++;
      for (let c = 0; c < k; c++) {
        sums[c]! += probabilities[c]! + (c === label ? 1 : 0);
        if (c === label) intersection[c]! += probabilities[c]!;
      }
    }
  }
  ce /= Math.max(count, 1);
  if (options.kind === 'cross-entropy') return ce;
  const smooth = 'smooth' in options ? (options.smooth ?? 1) : 1;
  const background = 'includeBackground' in options ? (options.includeBackground ?? false) : false;
  const classes = Array.from({ length: k }, (_, c) => c).filter((c) => background || c > 0);
  const dice = 1 - classes.reduce((s, c) => s + (2 * intersection[c]! + smooth) / (sums[c]! + smooth), 0) / classes.length;
  if (options.kind === 'dice') return dice;
  return ce + (options.kind === 'cross-entropy+dice' ? (options.diceWeight ?? 1) : 1) * dice;
}

interface LossCase {
  readonly title: string;
  readonly options: ObjectiveOptions;
  readonly dims: readonly number[];
  readonly ignore?: number;
}

const CASES: LossCase[] = [
  { title: 'softmax cross-entropy on [N, K]', options: { kind: 'cross-entropy' }, dims: [4, 5] },
  { title: 'cross-entropy with logits divided by a temperature', options: { kind: 'cross-entropy', temperature: 3 }, dims: [4, 5] },
  { title: 'per-pixel cross-entropy', options: { kind: 'cross-entropy' }, dims: [2, 3, 4, 5] },
  { title: 'per-pixel cross-entropy with an ignore label of 255', options: { kind: 'cross-entropy', ignoreIndex: 255 }, dims: [2, 3, 4, 5], ignore: 255 },
  { title: 'per-pixel cross-entropy with an ignore label of -1', options: { kind: 'cross-entropy', ignoreIndex: -1 }, dims: [2, 3, 4, 4], ignore: -1 },
  { title: 'soft Dice over foreground classes', options: { kind: 'dice' }, dims: [2, 4, 5, 5] },
  { title: 'soft Dice with background and smoothing 0.5', options: { kind: 'dice', includeBackground: true, smooth: 0.5 }, dims: [2, 3, 4, 4] },
  { title: 'soft Dice with an ignore label', options: { kind: 'dice', ignoreIndex: 255 }, dims: [2, 3, 4, 4], ignore: 255 },
  { title: 'cross-entropy plus weighted Dice with an ignore label', options: { kind: 'cross-entropy+dice', diceWeight: 0.5, ignoreIndex: 255 }, dims: [2, 3, 4, 4], ignore: 255 },
];

describe('losses match float64 references in value and gradient', () => {
  for (const c of CASES) {
    it(`computes ${c.title}`, async () => {
      const random = new Random(11);
      const g = new GraphBuilder('logits');
      const x = g.input('logits', 'float32', c.dims);
      g.output(g.op('Identity', [x]), 'float32');
      const graph = buildGradientGraph(modelFromGraph(g.build()), { objective: c.options, wrt: [x] });
      const runner = await GradientRunner.create(graph, { backend: onnxruntimeNode, threads: 1 });
      try {
        const size = c.dims.reduce((a, b) => a * b, 1);
        const z = random.fillNormal(new Float32Array(size), 2);
        const { n, k, p } = positions(c.dims);
        const labels = Array.from({ length: n * p }, () => (c.ignore !== undefined && random.uniform() < 0.25 ? c.ignore : random.int(k)));
        const result = await runner.run(float32(c.dims, z), int64([n, ...c.dims.slice(2)], labels));
        const expected = referenceLoss(c.options, z, c.dims, labels);
        assert.ok(Math.abs(result.loss - expected) < 1e-5 * Math.max(1, Math.abs(expected)), `loss ${result.loss} vs ${expected}`);
        const numeric = new Float64Array(size);
        const eps = 1e-5;
        const perturbed = Float64Array.from(z);
        for (let i = 0; i < size; i++) {
          perturbed[i] = z[i]! + eps;
          const plus = referenceLoss(c.options, perturbed, c.dims, labels);
          perturbed[i] = z[i]! - eps;
          const minus = referenceLoss(c.options, perturbed, c.dims, labels);
          perturbed[i] = z[i]!;
          numeric[i] = (plus - minus) / (2 * eps);
        }
        const error = relativeError(result.gradients.get(x)!.data as Float32Array, numeric);
        assert.ok(error < 1e-4, `gradient relative error ${error.toExponential(2)}`);
      } finally {
        await runner.release();
      }
    });
  }
});
