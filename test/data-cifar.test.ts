import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cifarDataset, CIFAR10_CLASSES, CIFAR10_NORMALIZATION } from '../src/data/cifar.js';
import { isSculptError } from '../src/errors.js';
import { loadDataset } from '../src/platform/node/datasets.js';
import { Random } from '../src/util/random.js';
import { cifarBytes, temporaryDirectory } from './data-files.js';

function randomPixels(random: Random): Uint8Array {
  return Uint8Array.from({ length: 3072 }, () => random.int(256));
}

describe('CIFAR binary files', () => {
  const random = new Random(5);
  const records = [0, 3, 9].map((label) => ({ labels: [label], pixels: randomPixels(random) }));

  it('reads CIFAR-10 records as channel-first 3x32x32 images with their labels, normalised per channel', () => {
    const data = cifarDataset({ name: 'c10', variant: 'cifar10', files: [{ name: 'a.bin', bytes: cifarBytes(records.slice(0, 2)) }, { name: 'b.bin', bytes: cifarBytes(records.slice(2)) }] });
    assert.equal(data.count, 3);
    assert.deepEqual([...data.labels], [0, 3, 9]);
    assert.deepEqual(data.classNames, CIFAR10_CLASSES);
    const { mean, std } = CIFAR10_NORMALIZATION;
    for (let n = 0; n < 3; n++) {
      for (const [c, y, x] of [[0, 0, 0], [1, 5, 31], [2, 31, 7]] as const) {
        const raw = records[n]!.pixels[c * 1024 + y * 32 + x]!;
        const value = data.images[n * 3072 + c * 1024 + y * 32 + x]!;
        assert.ok(Math.abs(value - (raw / 255 - mean[c]) / std[c]) < 1e-5, `example ${n} channel ${c} (${y}, ${x})`);
      }
    }
  });

  it('reads CIFAR-100 fine labels by default and coarse labels on request', () => {
    const bytes = cifarBytes([{ labels: [4, 55], pixels: randomPixels(random) }, { labels: [19, 99], pixels: randomPixels(random) }]);
    const fine = cifarDataset({ name: 'c100', variant: 'cifar100', files: [{ name: 'train.bin', bytes }] });
    assert.deepEqual([...fine.labels], [55, 99]);
    assert.equal(fine.numClasses, 100);
    const coarse = cifarDataset({ name: 'c100', variant: 'cifar100', files: [{ name: 'train.bin', bytes }], labelKind: 'coarse' });
    assert.deepEqual([...coarse.labels], [4, 19]);
    assert.equal(coarse.numClasses, 20);
  });

  it('reports a truncated file, the other variant’s file and out-of-range labels as BAD_DATA naming the file', () => {
    const bytes = cifarBytes(records);
    assert.throws(
      () => cifarDataset({ name: 'c10', variant: 'cifar10', files: [{ name: 'data_batch_1.bin', bytes: bytes.subarray(0, 5000) }] }),
      (e) => isSculptError(e, 'BAD_DATA') && /'data_batch_1.bin' has 5000 bytes, not a whole number of 3073-byte CIFAR-10 records/.test(e.message),
    );
    assert.throws(
      () => cifarDataset({ name: 'c100', variant: 'cifar100', files: [{ name: 'train.bin', bytes }] }),
      (e) => isSculptError(e, 'BAD_DATA') && /'train.bin' has 9219 bytes, not a whole number of 3074-byte CIFAR-100 records/.test(e.message),
    );
    assert.throws(
      () => cifarDataset({ name: 'c10', variant: 'cifar10', files: [{ name: 'x.bin', bytes: cifarBytes([{ labels: [10], pixels: randomPixels(random) }]) }] }),
      (e) => isSculptError(e, 'BAD_DATA') && /'x.bin': record 0 has label 10; cifar10 labels are 0..9/.test(e.message),
    );
  });

  describe('loaded from a directory', () => {
    const { dir, remove } = temporaryDirectory();
    after(remove);
    const nested = join(dir, 'cifar-10-batches-bin');
    mkdirSync(nested);
    const labelsOf = (file: number): number[] => Array.from({ length: 20 }, (_, i) => (i + file) % 10);
    for (let f = 1; f <= 5; f++) writeFileSync(join(nested, `data_batch_${f}.bin`), cifarBytes(labelsOf(f).map((label) => ({ labels: [label], pixels: randomPixels(random) }))));
    writeFileSync(join(nested, 'test_batch.bin'), cifarBytes(labelsOf(0).map((label) => ({ labels: [label], pixels: randomPixels(random) }))));

    it('finds the batches in the extracted cifar-10-batches-bin folder and keeps the official test set', () => {
      const { train, test } = loadDataset(`cifar10:${dir}`);
      assert.equal(train.count, 100);
      assert.equal(test.count, 20);
      assert.deepEqual([...train.labels.subarray(20, 40)], labelsOf(2));
      assert.deepEqual([...test.labels], labelsOf(0));
    });

    it('holds out a stratified validation set from the training batches when split is a fraction', () => {
      const { train, test } = loadDataset(`cifar10:${dir},split=0.1`);
      assert.equal(train.count, 90);
      assert.equal(test.count, 10);
      assert.equal(test.name, 'cifar10/validation');
      assert.deepEqual([...test.labels].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('names the missing batch file', () => {
      const { dir: empty, remove: removeEmpty } = temporaryDirectory();
      try {
        assert.throws(() => loadDataset(`cifar10:${empty}`), (e) => isSculptError(e, 'BAD_DATA') && e.message.includes(`'${join(empty, 'data_batch_1.bin')}' was not found`));
      } finally {
        removeEmpty();
      }
    });
  });
});
