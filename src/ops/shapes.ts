/**
 * Shape arithmetic shared by op rules: broadcasting, axis normalisation, and the sliding-window
 * output size of convolutions and pools. Unknown (symbolic) dims propagate as ''.
 */
import type { Dim, Shape } from '../ir/graph.js';

/** True when every dim is a known number. */
export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

/** Normalises a possibly negative axis for a tensor of `rank`; undefined when out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

/** Multidirectional (numpy) broadcasting; undefined when the shapes cannot broadcast. */
export function broadcastShapes(a: Shape, b: Shape): Dim[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (da === db) out.push(da);
    else if (typeof da === 'string' || typeof db === 'string') out.push(typeof da === 'number' ? da : db);
    else return undefined;
  }
  return out;
}

/** Product of the given dims, or undefined if any is symbolic. */
export function product(dims: readonly Dim[]): number | undefined {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

export interface WindowParams {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** [begin_0, begin_1, ..., end_0, end_1, ...] as ONNX writes them. */
  readonly pads: readonly number[];
  readonly autoPad: string;
  readonly ceilMode?: boolean;
}

/**
 * Output spatial dims of a sliding window (Conv, MaxPool, AveragePool) and the explicit pads it
 * uses, with auto_pad resolved exactly as onnxruntime does: SAME pads reach ceil(size / stride)
 * windows of the *undilated* kernel (onnxruntime's "legacy target size"; Conv rejects SAME with
 * dilation, pools accept it and then produce fewer windows), SAME_LOWER putting the odd pad first.
 */
export function windowOutput(spatial: Shape, p: WindowParams): { dims: Dim[]; pads: number[] } {
  const n = spatial.length;
  const pads = [...p.pads];
  const dims: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const size = spatial[i]!;
    const k = p.kernel[i]!;
    const s = p.strides[i]!;
    const d = p.dilations[i]!;
    const effective = (k - 1) * d + 1;
    if (typeof size !== 'number') {
      dims.push('');
      continue;
    }
    if (p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER') {
      const needed = (Math.ceil(size / s) - 1) * s + k - size;
      // C++ integer division, as onnxruntime computes it (`needed` is negative when kernel < stride).
      const begin = Math.trunc((p.autoPad === 'SAME_LOWER' ? needed + 1 : needed) / 2) + 0;
      pads[i] = begin;
      pads[i + n] = needed - begin;
    } else if (p.autoPad === 'VALID') {
      pads[i] = 0;
      pads[i + n] = 0;
    }
    const span = size + pads[i]! + pads[i + n]! - effective;
    let out = (p.ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    // With ceil_mode the last window must start inside the input or its left padding.
    if (p.ceilMode && (out - 1) * s >= size + pads[i]!) out -= 1;
    dims.push(out);
  }
  return { dims, pads };
}

/** Unidirectional broadcasting (PRelu's slope, Gemm's C): true when `from` broadcasts to `to` without changing it. */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  return from.every((d, i) => {
    const target = to[i + to.length - from.length]!;
    return d === 1 || d === target || typeof d === 'string' || typeof target === 'string';
  });
}

/**
 * One axis of a Slice, as onnxruntime clamps it: negative starts/ends count from the end, then
 * starts clamp to [0, size] ([0, size-1] for negative steps) and ends to [0, size] ([-1, size-1]).
 */
export function sliceAxis(size: number, start: number, end: number, step: number): { start: number; step: number; count: number } {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  let first = start < 0 ? start + size : start;
  let last = end < 0 ? end + size : end;
  if (step > 0) {
    first = clamp(first, 0, size);
    last = clamp(last, 0, size);
  } else {
    first = clamp(first, 0, size - 1);
    last = clamp(last, -1, size - 1);
  }
  const count = Math.max(0, Math.ceil((last - first) / step));
  return { start: first, step, count };
}

/** Normalises a list of axes for `rank`; undefined when one is out of range or repeated. */
export function normalizeAxes(axes: readonly number[], rank: number): number[] | undefined {
  const result: number[] = [];
  for (const axis of axes) {
    const a = normalizeAxis(axis, rank);
    if (a === undefined || result.includes(a)) return undefined;
    result.push(a);
  }
  return result;
}

/** A list attribute or `fill` repeated `n` times. */
export function orRepeat(values: readonly number[] | undefined, n: number, fill: number): number[] {
  return values && values.length > 0 ? [...values] : new Array<number>(n).fill(fill);
}

/** Formats a shape for messages: [batch, 3, 32, 32]. */
export function formatShape(shape: Shape | undefined): string {
  if (!shape) return '(unknown)';
  return `[${shape.map((d) => (d === '' ? '?' : String(d))).join(', ')}]`;
}
