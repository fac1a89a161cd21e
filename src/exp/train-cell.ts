/**
 * A training cell of Tables A and B. Dense cell: the zoo network as initialised. Pruned cell: one
 * UPaI result (scorer, global mask at the sparsity), the UPaI model, and every Reconvene variant
 * built from that same result by the PSE and RLR — so the variants differ only in the rule. The
 * cell's models are timed interleaved on onnxruntime (so load from other processes falls on all
 * of them alike), then each is trained from scratch with the same recipe and evaluated.
 */
import { SculptError, isSculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { encodeModel } from '../onnx/encode.js';
import { layerCosts, totalCost } from '../ops/cost.js';
import { inferModel, type TypedGraph } from '../ops/infer.js';
import { layerWidths } from '../prune/channel-pruner.js';
import type { WeightMasks } from '../prune/masks.js';
import { evaluateSensitivity, rectifyLayers, type SensitivityOptions } from '../prune/reconvene/index.js';
import { upaiPrune } from '../prune/upai.js';
import type { LayerWidthEntry, LatencyMeasurement, ModelEntry } from '../report/results.js';
import { benchModels } from '../bench/latency.js';
import type { Backend } from '../runtime/backend.js';
import { prunableWeights } from '../score/weights.js';
import { train } from '../train/loop.js';
import type { TrainProgress } from '../train/options.js';
import { buildZooModel } from '../zoo/index.js';
import { TABLES_MIN_CHANNELS, networkFor, variantFor, type ExperimentConfig, type ExperimentNetwork, type ReconveneVariant } from './config.js';
import { labelledBatch, type ExperimentData } from './data.js';
import { cellModelIds, formatSparsity, type TrainCell } from './grid.js';

/** Extra measurements of one model that the results model has no field for (kept in the part's state file). */
export interface ModelDetails {
  /** Training wall time, seconds. */
  readonly trainSeconds?: number;
  /** Mean training loss of the last epoch. */
  readonly trainLoss?: number;
  /** Why training stopped early (a non-finite loss): quality is then null. */
  readonly diverged?: string;
  /** What the PSE and RLR did. */
  readonly reconvene?: { readonly rule: string; readonly threshold: number; readonly rectified: number; readonly layers: number; readonly minChannels: number };
  /** Where the generation time went, milliseconds. */
  readonly timeMs?: Readonly<Record<string, number>>;
  /** Peak resident memory of the process that generated the model (Table C), bytes. */
  readonly peakRssBytes?: number;
  readonly selfTestMaxError?: number;
  /** Why a generation (Table C) failed: the model has no results entry then. */
  readonly failed?: string;
}

/** What a finished cell adds: model entries (without their run index) and their details by model id. */
export interface CellOutput {
  readonly models: readonly ModelEntry[];
  readonly details: Readonly<Record<string, ModelDetails>>;
}

/** Where a running cell is. */
export interface CellProgress {
  readonly phase: 'generate' | 'latency' | 'train' | 'eval';
  /** The model being worked on. */
  readonly model?: string;
  readonly done: number;
  readonly total: number;
}

/** What a training cell needs from its runner. */
export interface TrainCellContext {
  readonly config: ExperimentConfig;
  readonly backend: Backend;
  /** The cell's data, padded for the network. */
  readonly data: ExperimentData;
  readonly clock: () => number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: CellProgress) => void;
}

/** A model of the cell before training. */
interface Candidate {
  readonly id: string;
  readonly label: string;
  readonly method: 'dense' | 'upai' | 'reconvene';
  readonly model: Model;
  readonly masks?: WeightMasks;
  readonly generationSeconds?: number;
  readonly details: ModelDetails;
}

