/**
 * NIfTI volumes (.nii, .nii.gz; read with nifti-reader-js) turned into 2-D segmentation slices.
 *
 * Each volume is intensity-normalised on its own: clipped to its 0.5th and 99.5th percentiles,
 * then z-scored. Slices are taken along `axis` (0 = x, 1 = y, 2 = z); a slice's rows run along
 * the slower of the two remaining axes, flipped so the higher coordinate is at the top (z up for
 * sagittal and coronal slices, y — anterior in RAS — up for axial ones). Each slice is padded to
 * a square (voxels assumed isotropic) with the volume's background value and resampled to
 * size x size (antialiased bilinear; labels nearest). Constant slices (outside the object) are
 * dropped. Slices are grouped in slabs of neighbours so a split never puts adjacent, nearly
 * identical slices on both sides.
 */
import * as nifti from 'nifti-reader-js';
import { SculptError } from '../errors.js';
import { gunzipIfCompressed } from './bytes.js';
import { createDataset, type Dataset } from './dataset.js';
import { resizeLabels, resizePlane } from './resize.js';

/** A 3-D scalar volume, x fastest: value(x, y, z) = data[x + nx·(y + ny·z)]. */
export interface Volume {
  /** The file, for error messages. */
  readonly name: string;
  readonly dims: readonly [number, number, number];
  readonly data: Float32Array;
}

/** Decodes a NIfTI-1 or NIfTI-2 file (gzipped or not) into a volume, applying the header's intensity scaling. */
export function parseNifti(bytes: Uint8Array, name: string): Volume {
  const raw = gunzipIfCompressed(bytes, name);
  const buffer = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer;
  if (!nifti.isNIFTI(buffer)) throw new SculptError('BAD_DATA', `'${name}' is not a NIfTI file (no NIfTI-1/2 magic in its header); expected a .nii or .nii.gz volume`);
  const header = nifti.readHeader(buffer);
  const rank = header.dims[0]!;
  if (!(rank >= 2 && rank <= 7)) throw new SculptError('BAD_DATA', `'${name}' has ${rank} dimensions; a 2-D or 3-D volume was expected`);
  const dims = [1, 2, 3].map((d) => (d <= rank ? Math.max(header.dims[d]!, 1) : 1)) as [number, number, number];
  for (let d = 4; d <= rank; d++) {
    if (header.dims[d]! > 1) throw new SculptError('BAD_DATA', `'${name}' has ${header.dims[d]} entries along dimension ${d}; only single 3-D volumes are supported (extract one frame first)`);
  }
  const voxels = dims[0] * dims[1] * dims[2];
  const reader = voxelReader(header.datatypeCode, name);
  const expected = voxels * reader.bytes;
  const offset = header.vox_offset;
  if (buffer.byteLength < offset + expected) {
    throw new SculptError('BAD_DATA', `'${name}' is truncated: ${dims.join('x')} voxels need ${expected} bytes from offset ${offset} but the file has ${buffer.byteLength} bytes`);
  }
  const view = new DataView(buffer, offset, expected);
  const data = new Float32Array(voxels);
  const slope = header.scl_slope;
  const scaled = Number.isFinite(slope) && slope !== 0 && !(slope === 1 && !header.scl_inter);
  const inter = Number.isFinite(header.scl_inter) ? header.scl_inter : 0;
  for (let i = 0; i < voxels; i++) {
    const value = reader.read(view, i * reader.bytes, header.littleEndian);
    data[i] = scaled ? value * slope + inter : value;
  }
  return { name, dims, data };
}

type Reader = { readonly bytes: number; readonly read: (view: DataView, at: number, little: boolean) => number };

