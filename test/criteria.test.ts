import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDependencyGraph, type ChannelGroup, type DependencyGraph } from '../src/deps/groups.js';
import { attr, type Model } from '../src/ir/graph.js';
import { toFloat32 } from '../src/ir/tensor.js';
import { inferModel } from '../src/ops/infer.js';
import { bnScaleCriterion, l1Criterion, l2Criterion, randomCriterion, taylorCriterion, type WeightGradients } from '../src/score/channel/index.js';
import { isSculptError } from '../src/errors.js';
import { Random } from '../src/util/random.js';
import { Net } from './deps-graphs.js';

/**
 * x -> conv_a, conv_b (3->4, both with BN) -> Add -> Relu -> conv_c (4->6) -> Relu -> GAP -> Flatten -> Gemm (6->2).
 * Prunable groups: the residual group {conv_a, conv_b, Add} (width 4) and conv_c's group (width 6, no BN).
 */
function residualNet(): Model {
  const net = new Net(7);
  const x = net.input([1, 3, 8, 8]);
  const a = net.bn(net.conv(x, 3, 4, 'conv_a'), 4, 'bn_a');
  const b = net.bn(net.conv(x, 3, 4, 'conv_b', { k: 1 }), 4, 'bn_b');
  const c = net.relu(net.conv(net.relu(net.op('Add', [a, b])), 4, 6, 'conv_c'));
  const flat = net.op('Flatten', [net.op('GlobalAveragePool', [c])]);
  const y = net.op('Gemm', [flat, net.weight('fc.weight', [2, 6]), net.weight('fc.bias', [2])], { transB: attr.int(1) }, 'fc');
  return net.model(y);
}

function setup(): { model: Model; deps: DependencyGraph; residual: ChannelGroup; plain: ChannelGroup } {
  const model = residualNet();
  const deps = buildDependencyGraph(inferModel(model));
  const byProducer = (node: string): ChannelGroup => deps.groups.find((g) => g.prunable && g.producers.some((p) => p.node === node))!;
  return { model, deps, residual: byProducer('conv_a'), plain: byProducer('conv_c') };
}

function weight(model: Model, name: string): { data: Float32Array; dims: readonly number[] } {
  const t = model.graph.initializers.get(name)!;
  return { data: toFloat32(t), dims: t.dims };
}

