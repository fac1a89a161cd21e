import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher } from '../src/data/batch.js';
import { createDataset, limitDataset, splitDataset, subsetDataset, type Dataset } from '../src/data/dataset.js';
import { isSculptError } from '../src/errors.js';

/** Classification data whose first pixel encodes the example index, so copies can be traced. */
function classification(labels: readonly number[], numClasses: number): Dataset {
  const images = new Float32Array(labels.length * 2 * 2 * 3);
  for (let n = 0; n < labels.length; n++) for (let i = 0; i < 12; i++) images[n * 12 + i] = n * 100 + i;
  return createDataset({
    name: 'toy',
    task: 'classification',
    channels: 2,
    height: 2,
    width: 3,
    images,
    labels: Int32Array.from(labels),
    numClasses,
    normalization: { kind: 'channel', scale: 1, mean: [0, 0], std: [1, 1] },
  });
}

function segmentation(count: number, groups?: readonly number[]): Dataset {
  const images = Float32Array.from({ length: count * 4 }, (_, i) => i);
  const labels = Int32Array.from({ length: count * 4 }, (_, i) => (i % 5 === 4 ? 255 : i % 3));
  return createDataset({
    name: 'seg',
    task: 'segmentation',
    channels: 1,
    height: 2,
    width: 2,
    images,
    labels,
    numClasses: 3,
    ignoreLabel: 255,
    normalization: { kind: 'channel', scale: 1, mean: [0], std: [1] },
    ...(groups ? { groups: Int32Array.from(groups) } : {}),
  });
}

const exampleOf = (dataset: Dataset, k: number): number => dataset.images[k * 12]! / 100;

describe('datasets', () => {
  it('rejects labels outside 0..numClasses-1 unless they are the ignore label', () => {
    assert.throws(() => classification([0, 1, 3], 3), (e) => isSculptError(e, 'BAD_DATA') && /example 2 has label 3; labels must be 0..2/.test(e.message));
    assert.doesNotThrow(() => segmentation(3));
    assert.throws(
      () => createDataset({ ...segmentation(2), count: undefined, ignoreLabel: 1 }),
      (e) => isSculptError(e, 'BAD_DATA') && /ignoreLabel 1 is a class index/.test(e.message),
    );
  });

  it('rejects image and label arrays whose sizes disagree', () => {
    const base = classification([0, 1], 2);
    assert.throws(() => createDataset({ ...base, count: undefined, images: new Float32Array(13) }), (e) => isSculptError(e, 'BAD_DATA') && /not a whole number of 2x2x3 images/.test(e.message));
    assert.throws(() => createDataset({ ...base, count: undefined, labels: new Int32Array(3) }), (e) => isSculptError(e, 'BAD_DATA') && /3 label values do not match 2 labels/.test(e.message));
  });

  it('copies the chosen examples, images and labels together, into a subset', () => {
    const data = classification([0, 1, 2, 0, 1], 3);
    const subset = subsetDataset(data, [4, 1]);
    assert.equal(subset.count, 2);
    assert.deepEqual([exampleOf(subset, 0), exampleOf(subset, 1)], [4, 1]);
    assert.deepEqual([...subset.labels], [1, 1]);
    assert.deepEqual([...subset.images.subarray(12, 24)], [...data.images.subarray(12, 24)]);
  });

  it('limits to a seeded, stratified subset that keeps every class', () => {
    const labels = [...Array(60).fill(0), ...Array(30).fill(1), ...Array(10).fill(2)] as number[];
    const data = classification(labels, 3);
    const limited = limitDataset(data, { limit: 10, seed: 7 });
    assert.equal(limited.count, 10);
    const counts = [0, 0, 0];
    for (const label of limited.labels) counts[label]!++;
    assert.deepEqual(counts, [6, 3, 1]);
    // Each kept example keeps its own label, and the same seed picks the same examples.
    for (let k = 0; k < limited.count; k++) assert.equal(limited.labels[k], labels[exampleOf(limited, k)]);
    assert.deepEqual(limitDataset(data, { limit: 10, seed: 7 }).images, limited.images);
    assert.notDeepEqual(limitDataset(data, { limit: 10, seed: 8 }).images, limited.images);
  });

  it('splits into disjoint stratified parts that together hold every example once', () => {
    const labels = Array.from({ length: 50 }, (_, i) => (i < 40 ? 0 : 1));
    const data = classification(labels, 2);
    const { train, test } = splitDataset(data, { fraction: 0.2, seed: 3 });
    assert.equal(test.count, 10);
    assert.deepEqual([...test.labels].filter((l) => l === 1).length, 2);
    const seen = [...Array(train.count).keys()].map((k) => exampleOf(train, k)).concat([...Array(test.count).keys()].map((k) => exampleOf(test, k)));
    assert.deepEqual(seen.sort((a, b) => a - b), [...Array(50).keys()]);
  });

  it('never puts two examples of one group on both sides of a split', () => {
    const groups = Array.from({ length: 40 }, (_, i) => Math.floor(i / 8));
    const data = segmentation(40, groups);
    const { train, test } = splitDataset(data, { fraction: 0.25, seed: 11 });
    const trainGroups = new Set(train.groups);
    for (const g of test.groups!) assert.ok(!trainGroups.has(g), `group ${g} is on both sides`);
    assert.equal(train.count + test.count, 40);
    assert.equal(test.count, 8); // one whole group of 8 is the closest to 25% of 40
  });
});

describe('Batcher', () => {
  it('fills int64 labels and images of the chosen examples into the same buffers each call', () => {
    const data = classification([2, 0, 1, 2], 3);
    const batcher = new Batcher(data, { batchSize: 3 });
    const first = batcher.batch([3, 1, 2]);
    assert.ok(first.labels instanceof BigInt64Array);
    assert.deepEqual([...first.labels], [2n, 0n, 1n]);
    assert.deepEqual([...first.images.subarray(12, 24)], [...data.images.subarray(12, 24)]);
    assert.deepEqual(first.imageDims, [3, 2, 2, 3]);
    const second = batcher.batch([0]);
    assert.equal(second, first);
    assert.equal(second.count, 1);
    assert.equal(second.labels[0], 2n);
  });

  it('writes segmentation masks, including the ignore label, as int64 and int32 alike', () => {
    const data = segmentation(3);
    const expected = [...data.labels.subarray(8, 12), ...data.labels.subarray(0, 4)];
    const wide = new Batcher(data, { batchSize: 2 }).batch([2, 0]);
    assert.deepEqual([...wide.labels], expected.map(BigInt));
    assert.deepEqual(wide.labelDims, [2, 2, 2]);
    const narrow = new Batcher(data, { batchSize: 2, labelType: 'int32' }).batch([2, 0]);
    assert.deepEqual([...narrow.labels], expected);
  });

  it('sign-extends negative labels into int64', () => {
    const base = segmentation(1);
    const data = createDataset({ ...base, count: undefined, labels: Int32Array.from([0, -1, 2, -1]), ignoreLabel: -1 });
    assert.deepEqual([...new Batcher(data, { batchSize: 1 }).batch([0]).labels], [0n, -1n, 2n, -1n]);
  });

  it('refuses more indices than the batch holds and indices outside the dataset', () => {
    const batcher = new Batcher(classification([0, 1], 2), { batchSize: 1 });
    assert.throws(() => batcher.batch([0, 1]), (e) => isSculptError(e, 'BAD_ARGUMENT') && /2 indices do not fit a batch of 1/.test(e.message));
    assert.throws(() => batcher.batch([2]), (e) => isSculptError(e, 'BAD_ARGUMENT') && /out of range \[0, 2\)/.test(e.message));
  });
});