const READERS: Readonly<Record<number, Reader>> = {
  2: { bytes: 1, read: (v, at) => v.getUint8(at) },
  4: { bytes: 2, read: (v, at, le) => v.getInt16(at, le) },
  8: { bytes: 4, read: (v, at, le) => v.getInt32(at, le) },
  16: { bytes: 4, read: (v, at, le) => v.getFloat32(at, le) },
  64: { bytes: 8, read: (v, at, le) => v.getFloat64(at, le) },
  256: { bytes: 1, read: (v, at) => v.getInt8(at) },
  512: { bytes: 2, read: (v, at, le) => v.getUint16(at, le) },
  768: { bytes: 4, read: (v, at, le) => v.getUint32(at, le) },
};

function voxelReader(code: number, name: string): Reader {
  const reader = READERS[code];
  if (!reader) {
    throw new SculptError('BAD_DATA', `'${name}' stores voxels as NIfTI datatype ${code}; supported: uint8 (2), int16 (4), int32 (8), float32 (16), float64 (64), int8 (256), uint16 (512), uint32 (768)`);
  }
  return reader;
}

/** Inputs of `volumeSlicesDataset`. */
export interface VolumeSlicesOptions {
  readonly name: string;
  readonly image: Volume;
  /** A label volume: voxel value = class index (or, with `threshold`, the volume thresholded). */
  readonly label?: Volume;
  /** Binary mask = (label ?? image) > threshold. */
  readonly threshold?: number;
  /** 0 = x, 1 = y, 2 = z. */
  readonly axis: 0 | 1 | 2;
  /** Output slices are size x size. */
  readonly size: number;
  /** Drop slices whose mask covers less than this share of the slice (default 0: keep all non-constant slices). */
  readonly minForeground?: number;
  /** Neighbouring slices per split group (default 8). */
  readonly slabSize?: number;
  readonly classNames?: readonly string[];
}

/** The clip percentiles of the per-volume normalisation. */
export const VOLUME_CLIP_PERCENTILES = [0.5, 99.5] as const;

/** A segmentation dataset of 2-D slices of one volume; see the module doc for the conventions. */
export function volumeSlicesDataset(options: VolumeSlicesOptions): Dataset {
  const { image, label, threshold, axis, size } = options;
  if (label && label.dims.some((d, i) => d !== image.dims[i])) {
    throw new SculptError('BAD_DATA', `label volume '${label.name}' is ${label.dims.join('x')} but image '${image.name}' is ${image.dims.join('x')}; they must have the same grid`);
  }
  if (!label && threshold === undefined) {
    throw new SculptError('BAD_ARGUMENT', `volume '${image.name}' needs a label volume or a threshold to make masks; pass label=<file> or threshold=<value>`);
  }
  if (!Number.isInteger(size) || size < 1) throw new SculptError('BAD_ARGUMENT', `slice size is ${size}; a positive integer is required`);
  const classes = threshold === undefined ? labelClasses(label!) : thresholdClasses(label ?? image, threshold);
  const normalized = normalizeVolume(image.data);
  const [nx, ny, nz] = image.dims;
  // Slice geometry: index(s, row, col) = s·sliceStride + row·rowStride + col·colStride.
  const geometry = [
    { slices: nx, rows: nz, cols: ny, sliceStride: 1, rowStride: nx * ny, colStride: nx },
    { slices: ny, rows: nz, cols: nx, sliceStride: nx, rowStride: nx * ny, colStride: 1 },
    { slices: nz, rows: ny, cols: nx, sliceStride: nx * ny, rowStride: nx, colStride: 1 },
  ][axis]!;
  const side = Math.max(geometry.rows, geometry.cols);
  const top = Math.floor((side - geometry.rows) / 2);
  const left = Math.floor((side - geometry.cols) / 2);
  const squareImage = new Float32Array(side * side);
  const squareLabel = new Int32Array(side * side);
  const scratch = new Float32Array(size * side);
  const images: Float32Array[] = [];
  const labels: Int32Array[] = [];
  const groups: number[] = [];
  const minForeground = options.minForeground ?? 0;
  for (let s = 0; s < geometry.slices; s++) {
    squareImage.fill(normalized.background);
    squareLabel.fill(0);
    let low = Infinity;
    let high = -Infinity;
    let foreground = 0;
    for (let r = 0; r < geometry.rows; r++) {
      const base = s * geometry.sliceStride + (geometry.rows - 1 - r) * geometry.rowStride;
      for (let c = 0; c < geometry.cols; c++) {
        const i = base + c * geometry.colStride;
        const value = normalized.data[i]!;
        const cls = classes.data[i]!;
        squareImage[(top + r) * side + left + c] = value;
        squareLabel[(top + r) * side + left + c] = cls;
        if (value < low) low = value;
        if (value > high) high = value;
        if (cls !== 0) foreground++;
      }
    }
    if (high <= low) continue;
    if (foreground < minForeground * geometry.rows * geometry.cols) continue;
    images.push(resizePlane(squareImage, side, side, size, size, new Float32Array(size * size), scratch));
    labels.push(resizeLabels(squareLabel, side, side, size, size));
    groups.push(Math.floor(s / (options.slabSize ?? 8)));
  }
  if (images.length === 0) {
    throw new SculptError('BAD_DATA', `volume '${image.name}' has no slice along axis ${axis} with content${minForeground > 0 ? ` and at least ${minForeground} foreground` : ''}; check the file or lower minForeground`);
  }
  const classNames = options.classNames ?? (threshold === undefined ? undefined : ['background', 'foreground']);
  return createDataset({
    name: options.name,
    task: 'segmentation',
    channels: 1,
    height: size,
    width: size,
    images: concat(images, Float32Array),
    labels: concat(labels, Int32Array),
    numClasses: classes.numClasses,
    ...(classNames ? { classNames } : {}),
    normalization: { kind: 'volume', clipPercentiles: [...VOLUME_CLIP_PERCENTILES] },
    groups: Int32Array.from(groups),
  });
}

