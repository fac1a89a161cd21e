/**
 * Data in the curated API: wherever a function takes data it accepts a dataset spec string (the
 * CLI's `--data`, e.g. 'mnist,limit=2000'), a `Dataset`, or a `{ train, test }` pair such as
 * `loadDataset` returns.
 */
import type { Dataset } from '../data/dataset.js';
import { SculptError } from '../errors.js';
import { loadDataset } from '../platform/node/datasets.js';

/** Data as the curated API takes it: a spec string, one dataset (training only), or a training and test pair. */
export type DataSource = string | Dataset | { readonly train: Dataset; readonly test?: Dataset };

/** A training set and, when known, a test set. */
export interface DataParts {
  readonly train: Dataset;
  readonly test?: Dataset;
}

/** Resolves a DataSource: specs are loaded with `seed` (subsets, splits). */
export function resolveData(source: DataSource, options: { readonly seed?: number } = {}): DataParts {
  if (typeof source === 'string') {
    const { train, test } = loadDataset(source, options.seed !== undefined ? { seed: options.seed } : {});
    return { train, test };
  }
  if (source !== null && typeof source === 'object') {
    if ('images' in source && 'labels' in source) return { train: source };
    if ('train' in source) return source.test ? { train: source.train, test: source.test } : { train: source.train };
  }
  throw new SculptError('BAD_ARGUMENT', "data must be a dataset spec such as 'mnist,limit=2000', a Dataset, or { train, test } as loadDataset returns");
}
