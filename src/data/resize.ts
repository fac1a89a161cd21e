/**
 * Resampling of 2-D planes. Images use a separable triangle filter whose support widens with the
 * downscale factor (bilinear with antialiasing, like PIL's BILINEAR), so shrinking a 217-pixel
 * slice to 64 averages instead of aliasing. Label maps use nearest neighbour so classes stay classes.
 * Pixel centres are aligned (half-pixel convention).
 */

/** Weights of one output coordinate: input indices [first, first + weights.length). */
interface Taps {
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float32Array;
  readonly stride: number;
}

function linearTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = Math.max(scale, 1);
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support));
    const hi = Math.min(inSize, Math.ceil(centre + support));
    let total = 0;
    let n = 0;
    for (let i = lo; i < hi && n < stride; i++, n++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support));
      weights[o * stride + n] = w;
      total += w;
    }
    for (let k = 0; k < n; k++) weights[o * stride + k]! /= total || 1;
    first[o] = lo;
    count[o] = n;
  }
  return { first, count, weights, stride };
}

/**
 * Resizes an H x W float plane to outH x outW into `out` (antialiased bilinear). Returns `out`.
 * `scratch` (outW · H floats) may be passed to avoid an allocation.
 */
export function resizePlane(
  plane: ArrayLike<number>,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
  out: Float32Array = new Float32Array(outHeight * outWidth),
  scratch: Float32Array = new Float32Array(outWidth * height),
): Float32Array {
  if (height === outHeight && width === outWidth) {
    for (let i = 0; i < out.length; i++) out[i] = plane[i]!;
    return out;
  }
  const columns = linearTaps(width, outWidth);
  const rows = linearTaps(height, outHeight);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      const base = y * width + columns.first[x]!;
      for (let k = 0; k < columns.count[x]!; k++) sum += plane[base + k]! * columns.weights[x * columns.stride + k]!;
      scratch[y * outWidth + x] = sum;
    }
  }
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let k = 0; k < rows.count[y]!; k++) sum += scratch[(rows.first[y]! + k) * outWidth + x]! * rows.weights[y * rows.stride + k]!;
      out[y * outWidth + x] = sum;
    }
  }
  return out;
}

/** Resizes an H x W label plane to outH x outW by nearest neighbour (pixel centres aligned). Returns `out`. */
export function resizeLabels(
  plane: ArrayLike<number>,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
  out: Int32Array = new Int32Array(outHeight * outWidth),
): Int32Array {
  for (let y = 0; y < outHeight; y++) {
    const sy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / outHeight));
    for (let x = 0; x < outWidth; x++) {
      const sx = Math.min(width - 1, Math.floor(((x + 0.5) * width) / outWidth));
      out[y * outWidth + x] = plane[sy * width + sx]!;
    }
  }
  return out;
}
