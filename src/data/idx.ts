/**
 * The IDX format of MNIST and Fashion-MNIST (plain or gzip): a 4-byte magic number (two zero
 * bytes, an element-type code, the number of dimensions), big-endian uint32 dimensions, then the
 * elements. Only unsigned bytes (type 0x08) occur in these datasets and only they are read.
 */
import { SculptError } from '../errors.js';
import { gunzipIfCompressed } from './bytes.js';
import { channelStatistics, createDataset, normalizeChannels, type Dataset } from './dataset.js';

/** A decoded IDX array of unsigned bytes. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Class names of MNIST. */
export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
/** Class names of Fashion-MNIST, in label order. */
export const FASHION_MNIST_CLASSES: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
/** The customary normalisation constants of MNIST (pixels scaled to [0, 1]). */
export const MNIST_NORMALIZATION = { mean: [0.1307], std: [0.3081] } as const;
/** The customary normalisation constants of Fashion-MNIST. */
export const FASHION_MNIST_NORMALIZATION = { mean: [0.286], std: [0.353] } as const;

const UNSIGNED_BYTE = 0x08;

/** Decodes IDX bytes (gunzipping them first when needed); `name` (the file) appears in errors. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const raw = gunzipIfCompressed(bytes, name);
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) {
    throw new SculptError('BAD_DATA', `'${name}' is not an IDX file (its magic number does not start with two zero bytes); expected an MNIST-style *-ubyte file`);
  }
  const type = raw[2]!;
  const rank = raw[3]!;
  if (type !== UNSIGNED_BYTE) {
    throw new SculptError('BAD_DATA', `'${name}' holds IDX element type 0x${type.toString(16).padStart(2, '0')}; only unsigned bytes (0x08) are supported`);
  }
  const headerLength = 4 + 4 * rank;
  if (rank === 0 || raw.length < headerLength) {
    throw new SculptError('BAD_DATA', `'${name}' has a truncated IDX header (${raw.length} bytes, rank ${rank})`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = raw.length - headerLength;
  if (actual !== expected) {
    const problem = actual < expected ? 'is truncated' : 'has trailing bytes';
    throw new SculptError('BAD_DATA', `'${name}' ${problem}: its header says ${dims.join('x')} (${expected} bytes of data) but ${actual} bytes follow the header`);
  }
  return { dims, data: raw.subarray(headerLength) };
}

/** Inputs of `idxDataset`: the two files' bytes and names. */
export interface IdxDatasetOptions {
  readonly name: string;
  readonly images: Uint8Array;
  readonly imagesFile: string;
  readonly labels: Uint8Array;
  readonly labelsFile: string;
  /** Default 10. */
  readonly numClasses?: number;
  readonly classNames?: readonly string[];
  /** Normalisation constants for pixels scaled to [0, 1]; computed from these images when absent. */
  readonly normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] };
}

/** A classification dataset from an IDX image file [N, H, W] and an IDX label file [N]. */
export function idxDataset(options: IdxDatasetOptions): Dataset {
  const images = parseIdx(options.images, options.imagesFile);
  const labels = parseIdx(options.labels, options.labelsFile);
  if (images.dims.length !== 3) {
    throw new SculptError('BAD_DATA', `'${options.imagesFile}' has shape ${images.dims.join('x')}; an image file of shape [count, rows, columns] was expected`);
  }
  if (labels.dims.length !== 1) {
    throw new SculptError('BAD_DATA', `'${options.labelsFile}' has shape ${labels.dims.join('x')}; a label file of shape [count] was expected`);
  }
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new SculptError('BAD_DATA', `'${options.imagesFile}' holds ${count} images but '${options.labelsFile}' holds ${labels.dims[0]} labels; use matching files`);
  }
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i]! / 255;
  const normalization = options.normalization ?? channelStatistics(pixels, 1, height, width);
  normalizeChannels(pixels, 1, height, width, normalization.mean, normalization.std);
  const numClasses = options.numClasses ?? 10;
  for (let i = 0; i < count; i++) {
    if (labels.data[i]! >= numClasses) {
      throw new SculptError('BAD_DATA', `'${options.labelsFile}': label ${i} is ${labels.data[i]}; labels must be 0..${numClasses - 1}`);
    }
  }
  return createDataset({
    name: options.name,
    task: 'classification',
    channels: 1,
    height,
    width,
    images: pixels,
    labels: Int32Array.from(labels.data),
    numClasses,
    ...(options.classNames ? { classNames: options.classNames } : {}),
    normalization: { kind: 'channel', scale: 1 / 255, mean: [...normalization.mean], std: [...normalization.std] },
  });
}
