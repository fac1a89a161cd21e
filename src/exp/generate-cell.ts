/**
 * Table C: the time to generate a Reconvene model (score, mask, PSE, RLR with the channel surgery
 * and re-initialisation) for a zoo network at its own input size. `measureGeneration` is what one
 * process does; the Node side runs each request in a fresh child process so that the peak resident
 * memory it reports belongs to that one generation (src/platform/node/experiment-files.ts).
 */
import { SculptError } from '../errors.js';
import { encodeModel } from '../onnx/encode.js';
import { layerCosts, totalCost } from '../ops/cost.js';
import { inferModel } from '../ops/infer.js';
import { reconvenePrune } from '../prune/reconvene/index.js';
import type { ModelEntry } from '../report/results.js';
import type { Backend } from '../runtime/backend.js';
import { Random } from '../util/random.js';
import { buildZooModel } from '../zoo/index.js';
import { TABLES_MIN_CHANNELS, networkFor } from './config.js';
import { cellModelIds, formatSparsity, type GenerateCell } from './grid.js';
import type { CellOutput, ModelDetails } from './train-cell.js';

/** One generation to measure. */
export interface GenerationRequest {
  readonly network: string;
  readonly scorer: string;
  readonly sparsity: number;
  readonly seed: number;
  /** SNIP's batch size (random-normal images, labels 0, 1, 2, ...). */
  readonly batch: number;
  readonly threads?: number;
}

/** What one generation measured. */
export interface GenerationMeasurement {
  readonly request: GenerationRequest;
  readonly dense: { readonly params: number; readonly macs: number };
  readonly pruned: { readonly params: number; readonly macs: number; readonly bytes: number };
  /** Weights the Reconvene model keeps (rectified layers whole, masked layers their kept weights). */
  readonly keptWeights: number;
  /** Weights of the Reconvene model that its remaining masks hold at zero. */
  readonly maskedWeights: number;
  readonly rule: string;
  readonly threshold: number;
  readonly rectified: number;
  readonly layers: number;
  /** Wall time of reconvenePrune without its self-test, milliseconds: the generation time. */
  readonly generateMs: number;
  /** The parts, milliseconds: build (not counted), score, mask, pse, rlr (plan, surgery, re-initialisation), selfTest, export (encoding, not counted). */
  readonly timeMs: Readonly<Record<string, number>>;
  readonly selfTestMaxError?: number;
  /** Peak resident memory of the measuring process, bytes, when the caller measured it (before encoding the dense model). */
  readonly peakRssBytes?: number;
  /** The encoded size of the dense model, bytes, when the caller measured it. */
  readonly denseBytes?: number;
}

/** A generation that stopped with a SculptError (e.g. SynFlow's scores underflowing to zero): recorded, not fatal. */
export interface GenerationFailure {
  readonly request: GenerationRequest;
  readonly failed: { readonly code: string; readonly message: string };
}

export type GenerationOutcome = GenerationMeasurement | GenerationFailure;

/** Whether an outcome is a failure. */
export function isGenerationFailure(outcome: GenerationOutcome): outcome is GenerationFailure {
  return 'failed' in outcome;
}

/** The SNIP batch of Table C: `batch` random-normal images, labels counting up modulo the classes. */
function randomBatch(shape: readonly [number, number, number], classes: number, batch: number, seed: number) {
  const random = new Random(seed);
  const [c, h, w] = shape;
  return {
    input: { dtype: 'float32' as const, dims: [batch, c, h, w], data: random.fillNormal(new Float32Array(batch * c * h * w), 1) },
    labels: { dtype: 'int64' as const, dims: [batch], data: BigInt64Array.from({ length: batch }, (_, i) => BigInt(i % classes)) },
  };
}

/** The zoo spec of a Table C network at its stated input and classes. */
function generationSpec(networkKey: string): { spec: string; input: readonly [number, number, number]; classes: number } {
  const network = networkFor(networkKey);
  const input = network.input ?? [3, 32, 32];
  const classes = network.classes ?? 10;
  return { spec: `${network.zoo},input=${input.join('x')},classes=${classes}`, input, classes };
}

