import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../src/util/random.js';

describe('seeded random numbers', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const seqA = Array.from({ length: 8 }, () => a.nextUint32());
    assert.deepEqual(seqA, Array.from({ length: 8 }, () => b.nextUint32()));
    assert.notDeepEqual(seqA, Array.from({ length: 8 }, () => c.nextUint32()));
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Random(1);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      assert.ok(u >= 0 && u < 1);
      sum += u;
      sumSq += u * u;
    }
    const mean = sum / n;
    assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / n));
    assert.ok(Math.abs(sumSq / n - mean * mean - 1 / 12) < 0.002);
  });

  it('fills normals with the requested standard deviation, zero mean and normal tails', () => {
    const out = new Random(3).fillNormal(new Float32Array(200_001), 2);
    let sum = 0;
    let sumSq = 0;
    let beyond2Sigma = 0;
    for (const x of out) {
      sum += x;
      sumSq += x * x;
      if (Math.abs(x) > 4) beyond2Sigma++;
    }
    const n = out.length;
    assert.ok(Math.abs(sum / n) < 5 * (2 / Math.sqrt(n)), `mean ${sum / n}`);
    assert.ok(Math.abs(Math.sqrt(sumSq / n) - 2) < 0.02, `std ${Math.sqrt(sumSq / n)}`);
    // P(|z| > 2) = 0.0455 for a standard normal.
    assert.ok(Math.abs(beyond2Sigma / n - 0.0455) < 0.003, `tail share ${beyond2Sigma / n}`);
    assert.ok(Number.isFinite(out[n - 1]!) && out[n - 1] !== 0, 'an odd length is filled to the end');
  });

  it('normal() agrees with a standard normal in mean and spread', () => {
    const r = new Random(5);
    let sum = 0;
    let sumSq = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      sum += x;
      sumSq += x * x;
    }
    assert.ok(Math.abs(sum / n) < 0.02);
    assert.ok(Math.abs(sumSq / n - 1) < 0.02);
  });

  it('shuffles into a permutation of the same items', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const shuffled = new Random(2).shuffle([...items]);
    assert.notDeepEqual(shuffled, items);
    assert.deepEqual([...shuffled].sort((x, y) => x - y), items);
  });
});
