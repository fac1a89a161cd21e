/**
 * The in-memory dataset every reader produces and the training loop batches from.
 *
 * A dataset is plain data: all images in one Float32Array [N, C, H, W], already normalised (the
 * normalisation is recorded so a deployed model can be fed the same way), and all labels in one
 * Int32Array — one class per example for classification, one class per pixel [N, H, W] for
 * segmentation. Subsets and splits copy the selected rows into a new dataset, so a training loop
 * reads contiguous memory. `Batcher` fills preallocated batch buffers without allocating.
 */
import { SculptError } from '../errors.js';
import { Random } from '../util/random.js';

/** What the labels describe: one class per image, or one class per pixel. */
export type Task = 'classification' | 'segmentation';

/**
 * How stored pixel values were made from the raw ones, so inference can repeat it.
 * - `channel`: x = (raw · scale − mean[c]) / std[c] (raw is 0..255 for 8-bit images).
 * - `volume`: each NIfTI volume was clipped to its [low, high] percentiles, then z-scored with
 *   its own mean and standard deviation (the constants differ per volume, so none are recorded).
 */
export type Normalization =
  | { readonly kind: 'channel'; readonly scale: number; readonly mean: readonly number[]; readonly std: readonly number[] }
  | { readonly kind: 'volume'; readonly clipPercentiles: readonly [number, number] };

/** A labelled image dataset held in memory; see the module doc for the layout. */
export interface Dataset {
  /** A short human-readable name ('mnist/train', 'phantom'). */
  readonly name: string;
  readonly task: Task;
  /** Number of examples N. */
  readonly count: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Normalised pixels, [N, C, H, W] row-major. */
  readonly images: Float32Array;
  /** Class indices: [N] for classification, [N, H, W] for segmentation (pixels may hold `ignoreLabel`). */
  readonly labels: Int32Array;
  /** Classes are 0 .. numClasses−1. */
  readonly numClasses: number;
  /** Names of the classes, index = class, where the format records them. */
  readonly classNames?: readonly string[];
  /** A label value (segmentation) that losses and metrics skip; outside 0 .. numClasses−1. */
  readonly ignoreLabel?: number;
  readonly normalization: Normalization;
  /** Optional group id per example (slices of one slab): examples of a group never straddle a split. */
  readonly groups?: Int32Array;
}

/** The fields of a dataset before validation; `count` is derived from the arrays. */
export type DatasetFields = Omit<Dataset, 'count'> & { readonly count?: number | undefined };

