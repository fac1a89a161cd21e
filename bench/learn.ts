/**
 * Proof of learning: trains a model from scratch with Sculpt's training loop on onnxruntime-node
 * and reports the held-out metric, for BENCHMARKS.md.
 *
 *   mnist-resnet20   CIFAR ResNet-20 (zoo resnet20, 16-32-64 channels) on 1x28x28 MNIST (no
 *                    padding to 32x32), all 60,000 training digits, the full 10,000-digit test set.
 *                    Target: >= 98% test accuracy.
 *   phantom-unet     U-Net (zoo unet, base 16, depth 3, ConvTranspose up-sampling) on the synthetic
 *                    cardiac phantom at 64x64, 1,600 training slices, 400 held-out slices (slices
 *                    1,600..1,999 of the seeded generator). Target: mean foreground Dice >= 0.90
 *                    (global Dice per class over all held-out pixels, mean of LV, myocardium, RV).
 *
 * usage: npm run bench:learn -- mnist-resnet20|phantom-unet [--epochs N] [--threads T] [--batch B]
 *          [--lr X] [--seed S] [--checkpoint-dir D [--resume]] [--out trained.onnx]
 * Long runs: start with nohup and a log file; progress is printed every ~10% of an epoch.
 */
import { cpus } from 'node:os';
import {
  buildZooModel,
  diceScores,
  encodeModel,
  feedInputs,
  meanScore,
  type Dataset,
  type Model,
  hasCheckpointFile,
  headlineMetric,
  loadCheckpointFile,
  loadDataset,
  onnxruntimeNode,
  saveCheckpointFile,
  saveModelFile,
  train,
  type Metrics,
  type TrainOptions,
} from '../src/index.js';
import { float32 } from '../src/ir/tensor.js';

interface Recipe {
  readonly description: string;
  readonly model: string;
  readonly data: string;
  readonly target: number;
  readonly options: Omit<TrainOptions, 'backend' | 'train' | 'test' | 'budget'> & { readonly epochs: number };
}

const RECIPES: Record<string, Recipe> = {
  'mnist-resnet20': {
    description: 'CIFAR ResNet-20 (zoo resnet20,input=1x28x28) on MNIST, 60k train / 10k test',
    model: 'resnet20,input=1x28x28',
    data: 'mnist',
    target: 0.98,
    options: {
      epochs: 3,
      batchSize: 128,
      evalBatchSize: 500,
      learningRate: 0.1,
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      schedule: { kind: 'cosine', warmupSteps: 100 },
      augment: { padding: 2, flip: false },
    },
  },
  'phantom-unet': {
    description: 'U-Net (zoo unet,base=16,depth=3,out=4,input=1x64x64) on the cardiac phantom 64x64, 1600 train / 400 held-out slices',
    model: 'unet,base=16,depth=3,out=4,input=1x64x64',
    data: 'phantom,n=2000,size=64',
    target: 0.9,
    options: {
      epochs: 8,
      batchSize: 16,
      evalBatchSize: 50,
      learningRate: 3e-3,
      optimizer: { kind: 'adam' },
      schedule: { kind: 'cosine', warmupSteps: 50 },
      augment: { padding: 4, flip: true },
    },
  },
};

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function describeMetrics(metrics: Metrics): string {
  if (metrics.task === 'classification') return `test accuracy ${(100 * metrics.accuracy).toFixed(2)}% (${metrics.correct}/${metrics.count}), loss ${metrics.loss.toFixed(4)}`;
  const per = metrics.dice.map((d, c) => `${c}:${d === null ? '-' : d.toFixed(4)}`).join(' ');
  return `mean foreground Dice ${metrics.meanForegroundDice.toFixed(4)} (per class ${per}), mean foreground IoU ${metrics.meanForegroundIoU.toFixed(4)}, loss ${metrics.loss.toFixed(4)}`;
}

/**
 * A stricter reading than the global Dice: the exported model run on each held-out slice, Dice
 * per class per slice (classes absent from both prediction and label skipped), foreground mean
 * per slice, then the mean and the worst over slices.
 */
