import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Augmenter, cropFlipPlanes } from '../src/data/augment.js';
import { Batcher } from '../src/data/batch.js';
import { createDataset } from '../src/data/dataset.js';

// A 3 x 4 image, pixel (x, y) = 10·y + x + 1 (so 0 only appears as padding):
//    1  2  3  4
//   11 12 13 14
//   21 22 23 24
const image = [1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24];

function transformed(dy: number, dx: number, flip: boolean, fill = 0): number[] {
  const out = new Array<number>(12);
  cropFlipPlanes(image, out, 1, 3, 4, { dy, dx, flip }, fill);
  return out;
}

describe('crop and flip geometry', () => {
  it('shifts content up and left when the crop window moves down and right, padding with the fill value', () => {
    assert.deepEqual(transformed(1, 2, false), [13, 14, 0, 0, 23, 24, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(transformed(-1, -1, false, -5), [-5, -5, -5, -5, -5, 1, 2, 3, -5, 11, 12, 13]);
  });

  it('mirrors rows when flipping, after the crop', () => {
    assert.deepEqual(transformed(0, 0, true), [4, 3, 2, 1, 14, 13, 12, 11, 24, 23, 22, 21]);
    // Crop one column to the right (content moves left, zero on the right), then mirror: the zero comes first.
    assert.deepEqual(transformed(0, 1, true), [0, 4, 3, 2, 0, 14, 13, 12, 0, 24, 23, 22]);
  });

  it('moves every channel alike', () => {
    const twoPlanes = [...image, ...image.map((v) => -v)];
    const out = new Array<number>(24);
    cropFlipPlanes(twoPlanes, out, 2, 3, 4, { dy: 1, dx: 0, flip: true }, 0);
    assert.deepEqual(out, [14, 13, 12, 11, 24, 23, 22, 21, 0, 0, 0, 0, -14, -13, -12, -11, -24, -23, -22, -21, 0, 0, 0, 0]);
  });
});

describe('Augmenter', () => {
  // Segmentation data: 5 copies of the image; the mask of pixel (x, y) is (x + y) mod 3.
  const count = 5;
  const mask = image.map((_, i) => ((i % 4) + Math.floor(i / 4)) % 3);
  const data = createDataset({
    name: 'toy',
    task: 'segmentation',
    channels: 1,
    height: 3,
    width: 4,
    images: Float32Array.from({ length: count * 12 }, (_, i) => image[i % 12]!),
    labels: Int32Array.from({ length: count * 12 }, (_, i) => mask[i % 12]!),
    numClasses: 3,
    ignoreLabel: 255,
    normalization: { kind: 'channel', scale: 1, mean: [0], std: [1] },
  });
  const indices = [0, 1, 2, 3, 4];

  for (const labelType of ['int64', 'int32'] as const) {
    it(`moves each mask (${labelType}) exactly as its image, filling uncovered pixels with maskFill`, () => {
      const augmenter = new Augmenter({ seed: 3, padding: 1, flip: true, maskFill: 255 });
      const batch = new Batcher(data, { batchSize: count, labelType }).batch(indices);
      augmenter.apply(batch);
      const transforms = augmenter.lastTransforms();
      assert.equal(transforms.length, count);
      assert.ok(transforms.some((t) => t.flip) && transforms.some((t) => t.dx !== 0 && t.dy !== 0), 'the seed should exercise flips and shifts');
      for (let k = 0; k < count; k++) {
        const t = transforms[k]!;
        assert.deepEqual([...batch.images.subarray(k * 12, (k + 1) * 12)], transformed(t.dy, t.dx, t.flip));
        for (let i = 0; i < 12; i++) {
          const value = batch.images[k * 12 + i]!;
          const label = Number(batch.labels[k * 12 + i]!);
          // Pixel value v came from source pixel (v−1) mod 10, row floor(v/10); padding (0) carries maskFill.
          const expected = value === 0 ? 255 : mask[Math.floor(value / 10) * 4 + ((value - 1) % 10)]!;
          assert.equal(label, expected, `example ${k} pixel ${i}`);
        }
      }
    });
  }

  it('draws the same transforms for the same seed, shifts within the padding and flips about half the time', () => {
    const draws = (seed: number): string[] => {
      const augmenter = new Augmenter({ seed, padding: 2, flip: true });
      const batcher = new Batcher(data, { batchSize: count });
      const seen: string[] = [];
      for (let round = 0; round < 40; round++) {
        augmenter.apply(batcher.batch(indices));
        for (const t of augmenter.lastTransforms()) {
          assert.ok(Math.abs(t.dx) <= 2 && Math.abs(t.dy) <= 2);
          seen.push(`${t.dy},${t.dx},${t.flip}`);
        }
      }
      return seen;
    };
    const first = draws(7);
    assert.deepEqual(draws(7), first);
    assert.notDeepEqual(draws(8), first);
    const flips = first.filter((s) => s.endsWith('true')).length;
    assert.ok(flips > 60 && flips < 140, `${flips} flips of 200`);
    assert.equal(new Set(first.map((s) => s.split(',').slice(0, 2).join())).size, 25);
  });

  it('leaves a batch untouched without padding or flips, and touches only the filled examples', () => {
    const batch = new Batcher(data, { batchSize: count }).batch(indices);
    const before = batch.images.slice();
    new Augmenter({ seed: 1 }).apply(batch);
    assert.deepEqual(batch.images, before);
    const short = new Batcher(data, { batchSize: count }).batch([0, 1]);
    const tail = short.images.slice(24);
    new Augmenter({ seed: 1, padding: 1, flip: true }).apply(short);
    assert.deepEqual(short.images.slice(24), tail);
  });
});
