// Writers of small dataset files for the data tests: each follows the format's specification
// directly (not Sculpt's readers), so the readers are checked against independently made bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zlibSync } from 'fflate';
import { PNG } from 'pngjs';

/** A fresh temporary directory and a function removing it. */
export function temporaryDirectory(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sculpt-data-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** IDX bytes: magic 0x00 0x00 0x08 rank, big-endian dims, then the bytes. */
export function idxBytes(dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(Array.from(data), 4 + 4 * dims.length);
  return out;
}

/** CIFAR records: label byte(s) then 3072 pixel bytes per record. */
export function cifarBytes(records: readonly { labels: readonly number[]; pixels: ArrayLike<number> }[]): Uint8Array {
  const size = records.length === 0 ? 0 : records[0]!.labels.length + 3072;
  const out = new Uint8Array(records.length * size);
  records.forEach((record, n) => {
    out.set(record.labels, n * size);
    out.set(Array.from(record.pixels), n * size + record.labels.length);
  });
  return out;
}

/** NIfTI-1 datatype codes with their byte sizes and DataView setters. */
const NIFTI_TYPES = {
  uint8: { code: 2, bytes: 1, set: (v: DataView, at: number, x: number) => v.setUint8(at, x) },
  int16: { code: 4, bytes: 2, set: (v: DataView, at: number, x: number, le: boolean) => v.setInt16(at, x, le) },
  float32: { code: 16, bytes: 4, set: (v: DataView, at: number, x: number, le: boolean) => v.setFloat32(at, x, le) },
} as const;

/** A single-file NIfTI-1 (.nii) volume as laid out in nifti1.h: 348-byte header, 4 extension bytes, data at 352. */
export function niftiBytes(options: {
  dims: readonly number[];
  data: ArrayLike<number>;
  type: keyof typeof NIFTI_TYPES;
  slope?: number;
  inter?: number;
  littleEndian?: boolean;
}): Uint8Array {
  const type = NIFTI_TYPES[options.type];
  const le = options.littleEndian ?? true;
  const offset = 352;
  const out = new Uint8Array(offset + options.data.length * type.bytes);
  const view = new DataView(out.buffer);
  view.setInt32(0, 348, le); // sizeof_hdr
  view.setInt16(40, options.dims.length, le); // dim[0]
  options.dims.forEach((d, i) => view.setInt16(42 + 2 * i, d, le));
  for (let i = options.dims.length + 1; i < 8; i++) view.setInt16(40 + 2 * i, 1, le);
  view.setInt16(70, type.code, le); // datatype
  view.setInt16(72, type.bytes * 8, le); // bitpix
  for (let i = 0; i < 8; i++) view.setFloat32(76 + 4 * i, 1, le); // pixdim
  view.setFloat32(108, offset, le); // vox_offset
  view.setFloat32(112, options.slope ?? 1, le); // scl_slope
  view.setFloat32(116, options.inter ?? 0, le); // scl_inter
  out.set([0x6e, 0x2b, 0x31, 0x00], 344); // magic "n+1\0"
  for (let i = 0; i < options.data.length; i++) type.set(view, offset + i * type.bytes, options.data[i]!, le);
  return out;
}

/** An 8-bit PNG (pngjs) from interleaved pixels with 1 (grey), 3 (RGB) or 4 (RGBA) channels. */
export function pngBytes(width: number, height: number, channels: 1 | 3 | 4, pixels: ArrayLike<number>): Uint8Array {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) png.data[4 * i + c] = pixels[i * channels + (channels === 1 ? 0 : c)]!;
    png.data[4 * i + 3] = channels === 4 ? pixels[i * 4 + 3]! : 255;
  }
  const colorType = channels === 1 ? 0 : channels === 3 ? 2 : 6;
  return PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true });
}

/** A palette PNG (colour type 3, 8-bit indices), written chunk by chunk from the PNG specification. */
export function palettePngBytes(width: number, height: number, palette: readonly (readonly [number, number, number])[], indices: ArrayLike<number>): Uint8Array {
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = indices[y * width + x]!; // filter byte 0
  const header = new Uint8Array(13);
  const headerView = new DataView(header.buffer);
  headerView.setUint32(0, width);
  headerView.setUint32(4, height);
  header.set([8, 3, 0, 0, 0], 8); // bit depth 8, colour type 3
  const chunks = [chunk('IHDR', header), chunk('PLTE', Uint8Array.from(palette.flat())), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array(0))];
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set(signature);
  let at = 8;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
