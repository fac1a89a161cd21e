import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { imageClassificationDataset, segmentationPairsDataset, type DecodedImage } from '../src/data/images.js';
import { resizeLabels, resizePlane } from '../src/data/resize.js';
import { isSculptError } from '../src/errors.js';
import { decodeMaskFile, loadDataset } from '../src/platform/node/datasets.js';
import { palettePngBytes, pngBytes, temporaryDirectory } from './data-files.js';

function write(path: string, bytes: Uint8Array): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
}

/** A w x h RGB image whose pixel (x, y) is (base + x, base + y, base + x + y). */
function rgb(width: number, height: number, base: number): number[] {
  const pixels: number[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.push(base + x, base + y, base + x + y);
  return pixels;
}

const unit = { mean: [0, 0, 0], std: [1, 1, 1] };

describe('image folders', () => {
  const { dir, remove } = temporaryDirectory();
  after(remove);

  it('labels images by their sorted class folder and keeps the exact RGB pixels, channel first', () => {
    const root = join(dir, 'classes');
    write(join(root, 'zebra', 'a.png'), pngBytes(3, 2, 3, rgb(3, 2, 100)));
    write(join(root, 'ant', 'b.png'), pngBytes(3, 2, 3, rgb(3, 2, 10)));
    write(join(root, 'ant', 'c.PNG'), pngBytes(3, 2, 3, rgb(3, 2, 20)));
    write(join(root, 'ant', 'notes.txt'), new Uint8Array([1]));
    const { train } = loadDataset(`folder:${root},split=0.34`, { seed: 2 });
    assert.deepEqual(train.classNames, ['ant', 'zebra']);
    assert.equal(train.channels, 3);
    const all = loadDataset(`folder:${root},split=0.34,limit=1`, { seed: 2 }).train;
    assert.equal(all.count, 1);
    // The 'zebra' image (class 1): channel 1 at (x=2, y=1) is base + y = 101.
    const zebra = imageClassificationDataset({ name: 't', classNames: ['ant', 'zebra'], examples: [{ image: decode(rgb(3, 2, 100), 3, 2, 3), label: 1 }], normalization: unit });
    assert.ok(Math.abs(zebra.images[1 * 6 + 1 * 3 + 2]! - 101 / 255) < 1e-6);
  });

  it('decodes PNG and JPEG alike, and makes grey images one channel', () => {
    const root = join(dir, 'grey');
    const grey = Array.from({ length: 16 }, (_, i) => i * 16);
    write(join(root, 'train', 'a', 'x.png'), pngBytes(4, 4, 1, grey));
    const rgba = new Uint8Array(64);
    for (let i = 0; i < 16; i++) rgba.set([grey[i]!, grey[i]!, grey[i]!, 255], 4 * i);
    write(join(root, 'train', 'b', 'y.jpg'), jpeg.encode({ width: 4, height: 4, data: rgba }, 100).data);
    write(join(root, 'test', 'a', 'z.png'), pngBytes(4, 4, 1, grey));
    write(join(root, 'test', 'b', 'w.png'), pngBytes(4, 4, 1, grey));
    const { train, test } = loadDataset(`folder:${root}`);
    assert.equal(train.channels, 1);
    assert.deepEqual([...train.labels], [0, 1]);
    assert.equal(test.count, 2);
    // The test set is normalised with the training set's constants.
    assert.deepEqual(test.normalization, train.normalization);
    const png = train.images.subarray(0, 16);
    const jpg = train.images.subarray(16, 32);
    for (let i = 0; i < 16; i++) assert.ok(Math.abs(png[i]! - jpg[i]!) < 0.1, `pixel ${i}: ${png[i]} vs ${jpg[i]}`);
  });

  it('refuses images of another size unless size= resamples them', () => {
    const root = join(dir, 'sizes');
    write(join(root, 'a', '1.png'), pngBytes(4, 4, 3, rgb(4, 4, 0)));
    write(join(root, 'b', '2.png'), pngBytes(6, 5, 3, rgb(6, 5, 0)));
    assert.throws(
      () => loadDataset(`folder:${root}`),
      (e) => isSculptError(e, 'BAD_DATA') && e.message.includes(`'${join(root, 'b', '2.png')}' is 6x5 but '${join(root, 'a', '1.png')}' is 4x4`) && e.message.includes('size=<pixels>'),
    );
    const { train, test } = loadDataset(`folder:${root},size=8,split=0.5`);
    assert.deepEqual([train.height, train.width, test.height, test.width], [8, 8, 8, 8]);
  });

  it('names an empty class folder', () => {
    const root = join(dir, 'empty');
    write(join(root, 'a', '1.png'), pngBytes(2, 2, 1, [0, 1, 2, 3]));
    mkdirSync(join(root, 'b'));
    assert.throws(() => loadDataset(`folder:${root}`), (e) => isSculptError(e, 'BAD_DATA') && e.message.includes(`class folder '${join(root, 'b')}' has no PNG or JPEG images`));
  });
});

describe('segmentation pairs', () => {
  const { dir, remove } = temporaryDirectory();
  after(remove);
  const mask = [0, 1, 2, 255, 1, 1];

  it('pairs images with masks by name and reads grey mask values as class indices', () => {
    const root = join(dir, 'pairs');
    write(join(root, 'images', 'case1.jpg'), jpeg.encode({ width: 3, height: 2, data: new Uint8Array(24).fill(200) }, 90).data);
    write(join(root, 'masks', 'case1.png'), pngBytes(3, 2, 1, mask));
    write(join(root, 'images', 'case2.png'), pngBytes(3, 2, 3, rgb(3, 2, 0)));
    write(join(root, 'masks', 'case2.png'), pngBytes(3, 2, 1, [0, 0, 0, 2, 2, 2]));
    const { train, test } = loadDataset(`seg:${root},ignore=255,split=0.5`, { seed: 4 });
    const both = [train, test].sort((a, b) => a.labels[1]! - b.labels[1]!);
    assert.deepEqual([...both[0]!.labels], [0, 0, 0, 2, 2, 2]);
    assert.deepEqual([...both[1]!.labels], mask);
    assert.equal(train.numClasses, 3);
    assert.equal(train.ignoreLabel, 255);
    assert.equal(train.task, 'segmentation');
  });

  it('maps palette PNG colours back to their palette indices', () => {
    const path = join(dir, 'palette.png');
    write(path, palettePngBytes(3, 2, [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0]], [0, 3, 1, 2, 2, 0]));
    const decoded = decodeMaskFile(path);
    assert.equal(decoded.channels, 1);
    assert.deepEqual([...(decoded.data as Int32Array)], [0, 3, 1, 2, 2, 0]);
  });

  it('names an image without a mask, a mask without an image, a colour mask and a class beyond classes=', () => {
    const root = join(dir, 'broken');
    write(join(root, 'images', 'a.png'), pngBytes(3, 2, 1, mask));
    write(join(root, 'masks', 'b.png'), pngBytes(3, 2, 1, mask));
    assert.throws(() => loadDataset(`seg:${root}`), (e) => isSculptError(e, 'BAD_DATA') && e.message.includes(`has no mask; expected '${join(root, 'masks', 'a.png')}'`));
    write(join(root, 'masks', 'a.png'), pngBytes(3, 2, 1, [0, 1, 1, 0, 2, 5]));
    assert.throws(() => loadDataset(`seg:${root}`), (e) => isSculptError(e, 'BAD_DATA') && e.message.includes(`mask '${join(root, 'masks', 'b.png')}' has no image`));
    write(join(root, 'images', 'b.png'), pngBytes(3, 2, 1, mask));
    assert.throws(() => loadDataset(`seg:${root},classes=3,ignore=255`), (e) => isSculptError(e, 'BAD_DATA') && e.message.includes(`mask '${join(root, 'masks', 'a.png')}' holds class 5 but there are 3 classes`));
    write(join(root, 'masks', 'a.png'), pngBytes(3, 2, 3, rgb(3, 2, 0)));
    assert.throws(() => loadDataset(`seg:${root}`), (e) => isSculptError(e, 'BAD_DATA') && /is a colour PNG; masks must be grey or palette PNGs/.test(e.message));
  });

  it('resamples images bilinearly and masks by nearest neighbour to size=', () => {
    const image = decode(Array.from({ length: 16 }, (_, i) => (i % 4) * 80), 4, 4, 1);
    const labels = decode([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3], 4, 4, 1);
    const data = segmentationPairsDataset({ name: 's', pairs: [{ image, mask: labels }], size: { height: 2, width: 2 }, normalization: { mean: [0], std: [1] } });
    assert.deepEqual([...data.labels], [0, 1, 2, 3]);
    // PyTorch: interpolate(x, size=(2, 2), mode='bilinear', antialias=True) of rows [0, 80, 160, 240].
    const expected = [57.1429, 182.8571, 57.1429, 182.8571].map((v) => v / 255);
    data.images.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `pixel ${i}: ${v}`));
  });
});

