/**
 * The protobuf message types for ONNX, parsed once from the embedded schema. This module is the
 * only place that touches protobufjs.
 */
import protobuf from 'protobufjs';
import { ONNX_PROTO } from './schema.js';

type OnnxTypes = { ModelProto: protobuf.Type; GraphProto: protobuf.Type; TensorProto: protobuf.Type };

let cached: OnnxTypes | undefined;

/** The ModelProto, GraphProto and TensorProto message types. */
export function onnxTypes(): OnnxTypes {
  if (!cached) {
    const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
    cached = { ModelProto: root.lookupType('onnx.ModelProto'), GraphProto: root.lookupType('onnx.GraphProto'), TensorProto: root.lookupType('onnx.TensorProto') };
  }
  return cached;
}

/** An int64 as protobufjs hands it back: a number, a Long-like object, or a decimal string. */
export type Int64Like = number | string | { low: number; high: number; unsigned?: boolean; toNumber?: () => number };

/** Converts a protobufjs int64 to a number (values beyond 2^53 lose precision; INT64 limits survive via clamping on encode). */
export function int64ToNumber(value: Int64Like | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  if (typeof value.toNumber === 'function') return value.toNumber();
  return value.high * 4294967296 + (value.low >>> 0);
}

/** Converts a protobufjs int64 to a bigint, exactly. */
export function int64ToBigInt(value: Int64Like | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'string') return BigInt(value);
  const big = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return value.unsigned ? big : BigInt.asIntN(64, big);
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Converts a number to an int64 for protobufjs, clamping to the int64 range (so ±2^63 from a decoded INT64_MAX/MIN round-trips). */
export function numberToInt64(value: number): string | number {
  if (Number.isSafeInteger(value)) return value;
  if (!Number.isFinite(value)) throw new RangeError(`cannot encode ${value} as int64`);
  let big = BigInt(Math.trunc(value));
  if (big > INT64_MAX) big = INT64_MAX;
  if (big < INT64_MIN) big = INT64_MIN;
  return big.toString();
}