async function perSliceDice(model: Model, data: Dataset): Promise<{ mean: number; worst: number; slices: number }> {
  const session = await onnxruntimeNode.createSession(encodeModel(model), { intraOpThreads: 2 });
  const plane = data.height * data.width;
  const per = data.channels * plane;
  const k = data.numClasses;
  const scores: number[] = [];
  const batch = 50;
  try {
    for (let start = 0; start < data.count; start += batch) {
      const n = Math.min(batch, data.count - start);
      const input = float32([n, data.channels, data.height, data.width], data.images.subarray(start * per, (start + n) * per));
      const logits = Object.values(await session.run({ [feedInputs(model.graph)[0]!.name]: input }))[0]!.data as Float32Array;
      for (let i = 0; i < n; i++) {
        const counts = { intersection: new Array<number>(k).fill(0), predicted: new Array<number>(k).fill(0), target: new Array<number>(k).fill(0) };
        for (let p = 0; p < plane; p++) {
          let best = 0;
          for (let c = 1; c < k; c++) if (logits[(i * k + c) * plane + p]! > logits[(i * k + best) * plane + p]!) best = c;
          const label = data.labels[(start + i) * plane + p]!;
          if (label === data.ignoreLabel) continue;
          counts.predicted[best]!++;
          counts.target[label]!++;
          if (best === label) counts.intersection[label]!++;
        }
        scores.push(meanScore(diceScores(counts), 1));
      }
    }
  } finally {
    await session.release();
  }
  const valid = scores.filter(Number.isFinite);
  return { mean: valid.reduce((a, b) => a + b, 0) / valid.length, worst: Math.min(...valid), slices: valid.length };
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  const recipe = RECIPES[name];
  if (!recipe) {
    console.error(`usage: npm run bench:learn -- ${Object.keys(RECIPES).join('|')} [--epochs N] [--threads T] [--batch B] [--lr X] [--seed S] [--checkpoint-dir D [--resume]] [--out file.onnx]`);
    process.exit(2);
  }
  const epochs = Number(flag('epochs') ?? recipe.options.epochs);
  const threads = Number(flag('threads') ?? 2);
  const seed = Number(flag('seed') ?? 1);
  const batchSize = Number(flag('batch') ?? recipe.options.batchSize);
  const learningRate = Number(flag('lr') ?? recipe.options.learningRate);
  const checkpointDir = flag('checkpoint-dir');
  const resume = checkpointDir !== undefined && process.argv.includes('--resume') && hasCheckpointFile(checkpointDir) ? loadCheckpointFile(checkpointDir) : undefined;
  const started = Date.now();
  const { train: trainSet, test } = loadDataset(recipe.data, { seed });
  const model = buildZooModel(recipe.model, { seed });
  console.log(`# bench:learn ${name} — ${new Date().toISOString()}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}, ${onnxruntimeNode.name}`);
  console.log(`# ${recipe.description}`);
  console.log(`# data '${recipe.data}': train ${trainSet.count} (${trainSet.name}), test ${test.count} (${test.name}); model '${recipe.model}', seed ${seed}`);
  const { epochs: _default, ...options } = recipe.options;
  console.log(`# ${epochs} epochs, batch ${batchSize}, lr ${learningRate}, ${threads} threads, ${JSON.stringify({ optimizer: options.optimizer, schedule: options.schedule, augment: options.augment })}${resume ? `, resumed at step ${resume.position.step}` : ''}`);
  let lastTenth = -1;
  const result = await train(model, {
    ...options,
    backend: onnxruntimeNode,
    threads,
    seed,
    batchSize,
    learningRate,
    train: trainSet,
    test,
    budget: { epochs },
    ...(resume ? { resume } : {}),
    onProgress: (p) => {
      if (p.phase !== 'train') return;
      const tenth = Math.floor((10 * p.stepInEpoch) / p.stepsPerEpoch);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      console.log(
        `  epoch ${p.epoch + 1}/${epochs} step ${p.stepInEpoch}/${p.stepsPerEpoch}  loss ${p.epochLoss.toFixed(4)}  lr ${p.learningRate.toPrecision(3)}  ${p.imagesPerSecond.toFixed(0)} img/s  elapsed ${p.elapsedSeconds.toFixed(0)} s  ETA ${p.etaSeconds.toFixed(0)} s`,
      );
    },
    onEpoch: (record) => {
      lastTenth = -1;
      console.log(`epoch ${record.epoch}: train loss ${record.trainLoss.toFixed(4)}, ${record.imagesPerSecond.toFixed(0)} img/s, ${record.seconds.toFixed(0)} s${record.metrics ? `; ${describeMetrics(record.metrics)}` : ''}`);
    },
    ...(checkpointDir !== undefined ? { onCheckpoint: (c) => void saveCheckpointFile(checkpointDir, c) } : {}),
  });
  const perSlice = test.task === 'segmentation' ? await perSliceDice(result.model, test) : undefined;
  if (perSlice) console.log(`# per-slice check: mean over ${perSlice.slices} held-out slices of the mean foreground Dice per slice ${perSlice.mean.toFixed(4)} (worst slice ${perSlice.worst.toFixed(4)}); classes absent from both prediction and label of a slice are skipped`);
  const out = flag('out');
  if (out) saveModelFile(out, result.model, { force: true });
  const wall = (Date.now() - started) / 1000;
  const headline = result.metrics ? headlineMetric(result.metrics) : undefined;
  console.log(`# result: ${result.metrics ? describeMetrics(result.metrics) : 'no metrics'}`);
  console.log(`# ${result.steps} steps, ${result.epochs} epochs, training+evaluation ${result.seconds.toFixed(0)} s, wall time ${wall.toFixed(0)} s (with data loading and graph building)`);
  console.log(`# target ${headline?.name} >= ${recipe.target}: ${headline && headline.value >= recipe.target ? 'MET' : 'NOT MET'}`);
  console.log(JSON.stringify({ bench: name, date: new Date().toISOString(), epochs, steps: result.steps, seconds: result.seconds, wall, metrics: result.metrics, target: recipe.target }));
}

await main();
