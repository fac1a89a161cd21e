/**
 * Seeded augmentation of a batch in place: random crop with padding (the image is shifted by up
 * to `padding` pixels each way, the uncovered border filled with `fill`) and horizontal flip,
 * the crop first, as torchvision's RandomCrop(padding) then RandomHorizontalFlip. For
 * segmentation batches the mask gets the same shift and flip (labels move whole: nearest), its
 * uncovered border filled with `maskFill`.
 *
 * Padding is applied to the stored (normalised) values, so `fill` 0 pads with the channel mean;
 * pass `fill` = −mean/std of a channel to reproduce padding with raw zeros.
 */
import { SculptError } from '../errors.js';
import { Random } from '../util/random.js';
import type { Batch } from './batch.js';

/** One example's geometric transform: out(y, x) = in(y + dy, x' + dx) with x' = W−1−x when flipped, else x. */
export interface CropFlip {
  readonly dy: number;
  readonly dx: number;
  readonly flip: boolean;
}

/** Options of `Augmenter`. */
export interface AugmentOptions {
  readonly seed: number;
  /** Largest shift in pixels (0 = no crop). */
  readonly padding?: number;
  /** Flip half of the examples horizontally (default false). */
  readonly flip?: boolean;
  /** Value of uncovered image pixels (default 0). */
  readonly fill?: number;
  /** Label of uncovered mask pixels (default 0, background; use the dataset's ignoreLabel to exclude them). */
  readonly maskFill?: number;
}

/**
 * Applies `transform` to one [C, H, W] image: reads `source`, writes `target` (distinct arrays).
 * Exposed so the geometry can be checked on its own.
 */
export function cropFlipPlanes(source: ArrayLike<number>, target: { [i: number]: number }, planes: number, height: number, width: number, transform: CropFlip, fill: number): void {
  const { dy, dx, flip } = transform;
  for (let p = 0; p < planes; p++) {
    const base = p * height * width;
    for (let y = 0; y < height; y++) {
      const sy = y + dy;
      const rowOut = base + y * width;
      if (sy < 0 || sy >= height) {
        for (let x = 0; x < width; x++) target[rowOut + x] = fill;
        continue;
      }
      const rowIn = base + sy * width;
      for (let x = 0; x < width; x++) {
        const sx = (flip ? width - 1 - x : x) + dx;
        target[rowOut + x] = sx >= 0 && sx < width ? source[rowIn + sx]! : fill;
      }
    }
  }
}

/** Seeded random crop and flip of batches in place; scratch buffers are allocated once. */
export class Augmenter {
  private readonly random: Random;
  private readonly padding: number;
  private readonly flip: boolean;
  private readonly fill: number;
  private readonly maskFill: number;
  private imageScratch = new Float32Array(0);
  private labelScratch = new Int32Array(0);
  private transforms: CropFlip[] = [];

  constructor(options: AugmentOptions) {
    const padding = options.padding ?? 0;
    if (!Number.isInteger(padding) || padding < 0) throw new SculptError('BAD_ARGUMENT', `augmentation padding is ${padding}; a non-negative integer is required`);
    this.random = new Random(options.seed);
    this.padding = padding;
    this.flip = options.flip ?? false;
    this.fill = options.fill ?? 0;
    this.maskFill = options.maskFill ?? 0;
  }

  /** Transforms the first `batch.count` examples (and their masks, for segmentation batches) in place. */
  apply(batch: Batch): void {
    const [, channels, height, width] = batch.imageDims;
    const pixels = channels * height * width;
    const segmentation = batch.labelDims.length === 3;
    if (this.imageScratch.length < pixels) this.imageScratch = new Float32Array(pixels);
    // int64 labels move as pairs of int32 words: no BigInt per pixel.
    const words = batch.labels instanceof BigInt64Array ? 2 : 1;
    const labelWords = new Int32Array(batch.labels.buffer, batch.labels.byteOffset, batch.labels.length * words);
    const maskWords = height * width * words;
    if (segmentation && this.labelScratch.length < maskWords) this.labelScratch = new Int32Array(maskWords);
    const maskFillHigh = this.maskFill >> 31;
    for (let k = 0; k < batch.count; k++) {
      const transform = this.draw();
      this.transforms[k] = transform;
      if (transform.dx === 0 && transform.dy === 0 && !transform.flip) continue;
      const image = batch.images.subarray(k * pixels, (k + 1) * pixels);
      this.imageScratch.set(image);
      cropFlipPlanes(this.imageScratch, image, channels, height, width, transform, this.fill);
      if (segmentation) {
        const mask = labelWords.subarray(k * maskWords, (k + 1) * maskWords);
        this.labelScratch.set(mask);
        if (words === 1) {
          cropFlipPlanes(this.labelScratch, mask, 1, height, width, transform, this.maskFill);
        } else {
          moveWordPairs(this.labelScratch, mask, height, width, transform, this.maskFill, maskFillHigh);
        }
      }
    }
    this.transforms.length = batch.count;
  }

  /** The transforms drawn by the last `apply`, one per example. */
  lastTransforms(): readonly CropFlip[] {
    return this.transforms;
  }

  private draw(): CropFlip {
    const p = this.padding;
    const dy = p > 0 ? this.random.int(2 * p + 1) - p : 0;
    const dx = p > 0 ? this.random.int(2 * p + 1) - p : 0;
    const flip = this.flip && this.random.uniform() < 0.5;
    return { dy, dx, flip };
  }
}

/** `cropFlipPlanes` for a mask of int64 values viewed as (low, high) int32 pairs. */
function moveWordPairs(source: Int32Array, target: Int32Array, height: number, width: number, transform: CropFlip, low: number, high: number): void {
  const { dy, dx, flip } = transform;
  for (let y = 0; y < height; y++) {
    const sy = y + dy;
    for (let x = 0; x < width; x++) {
      const sx = (flip ? width - 1 - x : x) + dx;
      const out = 2 * (y * width + x);
      if (sy >= 0 && sy < height && sx >= 0 && sx < width) {
        const at = 2 * (sy * width + sx);
        target[out] = source[at]!;
        target[out + 1] = source[at + 1]!;
      } else {
        target[out] = low;
        target[out + 1] = high;
      }
    }
  }
}
