/**
 * The data side of an experiment cell: the training and test sets, padded to the smallest input a
 * network takes, and SNIP's labelled batch.
 */
import { createDataset, limitDataset, type Dataset } from '../data/dataset.js';
import type { LabelledBatch } from '../score/scorer.js';

/** A dataset's two parts, as a cell trains and evaluates on them. */
export interface ExperimentData {
  /** The dataset's name ('mnist', 'fashion-mnist', 'cifar10'). */
  readonly name: string;
  readonly train: Dataset;
  readonly test: Dataset;
}

/**
 * The dataset with every image padded to size x size, centred, with the normalised value of a raw
 * 0 pixel (the background of MNIST-style digits) — as LeNet-5 fed MNIST at 32x32. Unchanged when
 * the images are at least that large.
 */
export function padDataset(dataset: Dataset, size: number): Dataset {
  const { channels, height, width } = dataset;
  if (height >= size && width >= size) return dataset;
  const top = Math.floor((size - height) / 2);
  const left = Math.floor((size - width) / 2);
  const normalization = dataset.normalization;
  const background = Array.from({ length: channels }, (_, c) => (normalization.kind === 'channel' ? -(normalization.mean[c] ?? 0) / (normalization.std[c] ?? 1) : 0));
  const images = new Float32Array(dataset.count * channels * size * size);
  for (let n = 0; n < dataset.count; n++) {
    for (let c = 0; c < channels; c++) {
      const plane = (n * channels + c) * size * size;
      images.fill(background[c]!, plane, plane + size * size);
      for (let y = 0; y < height; y++) {
        const from = ((n * channels + c) * height + y) * width;
        images.set(dataset.images.subarray(from, from + width), plane + (y + top) * size + left);
      }
    }
  }
  const { count: _count, images: _images, ...rest } = dataset;
  return createDataset({ ...rest, images, height: size, width: size });
}

/** Both parts padded to `size` (see padDataset). */
export function padData(data: ExperimentData, size: number | undefined): ExperimentData {
  if (size === undefined) return data;
  return { name: data.name, train: padDataset(data.train, size), test: padDataset(data.test, size) };
}

/** SNIP's (and GraSP's) labelled batch: `perClass` training examples of each class, a seeded draw, no augmentation. */
export function labelledBatch(dataset: Dataset, perClass: number, seed: number): LabelledBatch {
  const subset = limitDataset(dataset, { limit: perClass * dataset.numClasses, seed });
  const { count, channels, height, width } = subset;
  return {
    input: { dtype: 'float32', dims: [count, channels, height, width], data: subset.images },
    labels: { dtype: 'int64', dims: [count], data: BigInt64Array.from(subset.labels, (v) => BigInt(v)) },
  };
}