/** Validates array sizes and label ranges and returns the dataset; BAD_DATA names what is wrong. */
export function createDataset(fields: DatasetFields): Dataset {
  const { name, channels, height, width, images, labels, numClasses } = fields;
  for (const [key, value] of [['channels', channels], ['height', height], ['width', width], ['numClasses', numClasses]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new SculptError('BAD_DATA', `dataset '${name}': ${key} is ${value}; a positive integer is required`);
  }
  const pixels = channels * height * width;
  if (images.length % pixels !== 0) {
    throw new SculptError('BAD_DATA', `dataset '${name}': ${images.length} image values are not a whole number of ${channels}x${height}x${width} images`);
  }
  const count = images.length / pixels;
  if (fields.count !== undefined && fields.count !== count) {
    throw new SculptError('BAD_DATA', `dataset '${name}': count is ${fields.count} but the images hold ${count} examples`);
  }
  const perExample = fields.task === 'segmentation' ? height * width : 1;
  if (labels.length !== count * perExample) {
    const what = fields.task === 'segmentation' ? `${count} masks of ${height}x${width}` : `${count} labels`;
    throw new SculptError('BAD_DATA', `dataset '${name}': ${labels.length} label values do not match ${what}`);
  }
  const ignore = fields.ignoreLabel;
  if (ignore !== undefined && ignore >= 0 && ignore < numClasses) {
    throw new SculptError('BAD_DATA', `dataset '${name}': ignoreLabel ${ignore} is a class index (0..${numClasses - 1}); choose a value outside that range`);
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if ((label < 0 || label >= numClasses) && label !== ignore) {
      const where = fields.task === 'segmentation' ? `pixel ${i % perExample} of example ${Math.floor(i / perExample)}` : `example ${i}`;
      throw new SculptError('BAD_DATA', `dataset '${name}': ${where} has label ${label}; labels must be 0..${numClasses - 1}${ignore === undefined ? '' : ` or the ignore label ${ignore}`}`);
    }
  }
  if (fields.classNames !== undefined && fields.classNames.length !== numClasses) {
    throw new SculptError('BAD_DATA', `dataset '${name}': ${fields.classNames.length} class names for ${numClasses} classes`);
  }
  if (fields.groups !== undefined && fields.groups.length !== count) {
    throw new SculptError('BAD_DATA', `dataset '${name}': ${fields.groups.length} group ids for ${count} examples`);
  }
  return { ...fields, count };
}

/** Number of label values per example: 1 for classification, H·W for segmentation. */
export function labelsPerExample(dataset: Dataset): number {
  return dataset.task === 'segmentation' ? dataset.height * dataset.width : 1;
}

/** A new dataset holding copies of the given examples, in the given order. */
export function subsetDataset(dataset: Dataset, indices: ArrayLike<number>, name = dataset.name): Dataset {
  const pixels = dataset.channels * dataset.height * dataset.width;
  const perExample = labelsPerExample(dataset);
  const images = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length * perExample);
  const groups = dataset.groups === undefined ? undefined : new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) {
      throw new SculptError('BAD_ARGUMENT', `example index ${i} is out of range [0, ${dataset.count}) for dataset '${dataset.name}'`);
    }
    images.set(dataset.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
    labels.set(dataset.labels.subarray(i * perExample, (i + 1) * perExample), k * perExample);
    if (groups) groups[k] = dataset.groups![i]!;
  }
  const { count: _count, ...rest } = dataset;
  return { ...rest, name, images, labels, count: indices.length, ...(groups ? { groups } : {}) };
}

/** Options of `limitDataset`. */
export interface LimitOptions {
  /** At most this many examples are kept. */
  readonly limit: number;
  readonly seed: number;
}

/**
 * A seeded random subset of at most `limit` examples, kept in their original order. For
 * classification the classes keep their shares (largest-remainder quotas), so a small subset
 * still holds every class.
 */
export function limitDataset(dataset: Dataset, options: LimitOptions): Dataset {
  const { limit } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new SculptError('BAD_ARGUMENT', `limit is ${limit}; a positive integer is required`);
  if (limit >= dataset.count) return dataset;
  const random = new Random(options.seed);
  const chosen = dataset.task === 'classification' ? stratifiedPick(dataset.labels, dataset.numClasses, limit, random) : pick(dataset.count, limit, random);
  chosen.sort();
  return subsetDataset(dataset, chosen);
}

/** Options of `splitDataset`. */
export interface SplitOptions {
  /** Share of examples that go to the second (test / validation) part, in (0, 1). */
  readonly fraction: number;
  readonly seed: number;
}

/**
 * A seeded split into two parts; `fraction` of the examples go to `test`. Classification splits
 * are stratified by class; datasets with `groups` split whole groups (so neighbouring slices of a
 * volume never land on both sides); each part keeps the original order.
 */
export function splitDataset(dataset: Dataset, options: SplitOptions): { readonly train: Dataset; readonly test: Dataset } {
  const { fraction } = options;
  if (!(fraction > 0 && fraction < 1)) throw new SculptError('BAD_ARGUMENT', `split fraction is ${fraction}; a number between 0 and 1 (exclusive) is required`);
  const random = new Random(options.seed);
  const inTest = new Uint8Array(dataset.count);
  if (dataset.groups !== undefined) {
    markGroups(dataset.groups, fraction, random, inTest);
  } else {
    const testCount = Math.round(dataset.count * fraction);
    const chosen = dataset.task === 'classification' ? stratifiedPick(dataset.labels, dataset.numClasses, testCount, random) : pick(dataset.count, testCount, random);
    for (const i of chosen) inTest[i] = 1;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < dataset.count; i++) (inTest[i] ? test : train).push(i);
  if (train.length === 0 || test.length === 0) {
    throw new SculptError('BAD_DATA', `dataset '${dataset.name}' (${dataset.count} examples) cannot be split ${1 - fraction}:${fraction} into two non-empty parts; use more data or another split`);
  }
  return { train: subsetDataset(dataset, train, `${dataset.name}/train`), test: subsetDataset(dataset, test, `${dataset.name}/test`) };
}

