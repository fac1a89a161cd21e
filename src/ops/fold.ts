/**
 * Constant folding on small tensors: the data movement and arithmetic that shape computations in
 * real exports use (Shape → Gather → Unsqueeze → Concat → Reshape, `x.view(x.size(0), -1)`). Rules
 * call these from their `fold`; each returns undefined when the result would exceed FOLD_LIMIT
 * elements, so inference of a large model never copies its weights.
 */
import { allocate, sizeOf, type DType, type Tensor } from '../ir/tensor.js';

/** Largest result (in elements) a fold computes; bigger values stay unknown to inference. */
export const FOLD_LIMIT = 1 << 16;

const INTEGER_TYPES: ReadonlySet<DType> = new Set(['int64', 'uint64', 'int32', 'uint32', 'int16', 'uint16', 'int8', 'uint8']);

/** True for the integer element types (not bool). */
export function isIntegerType(dtype: DType): boolean {
  return INTEGER_TYPES.has(dtype);
}

/** True for element types held as 64-bit integers (bigint elements). */
function isBigIntType(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'uint64';
}

/** Read/write access to any typed array's elements (numbers, or bigints for 64-bit integers). */
type Elements = { [index: number]: number | bigint; readonly length: number };

function elements(t: Tensor): Elements {
  return t.data as unknown as Elements;
}

/** A tensor of `dtype` holding plain numbers (int64 converted to bigint, booleans to 0/1). */
export function tensorFromNumbers(dtype: DType, dims: readonly number[], values: readonly number[]): Tensor {
  const data = allocate(dtype, values.length);
  const out = data as unknown as Elements;
  values.forEach((v, i) => (out[i] = isBigIntType(dtype) ? BigInt(Math.trunc(v)) : dtype === 'bool' ? (v ? 1 : 0) : v));
  return { dtype, dims: [...dims], data };
}

/** Row-major strides of `dims`. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * dims[i + 1]!;
  return strides;
}

/** The same data under new dims (Reshape, Flatten, Squeeze, Unsqueeze); the element count must match. */
export function withDims(t: Tensor, dims: readonly number[]): Tensor | undefined {
  return sizeOf(dims) === t.data.length ? { dtype: t.dtype, dims: [...dims], data: t.data } : undefined;
}

/** Gather along `axis` with already-normalised indices. */
export function gatherTensor(data: Tensor, indices: readonly number[], indicesDims: readonly number[], axis: number): Tensor | undefined {
  const outer = sizeOf(data.dims.slice(0, axis));
  const inner = sizeOf(data.dims.slice(axis + 1));
  const size = data.dims[axis]!;
  const dims = [...data.dims.slice(0, axis), ...indicesDims, ...data.dims.slice(axis + 1)];
  if (sizeOf(dims) > FOLD_LIMIT) return undefined;
  const out = allocate(data.dtype, sizeOf(dims));
  const src = elements(data);
  const dst = out as unknown as Elements;
  let j = 0;
  for (let o = 0; o < outer; o++) {
    for (const index of indices) {
      const base = (o * size + index) * inner;
      for (let i = 0; i < inner; i++) dst[j++] = src[base + i]!;
    }
  }
  return { dtype: data.dtype, dims, data: out };
}

/** One axis of a slice: the first index, the step, and how many elements it takes. */
export interface SliceRange {
  readonly start: number;
  readonly step: number;
  readonly count: number;
}

/** Copies a strided sub-box of `data` (Slice); `ranges` has one entry per axis. */
export function sliceTensor(data: Tensor, ranges: readonly SliceRange[]): Tensor | undefined {
  const dims = ranges.map((r) => r.count);
  const total = sizeOf(dims);
  if (total > FOLD_LIMIT) return undefined;
  const strides = stridesOf(data.dims);
  const out = allocate(data.dtype, total);
  const src = elements(data);
  const dst = out as unknown as Elements;
  const index = new Array<number>(dims.length).fill(0);
  for (let j = 0; j < total; j++) {
    let offset = 0;
    for (let a = 0; a < dims.length; a++) offset += (ranges[a]!.start + index[a]! * ranges[a]!.step) * strides[a]!;
    dst[j] = src[offset]!;
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++index[a]! < dims[a]!) break;
      index[a] = 0;
    }
  }
  return { dtype: data.dtype, dims, data: out };
}

