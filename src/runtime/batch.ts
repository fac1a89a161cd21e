/**
 * Running a large input through a session in batches: the feeds are cut along axis 0 (views, no
 * copies), each batch runs in turn, and the outputs are joined along axis 0. Memory stays bounded
 * by the batch size, which matters for evaluation sets and models with large activations.
 */
import { SculptError } from '../errors.js';
import { allocate, sizeOf, type Tensor } from '../ir/tensor.js';
import type { Feeds, Session } from './backend.js';

/** Options for runInBatches. */
export interface BatchOptions {
  /** Samples per run (the last batch may be smaller). */
  readonly batchSize: number;
  /** Outputs to return (default: all). */
  readonly outputNames?: readonly string[];
  /**
   * Pad the last batch with zeros to the full batch size and drop the padded rows from the
   * outputs — for models whose batch dimension is fixed. Default false.
   */
  readonly padLastBatch?: boolean;
  /** Called after each batch with the samples done so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs `feeds` (all with the same axis-0 size N) through `session` `batchSize` samples at a time
 * and returns each output joined along axis 0.
 * @example const { output } = await runInBatches(session, { input: images }, { batchSize: 64 });
 */
export async function runInBatches(session: Session, feeds: Feeds, options: BatchOptions): Promise<Record<string, Tensor>> {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new SculptError('BAD_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`);
  const entries = Object.entries(feeds);
  if (entries.length === 0) throw new SculptError('BAD_ARGUMENT', 'runInBatches needs at least one feed');
  const total = sampleCount(entries);
  const parts = new Map<string, Tensor[]>();
  for (let start = 0; start < total; start += batchSize) {
    const count = Math.min(batchSize, total - start);
    const padded = options.padLastBatch === true && count < batchSize;
    const batchFeeds: Record<string, Tensor> = {};
    for (const [name, t] of entries) batchFeeds[name] = padded ? padRows(t, start, count, batchSize) : sliceRows(t, start, count);
    const out = await session.run(batchFeeds, options.outputNames);
    for (const [name, t] of Object.entries(out)) {
      if (t.dims[0] !== (padded ? batchSize : count)) {
        throw new SculptError('BAD_ARGUMENT', `output '${name}' has dims [${t.dims.join(', ')}], not one row per sample; it cannot be batched`);
      }
      const list = parts.get(name) ?? [];
      list.push(padded ? sliceRows(t, 0, count) : t);
      parts.set(name, list);
    }
    options.onProgress?.(start + count, total);
  }
  const result: Record<string, Tensor> = {};
  for (const [name, list] of parts) result[name] = list.length === 1 ? list[0]! : concatRows(list);
  return result;
}

function sampleCount(entries: readonly [string, Tensor][]): number {
  const [firstName, first] = entries[0]!;
  const n = first.dims[0];
  if (n === undefined) throw new SculptError('BAD_ARGUMENT', `feed '${firstName}' is a scalar; batched feeds need a batch axis`);
  for (const [name, t] of entries) {
    if (t.dims[0] !== n) {
      throw new SculptError('BAD_ARGUMENT', `feed '${name}' has ${t.dims[0] ?? 'no'} samples on axis 0 but '${firstName}' has ${n}; all feeds must share the batch size`);
    }
  }
  return n;
}

/** Rows [start, start+count) of a tensor, as a view over the same memory. */
export function sliceRows(t: Tensor, start: number, count: number): Tensor {
  const row = sizeOf(t.dims.slice(1));
  return { dtype: t.dtype, dims: [count, ...t.dims.slice(1)], data: t.data.subarray(start * row, (start + count) * row) as Tensor['data'] };
}

function padRows(t: Tensor, start: number, count: number, size: number): Tensor {
  const row = sizeOf(t.dims.slice(1));
  const data = allocate(t.dtype, size * row);
  (data as { set(a: ArrayLike<unknown>): void }).set(t.data.subarray(start * row, (start + count) * row));
  return { dtype: t.dtype, dims: [size, ...t.dims.slice(1)], data };
}

/** Joins tensors of equal trailing dims along axis 0. */
export function concatRows(tensors: readonly Tensor[]): Tensor {
  const first = tensors[0]!;
  const rows = tensors.reduce((n, t) => n + t.dims[0]!, 0);
  const data = allocate(first.dtype, rows * sizeOf(first.dims.slice(1)));
  let offset = 0;
  for (const t of tensors) {
    (data as { set(a: ArrayLike<unknown>, offset: number): void }).set(t.data, offset);
    offset += t.data.length;
  }
  return { dtype: first.dtype, dims: [rows, ...first.dims.slice(1)], data };
}
