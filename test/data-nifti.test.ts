import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'fflate';
import { parseNifti, volumeSlicesDataset, type Volume } from '../src/data/nifti.js';
import { isSculptError } from '../src/errors.js';
import { loadDataset, MRICRON_TEMPLATES_DIR } from '../src/platform/node/datasets.js';
import { Random } from '../src/util/random.js';
import { niftiBytes, temporaryDirectory } from './data-files.js';

const N = 4;
const random = new Random(9);
// Distinct values, x fastest, as NIfTI stores them.
const values = Array.from({ length: N * N * N }, () => random.int(1000) - 200);
const at = (x: number, y: number, z: number): number => values[x + N * (y + N * z)]!;

/** z-score over the whole volume: for 64 voxels the 0.5/99.5 percentile clip is the min and max, so nothing is clipped. */
function zscore(v: number): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return (v - mean) / std;
}

describe('NIfTI volumes', () => {
  it('decodes int16 and float32 voxels, either byte order, gzipped or not, with the header scaling applied', () => {
    const plain = parseNifti(niftiBytes({ dims: [N, N, N], data: values, type: 'int16' }), 'v.nii');
    assert.deepEqual(plain.dims, [N, N, N]);
    assert.deepEqual([...plain.data], values);
    const scaled = parseNifti(gzipSync(niftiBytes({ dims: [N, N, N], data: values, type: 'float32', slope: 0.5, inter: 3, littleEndian: false })), 'v.nii.gz');
    assert.deepEqual([...scaled.data], values.map((v) => v * 0.5 + 3));
  });

  for (const [axis, name, expected] of [
    // Rows run along the slower remaining axis, highest coordinate first; columns along the faster one.
    [2, 'z (axial)', (s: number, r: number, c: number) => at(c, N - 1 - r, s)],
    [1, 'y (coronal)', (s: number, r: number, c: number) => at(c, s, N - 1 - r)],
    [0, 'x (sagittal)', (s: number, r: number, c: number) => at(s, c, N - 1 - r)],
  ] as const) {
    it(`slices along ${name} with the documented orientation and per-volume z-scoring`, () => {
      const image = parseNifti(niftiBytes({ dims: [N, N, N], data: values, type: 'int16' }), 'v.nii');
      const data = volumeSlicesDataset({ name: 'v', image, threshold: 1e9, axis, size: N });
      assert.equal(data.count, N);
      for (let s = 0; s < N; s++) {
        for (let r = 0; r < N; r++) {
          for (let c = 0; c < N; c++) {
            const actual = data.images[(s * N + r) * N + c]!;
            assert.ok(Math.abs(actual - zscore(expected(s, r, c))) < 1e-5, `slice ${s} (${r}, ${c})`);
          }
        }
      }
    });
  }

  it('makes masks from a label volume, or from a threshold on the label or image volume', () => {
    const image: Volume = { name: 'img', dims: [N, N, N], data: Float32Array.from(values) };
    const labels = values.map((v) => (v > 600 ? 2 : v > 100 ? 1 : 0));
    const label: Volume = { name: 'lab', dims: [N, N, N], data: Float32Array.from(labels) };
    const fromLabels = volumeSlicesDataset({ name: 'v', image, label, axis: 2, size: N });
    assert.equal(fromLabels.numClasses, 3);
    for (let s = 0; s < N; s++) for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) assert.equal(fromLabels.labels[(s * N + r) * N + c], labels[c + N * (N - 1 - r + N * s)]);
    const thresholded = volumeSlicesDataset({ name: 'v', image, label, threshold: 1, axis: 2, size: N });
    assert.deepEqual([...thresholded.labels].filter((l) => l === 1).length, labels.filter((l) => l > 1).length);
    const fromImage = volumeSlicesDataset({ name: 'v', image, threshold: 100, axis: 2, size: N });
    assert.equal([...fromImage.labels].filter((l) => l === 1).length, values.filter((v) => v > 100).length);
    assert.deepEqual(fromImage.classNames, ['background', 'foreground']);
  });

  it('pads slices to a square with the background value, drops constant slices and groups neighbours', () => {
    // 3 x 2 x 10 volume; slices 0 and 9 are constant (outside the object).
    const dims = [3, 2, 10] as const;
    const data = Float32Array.from({ length: 60 }, (_, i) => (i < 6 || i >= 54 ? 0 : 1 + (i % 7)));
    const sliced = volumeSlicesDataset({ name: 'v', image: { name: 'v', dims, data }, threshold: 3, axis: 2, size: 3, slabSize: 4 });
    assert.equal(sliced.count, 8);
    assert.deepEqual([...sliced.groups!], [0, 0, 0, 1, 1, 1, 1, 2]);
    const background = Math.min(...sliced.images);
    // Two image rows at the top (the padding goes below: floor of the odd remainder is 0 rows above).
    for (let c = 0; c < 3; c++) {
      assert.equal(sliced.images[2 * 3 + c], background);
      assert.equal(sliced.labels[2 * 3 + c], 0);
    }
    const dense = [...Array(10).keys()].filter((z) => data.subarray(6 * z, 6 * z + 6).filter((v) => v > 3).length >= 4);
    assert.ok(dense.length > 0 && dense.length < 8);
    const some = volumeSlicesDataset({ name: 'v', image: { name: 'v', dims, data }, threshold: 3, axis: 2, size: 3, minForeground: 0.6 });
    assert.equal(some.count, dense.length);
  });

  const failures: [string, () => unknown, RegExp][] = [
    ['a file without the NIfTI magic', () => parseNifti(new Uint8Array(400), 'x.nii'), /'x.nii' is not a NIfTI file/],
    ['a truncated file', () => parseNifti(niftiBytes({ dims: [N, N, N], data: values, type: 'int16' }).subarray(0, 400), 'x.nii'), /'x.nii' is truncated: 4x4x4 voxels need 128 bytes from offset 352 but the file has 400 bytes/],
    ['a 4-D series', () => parseNifti(niftiBytes({ dims: [2, 2, 2, 3], data: new Array(24).fill(1), type: 'uint8' }), 'x.nii'), /'x.nii' has 3 entries along dimension 4; only single 3-D volumes/],
    [
      'a label volume on another grid',
      () => volumeSlicesDataset({ name: 'v', image: { name: 'a.nii', dims: [2, 2, 2], data: new Float32Array(8) }, label: { name: 'b.nii', dims: [2, 2, 1], data: new Float32Array(4) }, axis: 2, size: 4 }),
      /label volume 'b.nii' is 2x2x1 but image 'a.nii' is 2x2x2/,
    ],
    [
      'a label volume with fractional values',
      () => volumeSlicesDataset({ name: 'v', image: { name: 'a.nii', dims: [2, 2, 1], data: Float32Array.from([0, 1, 2, 3]) }, label: { name: 'b.nii', dims: [2, 2, 1], data: Float32Array.from([0, 0.5, 1, 1]) }, axis: 2, size: 4 }),
      /label volume 'b.nii' has voxel value 0.5 at index 1; labels must be non-negative integers \(use threshold=/,
    ],
  ];
  for (const [what, run, message] of failures) {
    it(`reports ${what} as BAD_DATA naming the file`, () => {
      assert.throws(run, (e) => isSculptError(e, 'BAD_DATA') && message.test(e.message), message.source);
    });
  }

  describe('through a spec string', () => {
    const { dir, remove } = temporaryDirectory();
    after(remove);
    const big = 16;
    const volume = Array.from({ length: big ** 3 }, (_, i) => (i * 37) % 101);
    writeFileSync(join(dir, 'image.nii.gz'), gzipSync(niftiBytes({ dims: [big, big, big], data: volume, type: 'uint8' })));
    writeFileSync(join(dir, 'label.nii'), niftiBytes({ dims: [big, big, big], data: volume.map((v) => (v > 50 ? 1 : 0)), type: 'uint8' }));

    it('takes the label volume as a bare second item, resamples to size= and splits whole slabs', () => {
      const { train, test } = loadDataset(`nifti:${join(dir, 'image.nii.gz')},${join(dir, 'label.nii')},axis=1,size=8,split=0.5`);
      assert.equal(train.count + test.count, big);
      assert.deepEqual([train.height, train.width], [8, 8]);
      assert.equal(train.task, 'segmentation');
      const trainGroups = new Set(train.groups);
      assert.ok(test.groups!.every((g) => !trainGroups.has(g)));
    });
  });

  it('loads the brain dataset from mricron-data when it is installed', { skip: !existsSync(join(MRICRON_TEMPLATES_DIR, 'ch2bet.nii.gz')) && 'mricron-data is not installed' }, () => {
    const { train, test } = loadDataset('brain,size=32,min-foreground=0.05', { limit: 40 });
    assert.equal(train.count, 40);
    assert.ok(test.count > 0);
    assert.deepEqual(train.classNames, ['background', 'brain']);
    const share = [...train.labels].filter((l) => l === 1).length / train.labels.length;
    assert.ok(share > 0.05 && share < 0.8, `brain share ${share}`);
  });
});
