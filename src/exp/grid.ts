/**
 * The named experiments and the grid of cells each one runs. A cell is the unit that is run,
 * written and resumed: a dense training run; a pruned cell (one UPaI result, the UPaI model and
 * each Reconvene variant built from it, their latency measured interleaved, each trained and
 * evaluated); or a generation cell (Table C: time and peak memory of building Reconvene models).
 */
import { SculptError } from '../errors.js';
import { parseDatasetSpec } from '../data/spec.js';
import { networkFor, variantFor, type ExperimentConfig, type TrainingSettings, type LatencySettings } from './config.js';

/** A dense or pruned training cell. */
export interface TrainCell {
  readonly kind: 'train';
  /** Unique within the experiment, e.g. 'mnist/vgg11q/snip/0.99/seed1'. */
  readonly id: string;
  /** The results part it is written to, e.g. 'table-a-mnist'. */
  readonly part: string;
  readonly network: string;
  readonly dataset: string;
  readonly seed: number;
  /** Absent: the dense model. */
  readonly scorer?: string;
  readonly sparsity?: number;
  /** Reconvene variants built from the cell's UPaI result (pruned cells). */
  readonly variants: readonly string[];
}

/** A Table C cell: generate Reconvene models of one network with each scorer and sparsity, each in its own process. */
export interface GenerateCell {
  readonly kind: 'generate';
  readonly id: string;
  readonly part: string;
  readonly network: string;
  readonly scorers: readonly string[];
  readonly sparsities: readonly number[];
  readonly seed: number;
}

export type Cell = TrainCell | GenerateCell;

/** Which table an experiment renders. */
export type TableKind = 'claim' | 'rules' | 'scaling';

/** A named experiment: its defaults and the table it renders. */
export interface ExperimentDefinition {
  readonly name: string;
  readonly title: string;
  readonly table: TableKind;
  readonly defaults: Omit<ExperimentConfig, 'experiment'>;
}

const TRAINING: TrainingSettings = {
  epochs: 2,
  trainExamples: 6000,
  testExamples: 5000,
  batchSize: 64,
  learningRate: 0.1,
  weightDecay: 5e-4,
  warmup: 0.1,
  snipPerClass: 10,
  threads: 2,
  dataSeed: 1,
};

const LATENCY: LatencySettings = { threads: 2, batches: [1, 64], warmup: 5, runs: 30 };

const SMOKE_TRAINING: TrainingSettings = { ...TRAINING, epochs: 1, trainExamples: 192, testExamples: 100, batchSize: 32, snipPerClass: 1, threads: 1 };
const SMOKE_LATENCY: LatencySettings = { threads: 1, batches: [1, 4], warmup: 1, runs: 3 };

/** Table B's variants: the PSE rules at three or four thresholds each, and two RLR minimum widths. */
const TABLE_B_VARIANTS = [
  'density-x0.5', 'density-x1', 'density-x2', 'density-x4',
  'emptied-0.25', 'emptied-0.5', 'emptied-0.75',
  'relative-0.25', 'relative-0.5', 'relative-0.75',
  'min-8', 'min-16',
];

/** Table C's networks, from 0.27M to 138M parameters. */
const TABLE_C_NETWORKS = [
  'resnet20-cifar', 'resnet56-cifar', 'resnet110-cifar', 'mobilenetv2-imagenet', 'vgg11-cifar',
  'resnet18-imagenet', 'vgg16-cifar', 'vgg19-cifar', 'resnet50-imagenet', 'vgg16-imagenet',
];

/** The experiments `sculpt exp <name>` runs. */
export const EXPERIMENTS: Readonly<Record<string, ExperimentDefinition>> = {
  'table-a': {
    name: 'table-a',
    title: 'Table A — Reconvene vs UPaI vs dense',
    table: 'claim',
    defaults: {
      datasets: ['mnist', 'fashion-mnist'],
      networks: ['vgg11q', 'resnet20h'],
      scorers: ['snip', 'synflow', 'random'],
      sparsities: [0.9, 0.95, 0.98, 0.99],
      seeds: [1, 2, 3],
      variants: ['default'],
      dense: true,
      // One training thread, so Table A and the U-Net sculpting runs share the two cores without
      // oversubscribing them; latency is still measured at two threads.
      training: { ...TRAINING, threads: 1 },
      latency: LATENCY,
    },
  },
  'table-b': {
    name: 'table-b',
    title: 'Table B — which PSE rule holds accuracy best',
    table: 'rules',
    defaults: {
      datasets: ['fashion-mnist'],
      networks: ['vgg11q'],
      scorers: ['snip'],
      sparsities: [0.9, 0.98, 0.99],
      seeds: [1, 2, 3],
      variants: TABLE_B_VARIANTS,
      dense: false,
      training: TRAINING,
      latency: LATENCY,
    },
  },
  'table-b2': {
    name: 'table-b2',
    title: 'Table B2 — the PSE thresholds with a wider RLR floor',
    table: 'rules',
    defaults: {
      datasets: ['fashion-mnist'],
      networks: ['vgg11q'],
      scorers: ['snip'],
      sparsities: [0.9, 0.98, 0.99],
      seeds: [1, 2],
      variants: ['min-8', 'density-x2-min8', 'density-x4-min8', 'emptied-0.5-min8', 'relative-0.5-min8', 'min-16', 'density-x2-min16', 'density-x4-min16', 'emptied-0.5-min16', 'relative-0.5-min16'],
      dense: false,
      training: TRAINING,
      latency: LATENCY,
    },
  },
  'table-c': {
    name: 'table-c',
    title: 'Table C — time to generate Reconvene models against model size',
    table: 'scaling',
    defaults: {
      datasets: [],
      networks: TABLE_C_NETWORKS,
      scorers: ['snip', 'synflow'],
      sparsities: [0.99],
      seeds: [1],
      variants: ['default'],
      dense: false,
      training: TRAINING,
      latency: LATENCY,
    },
  },
  'table-a-smoke': {
    name: 'table-a-smoke',
    title: 'Table A (smoke grid)',
    table: 'claim',
    defaults: {
      datasets: ['mnist'],
      networks: ['vgg11-tiny'],
      scorers: ['snip'],
      sparsities: [0.9],
      seeds: [1, 2],
      variants: ['default'],
      dense: true,
      training: SMOKE_TRAINING,
      latency: SMOKE_LATENCY,
    },
  },
  'table-b-smoke': {
    name: 'table-b-smoke',
    title: 'Table B (smoke grid)',
    table: 'rules',
    defaults: {
      datasets: ['mnist'],
      networks: ['vgg11-tiny'],
      scorers: ['random'],
      sparsities: [0.9],
      seeds: [1],
      variants: ['density-x1', 'emptied-0.5'],
      dense: false,
      training: SMOKE_TRAINING,
      latency: SMOKE_LATENCY,
    },
  },
  'table-c-smoke': {
    name: 'table-c-smoke',
    title: 'Table C (smoke grid)',
    table: 'scaling',
    defaults: {
      datasets: [],
      networks: ['resnet20-tiny'],
      scorers: ['snip'],
      sparsities: [0.9],
      seeds: [1],
      variants: ['default'],
      dense: false,
      training: SMOKE_TRAINING,
      latency: SMOKE_LATENCY,
    },
  },
};

