/**
 * Datasets from decoded images: classification (one folder per class) and segmentation pairs
 * (an image and a mask whose pixel value is the class index). Decoding PNG/JPEG is the platform
 * adapter's job; this module takes pixels.
 *
 * Sizes: without `size`, every image must have the size of the first one (a mismatch is BAD_DATA
 * naming the file and suggesting `size=`); with `size`, every image is resampled to it
 * (antialiased bilinear for images, nearest for masks), aspect ratio not preserved.
 * Channels: 1 when every image is grey (one channel, or R = G = B everywhere), else 3; alpha is
 * dropped. `channels` forces either (colour to grey by ITU-R 601 luma; grey replicated to RGB).
 */
import { SculptError } from '../errors.js';
import { channelStatistics, createDataset, normalizeChannels, type Dataset } from './dataset.js';
import { resizeLabels, resizePlane } from './resize.js';

/** Pixels of one decoded image, interleaved (HWC), 8-bit values 0..255 (or class indices for masks). */
export interface DecodedImage {
  /** The file, for error messages. */
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** Interleaved channels per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  readonly channels: number;
  readonly data: ArrayLike<number>;
}

/** A target image size. */
export interface ImageSize {
  readonly height: number;
  readonly width: number;
}

/** Options shared by the image-based datasets. */
interface ImageOptions {
  readonly name: string;
  /** Resample every image to this size; without it all sizes must match. */
  readonly size?: ImageSize;
  /** Force 1 (grey) or 3 (RGB) channels; default decided from the images. */
  readonly channels?: 1 | 3;
  /** Constants for pixels scaled to [0, 1]; computed from these images when absent (pass the training set's to a test set). */
  readonly normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] };
}

/** Inputs of `imageClassificationDataset`. */
export interface ImageClassificationOptions extends ImageOptions {
  readonly classNames: readonly string[];
  readonly examples: readonly { readonly image: DecodedImage; readonly label: number }[];
}

/** Inputs of `segmentationPairsDataset`. */
export interface SegmentationPairsOptions extends ImageOptions {
  /** Masks have one channel whose value is the class index. */
  readonly pairs: readonly { readonly image: DecodedImage; readonly mask: DecodedImage }[];
  /** Default: the largest label found (other than `ignoreLabel`) + 1. */
  readonly numClasses?: number;
  readonly classNames?: readonly string[];
  readonly ignoreLabel?: number;
}

/** A classification dataset from decoded images with class labels. */
export function imageClassificationDataset(options: ImageClassificationOptions): Dataset {
  const images = options.examples.map((e) => e.image);
  const { pixels, channels, size } = imagesToTensor(images, options);
  return createDataset({
    name: options.name,
    task: 'classification',
    channels,
    height: size.height,
    width: size.width,
    images: pixels,
    labels: Int32Array.from(options.examples, (e) => e.label),
    numClasses: options.classNames.length,
    classNames: options.classNames,
    normalization: normalize(pixels, channels, size, options),
  });
}

/** A segmentation dataset from image/mask pairs. */
export function segmentationPairsDataset(options: SegmentationPairsOptions): Dataset {
  const images = options.pairs.map((p) => p.image);
  const { pixels, channels, size } = imagesToTensor(images, options);
  const plane = size.height * size.width;
  const labels = new Int32Array(options.pairs.length * plane);
  options.pairs.forEach(({ image, mask }, n) => {
    if (mask.channels !== 1) throw new SculptError('BAD_DATA', `mask '${mask.name}' has ${mask.channels} channels; a mask has one channel holding class indices`);
    if (mask.width !== image.width || mask.height !== image.height) {
      throw new SculptError('BAD_DATA', `mask '${mask.name}' is ${mask.width}x${mask.height} but its image '${image.name}' is ${image.width}x${image.height}; masks must match their images`);
    }
    resizeLabels(mask.data, mask.height, mask.width, size.height, size.width, labels.subarray(n * plane, (n + 1) * plane));
  });
  const ignore = options.ignoreLabel;
  let largest = 0;
  for (const label of labels) if (label !== ignore && label > largest) largest = label;
  const numClasses = options.numClasses ?? Math.max(largest + 1, 2);
  if (largest >= numClasses) {
    const at = labels.findIndex((label) => label !== ignore && label >= numClasses);
    const file = options.pairs[Math.floor(at / plane)]!.mask.name;
    throw new SculptError('BAD_DATA', `mask '${file}' holds class ${labels[at]} but there are ${numClasses} classes (0..${numClasses - 1}); fix the mask, raise classes=, or set ignore=`);
  }
  return createDataset({
    name: options.name,
    task: 'segmentation',
    channels,
    height: size.height,
    width: size.width,
    images: pixels,
    labels,
    numClasses,
    ...(options.classNames ? { classNames: options.classNames } : {}),
    ...(ignore !== undefined ? { ignoreLabel: ignore } : {}),
    normalization: normalize(pixels, channels, size, options),
  });
}

