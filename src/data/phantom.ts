/**
 * A synthetic cardiac MRI phantom: short-axis slices with 4-class masks
 * (0 background, 1 left-ventricle blood pool, 2 myocardium, 3 right ventricle).
 *
 * Each slice draws, in image-size-relative units (so any resolution gives the same anatomy):
 * a body ellipse of soft tissue with a bright fat rim, a few smooth textured blobs and a faint
 * stripe texture; the heart — an elliptical bright blood pool (with 0-2 dark papillary muscles,
 * labelled as pool as in ACDC) inside a dark myocardial ring whose outer ellipse has both axes
 * longer by the wall thickness (so the wall is at least that thick everywhere), and a bright
 * right-ventricle crescent: an ellipse beside the left ventricle minus the myocardium. Then a
 * Gaussian blur, a smooth multiplicative bias field and Rician (magnitude) or Gaussian noise.
 * Masks come from the geometry before blur and noise.
 *
 * Slice i depends only on (seed, i, size): the first 100 slices of n = 2000 are the 100 slices of
 * n = 100. Rendering is a few hundred microseconds per 64x64 slice.
 */
import { SculptError } from '../errors.js';
import { Random } from '../util/random.js';
import { createDataset, type Dataset } from './dataset.js';

/** Class names of the phantom's masks, index = class. */
export const PHANTOM_CLASSES: readonly string[] = ['background', 'left ventricle', 'myocardium', 'right ventricle'];

/**
 * Fixed normalisation of phantom intensities (mean and standard deviation of the raw
 * intensities measured over 2000 slices), so every phantom dataset is normalised alike.
 */
export const PHANTOM_NORMALIZATION = { mean: [0.23], std: [0.25] } as const;

/** Options of `phantomDataset`. */
export interface PhantomOptions {
  /** Number of slices. */
  readonly count: number;
  /** Slices are size x size pixels. */
  readonly size: number;
  readonly seed: number;
  /** Index of the first slice (default 0): a test set can continue where the training set stops. */
  readonly first?: number;
  /** Normalise with PHANTOM_NORMALIZATION (default true); false keeps raw intensities (about 0..1.2). */
  readonly normalize?: boolean;
}

/** Generates a phantom segmentation dataset. */
export function phantomDataset(options: PhantomOptions): Dataset {
  const { count, size, seed } = options;
  const first = options.first ?? 0;
  if (!Number.isInteger(count) || count < 1) throw new SculptError('BAD_ARGUMENT', `phantom count is ${count}; a positive integer is required`);
  if (!Number.isInteger(first) || first < 0) throw new SculptError('BAD_ARGUMENT', `phantom first slice is ${first}; a non-negative integer is required`);
  if (!Number.isInteger(size) || size < 8) throw new SculptError('BAD_ARGUMENT', `phantom size is ${size}; an integer of at least 8 pixels is required`);
  const plane = size * size;
  const images = new Float32Array(count * plane);
  const labels = new Int32Array(count * plane);
  const scratch = new Float32Array(plane);
  const normalize = options.normalize ?? true;
  const mean = normalize ? PHANTOM_NORMALIZATION.mean[0] : 0;
  const std = normalize ? PHANTOM_NORMALIZATION.std[0] : 1;
  for (let n = 0; n < count; n++) {
    const image = images.subarray(n * plane, (n + 1) * plane);
    renderPhantomSlice(sliceRandom(seed, first + n), size, image, labels.subarray(n * plane, (n + 1) * plane), scratch);
    if (normalize) for (let i = 0; i < plane; i++) image[i] = (image[i]! - mean) / std;
  }
  return createDataset({
    name: 'phantom',
    task: 'segmentation',
    channels: 1,
    height: size,
    width: size,
    images,
    labels,
    numClasses: 4,
    classNames: PHANTOM_CLASSES,
    normalization: { kind: 'channel', scale: 1, mean: [mean], std: [std] },
  });
}