function thresholdClasses(volume: Volume, threshold: number): { data: Uint8Array; numClasses: number } {
  const data = new Uint8Array(volume.data.length);
  for (let i = 0; i < data.length; i++) data[i] = volume.data[i]! > threshold ? 1 : 0;
  return { data, numClasses: 2 };
}

function labelClasses(volume: Volume): { data: Int32Array; numClasses: number } {
  const data = new Int32Array(volume.data.length);
  let largest = 0;
  for (let i = 0; i < data.length; i++) {
    const value = volume.data[i]!;
    if (!Number.isInteger(value) || value < 0) {
      throw new SculptError('BAD_DATA', `label volume '${volume.name}' has voxel value ${value} at index ${i}; labels must be non-negative integers (use threshold=<value> for a continuous volume)`);
    }
    data[i] = value;
    if (value > largest) largest = value;
  }
  return { data, numClasses: Math.max(largest + 1, 2) };
}

/** Clips to the volume's percentiles and z-scores; `background` is where the lowest value lands. */
function normalizeVolume(values: Float32Array): { data: Float32Array; background: number } {
  const step = Math.max(1, Math.floor(values.length / 200_000));
  const sample = new Float32Array(Math.ceil(values.length / step));
  for (let i = 0, k = 0; i < values.length; i += step, k++) sample[k] = values[i]!;
  sample.sort();
  const quantile = (p: number): number => sample[Math.round((p / 100) * (sample.length - 1))]!;
  const low = quantile(VOLUME_CLIP_PERCENTILES[0]);
  const high = quantile(VOLUME_CLIP_PERCENTILES[1]);
  const data = new Float32Array(values.length);
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(Math.max(values[i]!, low), high);
    data[i] = v;
    sum += v;
    sumSquares += v * v;
  }
  const mean = sum / values.length;
  const std = Math.sqrt(Math.max(sumSquares / values.length - mean * mean, 0)) || 1;
  for (let i = 0; i < data.length; i++) data[i] = (data[i]! - mean) / std;
  return { data, background: (low - mean) / std };
}

function concat<T extends Float32Array | Int32Array>(parts: readonly T[], type: { new (length: number): T }): T {
  const out = new type(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part as never, at);
    at += part.length;
  }
  return out;
}
