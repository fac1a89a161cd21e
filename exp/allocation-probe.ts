// One channel-method candidate of the phantom U-Net, outside a search: prune the trained model to
// 1/target of its parameters with a criterion and an allocation (cap, global, local), print the
// layer widths and Dice before and after fine-tuning for a number of steps (batch 16, Adam, cosine;
// one onnxruntime thread; steps 0: widths and Dice before fine-tuning only).
// Usage: npx tsx exp/allocation-probe.ts <trained.onnx> <cap|global|local> <l1|taylor|...> <target> <steps> [lr=1e-3]
import {
  buildDependencyGraph,
  CHANNEL_CRITERIA,
  channelMethod,
  createFitServices,
  inferModel,
  limitDataset,
  loadDataset,
  loadModelFile,
  measureModel,
  onnxruntimeNode,
  taylorGradients,
  type ChannelAllocation,
  type ChannelCriterionName,
  type LabelledBatch,
} from '../src/index.js';

const [file, allocation, criterionName, target, steps, lr = '1e-3'] = process.argv.slice(2);
const dense = loadModelFile(file!);
const { train, test } = loadDataset('phantom:64', { seed: 1 });
const services = createFitServices({ backend: onnxruntimeNode, threads: 1, train, test, budget: { steps: Math.max(1, Number(steps)) }, batchSize: 16, learningRate: Number(lr), seed: 1, augment: { padding: 8, flip: true } });
const criterion = CHANNEL_CRITERIA[criterionName as ChannelCriterionName];
// Taylor: gradients on 64 seeded training examples, as sculpt fit takes them.
const subset = limitDataset(train, { limit: 64, seed: 1 });
const pixels = subset.height * subset.width;
const batches: LabelledBatch[] = [0, 16, 32, 48].map((start) => ({
  input: { dtype: 'float32', dims: [16, 1, subset.height, subset.width], data: subset.images.slice(start * pixels, (start + 16) * pixels) },
  labels: { dtype: 'int64', dims: [16, subset.height, subset.width], data: BigInt64Array.from(subset.labels.subarray(start * pixels, (start + 16) * pixels), (v) => BigInt(v)) },
}));
const method = channelMethod({
  criterion,
  backend: onnxruntimeNode,
  allocation: allocation as ChannelAllocation,
  seed: 1,
  ...(criterion.needsGradients ? { gradients: (m) => taylorGradients(m, batches, { backend: onnxruntimeNode, loss: { kind: 'cross-entropy' }, dependencies: buildDependencyGraph(inferModel(m)) }) } : {}),
});
const start = performance.now();
const candidate = await method.prepare(dense, Number(target));
const size = measureModel(candidate.model);
console.log(`${allocation} ${criterionName} ${target}x: ${size.params} parameters, ${size.macs} MACs, made in ${((performance.now() - start) / 1000).toFixed(1)} s`);
console.log(`widths: ${candidate.layers!.map((l) => `${l.name}:${l.after}`).join(' ')}`);
console.log(`Dice before fine-tuning: ${(await services.evaluate(candidate.model)).toFixed(4)}`);
if (Number(steps) > 0) {
  const trained = await services.train(candidate.model, { id: 'probe' });
  console.log(`Dice after ${steps} steps (lr ${lr}): ${trained.quality.toFixed(4)} (${trained.training.seconds.toFixed(0)} s)`);
}
