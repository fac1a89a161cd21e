/**
 * What an experiment run is told: the networks, the Reconvene variants, the training and latency
 * settings, and the grid axes (datasets, scorers, sparsities, seeds). Plain data, recorded in each
 * results part's state file, so a rerun can check it continues the same experiment.
 */
import { SculptError } from '../errors.js';
import type { SensitivityRule } from '../prune/reconvene/index.js';

/** A network of the experiments: a zoo spec without `input` and `classes`, which come from the data. */
export interface ExperimentNetwork {
  readonly key: string;
  readonly label: string;
  /** Zoo spec, e.g. 'vgg11,width=0.25'. */
  readonly zoo: string;
  /** Smallest square input the network takes (VGG's five max-pools need 32); smaller images are padded. */
  readonly minSize?: number;
  /** Fixed per-sample input [C, H, W] and class count, for networks measured without data (Table C). */
  readonly input?: readonly [number, number, number];
  readonly classes?: number;
  /** Rough dense MACs per sample in millions, to weigh generation cells for the ETA before anything is built. */
  readonly megaMacs?: number;
}

/** The networks experiments can name. */
export const NETWORKS: Readonly<Record<string, ExperimentNetwork>> = {
  // Table A / B: sized for two shared cores (see EXPERIMENTS.md for the choice).
  vgg11q: { key: 'vgg11q', label: 'VGG-11-BN, width 0.25', zoo: 'vgg11,width=0.25', minSize: 32 },
  resnet20: { key: 'resnet20', label: 'ResNet-20', zoo: 'resnet20' },
  resnet20h: { key: 'resnet20h', label: 'ResNet-20, width 0.5', zoo: 'resnet20,width=0.5' },
  // Smoke grids: tiny, so a test runs a cell in about a second.
  'vgg11-tiny': { key: 'vgg11-tiny', label: 'VGG-11-BN, width 1/16', zoo: 'vgg11,width=0.0625', minSize: 32 },
  // Table C: the zoo from 0.27M to 138M parameters, at their own input sizes.
  'resnet20-cifar': { key: 'resnet20-cifar', label: 'ResNet-20 (CIFAR)', zoo: 'resnet20', input: [3, 32, 32], classes: 10, megaMacs: 41 },
  'resnet56-cifar': { key: 'resnet56-cifar', label: 'ResNet-56 (CIFAR)', zoo: 'resnet56', input: [3, 32, 32], classes: 10, megaMacs: 126 },
  'resnet110-cifar': { key: 'resnet110-cifar', label: 'ResNet-110 (CIFAR)', zoo: 'resnet110', input: [3, 32, 32], classes: 10, megaMacs: 253 },
  'mobilenetv2-imagenet': { key: 'mobilenetv2-imagenet', label: 'MobileNetV2 (ImageNet)', zoo: 'mobilenetv2', input: [3, 224, 224], classes: 1000, megaMacs: 300 },
  'vgg11-cifar': { key: 'vgg11-cifar', label: 'VGG-11-BN (CIFAR)', zoo: 'vgg11', input: [3, 32, 32], classes: 10, megaMacs: 153 },
  'resnet18-imagenet': { key: 'resnet18-imagenet', label: 'ResNet-18 (ImageNet)', zoo: 'resnet18', input: [3, 224, 224], classes: 1000, megaMacs: 1820 },
  'vgg16-cifar': { key: 'vgg16-cifar', label: 'VGG-16-BN (CIFAR)', zoo: 'vgg16', input: [3, 32, 32], classes: 10, megaMacs: 313 },
  'vgg19-cifar': { key: 'vgg19-cifar', label: 'VGG-19-BN (CIFAR)', zoo: 'vgg19', input: [3, 32, 32], classes: 10, megaMacs: 399 },
  'resnet50-imagenet': { key: 'resnet50-imagenet', label: 'ResNet-50 (ImageNet)', zoo: 'resnet50', input: [3, 224, 224], classes: 1000, megaMacs: 4100 },
  'vgg16-imagenet': { key: 'vgg16-imagenet', label: 'VGG-16-BN (ImageNet head)', zoo: 'vgg16,classifier=imagenet', input: [3, 224, 224], classes: 1000, megaMacs: 15500 },
  'resnet20-tiny': { key: 'resnet20-tiny', label: 'ResNet-20, width 1/4 (CIFAR)', zoo: 'resnet20,width=0.25', input: [3, 16, 16], classes: 10, megaMacs: 1 },
};

/**
 * One way of running Reconvene's PSE and RLR on a UPaI result. Threshold: `threshold` as given, or
 * for the density rule `densityFactor` times the mask's overall density; neither means the
 * rule's default (RECONVENE.md).
 */
export interface ReconveneVariant {
  /** A slug used in model ids. */
  readonly key: string;
  readonly label: string;
  readonly rule?: SensitivityRule;
  readonly threshold?: number;
  readonly densityFactor?: number;
  /** RLR: fewest channels a narrowed group keeps (default 4). */
  readonly minChannels?: number;
}

/**
 * The RLR floor of every variant that does not set its own: 4, reconvenePrune's default when the
 * tables were run. Pinned here so the committed results stay reproducible if that default changes.
 */
export const TABLES_MIN_CHANNELS = 4;

