/**
 * The CIFAR binary formats. CIFAR-10 (data_batch_1..5.bin, test_batch.bin): records of one label
 * byte and 3072 pixel bytes (32x32 red plane, then green, then blue). CIFAR-100 (train.bin,
 * test.bin): records of a coarse label byte (20 superclasses), a fine label byte (100 classes)
 * and the same 3072 pixel bytes.
 */
import { SculptError } from '../errors.js';
import { createDataset, type Dataset } from './dataset.js';

/** Which CIFAR binary layout a file uses. */
export type CifarVariant = 'cifar10' | 'cifar100';

/** Class names of CIFAR-10 (as in batches.meta.txt). */
export const CIFAR10_CLASSES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
/** The customary CIFAR-10 normalisation constants (pixels scaled to [0, 1]). */
export const CIFAR10_NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] } as const;
/** The customary CIFAR-100 normalisation constants. */
export const CIFAR100_NORMALIZATION = { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] } as const;

const SIDE = 32;
const PIXELS = 3 * SIDE * SIDE;

/** Inputs of `cifarDataset`. */
export interface CifarDatasetOptions {
  readonly name: string;
  readonly variant: CifarVariant;
  /** The batch files in order, with names for error messages. */
  readonly files: readonly { readonly name: string; readonly bytes: Uint8Array }[];
  /** CIFAR-100 only: which label to use (default 'fine'). */
  readonly labelKind?: 'fine' | 'coarse';
  readonly classNames?: readonly string[];
  /** Constants for pixels scaled to [0, 1]; default the customary ones of the variant. */
  readonly normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] };
}

/** A classification dataset from CIFAR binary batch files. */
export function cifarDataset(options: CifarDatasetOptions): Dataset {
  const { variant } = options;
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const record = labelBytes + PIXELS;
  const fine = (options.labelKind ?? 'fine') === 'fine';
  const labelOffset = variant === 'cifar10' || !fine ? 0 : 1;
  const numClasses = variant === 'cifar10' ? 10 : fine ? 100 : 20;
  if (options.files.length === 0) throw new SculptError('BAD_DATA', `dataset '${options.name}': no CIFAR batch files were given`);
  let count = 0;
  for (const file of options.files) {
    if (file.bytes.length === 0 || file.bytes.length % record !== 0) {
      throw new SculptError(
        'BAD_DATA',
        `'${file.name}' has ${file.bytes.length} bytes, not a whole number of ${record}-byte ${variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} records (truncated, or the other CIFAR variant?)`,
      );
    }
    count += file.bytes.length / record;
  }
  const normalization = options.normalization ?? (variant === 'cifar10' ? CIFAR10_NORMALIZATION : CIFAR100_NORMALIZATION);
  const scales = normalization.std.map((s) => 1 / (255 * s));
  const offsets = normalization.mean.map((m, c) => m / normalization.std[c]!);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let n = 0;
  for (const file of options.files) {
    const bytes = file.bytes;
    for (let start = 0; start < bytes.length; start += record, n++) {
      const label = bytes[start + labelOffset]!;
      if (label >= numClasses) {
        throw new SculptError('BAD_DATA', `'${file.name}': record ${start / record} has label ${label}; ${variant} ${variant === 'cifar100' ? `${fine ? 'fine' : 'coarse'} ` : ''}labels are 0..${numClasses - 1}`);
      }
      labels[n] = label;
      const out = n * PIXELS;
      for (let c = 0; c < 3; c++) {
        const scale = scales[c]!;
        const offset = offsets[c]!;
        const from = start + labelBytes + c * SIDE * SIDE;
        for (let i = 0; i < SIDE * SIDE; i++) images[out + c * SIDE * SIDE + i] = bytes[from + i]! * scale - offset;
      }
    }
  }
  const classNames = options.classNames ?? (variant === 'cifar10' ? CIFAR10_CLASSES : undefined);
  return createDataset({
    name: options.name,
    task: 'classification',
    channels: 3,
    height: SIDE,
    width: SIDE,
    images,
    labels,
    numClasses,
    ...(classNames ? { classNames } : {}),
    normalization: { kind: 'channel', scale: 1 / 255, mean: [...normalization.mean], std: [...normalization.std] },
  });
}

/** Parses a CIFAR names file (batches.meta.txt, fine_label_names.txt): one name a line, blank lines dropped. */
export function parseClassNames(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
