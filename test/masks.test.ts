import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { float32 } from '../src/ir/tensor.js';
import { applyMasks, countMasks, kthSmallest, masksFromScores, SPARSITY_LEVELS } from '../src/prune/masks.js';
import { Random } from '../src/util/random.js';
import { buildVgg } from '../src/zoo/index.js';
import { magnitudeScores } from '../src/score/magnitude.js';

function scoresOf(entries: Record<string, number[]>): Map<string, ReturnType<typeof float32>> {
  return new Map(Object.entries(entries).map(([name, values]) => [name, float32([values.length], values)]));
}

describe('masks', () => {
  test('kthSmallest agrees with sorting, across arrays, with negatives, zeros and -0', () => {
    const random = new Random(5);
    const arrays = [0, 1, 2].map((j) => {
      const a = new Float32Array(500 + j * 37);
      for (let i = 0; i < a.length; i++) a[i] = random.uniform() < 0.1 ? (random.uniform() < 0.5 ? 0 : -0) : (random.normal() * 10 ** random.int(6)) / 100;
      return a;
    });
    const sorted = Float64Array.from(arrays.flatMap((a) => [...a])).sort();
    for (const k of [1, 2, 17, 300, 800, sorted.length - 1, sorted.length]) {
      assert.ok(kthSmallest(arrays, k) === sorted[k - 1], `k = ${k}`); // -0 and 0 count as equal
    }
    assert.throws(() => kthSmallest(arrays, 0), /out of range/);
  });

  test('a global mask removes ceil(p·n) weights over all tensors when scores are distinct', () => {
    const scores = scoresOf({ a: [5, 1, 9, 3], b: [2, 8, 7], c: [4, 6, 0.5, 10] });
    const masks = masksFromScores(scores, { sparsity: 0.5 });
    // n = 11, k = ceil(5.5) = 6: scores 0.5, 1, 2, 3, 4, 5 go.
    assert.deepEqual([...masks.get('a')!.data], [0, 0, 1, 0]);
    assert.deepEqual([...masks.get('b')!.data], [0, 1, 1]);
    assert.deepEqual([...masks.get('c')!.data], [0, 1, 0, 1]);
    assert.deepEqual(masks.get('c')!.dims, [4]);
  });

  test('a local mask removes ceil(p·n) weights of each tensor', () => {
    const scores = scoresOf({ a: [5, 1, 9, 3], b: [2, 8, 7] });
    const masks = masksFromScores(scores, { sparsity: 0.5, scope: 'local' });
    assert.deepEqual([...masks.get('a')!.data], [1, 0, 1, 0]);
    assert.deepEqual([...masks.get('b')!.data], [0, 1, 0]);
  });

  test('ties at the threshold are all removed, as the reference does', () => {
    const masks = masksFromScores(scoresOf({ a: [1, 1, 1, 2], b: [1, 3] }), { sparsity: 0.2 });
    // k = ceil(1.2) = 2, threshold 1: every 1 goes.
    assert.deepEqual([...masks.get('a')!.data, ...masks.get('b')!.data], [0, 0, 0, 1, 0, 1]);
  });

  test('sparsity 0 keeps everything, and sparsities outside [0, 1) are refused', () => {
    const scores = scoresOf({ a: [0, -1, 2] });
    assert.deepEqual([...masksFromScores(scores, { sparsity: 0 }).get('a')!.data], [1, 1, 1]);
    for (const sparsity of [1, -0.1, 1.5, NaN]) assert.throws(() => masksFromScores(scores, { sparsity }), /sparsity .* out of range/);
    assert.throws(() => masksFromScores(scoresOf({ a: [NaN] }), { sparsity: 0.5 }), /NaN/);
  });

  test('the sparsity levels run from 2x to 256x compression', () => {
    assert.deepEqual(SPARSITY_LEVELS.map((p) => Math.round(1 / (1 - p))), [2, 4, 8, 16, 32, 64, 128, 256]);
  });

  test('masks on a zoo model reach each sparsity level within one weight, and applyMasks zeroes exactly the masked weights', async () => {
    const model = buildVgg({ depth: 11, width: 0.125 });
    const scores = await magnitudeScores(model);
    for (const sparsity of SPARSITY_LEVELS) {
      const counts = countMasks(masksFromScores(scores, { sparsity }));
      assert.equal(counts.total - counts.kept, Math.ceil(sparsity * counts.total));
    }
    const masks = masksFromScores(scores, { sparsity: 0.75 });
    const pruned = applyMasks(model, masks);
    for (const [name, mask] of masks) {
      const before = model.graph.initializers.get(name)!.data as Float32Array;
      const after = pruned.graph.initializers.get(name)!.data as Float32Array;
      for (let i = 0; i < mask.data.length; i++) assert.equal(after[i], mask.data[i] ? before[i] : 0);
    }
  });
});

describe('UPaI', () => {
  test('masks and zeroes a model, reports the kept counts, and is deterministic by seed', async () => {
    const { upaiPrune } = await import('../src/prune/upai.js');
    const model = buildVgg({ depth: 11, width: 0.125 });
    const [a, b, c] = await Promise.all([1, 1, 2].map((seed) => upaiPrune(model, { scorer: 'rand', sparsity: 0.9, seed })));
    assert.equal(a!.report.scorer, 'random');
    assert.equal(a!.report.total - a!.report.kept, Math.ceil(0.9 * a!.report.total));
    assert.deepEqual(a!.report.weights.map((w) => w.kept), [...a!.masks.values()].map((m) => m.data.reduce((s, v) => s + v, 0)));
    for (const [name, mask] of a!.masks) {
      assert.deepEqual(mask.data, b!.masks.get(name)!.data);
      const weight = a!.model.graph.initializers.get(name)!.data as Float32Array;
      mask.data.forEach((m, i) => assert.ok(m === 1 ? weight[i] !== 0 : weight[i] === 0));
    }
    assert.ok([...a!.masks].some(([name, mask]) => mask.data.some((v, i) => v !== c!.masks.get(name)!.data[i])));
  });

  test('refuses unknown scorers and sparsities outside [0, 1), and gradient scorers without a backend or data', async () => {
    const { upaiPrune } = await import('../src/prune/upai.js');
    const model = buildVgg({ depth: 11, width: 0.125 });
    await assert.rejects(upaiPrune(model, { scorer: 'taylor', sparsity: 0.5 }), /unknown scorer 'taylor' \(allowed: random, magnitude, snip, grasp, synflow, rand, mag\)/);
    await assert.rejects(upaiPrune(model, { scorer: 'mag', sparsity: 1 }), /sparsity 1 is out of range/);
    await assert.rejects(upaiPrune(model, { scorer: 'snip', sparsity: 0.5 }), /SNIP differentiates the loss on a labelled batch/);
    await assert.rejects(upaiPrune(model, { scorer: 'synflow', sparsity: 0.5 }), /SynFlow runs gradient graphs and needs a backend/);
  });
});