/** The variants experiments can name; 'default' is reconvenePrune's PSE defaults with the RLR floor TABLES_MIN_CHANNELS. */
export const VARIANTS: Readonly<Record<string, ReconveneVariant>> = {
  default: { key: 'default', label: 'defaults' },
  'density-x0.5': { key: 'density-x0.5', label: 'density, τ = 0.5 × overall density', rule: 'density', densityFactor: 0.5 },
  'density-x1': { key: 'density-x1', label: 'density, τ = overall density (default)', rule: 'density', densityFactor: 1 },
  'density-x2': { key: 'density-x2', label: 'density, τ = 2 × overall density', rule: 'density', densityFactor: 2 },
  'density-x4': { key: 'density-x4', label: 'density, τ = 4 × overall density', rule: 'density', densityFactor: 4 },
  'emptied-0.25': { key: 'emptied-0.25', label: 'emptied, τ = 0.25', rule: 'emptied', threshold: 0.25 },
  'emptied-0.5': { key: 'emptied-0.5', label: 'emptied, τ = 0.5', rule: 'emptied', threshold: 0.5 },
  'emptied-0.75': { key: 'emptied-0.75', label: 'emptied, τ = 0.75', rule: 'emptied', threshold: 0.75 },
  'relative-0.25': { key: 'relative-0.25', label: 'relative, q = 0.25', rule: 'relative', threshold: 0.25 },
  'relative-0.5': { key: 'relative-0.5', label: 'relative, q = 0.5', rule: 'relative', threshold: 0.5 },
  'relative-0.75': { key: 'relative-0.75', label: 'relative, q = 0.75', rule: 'relative', threshold: 0.75 },
  'min-8': { key: 'min-8', label: 'density (default τ), minChannels 8', minChannels: 8 },
  'min-16': { key: 'min-16', label: 'density (default τ), minChannels 16', minChannels: 16 },
  // Table B2: the PSE thresholds again, with a wider RLR floor.
  'density-x2-min8': { key: 'density-x2-min8', label: 'density, τ = 2 × overall density, minChannels 8', rule: 'density', densityFactor: 2, minChannels: 8 },
  'density-x4-min8': { key: 'density-x4-min8', label: 'density, τ = 4 × overall density, minChannels 8', rule: 'density', densityFactor: 4, minChannels: 8 },
  'emptied-0.5-min8': { key: 'emptied-0.5-min8', label: 'emptied, τ = 0.5, minChannels 8', rule: 'emptied', threshold: 0.5, minChannels: 8 },
  'relative-0.5-min8': { key: 'relative-0.5-min8', label: 'relative, q = 0.5, minChannels 8', rule: 'relative', threshold: 0.5, minChannels: 8 },
  'density-x2-min16': { key: 'density-x2-min16', label: 'density, τ = 2 × overall density, minChannels 16', rule: 'density', densityFactor: 2, minChannels: 16 },
  'density-x4-min16': { key: 'density-x4-min16', label: 'density, τ = 4 × overall density, minChannels 16', rule: 'density', densityFactor: 4, minChannels: 16 },
  'emptied-0.5-min16': { key: 'emptied-0.5-min16', label: 'emptied, τ = 0.5, minChannels 16', rule: 'emptied', threshold: 0.5, minChannels: 16 },
  'relative-0.5-min16': { key: 'relative-0.5-min16', label: 'relative, q = 0.5, minChannels 16', rule: 'relative', threshold: 0.5, minChannels: 16 },
};

/** How each model is trained and evaluated. */
export interface TrainingSettings {
  readonly epochs: number;
  /** Training examples: a seeded, class-stratified subset of the training set. */
  readonly trainExamples: number;
  /** Test examples: a seeded, class-stratified subset of the test set. */
  readonly testExamples: number;
  readonly batchSize: number;
  /** SGD, momentum 0.9, Nesterov; cosine schedule after a linear warm-up. */
  readonly learningRate: number;
  readonly weightDecay: number;
  /** Share of the run's steps in linear warm-up. */
  readonly warmup: number;
  /** SNIP's labelled batch: this many training examples per class. */
  readonly snipPerClass: number;
  /** onnxruntime intra-op threads for scoring, training and evaluation. */
  readonly threads: number;
  /** Seed of the data subsets (the same subsets for every seed of the grid). */
  readonly dataSeed: number;
}

/** How latency is measured: onnxruntime-node, interleaved between a cell's models. */
export interface LatencySettings {
  readonly threads: number;
  readonly batches: readonly number[];
  readonly warmup: number;
  readonly runs: number;
}

/** A settled experiment configuration. */
export interface ExperimentConfig {
  readonly experiment: string;
  /** Dataset specs (src/data/spec.ts); Table C uses none. */
  readonly datasets: readonly string[];
  readonly networks: readonly string[];
  readonly scorers: readonly string[];
  readonly sparsities: readonly number[];
  readonly seeds: readonly number[];
  /** Reconvene variants trained beside UPaI in every pruned cell. */
  readonly variants: readonly string[];
  /** Train a dense model per network, dataset and seed. */
  readonly dense: boolean;
  readonly training: TrainingSettings;
  readonly latency: LatencySettings;
}

/** Looks up a network, naming the known ones when it is missing. */
export function networkFor(key: string): ExperimentNetwork {
  const network = NETWORKS[key];
  if (!network) throw new SculptError('BAD_ARGUMENT', `unknown experiment network '${key}'; known: ${Object.keys(NETWORKS).join(', ')}`);
  return network;
}

/** Looks up a Reconvene variant, naming the known ones when it is missing. */
export function variantFor(key: string): ReconveneVariant {
  const variant = VARIANTS[key];
  if (!variant) throw new SculptError('BAD_ARGUMENT', `unknown Reconvene variant '${key}'; known: ${Object.keys(VARIANTS).join(', ')}`);
  return variant;
}

/**
 * The settings that decide what a finished cell holds: a results part made under other settings
 * cannot be continued (the grid axes may grow; the cells already run keep their ids).
 */
export function settingsFingerprint(config: ExperimentConfig): string {
  return JSON.stringify({ training: config.training, latency: config.latency });
}