/** Concatenates tensors of one dtype along `axis`. */
export function concatTensors(parts: readonly Tensor[], axis: number): Tensor | undefined {
  const first = parts[0]!;
  const dims = [...first.dims];
  dims[axis] = parts.reduce((n, t) => n + t.dims[axis]!, 0);
  if (sizeOf(dims) > FOLD_LIMIT) return undefined;
  const outer = sizeOf(first.dims.slice(0, axis));
  const out = allocate(first.dtype, sizeOf(dims));
  const dst = out as unknown as Elements;
  let j = 0;
  for (let o = 0; o < outer; o++) {
    for (const part of parts) {
      const block = sizeOf(part.dims.slice(axis));
      const src = elements(part);
      for (let i = 0; i < block; i++) dst[j++] = src[o * block + i]!;
    }
  }
  return { dtype: first.dtype, dims, data: out };
}

/** Permutes axes: output axis i is input axis perm[i]. */
export function transposeTensor(t: Tensor, perm: readonly number[]): Tensor | undefined {
  if (t.data.length > FOLD_LIMIT) return undefined;
  const dims = perm.map((p) => t.dims[p]!);
  const inStrides = stridesOf(t.dims);
  const strides = perm.map((p) => inStrides[p]!);
  const out = allocate(t.dtype, t.data.length);
  const src = elements(t);
  const dst = out as unknown as Elements;
  const index = new Array<number>(dims.length).fill(0);
  for (let j = 0; j < t.data.length; j++) {
    let offset = 0;
    for (let a = 0; a < dims.length; a++) offset += index[a]! * strides[a]!;
    dst[j] = src[offset]!;
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++index[a]! < dims[a]!) break;
      index[a] = 0;
    }
  }
  return { dtype: t.dtype, dims, data: out };
}

/** Element conversion as onnxruntime's Cast does it: floats truncate toward zero into integers. */
export function castTensor(t: Tensor, to: DType): Tensor | undefined {
  if (t.data.length > FOLD_LIMIT || t.dtype === 'float16' || to === 'float16') return undefined;
  const out = allocate(to, t.data.length);
  const src = elements(t);
  const dst = out as unknown as Elements;
  for (let i = 0; i < t.data.length; i++) {
    const v = src[i]!;
    if (to === 'bool') dst[i] = v ? 1 : 0;
    else if (isBigIntType(to)) dst[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
    else if (isIntegerType(to)) dst[i] = typeof v === 'bigint' ? Number(v) : Math.trunc(v);
    else dst[i] = Number(v);
  }
  return { dtype: to, dims: [...t.dims], data: out };
}

/** An element-wise binary operation, for float and for 64-bit integer elements. */
export interface BinaryArithmetic {
  readonly number: (a: number, b: number) => number;
  /** Undefined when the result is not defined (integer division by zero). */
  readonly bigint: (a: bigint, b: bigint) => bigint | undefined;
}

/** Applies `op` with numpy broadcasting; `dims` is the broadcast output shape. */
export function binaryTensor(a: Tensor, b: Tensor, dims: readonly number[], op: BinaryArithmetic): Tensor | undefined {
  const total = sizeOf(dims);
  if (total > FOLD_LIMIT || a.dtype !== b.dtype || a.dtype === 'float16' || a.dtype === 'bool') return undefined;
  const rank = dims.length;
  const broadcastStrides = (t: Tensor): number[] => {
    const own = stridesOf(t.dims);
    return dims.map((_, i) => {
      const k = i - (rank - t.dims.length);
      return k < 0 || t.dims[k] === 1 ? 0 : own[k]!;
    });
  };
  const sa = broadcastStrides(a);
  const sb = broadcastStrides(b);
  const out = allocate(a.dtype, total);
  const ea = elements(a);
  const eb = elements(b);
  const dst = out as unknown as Elements;
  const index = new Array<number>(rank).fill(0);
  const big = isBigIntType(a.dtype);
  const integer = isIntegerType(a.dtype);
  for (let j = 0; j < total; j++) {
    let ia = 0;
    let ib = 0;
    for (let k = 0; k < rank; k++) {
      ia += index[k]! * sa[k]!;
      ib += index[k]! * sb[k]!;
    }
    if (integer) {
      const x = big ? (ea[ia] as bigint) : BigInt(ea[ia] as number);
      const v = op.bigint(x, big ? (eb[ib] as bigint) : BigInt(eb[ib] as number));
      if (v === undefined) return undefined;
      dst[j] = big ? v : Number(v);
    } else {
      dst[j] = op.number(ea[ia] as number, eb[ib] as number);
    }
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k]! < dims[k]!) break;
      index[k] = 0;
    }
  }
  return { dtype: a.dtype, dims: [...dims], data: out };
}