/** Chooses `k` of `n` indices uniformly (partial Fisher-Yates). */
function pick(n: number, k: number, random: Random): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + random.int(n - i);
    const tmp = all[i]!;
    all[i] = all[j]!;
    all[j] = tmp;
  }
  return all.slice(0, k);
}

/** Chooses `k` indices keeping class shares: quotas by largest remainder, then a random pick within each class. */
function stratifiedPick(labels: Int32Array, numClasses: number, k: number, random: Random): Int32Array {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  const exact = byClass.map((members) => (members.length * k) / labels.length);
  const quotas = exact.map(Math.floor);
  let remaining = k - quotas.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((value, c) => ({ c, rest: value - Math.floor(value) })).sort((a, b) => b.rest - a.rest || a.c - b.c);
  for (const { c } of byRemainder) {
    if (remaining === 0) break;
    if (quotas[c]! < byClass[c]!.length) {
      quotas[c]!++;
      remaining--;
    }
  }
  const chosen = new Int32Array(k);
  let at = 0;
  for (let c = 0; c < numClasses; c++) {
    const members = random.shuffle(byClass[c]!);
    for (let q = 0; q < quotas[c]!; q++) chosen[at++] = members[q]!;
  }
  return chosen;
}

/** Marks whole groups for the test part, in random group order, until `fraction` of the examples are marked. */
function markGroups(groups: Int32Array, fraction: number, random: Random, inTest: Uint8Array): void {
  const sizes = new Map<number, number>();
  for (const g of groups) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  const order = random.shuffle([...sizes.keys()].sort((a, b) => a - b));
  const target = Math.round(groups.length * fraction);
  const chosen = new Set<number>();
  let marked = 0;
  for (const g of order) {
    if (marked >= target) break;
    const size = sizes.get(g)!;
    // Stop before a group that would overshoot more than stopping short undershoots.
    if (marked > 0 && marked + size - target > target - marked) break;
    chosen.add(g);
    marked += size;
  }
  for (let i = 0; i < groups.length; i++) if (chosen.has(groups[i]!)) inTest[i] = 1;
}

/** Per-channel mean and standard deviation over all images of an [N, C, H, W] array. */
export function channelStatistics(images: Float32Array, channels: number, height: number, width: number): { mean: number[]; std: number[] } {
  const plane = height * width;
  const count = images.length / (channels * plane);
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let sumSquares = 0;
    for (let n = 0; n < count; n++) {
      const start = (n * channels + c) * plane;
      for (let i = start; i < start + plane; i++) {
        const v = images[i]!;
        sum += v;
        sumSquares += v * v;
      }
    }
    const m = sum / (count * plane);
    mean.push(m);
    std.push(Math.sqrt(Math.max(sumSquares / (count * plane) - m * m, 0)));
  }
  return { mean, std };
}

/** Normalises [N, C, H, W] images in place: x = (x − mean[c]) / std[c] (a zero std counts as 1). */
export function normalizeChannels(images: Float32Array, channels: number, height: number, width: number, mean: readonly number[], std: readonly number[]): void {
  const plane = height * width;
  for (let start = 0, c = 0; start < images.length; start += plane, c = (c + 1) % channels) {
    const m = mean[c]!;
    const s = std[c]! > 0 ? std[c]! : 1;
    for (let i = start; i < start + plane; i++) images[i] = (images[i]! - m) / s;
  }
}
