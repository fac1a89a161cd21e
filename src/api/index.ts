/**
 * The curated API: the few functions a program needs to do what the CLI does — load, inspect,
 * prune, train, evaluate, benchmark and save a model, find the smallest model meeting deployment
 * criteria (fitModel), and run the demo. Each takes a model (the
 * plain IR `Model`) and one options object, and runs on onnxruntime-node by default. README.md
 * has an example of each; src/index.ts re-exports this surface first.
 *
 * @example
 * import { loadModel, pruneModel, trainModel, benchmarkModels, saveModel } from 'sculpt';
 * const model = loadModel('zoo:vgg11,width=0.25,input=1x32x32');
 * const pruned = await pruneModel(model, { method: 'reconvene', scorer: 'synflow', sparsity: 0.95 });
 * const trained = await trainModel(pruned.model, { data: 'mnist,limit=2000', budget: 1, masks: pruned.masks });
 * const latency = await benchmarkModels({ dense: model, reconvene: trained.model }, { threads: [1], batches: [1, 32] });
 * saveModel(trained.model, 'small.onnx');
 * const found = await fitModel('zoo:unet,base=8,depth=2,out=4,input=1x32x32', { data: 'phantom:32', criteria: { maxParams: '10k' } });
 */
export { loadModel, saveModel, inspectModel, ZOO_PREFIX, type InspectOptions, type LoadModelOptions, type ModelSummary, type SaveModelOptions, type WeightDensity } from './models.js';
export { resolveData, type DataParts, type DataSource } from './data.js';
export { pruneModel, PRUNE_METHODS, toBatches, type PrunedSize, type PruneMethod, type PruneModelOptions, type PruneModelResult } from './prune.js';
export { trainModel, evaluateModel, type EvaluateModelOptions, type TrainModelOptions, type TrainModelResult } from './train.js';
export { fitModel, FIT_METHODS, type FitMethodName, type FitModelOptions } from './fit.js';
export { benchmarkModels, type BenchmarkLatency, type BenchmarkOptions, type BenchmarkRow } from './bench.js';
export { runDemo, DEMO_MODEL, DEMO_RECIPES, type DemoEvent, type DemoModel, type DemoOptions, type DemoRecipe, type DemoResult } from './demo.js';