/** Looks up an experiment, naming the known ones when it is missing. */
export function experimentFor(name: string): ExperimentDefinition {
  const definition = EXPERIMENTS[name];
  if (!definition) throw new SculptError('BAD_ARGUMENT', `unknown experiment '${name}'; known: ${Object.keys(EXPERIMENTS).join(', ')}`);
  return definition;
}

/** The results part a dataset's cells go to: '<experiment>-<dataset kind>'. */
export function partName(experiment: string, dataset: string | undefined): string {
  return dataset === undefined ? experiment : `${experiment}-${parseDatasetSpec(dataset).kind}`;
}

/** Formats a sparsity for ids and tables without float noise: 0.99 -> '0.99'. */
export function formatSparsity(sparsity: number): string {
  return String(Number(sparsity.toPrecision(6)));
}

/**
 * The cells of an experiment, in the order they run: seeds outermost, so that after a third of a
 * three-seed run every setting has one result; then datasets, networks, sparsities, scorers.
 */
export function experimentCells(definition: ExperimentDefinition, config: ExperimentConfig): Cell[] {
  for (const key of config.networks) networkFor(key);
  for (const key of config.variants) variantFor(key);
  const parts = new Map<string, string>();
  for (const dataset of config.datasets) {
    const part = partName(config.experiment, dataset);
    const other = parts.get(part);
    if (other !== undefined) throw new SculptError('BAD_ARGUMENT', `datasets '${other}' and '${dataset}' would write the same results part '${part}'; give one dataset of each kind`);
    parts.set(part, dataset);
  }
  if (definition.table === 'scaling') {
    return config.seeds.flatMap((seed) =>
      config.networks.map((network): GenerateCell => ({
        kind: 'generate',
        id: `${network}/seed${seed}`,
        part: partName(config.experiment, undefined),
        network,
        scorers: config.scorers,
        sparsities: config.sparsities,
        seed,
      })),
    );
  }
  if (config.datasets.length === 0) throw new SculptError('BAD_ARGUMENT', `experiment '${config.experiment}' needs at least one dataset (--data)`);
  const cells: Cell[] = [];
  for (const seed of config.seeds) {
    for (const [part, dataset] of parts) {
      const kind = parseDatasetSpec(dataset).kind;
      for (const network of config.networks) {
        if (config.dense) cells.push({ kind: 'train', id: `${kind}/${network}/dense/seed${seed}`, part, network, dataset, seed, variants: [] });
        for (const sparsity of config.sparsities) {
          for (const scorer of config.scorers) {
            cells.push({ kind: 'train', id: `${kind}/${network}/${scorer}/${formatSparsity(sparsity)}/seed${seed}`, part, network, dataset, seed, scorer, sparsity, variants: config.variants });
          }
        }
      }
    }
  }
  return cells;
}

/** The model ids a cell writes (its results entries), in order. */
export function cellModelIds(cell: Cell): string[] {
  if (cell.kind === 'generate') {
    const pruned = cell.sparsities.flatMap((sparsity) => cell.scorers.map((s) => `${cell.network}-reconvene-${s}-${formatSparsity(sparsity)}-seed${cell.seed}`));
    return [`${cell.network}-dense-seed${cell.seed}`, ...pruned];
  }
  if (cell.scorer === undefined) return [`${cell.network}-dense-seed${cell.seed}`];
  const tail = `${cell.scorer}-${formatSparsity(cell.sparsity!)}-seed${cell.seed}`;
  return [`${cell.network}-upai-${tail}`, ...cell.variants.map((v) => (v === 'default' ? `${cell.network}-reconvene-${tail}` : `${cell.network}-reconvene-${v}-${tail}`))];
}
