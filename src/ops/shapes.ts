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
 * uses (auto_pad resolved as onnxruntime does).
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
      const out = Math.ceil(size / s);
      const total = Math.max(0, (out - 1) * s + effective - size);
      const small = Math.floor(total / 2);
      const [begin, end] = p.autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
      pads[i] = begin;
      pads[i + n] = end;
      dims.push(out);
      continue;
    }
    if (p.autoPad === 'VALID') {
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

/** A list attribute or `fill` repeated `n` times. */
export function orRepeat(values: readonly number[] | undefined, n: number, fill: number): number[] {
  return values && values.length > 0 ? [...values] : new Array<number>(n).fill(fill);
}

/** Formats a shape for messages: [batch, 3, 32, 32]. */
export function formatShape(shape: Shape | undefined): string {
  if (!shape) return '(unknown)';
  return `[${shape.map((d) => (d === '' ? '?' : String(d))).join(', ')}]`;
}
