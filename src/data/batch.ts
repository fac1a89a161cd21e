/**
 * Preallocated batches for a training loop: `batcher.batch(indices)` copies the chosen examples
 * into buffers made once, so a step allocates nothing. Labels are written as int64 (what ONNX
 * losses take) or int32.
 */
import { SculptError } from '../errors.js';
import { labelsPerExample, type Dataset } from './dataset.js';

/** Element type of the label buffer. */
export type LabelType = 'int64' | 'int32';

/**
 * One batch's buffers, reused by every call of `Batcher.batch`. Only the first `count` examples
 * are valid; a short last batch leaves the rest stale (use `images.subarray(0, count · C·H·W)`
 * when the consumer needs exact sizes).
 */
export interface Batch {
  /** Capacity B (examples). */
  readonly capacity: number;
  /** Examples filled by the last `batch` call. */
  count: number;
  /** [B, C, H, W] float32. */
  readonly images: Float32Array;
  /** [B] or [B, H, W] class indices. */
  readonly labels: BigInt64Array | Int32Array;
  readonly imageDims: readonly [number, number, number, number];
  readonly labelDims: readonly number[];
}

/** Options of `Batcher`. */
export interface BatcherOptions {
  readonly batchSize: number;
  /** Element type of `labels` (default 'int64'). */
  readonly labelType?: LabelType;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Fills one preallocated `Batch` from a dataset. */
export class Batcher {
  readonly dataset: Dataset;
  private readonly current: Batch;
  // int64 labels are written as two int32 halves through this view: no BigInt per value.
  private readonly labelHalves: Int32Array | undefined;

  constructor(dataset: Dataset, options: BatcherOptions) {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new SculptError('BAD_ARGUMENT', `batchSize is ${batchSize}; a positive integer is required`);
    this.dataset = dataset;
    const perExample = labelsPerExample(dataset);
    const labels = (options.labelType ?? 'int64') === 'int64' ? new BigInt64Array(batchSize * perExample) : new Int32Array(batchSize * perExample);
    this.labelHalves = labels instanceof BigInt64Array && littleEndian ? new Int32Array(labels.buffer) : undefined;
    this.current = {
      capacity: batchSize,
      count: 0,
      images: new Float32Array(batchSize * dataset.channels * dataset.height * dataset.width),
      labels,
      imageDims: [batchSize, dataset.channels, dataset.height, dataset.width],
      labelDims: dataset.task === 'segmentation' ? [batchSize, dataset.height, dataset.width] : [batchSize],
    };
  }

  /** Copies the examples at `indices` (at most the batch size) into the batch buffers and returns the batch. */
  batch(indices: ArrayLike<number>): Batch {
    const { dataset, current } = this;
    if (indices.length > current.capacity) {
      throw new SculptError('BAD_ARGUMENT', `${indices.length} indices do not fit a batch of ${current.capacity}; pass at most ${current.capacity}`);
    }
    const pixels = dataset.channels * dataset.height * dataset.width;
    const perExample = labelsPerExample(dataset);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      if (!(i >= 0 && i < dataset.count && Number.isInteger(i))) {
        throw new SculptError('BAD_ARGUMENT', `example index ${i} is out of range [0, ${dataset.count}) for dataset '${dataset.name}'`);
      }
      current.images.set(dataset.images.subarray(i * pixels, (i + 1) * pixels), k * pixels);
      this.copyLabels(i * perExample, k * perExample, perExample);
    }
    current.count = indices.length;
    return current;
  }

  private copyLabels(from: number, to: number, length: number): void {
    const source = this.dataset.labels;
    const target = this.current.labels;
    if (target instanceof Int32Array) {
      target.set(source.subarray(from, from + length), to);
    } else if (this.labelHalves !== undefined) {
      const halves = this.labelHalves;
      for (let j = 0; j < length; j++) {
        const value = source[from + j]!;
        halves[2 * (to + j)] = value;
        halves[2 * (to + j) + 1] = value >> 31; // sign extension
      }
    } else {
      for (let j = 0; j < length; j++) target[to + j] = BigInt(source[from + j]!);
    }
  }
}
