/**
 * Tensors as plain data: a dtype, dims and a typed array. The dtype table below is the one place
 * that knows which typed array holds which ONNX element type (after onnxruntime's DataTypeMap).
 */
import { SculptError } from '../errors.js';

/** Element types Sculpt reads and writes; names follow onnxruntime-common's tensor types. */
export interface DataTypeMap {
  float32: Float32Array;
  float64: Float64Array;
  /** IEEE half floats, kept as their raw 16-bit patterns. */
  float16: Uint16Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  /** One byte per element, 0 or 1. */
  bool: Uint8Array;
}

export type DType = keyof DataTypeMap;
export type TypedArray = DataTypeMap[DType];

/** A dense tensor. `data.length` equals the product of `dims` (1 for a scalar, dims `[]`). */
export interface Tensor<T extends DType = DType> {
  readonly dtype: T;
  readonly dims: readonly number[];
  readonly data: DataTypeMap[T];
}

/** ONNX TensorProto.DataType numbers for each dtype. */
export const ONNX_DATA_TYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
};

const DTYPE_BY_ONNX = new Map<number, DType>(
  Object.entries(ONNX_DATA_TYPE).map(([dtype, code]) => [code, dtype as DType]),
);

/** The dtype for an ONNX TensorProto.DataType number, or a clear error for strings, complex, bfloat16 and float8. */
export function dtypeFromOnnx(code: number, where: string): DType {
  const dtype = DTYPE_BY_ONNX.get(code);
  if (dtype === undefined) {
    throw new SculptError(
      'BAD_MODEL',
      `${where}: tensor element type ${code} is not supported (supported: float32, float16, float64, int64, int32, int16, int8, uint8, uint16, uint32, uint64, bool)`,
    );
  }
  return dtype;
}

/** Bytes per element of each dtype. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int64: 8,
  uint64: 8,
  int32: 4,
  uint32: 4,
  int16: 2,
  uint16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

type ArrayConstructorFor<T extends DType> = {
  new (length: number): DataTypeMap[T];
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): DataTypeMap[T];
};

const CONSTRUCTORS: { readonly [T in DType]: ArrayConstructorFor<T> } = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** Product of dims (1 for a scalar). */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** A zero-filled typed array for `dtype`. */
export function allocate<T extends DType>(dtype: T, length: number): DataTypeMap[T] {
  return new CONSTRUCTORS[dtype](length);
}

/**
 * A typed array over little-endian bytes. The result never aliases `bytes`: the bytes are
 * copied into a fresh, aligned buffer, so slices of a Node Buffer pool are safe.
 */
export function typedArrayFromBytes<T extends DType>(dtype: T, bytes: Uint8Array): DataTypeMap[T] {
  const width = BYTES_PER_ELEMENT[dtype];
  if (bytes.byteLength % width !== 0) {
    throw new SculptError('BAD_MODEL', `${bytes.byteLength} bytes is not a whole number of ${dtype} elements (${width} bytes each)`);
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new CONSTRUCTORS[dtype](copy.buffer, 0, bytes.byteLength / width);
}

/** The little-endian bytes of a typed array, as a view (no copy). */
export function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A tensor, checked: the data length must equal the product of dims. */
export function tensor<T extends DType>(dtype: T, dims: readonly number[], data: DataTypeMap[T]): Tensor<T> {
  const expected = sizeOf(dims);
  if (data.length !== expected) {
    throw new SculptError('BAD_ARGUMENT', `tensor of dims [${dims.join(', ')}] needs ${expected} ${dtype} elements, got ${data.length}`);
  }
  return { dtype, dims: [...dims], data };
}

/** A float32 tensor from dims and values (a number array or Float32Array). */
export function float32(dims: readonly number[], values: ArrayLike<number> | Float32Array): Tensor<'float32'> {
  return tensor('float32', dims, values instanceof Float32Array ? values : Float32Array.from(values));
}

/** An int64 tensor from dims and plain numbers. */
export function int64(dims: readonly number[], values: ArrayLike<number>): Tensor<'int64'> {
  return tensor('int64', dims, BigInt64Array.from(Array.from(values, (v) => BigInt(v))));
}

/** Tensor values as plain numbers (int64 converted; float16 decoded). For small tensors: shapes, axes, pads. */
export function toNumbers(t: Tensor): number[] {
  if (t.dtype === 'float16') return Array.from(t.data as Uint16Array, float16ToFloat32);
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/** Tensor values as a Float32Array (a copy for other dtypes, the same array for float32). */
export function toFloat32(t: Tensor): Float32Array {
  if (t.dtype === 'float32') return t.data as Float32Array;
  return Float32Array.from(toNumbers(t));
}

/** Decodes one IEEE half float bit pattern. */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