/** Runs a dense or pruned training cell (see the file comment). */
export async function runTrainCell(cell: TrainCell, context: TrainCellContext): Promise<CellOutput> {
  const network = networkFor(cell.network);
  const { train: trainSet } = context.data;
  const input = `${trainSet.channels}x${trainSet.height}x${trainSet.width}`;
  const dense = buildZooModel(`${network.zoo},input=${input},classes=${trainSet.numClasses}`, { seed: cell.seed });
  const denseTyped = inferModel(dense);
  const denseParams = totalCost(layerCosts(denseTyped)).params;
  const candidates = cell.scorer === undefined ? [denseCandidate(cell, network, dense)] : await prunedCandidates(cell, network, dense, context);
  const latency = await measureCandidates(candidates, context);
  const models: ModelEntry[] = [];
  const details: Record<string, ModelDetails> = {};
  for (const [i, candidate] of candidates.entries()) {
    const trained = await trainCandidate(candidate, cell, context);
    const model = trained.model ?? candidate.model;
    const typed = inferModel(model);
    const cost = totalCost(layerCosts(typed));
    const nonzeroParams = cost.params - maskedCount(candidate.masks);
    models.push({
      id: candidate.id,
      label: candidate.label,
      method: candidate.method,
      ...(cell.scorer !== undefined ? { scorer: cell.scorer, sparsity: cell.sparsity! } : {}),
      compression: denseParams / Math.max(1, nonzeroParams),
      params: cost.params,
      nonzeroParams,
      macs: cost.macs,
      bytes: encodeModel(model).byteLength,
      quality: trained.accuracy,
      latency: latency[i]!,
      ...(candidate.generationSeconds !== undefined ? { generationSeconds: candidate.generationSeconds } : {}),
      ...(trained.training ? { training: trained.training } : {}),
      ...(candidate.method !== 'dense' ? { layers: layerEntries(denseTyped, typed, candidate.masks) } : {}),
      seed: cell.seed,
    });
    details[candidate.id] = { ...candidate.details, ...trained.details };
  }
  return { models, details };
}

function denseCandidate(cell: TrainCell, network: ExperimentNetwork, model: Model): Candidate {
  const [id] = cellModelIds(cell);
  return { id: id!, label: `${network.label}: dense`, method: 'dense', model, details: {} };
}

/** The sensitivity options of a variant; the density rule's factor is resolved against the mask's overall density. */
export function sensitivityOptions(variant: ReconveneVariant, overallDensity: number): SensitivityOptions {
  const threshold = variant.densityFactor !== undefined ? variant.densityFactor * overallDensity : variant.threshold;
  return { ...(variant.rule !== undefined ? { rule: variant.rule } : {}), ...(threshold !== undefined ? { threshold } : {}) };
}

async function prunedCandidates(cell: TrainCell, network: ExperimentNetwork, dense: Model, context: TrainCellContext): Promise<Candidate[]> {
  const { config, backend, clock } = context;
  const scorer = cell.scorer!;
  const sparsity = cell.sparsity!;
  const ids = cellModelIds(cell);
  const setting = `${scorer}, sparsity ${formatSparsity(sparsity)}`;
  const total = 1 + cell.variants.length;
  context.onProgress?.({ phase: 'generate', model: ids[0]!, done: 0, total });
  const data = labelledBatch(context.data.train, config.training.snipPerClass, cell.seed);
  const start = clock();
  const upai = await upaiPrune(dense, { scorer, sparsity, seed: cell.seed, backend, data, threads: config.training.threads });
  const upaiSeconds = (clock() - start) / 1000;
  const candidates: Candidate[] = [
    {
      id: ids[0]!,
      label: `${network.label}: UPaI (${setting})`,
      method: 'upai',
      model: upai.model,
      masks: upai.masks,
      generationSeconds: upaiSeconds,
      details: { timeMs: { score: upai.report.timeMs.score, mask: upai.report.timeMs.mask } },
    },
  ];
  for (const [v, key] of cell.variants.entries()) {
    context.onProgress?.({ phase: 'generate', model: ids[v + 1]!, done: v + 1, total });
    const variant = variantFor(key);
    const begin = clock();
    const typed = inferModel(upai.model);
    const sensitivity = evaluateSensitivity(typed, upai.masks, sensitivityOptions(variant, upai.report.density));
    const pse = clock() - begin;
    const rectified = await rectifyLayers(upai.model, upai.masks, upai.scores, sensitivity, {
      seed: cell.seed,
      backend,
      selfTest: { seed: cell.seed },
      minChannels: variant.minChannels ?? TABLES_MIN_CHANNELS,
    });
    const own = clock() - begin - rectified.timeMs.selfTest;
    const name = key === 'default' ? 'Reconvene' : `Reconvene [${variant.label}]`;
    candidates.push({
      id: ids[v + 1]!,
      label: `${network.label}: ${name} (${setting})`,
      method: 'reconvene',
      model: rectified.model,
      masks: rectified.masks,
      generationSeconds: upaiSeconds + own / 1000,
      details: {
        reconvene: {
          rule: sensitivity.rule,
          threshold: sensitivity.threshold,
          rectified: rectified.layers.filter((l) => l.outcome === 'rectified').length,
          layers: rectified.layers.length,
          minChannels: variant.minChannels ?? TABLES_MIN_CHANNELS,
        },
        timeMs: { score: upai.report.timeMs.score, mask: upai.report.timeMs.mask, pse, ...rectified.timeMs },
        ...(rectified.selfTest ? { selfTestMaxError: rectified.selfTest.maxError } : {}),
      },
    });
  }
  return candidates;
}

