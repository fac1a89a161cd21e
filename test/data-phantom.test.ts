import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PHANTOM_CLASSES, phantomDataset } from '../src/data/phantom.js';
import type { Dataset } from '../src/data/dataset.js';

const BACKGROUND = 0;
const POOL = 1;
const MYOCARDIUM = 2;
const RV = 3;

/** Labels of the 4-neighbours of pixel (x, y) inside the slice. */
function neighbours(mask: Int32Array, size: number, x: number, y: number): number[] {
  const out: number[] = [];
  for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
    const nx = x + dx;
    const ny = y + dy;
    if (nx >= 0 && ny >= 0 && nx < size && ny < size) out.push(mask[ny * size + nx]!);
  }
  return out;
}

function sliceMask(data: Dataset, n: number): Int32Array {
  const plane = data.height * data.width;
  return data.labels.subarray(n * plane, (n + 1) * plane);
}

describe('cardiac phantom', () => {
  const size = 64;
  const data = phantomDataset({ count: 200, size, seed: 3 });

  it('is a 4-class, one-channel segmentation dataset with named classes', () => {
    assert.equal(data.task, 'segmentation');
    assert.deepEqual([data.count, data.channels, data.height, data.width, data.numClasses], [200, 1, 64, 64, 4]);
    assert.deepEqual(data.classNames, PHANTOM_CLASSES);
  });

  it('gives the same slices for the same seed, whatever the count, and different slices for another seed', () => {
    const prefix = phantomDataset({ count: 20, size, seed: 3 });
    assert.deepEqual(prefix.images, data.images.subarray(0, 20 * size * size));
    assert.deepEqual(prefix.labels, data.labels.subarray(0, 20 * size * size));
    const continued = phantomDataset({ count: 5, size, seed: 3, first: 20 });
    assert.deepEqual(continued.labels, data.labels.subarray(20 * size * size, 25 * size * size));
    const other = phantomDataset({ count: 20, size, seed: 4 });
    assert.notDeepEqual(other.labels, prefix.labels);
    for (let n = 0; n < 20; n++) assert.notDeepEqual(other.images.subarray(n * size * size, (n + 1) * size * size), prefix.images.subarray(n * size * size, (n + 1) * size * size));
  });

  it('surrounds the blood pool with myocardium and keeps the right ventricle outside it', () => {
    for (let n = 0; n < data.count; n++) {
      const mask = sliceMask(data, n);
      const present = new Set(mask);
      assert.deepEqual([...present].sort(), [0, 1, 2, 3], `slice ${n} lacks a class`);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const label = mask[y * size + x]!;
          const around = neighbours(mask, size, x, y);
          // The pool touches only pool and myocardium: the ring closes around it.
          if (label === POOL) assert.ok(around.every((l) => l === POOL || l === MYOCARDIUM), `slice ${n}: pool at (${x}, ${y}) touches ${around}`);
          // The right ventricle never touches the pool.
          if (label === RV) assert.ok(!around.includes(POOL), `slice ${n}: RV at (${x}, ${y}) touches the pool`);
          // The pool never sits at the image border.
          if (label === POOL) assert.ok(x > 0 && y > 0 && x < size - 1 && y < size - 1);
        }
      }
    }
  });

  it('keeps class areas in anatomically sensible ranges and the RV beside the myocardium', () => {
    const plane = size * size;
    for (let n = 0; n < data.count; n++) {
      const mask = sliceMask(data, n);
      const counts = [0, 0, 0, 0];
      let rvTouchesWall = false;
      for (let i = 0; i < plane; i++) {
        counts[mask[i]!]!++;
        if (mask[i] === RV) {
          const around = neighbours(mask, size, i % size, Math.floor(i / size));
          if (around.includes(MYOCARDIUM)) rvTouchesWall = true;
        }
      }
      const [background, pool, wall, rv] = counts.map((c) => c / plane) as [number, number, number, number];
      assert.ok(background > 0.75 && background < 0.97, `slice ${n}: background ${background}`);
      assert.ok(pool > 0.008 && pool < 0.06, `slice ${n}: pool ${pool}`);
      assert.ok(wall > 0.01 && wall < 0.07, `slice ${n}: myocardium ${wall}`);
      assert.ok(rv > 0.003 && rv < 0.08, `slice ${n}: RV ${rv}`);
      assert.ok(rvTouchesWall, `slice ${n}: RV far from the myocardium`);
    }
  });

  it('draws bright blood and dark myocardium, as in bright-blood cine MRI', () => {
    let brighter = 0;
    for (let n = 0; n < data.count; n++) {
      const mean = [0, 0, 0, 0];
      const count = [0, 0, 0, 0];
      const plane = size * size;
      for (let i = 0; i < plane; i++) {
        mean[data.labels[n * plane + i]!]! += data.images[n * plane + i]!;
        count[data.labels[n * plane + i]!]!++;
      }
      const [, pool, wall, rv] = mean.map((m, c) => m / count[c]!) as [number, number, number, number];
      if (pool > wall && rv > wall) brighter++;
    }
    assert.equal(brighter, data.count);
  });

  it('scales its anatomy with the resolution', () => {
    const share = (d: Dataset, label: number): number => [...d.labels].filter((l) => l === label).length / d.labels.length;
    const small = phantomDataset({ count: 20, size: 32, seed: 3 });
    const large = phantomDataset({ count: 20, size: 128, seed: 3 });
    for (const label of [BACKGROUND, POOL, MYOCARDIUM, RV]) {
      assert.ok(Math.abs(share(small, label) - share(large, label)) < 0.25 * share(large, label), `class ${label}: ${share(small, label)} vs ${share(large, label)}`);
    }
  });
});