/** Builds the network, then times reconvenePrune on it (see the file comment). */
export async function measureGeneration(request: GenerationRequest, backend: Backend, clock: () => number = () => performance.now()): Promise<GenerationMeasurement> {
  const { spec, input, classes } = generationSpec(request.network);
  const buildStart = clock();
  const model = buildZooModel(spec, { seed: request.seed });
  const build = clock() - buildStart;
  const data = randomBatch(input, classes, request.batch, request.seed);
  const start = clock();
  const result = await reconvenePrune(model, {
    scorer: request.scorer,
    sparsity: request.sparsity,
    seed: request.seed,
    minChannels: TABLES_MIN_CHANNELS,
    backend,
    data,
    ...(request.threads !== undefined ? { threads: request.threads } : {}),
  });
  const wall = clock() - start;
  const exportStart = clock();
  const bytes = encodeModel(result.model).byteLength;
  const exported = clock() - exportStart;
  const t = result.report.timeMs;
  return {
    request,
    dense: result.report.before,
    pruned: { ...result.report.after, bytes },
    keptWeights: result.report.keptWeights,
    maskedWeights: result.report.layers.reduce((n, l) => n + l.weightsAfter - l.keptAfter, 0),
    rule: result.report.rule,
    threshold: result.report.threshold,
    rectified: result.report.layers.filter((l) => l.outcome === 'rectified').length,
    layers: result.report.layers.length,
    generateMs: wall - t.selfTest,
    timeMs: { build, score: t.score, mask: t.mask, pse: t.pse, rlr: t.plan + t.surgery + t.reinitialise, selfTest: t.selfTest, export: exported },
    ...(result.report.selfTest ? { selfTestMaxError: result.report.selfTest.maxError } : {}),
  };
}

/** The encoded size of a network as the zoo builds it (Table C's dense row), bytes. */
export function denseBytes(networkKey: string, seed: number): number {
  return encodeModel(buildZooModel(generationSpec(networkKey).spec, { seed })).byteLength;
}

/** Turns a generation cell's measurements into its model entries and details. */
export function generationOutput(cell: GenerateCell, outcomes: readonly GenerationOutcome[]): CellOutput {
  const network = networkFor(cell.network);
  const ids = cellModelIds(cell);
  const first = outcomes.find((o): o is GenerationMeasurement => !isGenerationFailure(o));
  if (!first) {
    const reasons = outcomes.map((o) => (isGenerationFailure(o) ? `${o.request.scorer}: ${o.failed.message}` : '')).join('; ');
    throw new SculptError('RUNTIME', `every generation of ${cell.network} failed (${reasons}); nothing to record for this cell`);
  }
  const denseSize = first.denseBytes ?? denseBytes(cell.network, cell.seed);
  const models: ModelEntry[] = [
    { id: ids[0]!, label: `${network.label}: dense`, method: 'dense', compression: 1, params: first.dense.params, nonzeroParams: first.dense.params, macs: first.dense.macs, bytes: denseSize, quality: null, latency: [], seed: cell.seed },
  ];
  const details: Record<string, ModelDetails> = {};
  outcomes.forEach((m, i) => {
    const id = ids[i + 1]!;
    if (isGenerationFailure(m)) {
      details[id] = { failed: `${m.failed.code}: ${m.failed.message}` };
      return;
    }
    const nonzero = m.pruned.params - m.maskedWeights;
    models.push({
      id,
      label: `${network.label}: Reconvene (${m.request.scorer}, sparsity ${formatSparsity(m.request.sparsity)})`,
      method: 'reconvene',
      scorer: m.request.scorer,
      sparsity: m.request.sparsity,
      compression: first.dense.params / Math.max(1, nonzero),
      params: m.pruned.params,
      nonzeroParams: nonzero,
      macs: m.pruned.macs,
      bytes: m.pruned.bytes,
      quality: null,
      latency: [],
      generationSeconds: m.generateMs / 1000,
      seed: cell.seed,
    });
    details[id] = {
      timeMs: m.timeMs,
      reconvene: { rule: m.rule, threshold: m.threshold, rectified: m.rectified, layers: m.layers, minChannels: TABLES_MIN_CHANNELS },
      ...(m.peakRssBytes !== undefined ? { peakRssBytes: m.peakRssBytes } : {}),
      ...(m.selfTestMaxError !== undefined ? { selfTestMaxError: m.selfTestMaxError } : {}),
    };
  });
  return { models, details };
}