/** Latency of every candidate at each configured batch, interleaved round by round. */
async function measureCandidates(candidates: readonly Candidate[], context: TrainCellContext): Promise<LatencyMeasurement[][]> {
  const { latency } = context.config;
  const models = candidates.map((c) => {
    const cost = totalCost(layerCosts(inferModel(c.model)));
    return { name: c.id, bytes: encodeModel(c.model), params: cost.params, macsPerSample: cost.macs, model: c.model };
  });
  const reports = await benchModels(models, {
    configs: latency.batches.map((batch) => ({ backend: 'ort', threads: latency.threads, batch })),
    backends: { ort: context.backend },
    warmup: latency.warmup,
    runs: latency.runs,
    onProgress: (done, total) => context.onProgress?.({ phase: 'latency', done, total }),
  });
  return reports.map((report) => report.results.map((r) => ({ threads: r.config.threads, batch: r.config.batch, medianMs: r.medianMs, p90Ms: r.p90Ms, runs: r.runs })));
}

interface Trained {
  readonly model?: Model;
  readonly accuracy: number | null;
  readonly training?: ModelEntry['training'];
  readonly details: ModelDetails;
}

async function trainCandidate(candidate: Candidate, cell: TrainCell, context: TrainCellContext): Promise<Trained> {
  const settings = context.config.training;
  const { train: trainSet, test } = context.data;
  const stepsPerEpoch = Math.floor(trainSet.count / settings.batchSize);
  const totalSteps = stepsPerEpoch * settings.epochs;
  const onProgress = (p: TrainProgress): void => {
    if (p.phase === 'train') context.onProgress?.({ phase: 'train', model: candidate.id, done: p.step, total: totalSteps });
    else context.onProgress?.({ phase: 'eval', model: candidate.id, done: p.evalDone ?? 0, total: p.evalTotal ?? test.count });
  };
  try {
    const result = await train(candidate.model, {
      backend: context.backend,
      threads: settings.threads,
      train: trainSet,
      test,
      batchSize: settings.batchSize,
      budget: { epochs: settings.epochs },
      learningRate: settings.learningRate,
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: settings.weightDecay },
      schedule: { kind: 'cosine', warmupSteps: Math.round(settings.warmup * totalSteps) },
      evalEvery: settings.epochs,
      seed: cell.seed,
      ...(candidate.masks ? { masks: candidate.masks } : {}),
      onProgress,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    if (result.stoppedBy === 'interrupted') throw new SculptError('INTERRUPTED', `interrupted while training ${candidate.id}; rerun the same command to continue from the last finished cell`);
    const metrics = result.metrics;
    const accuracy = metrics && metrics.task === 'classification' ? metrics.accuracy : null;
    const last = result.history[result.history.length - 1];
    return {
      model: result.model,
      accuracy,
      training: { epochs: result.epochs, steps: result.steps, examples: result.steps * settings.batchSize, seconds: result.seconds },
      details: { trainSeconds: result.seconds, ...(last && Number.isFinite(last.trainLoss) ? { trainLoss: last.trainLoss } : {}) },
    };
  } catch (error) {
    // A diverged run is a result (the recipe failed this model), not a failure of the experiment.
    if (isSculptError(error, 'NUMERIC')) return { accuracy: null, details: { diverged: error.message } };
    throw error;
  }
}

/** Weights a set of masks removes. */
function maskedCount(masks: WeightMasks | undefined): number {
  let zeros = 0;
  for (const mask of masks?.values() ?? []) for (const v of mask.data) if (v === 0) zeros++;
  return zeros;
}

/** Per prunable layer: widths before and after, and the share of its weights left non-zero. */
function layerEntries(dense: TypedGraph, pruned: TypedGraph, masks: WeightMasks | undefined): LayerWidthEntry[] {
  const density = new Map<string, number>();
  for (const weight of prunableWeights(pruned)) {
    const mask = masks?.get(weight.name);
    if (!mask) continue;
    let kept = 0;
    for (const v of mask.data) if (v !== 0) kept++;
    density.set(weight.node, mask.data.length > 0 ? kept / mask.data.length : 0);
  }
  return layerWidths(dense, pruned).map((l) => ({ ...l, density: density.get(l.name) ?? 1 }));
}