/** The entries of filter `o` (axis 0) of a 4-D weight, written out index by index. */
function filter(model: Model, name: string, o: number): number[] {
  const { data, dims } = weight(model, name);
  const [, i, h, w] = dims as [number, number, number, number];
  const out: number[] = [];
  for (let c = 0; c < i; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.push(data[((o * i + c) * h + y) * w + x]!);
  return out;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const close = (actual: ArrayLike<number>, expected: readonly number[], what: string): void => {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= 1e-9 * Math.max(1, Math.abs(expected[i]!)), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
};

describe('channel criteria', () => {
  it('finds the residual group (two producers, width 4) and the plain group (width 6)', () => {
    const { residual, plain } = setup();
    assert.deepEqual(residual.producers.map((p) => p.node).sort(), ['conv_a', 'conv_b']);
    assert.equal(residual.width, 4);
    assert.equal(plain.width, 6);
  });

  it('L1 sums |w| of every filter that makes the channel, over both producers of a residual group', () => {
    const { model, deps, residual, plain } = setup();
    const expected = [0, 1, 2, 3].map((o) => sum(filter(model, 'conv_a.weight', o).map(Math.abs)) + sum(filter(model, 'conv_b.weight', o).map(Math.abs)));
    close(l1Criterion.score(residual, { deps, seed: 0 }), expected, 'residual');
    close(l1Criterion.score(plain, { deps, seed: 0 }), [0, 1, 2, 3, 4, 5].map((o) => sum(filter(model, 'conv_c.weight', o).map(Math.abs))), 'plain');
  });

  it('L2 adds the Euclidean norm of each producer’s filter', () => {
    const { model, deps, residual } = setup();
    const norm = (xs: number[]): number => Math.sqrt(sum(xs.map((x) => x * x)));
    const expected = [0, 1, 2, 3].map((o) => norm(filter(model, 'conv_a.weight', o)) + norm(filter(model, 'conv_b.weight', o)));
    close(l2Criterion.score(residual, { deps, seed: 0 }), expected, 'residual');
  });

  it('BN scale sums |gamma| of every BatchNormalization in the group', () => {
    const { model, deps, residual } = setup();
    const ga = weight(model, 'bn_a.scale').data;
    const gb = weight(model, 'bn_b.scale').data;
    close(bnScaleCriterion.score(residual, { deps, seed: 0 }), [0, 1, 2, 3].map((i) => Math.abs(ga[i]!) + Math.abs(gb[i]!)), 'residual');
  });

  it('BN scale refuses a group without a BatchNormalization, naming the group and the way out', () => {
    const { deps, plain } = setup();
    assert.throws(
      () => bnScaleCriterion.score(plain, { deps, seed: 0 }),
      (e: unknown) => isSculptError(e, 'NOT_PRUNABLE') && /group \d+ \(produced by 'conv_c'\) has no BatchNormalization.*use --method l1/.test(e.message),
    );
  });

  it('random gives seeded U(0,1) scores: the same seed repeats them, another seed changes them', () => {
    const { deps, residual, plain } = setup();
    const a = randomCriterion.score(plain, { deps, seed: 5 });
    assert.deepEqual(randomCriterion.score(plain, { deps, seed: 5 }), a);
    assert.notDeepEqual(randomCriterion.score(plain, { deps, seed: 6 }), a);
    assert.notDeepEqual(randomCriterion.score(residual, { deps, seed: 5 }).slice(0, 4), a.slice(0, 4));
    assert.ok(a.every((v) => v >= 0 && v < 1) && new Set(a).size === a.length);
  });

  it('taylor is |sum over the consumers’ input slices of w x dL/dw| averaged over batches', () => {
    const { model, deps, residual, plain } = setup();
    // Synthetic gradients for two batches: the criterion only combines them with the weights.
    const random = new Random(3);
    const batches: WeightGradients[] = [0, 1].map(() => {
      const map = new Map<string, Float32Array>();
      for (const [name, t] of model.graph.initializers) map.set(name, random.fillNormal(new Float32Array(t.data.length), 1));
      return map;
    });
    // Residual group: read by conv_c (weight [6, 4, 3, 3], input channel i).
    const wc = weight(model, 'conv_c.weight').data;
    const expectedResidual = [0, 1, 2, 3].map((i) => {
      let total = 0;
      for (const g of batches) {
        const gc = g.get('conv_c.weight')!;
        let s = 0;
        for (let o = 0; o < 6; o++) for (let k = 0; k < 9; k++) s += wc[(o * 4 + i) * 9 + k]! * gc[(o * 4 + i) * 9 + k]!;
        total += Math.abs(s) / batches.length;
      }
      return total;
    });
    close(taylorCriterion.score(residual, { deps, seed: 0, gradients: batches }), expectedResidual, 'residual');
    // Plain group: read by the Gemm through GAP and Flatten (weight [2, 6], column i).
    const wf = weight(model, 'fc.weight').data;
    const expectedPlain = [0, 1, 2, 3, 4, 5].map((i) => sum(batches.map((g) => Math.abs(wf[i]! * g.get('fc.weight')![i]! + wf[6 + i]! * g.get('fc.weight')![6 + i]!) / 2)));
    close(taylorCriterion.score(plain, { deps, seed: 0, gradients: batches }), expectedPlain, 'plain');
  });

  it('taylor without gradients asks for data', () => {
    const { deps, plain } = setup();
    assert.throws(() => taylorCriterion.score(plain, { deps, seed: 0 }), (e: unknown) => isSculptError(e, 'BAD_ARGUMENT') && /--data/.test(e.message));
  });
});