/** True when the image carries no colour (one or two channels, or R = G = B at every pixel). */
export function isGrey(image: DecodedImage): boolean {
  if (image.channels < 3) return true;
  const { data, channels } = image;
  for (let i = 0; i < data.length; i += channels) if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) return false;
  return true;
}

function imagesToTensor(images: readonly DecodedImage[], options: ImageOptions): { pixels: Float32Array; channels: 1 | 3; size: ImageSize } {
  if (images.length === 0) throw new SculptError('BAD_DATA', `dataset '${options.name}' has no images`);
  const first = images[0]!;
  const size = options.size ?? { height: first.height, width: first.width };
  const channels = options.channels ?? (images.every(isGrey) ? 1 : 3);
  const plane = size.height * size.width;
  const pixels = new Float32Array(images.length * channels * plane);
  let source = new Float32Array(0);
  images.forEach((image, n) => {
    if (options.size === undefined && (image.width !== size.width || image.height !== size.height)) {
      throw new SculptError('BAD_DATA', `image '${image.name}' is ${image.width}x${image.height} but '${first.name}' is ${size.width}x${size.height}; make the sizes equal or pass size=<pixels> to resample`);
    }
    const inPlane = image.width * image.height;
    if (source.length < inPlane) source = new Float32Array(inPlane);
    for (let c = 0; c < channels; c++) {
      extractChannel(image, channels, c, source);
      resizePlane(source, image.height, image.width, size.height, size.width, pixels.subarray((n * channels + c) * plane, (n * channels + c + 1) * plane));
    }
  });
  return { pixels, channels, size };
}

/** Writes channel `c` of the image, converted to `channels` output channels and scaled to [0, 1], into `out`. */
function extractChannel(image: DecodedImage, channels: 1 | 3, c: number, out: Float32Array): void {
  const { data, channels: stride } = image;
  const count = image.width * image.height;
  if (stride < 3) {
    for (let i = 0; i < count; i++) out[i] = data[i * stride]! / 255;
  } else if (channels === 3) {
    for (let i = 0; i < count; i++) out[i] = data[i * stride + c]! / 255;
  } else {
    for (let i = 0; i < count; i++) out[i] = (0.299 * data[i * stride]! + 0.587 * data[i * stride + 1]! + 0.114 * data[i * stride + 2]!) / 255;
  }
}

function normalize(pixels: Float32Array, channels: number, size: ImageSize, options: ImageOptions): Dataset['normalization'] {
  const stats = options.normalization ?? channelStatistics(pixels, channels, size.height, size.width);
  if (stats.mean.length !== channels || stats.std.length !== channels) {
    throw new SculptError('BAD_ARGUMENT', `dataset '${options.name}' has ${channels} channels but the normalisation gives ${stats.mean.length} means and ${stats.std.length} standard deviations`);
  }
  normalizeChannels(pixels, channels, size.height, size.width, stats.mean, stats.std);
  return { kind: 'channel', scale: 1 / 255, mean: [...stats.mean], std: [...stats.std] };
}