/** The generator of slice `index`: independent of how many slices are made. */
function sliceRandom(seed: number, index: number): Random {
  return new Random((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

/** An ellipse as the quadratic form q(p) = |A (p − c)|² (q ≤ 1 inside). */
interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  // Rows of A: rotation by −angle, then division by the semi-axes.
  readonly a11: number;
  readonly a12: number;
  readonly a21: number;
  readonly a22: number;
}

function ellipse(cx: number, cy: number, radiusU: number, radiusV: number, angle: number): Ellipse {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return { cx, cy, a11: c / radiusU, a12: s / radiusU, a21: -s / radiusV, a22: c / radiusV };
}

function q(e: Ellipse, u: number, v: number): number {
  const du = u - e.cx;
  const dv = v - e.cy;
  const p = e.a11 * du + e.a12 * dv;
  const r = e.a21 * du + e.a22 * dv;
  return p * p + r * r;
}

interface Blob {
  readonly shape: Ellipse;
  readonly delta: number;
}

/**
 * Renders one slice into `image` (raw intensities) and `mask` (classes), both size x size;
 * `scratch` holds size² floats for the blur.
 */
export function renderPhantomSlice(random: Random, size: number, image: Float32Array, mask: Int32Array, scratch: Float32Array): void {
  const uniform = (low: number, high: number): number => low + (high - low) * random.uniform();

  // Body and background tissue.
  const body = ellipse(0.5 + uniform(-0.04, 0.04), 0.5 + uniform(-0.04, 0.04), uniform(0.38, 0.46), uniform(0.3, 0.4), uniform(-0.2, 0.2));
  const tissue = uniform(0.3, 0.45);
  const fat = uniform(0.2, 0.4);
  const blobs: Blob[] = [];
  const blobCount = 3 + random.int(4);
  for (let b = 0; b < blobCount; b++) {
    const angle = uniform(0, 2 * Math.PI);
    const reach = Math.sqrt(random.uniform()) * 0.28;
    blobs.push({
      shape: ellipse(body.cx + reach * Math.cos(angle), body.cy + reach * Math.sin(angle), uniform(0.03, 0.1), uniform(0.03, 0.1), uniform(0, Math.PI)),
      delta: uniform(-0.2, 0.2),
    });
  }
  const stripeAngle = uniform(0, Math.PI);
  const stripeFrequency = 2 * Math.PI * uniform(8, 20);
  const stripeAmplitude = uniform(0, 0.04);
  const stripeU = Math.cos(stripeAngle) * stripeFrequency;
  const stripeV = Math.sin(stripeAngle) * stripeFrequency;

  // Heart: blood pool, myocardial wall, right ventricle.
  const hx = body.cx + uniform(-0.06, 0.06);
  const hy = body.cy + uniform(-0.06, 0.06);
  const radius = uniform(0.07, 0.12);
  const ratio = uniform(0.8, 1);
  const wall = uniform(0.035, 0.055);
  const heartAngle = uniform(0, Math.PI);
  const pool = ellipse(hx, hy, radius, radius * ratio, heartAngle);
  const myocardium = ellipse(hx, hy, radius + wall, radius * ratio + wall, heartAngle);
  const gap = uniform(0, 0.01);
  const septum = ellipse(hx, hy, radius + wall + gap, radius * ratio + wall + gap, heartAngle);
  const outer = radius + wall;
  const rvAngle = Math.PI + uniform(-0.6, 0.6); // towards image left, where the RV lies in short-axis views
  const rvDistance = outer * uniform(0.55, 0.8);
  const rv = ellipse(hx + rvDistance * Math.cos(rvAngle), hy + rvDistance * Math.sin(rvAngle), outer * uniform(0.55, 0.8), outer * uniform(1.1, 1.5), rvAngle);
  const blood = uniform(0.7, 1);
  const muscle = uniform(0.12, 0.25);
  const rvBlood = blood * uniform(0.85, 1.05);
  const papillary: Ellipse[] = [];
  const papillaryCount = random.int(3);
  for (let p = 0; p < papillaryCount; p++) {
    const angle = uniform(0, 2 * Math.PI);
    const r = uniform(0.012, 0.02);
    const reach = radius * ratio - r * 1.5;
    papillary.push(ellipse(hx + reach * Math.cos(angle), hy + reach * Math.sin(angle), r, r, 0));
  }

  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size;
      const i = y * size + x;
      let value = 0;
      let label = 0;
      const qBody = q(body, u, v);
      if (qBody <= 1) {
        value = tissue + (qBody > 0.8 ? fat : 0) + stripeAmplitude * Math.cos(stripeU * u + stripeV * v);
        for (const blob of blobs) {
          const d = q(blob.shape, u, v);
          if (d < 6) value += blob.delta * Math.exp(-d);
        }
      }
      if (q(pool, u, v) <= 1) {
        label = 1;
        value = blood;
        for (const muscleDot of papillary) if (q(muscleDot, u, v) <= 1) value = muscle;
      } else if (q(myocardium, u, v) <= 1) {
        label = 2;
        value = muscle;
      } else if (q(rv, u, v) <= 1 && q(septum, u, v) > 1) {
        label = 3;
        value = rvBlood;
      }
      image[i] = value;
      mask[i] = label;
    }
  }

  gaussianBlur(image, size, uniform(0.3, 0.9) * (size / 64), scratch);
  applyBiasAndNoise(image, size, random, uniform);
}

function applyBiasAndNoise(image: Float32Array, size: number, random: Random, uniform: (low: number, high: number) => number): void {
  const strength = uniform(0, 0.4);
  const c1 = uniform(-1, 1);
  const c2 = uniform(-1, 1);
  const c3 = uniform(-2, 2);
  const c4 = uniform(-2, 2);
  const sigma = uniform(0.01, 0.05);
  const rician = random.uniform() < 0.7;
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / size - 0.5;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size - 0.5;
      const bias = Math.max(0.5, 1 + strength * (c1 * u + c2 * v + c3 * u * v + c4 * (u * u - v * v)));
      const i = y * size + x;
      const clean = image[i]! * bias;
      if (rician) {
        const real = clean + sigma * random.normal();
        const imaginary = sigma * random.normal();
        image[i] = Math.sqrt(real * real + imaginary * imaginary);
      } else {
        image[i] = clean + sigma * random.normal();
      }
    }
  }
}

/** Separable Gaussian blur in place with edge clamping. */
function gaussianBlur(image: Float32Array, size: number, sigma: number, scratch: Float32Array): void {
  const reach = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * reach + 1);
  let total = 0;
  for (let k = -reach; k <= reach; k++) total += kernel[k + reach] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k]! /= total;
  const last = size - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let k = -reach; k <= reach; k++) sum += kernel[k + reach]! * image[y * size + Math.min(last, Math.max(0, x + k))]!;
      scratch[y * size + x] = sum;
    }
  }
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let k = -reach; k <= reach; k++) sum += kernel[k + reach]! * scratch[Math.min(last, Math.max(0, y + k)) * size + x]!;
      image[y * size + x] = sum;
    }
  }
}