describe('resampling', () => {
  // References from PyTorch 2.x: F.interpolate(torch.arange(35.).reshape(1, 1, 5, 7) * 7, size, mode='bilinear',
  // antialias=True, align_corners=False) — the same antialiased triangle filter as PIL's BILINEAR.
  const ramp = Float32Array.from({ length: 35 }, (_, i) => i * 7);
  it('matches PyTorch antialiased bilinear when shrinking', () => {
    const expected = [18.25, 33.25, 48.25, 75.41666, 90.41666, 105.41666, 132.58331, 147.58334, 162.58333, 189.74998, 204.75002, 219.75];
    resizePlane(ramp, 5, 7, 4, 3).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-3, `pixel ${i}: ${v} vs ${expected[i]}`));
  });

  it('matches PyTorch bilinear when enlarging', () => {
    const expected = [0, 3.181818, 7.636363, 12.090909, 16.545454, 21, 25.454544, 29.909088, 34.363636, 38.81818, 42, 16.333336];
    resizePlane(ramp, 5, 7, 9, 11)
      .subarray(0, 12)
      .forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-3, `pixel ${i}: ${v} vs ${expected[i]}`));
  });

  it('keeps a constant image constant and a linear ramp linear when upsampling', () => {
    const ramp = Float32Array.from({ length: 8 }, (_, i) => i % 4);
    const up = resizePlane(ramp, 2, 4, 4, 8);
    // Interior output pixels of a 2x upsample sit a quarter-pixel from an input centre.
    for (let y = 0; y < 4; y++) for (let x = 1; x < 7; x++) assert.ok(Math.abs(up[y * 8 + x]! - (x + 0.5) / 2 + 0.5) < 1e-6, `(${x}, ${y}) = ${up[y * 8 + x]}`);
    assert.ok(resizePlane(new Float32Array(35).fill(3), 5, 7, 3, 2).every((v) => Math.abs(v - 3) < 1e-6));
  });

  it('picks the nearest label', () => {
    assert.deepEqual([...resizeLabels([1, 2, 3, 4], 2, 2, 4, 4)], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});

function decode(data: number[], width: number, height: number, channels: number): DecodedImage {
  return { name: 'mem', width, height, channels, data };
}
