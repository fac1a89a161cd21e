/**
 * Sculpt's public API, in two sections.
 *
 * 1. The curated API (src/api): loadModel, inspectModel, pruneModel, trainModel, evaluateModel, fitModel,
 *    benchmarkModels, saveModel, loadDataset and runDemo — what most programs need, with an
 *    example of each in README.md.
 * 2. The detailed API: every building block the curated functions and the CLI are made of (the
 *    ONNX codec, IR, op rules, zoo, dependency groups, scorers, pruners, training engine, data
 *    readers, latency harness, results model and report). Stable names; other modules rely on them.
 *
 * Everything a program (and the CLI) may use is exported here, by name.
 */

// ---- 1. The curated API ------------------------------------------------------------------------
export * from './api/index.js';
export { loadDataset, type LoadDatasetOptions, type LoadedDataset } from './platform/node/datasets.js';
export type { Model } from './ir/graph.js';
export { SculptError, isSculptError, type SculptErrorCode } from './errors.js';

// ---- 2. The detailed API -----------------------------------------------------------------------
export type { Attribute, Dim, Graph, Node, Shape, ValueInfo } from './ir/graph.js';
export type { DType, Tensor } from './ir/tensor.js';
export { decodeModel, type DecodeOptions } from './onnx/decode.js';
export { encodeModel } from './onnx/encode.js';
export { inferModel, type InferOptions, type TypedGraph } from './ops/infer.js';
export { layerCosts, totalCost, type LayerCost } from './ops/cost.js';
export { supportedOps } from './ops/index.js';
export type { Backend, Feeds, Session, SessionOptions } from './runtime/backend.js';
export { onnxruntimeNode } from './runtime/onnxruntime-node.js';
export { loadModelFile, saveModelFile } from './platform/node/model-files.js';
export { foldBatchNorm, materializeSharedParameters, removeDeadNodes, removeIdentities } from './transform/index.js';
export {
  buildZooModel,
  listZooModels,
  parseZooSpec,
  formatZooSpec,
  buildVgg,
  buildCifarResNet,
  buildResNet,
  buildMobileNetV2,
  buildUNet,
  type BuildZooOptions,
  type ZooModelInfo,
  type ZooOptionInfo,
  type ZooSpec,
  type ZooOptionValue,
  type CommonOptions as ZooCommonOptions,
  type VggOptions,
  type CifarResNetOptions,
  type ResNetOptions,
  type UNetOptions,
  type InputShape,
} from './zoo/index.js';
export { feedInputs } from './ir/graph.js';
export { createOnnxruntimeWeb, type OnnxruntimeWebOptions, type WebBackend } from './runtime/onnxruntime-web.js';
export { onnxruntimeWebNode, onnxruntimeWebFolder } from './runtime/onnxruntime-web-node.js';
export { runInBatches, type BatchOptions } from './runtime/batch.js';
export {
  achievedGflops,
  benchModels,
  DEFAULT_RUNS,
  DEFAULT_WARMUP,
  latencyStats,
  measureInterleaved,
  measureLatency,
  percentile,
  randomFeeds,
  sessionPreparer,
  type BenchConfig,
  type BenchModel,
  type BenchOptions,
  type BenchResult,
  type Clock,
  type LatencyStats,
  type ModelBenchReport,
  type PreparedRun,
  type Preparer,
  type Runner,
  type TimingOptions,
} from './bench/latency.js';
export { readModelFile, type ModelFile } from './platform/node/model-files.js';
export { writeAtomic, type WriteOptions } from './platform/node/files.js';
export type { ChannelRule } from './ops/channels.js';
export {
  buildDependencyGraph,
  type Barrier,
  type ChannelGroup,
  type DependencyGraph,
  type GroupMember,
  type GroupNode,
  type GroupParameter,
} from './deps/groups.js';
export { formatPrunabilityReport, prunabilityReport, type GroupSummary, type PrunabilityReport } from './deps/report.js';
export {
  pruneChannels,
  removeChannels,
  type ChannelRemoval,
  type PruneChannelsOptions,
  type PruneChannelsResult,
  type SurgeryOptions,
} from './prune/surgery.js';
export { checkEquivalence, type SelfTestOptions, type SelfTestReport } from './prune/self-test.js';
export { structuredZero, type StructuredZeroOptions, type StructuredZeroResult } from './prune/structured-zero.js';
export {
  CHANNEL_CRITERIA,
  bnScaleCriterion,
  l1Criterion,
  l2Criterion,
  randomCriterion,
  taylorCriterion,
  taylorGradients,
  type ChannelCriterion,
  type ChannelCriterionName,
  type CriterionContext,
  type LabelledBatch,
  type TaylorGradientOptions,
  type WeightGradients,
} from './score/channel/index.js';
export { ChannelCostModel, type ChannelCost } from './prune/channel-cost.js';
export {
  layerWidths,
  pruneModelChannels,
  type ChannelPruneOptions,
  type ChannelPruneResult,
  type GroupWidth,
  type LayerWidth,
  type ModelSize,
  type PruneScope,
  type PruneStepReport,
  type PruneTarget,
} from './prune/channel-pruner.js';
export { buildTrainingGraph, type StateRole, type StateTensor, type TrainingGraph, type TrainingGraphOptions } from './autodiff/training-graph.js';
export { buildGradientGraph, type GradientGraph, type GradientGraphOptions } from './autodiff/gradient-graph.js';
export { GradientRunner, type GradientResult } from './autodiff/gradient-runner.js';
export { buildEvalGraph, type EvalGraph, type EvalGraphOptions } from './autodiff/eval-graph.js';
export type { LossOptions, ObjectiveOptions } from './autodiff/losses.js';
export type { AdamOptions, OptimizerOptions, SgdOptions } from './autodiff/optimizers.js';
export { EvalRunner, StepRunner, type EvalResult, type RunnerOptions } from './train/step-runner.js';
export {
  channelStatistics,
  createDataset,
  labelsPerExample,
  limitDataset,
  normalizeChannels,
  splitDataset,
  subsetDataset,
  type Dataset,
  type DatasetFields,
  type LimitOptions,
  type Normalization,
  type SplitOptions,
  type Task,
} from './data/dataset.js';
export { Batcher, type Batch, type BatcherOptions, type LabelType } from './data/batch.js';
export { Augmenter, cropFlipPlanes, type AugmentOptions, type CropFlip } from './data/augment.js';
export { FASHION_MNIST_CLASSES, MNIST_CLASSES, idxDataset, parseIdx, type IdxArray, type IdxDatasetOptions } from './data/idx.js';
export { CIFAR10_CLASSES, cifarDataset, parseClassNames, type CifarDatasetOptions, type CifarVariant } from './data/cifar.js';
export { imageClassificationDataset, segmentationPairsDataset, type DecodedImage, type ImageClassificationOptions, type ImageSize, type SegmentationPairsOptions } from './data/images.js';
export { parseNifti, volumeSlicesDataset, type Volume, type VolumeSlicesOptions } from './data/nifti.js';
export { PHANTOM_CLASSES, phantomDataset, renderPhantomSlice, type PhantomOptions } from './data/phantom.js';
export { resizeLabels, resizePlane } from './data/resize.js';
export { DATASET_SPEC_USAGE, parseDatasetSpec, type DatasetKind, type DatasetSpec } from './data/spec.js';
export { decodeImageFile, decodeMaskFile } from './platform/node/datasets.js';
export { train, epochOrder, mixSeed } from './train/loop.js';
export {
  defaultLearningRate,
  DEFAULT_OPTIMIZER,
  type AugmentSettings,
  type StopReason,
  type TrainBudget,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
} from './train/options.js';
export { evaluate, checkModelForDataset, Evaluator, type EvaluateOptions, type ModelDatasetFit } from './train/evaluate.js';
export { checkSchedule, defaultMilestones, learningRateAt, type ScheduleKind, type ScheduleOptions, type SchedulePosition } from './train/schedule.js';
export {
  classificationMetrics,
  diceScores,
  headlineMetric,
  iouScores,
  meanScore,
  segmentationMetrics,
  type ClassCounts,
  type ClassificationMetrics,
  type Metrics,
  type SegmentationMetrics,
} from './train/metrics.js';
export {
  checkpointFromModel,
  checkpointToModel,
  isCheckpointModel,
  type CheckpointSettings,
  type EpochRecord,
  type TrainCheckpoint,
  type TrainPosition,
} from './train/checkpoint.js';
export { CHECKPOINT_FILE, checkpointPath, hasCheckpointFile, loadCheckpointFile, saveCheckpointFile } from './platform/node/checkpoint-files.js';
export { detectKernels } from './autodiff/kernels.js';
export {
  BASELINE_ID,
  capChannels,
  CHANNEL_ALLOCATIONS,
  channelMethod,
  checkMeasures,
  checkResumable,
  createFitServices,
  DEFAULT_LADDER,
  DEFAULT_LATENCY_THREADS,
  describeConfig,
  describeCriteria,
  effectiveParams,
  emptyState,
  fit,
  fitResultsFile,
  formatFactor,
  hashBytes,
  initialisationMethod,
  isUnreachableRung,
  measureModel,
  memoryStore,
  parseByteSize,
  parseCount,
  parseCriteria,
  parseFitState,
  parseLadder,
  parseLatencyCeiling,
  parseLatencyConfigs,
  parseQualityFloor,
  resolveCriteria,
  searchLadder,
  SEARCH_STRATEGIES,
  uniformMethod,
  unreachableRung,
  type BaselineRecord,
  type CandidateRecord,
  type CapOptions,
  type CapResult,
  type ChannelAllocation,
  type ChannelMethodOptions,
  type CriteriaText,
  type CriterionMiss,
  type FitChoice,
  type FitCriteria,
  type FitEvent,
  type FitFingerprint,
  type FitMethod,
  type FitOptions,
  type FitResult,
  type FitResultsFile,
  type FitRunInfo,
  type FitServiceOptions,
  type FitServices,
  type FitState,
  type FitStore,
  type FitTaskInfo,
  type InitialisationMethodOptions,
  type LatencyCeiling,
  type MemoryStore,
  type ModelMeasures,
  type PreparedCandidate,
  type QualityFloor,
  type ResolvedCriteria,
  type SearchStrategy,
  type TrainedModel,
  type TrainRequest,
  type UniformMethodOptions,
} from './sculpt/index.js';
export { directoryStore, FIT_STATE_FILE, type DirectoryStore } from './platform/node/fit-files.js';
export {
  baselineModel,
  latencyAt,
  latencyConfigs,
  primaryLatencyConfig,
  PARETO_OBJECTIVES,
  QUALITY_METRICS,
  RESULTS_FORMAT,
  RESULTS_VERSION,
  TASKS,
  type DeploymentCriteria,
  type LatencyConfig,
  type LatencyMeasurement,
  type LayerWidthEntry,
  type MachineInfo,
  type ModelChoice,
  type ModelEntry,
  type ParetoFront,
  type ParetoObjective,
  type QualityMetric,
  type Results,
  type ResultsInput,
  type RunInfo,
  type TaskInfo,
  type TrainingBudget,
} from './report/results.js';
export { createResults, parseResults, validateResults } from './report/validate.js';
export { mergeResults, type MergeInput } from './report/merge.js';
export { checkCriteria, chooseSmallest, paretoFront, type CriteriaCheck, type CriteriaFailure } from './report/analysis.js';
export { renderReport, type PlotLibrary, type RenderOptions } from './report/html.js';
export {
  describeMachine,
  loadPlotLibrary,
  readResultsFile,
  readResultsFiles,
  type ReadResultsOptions,
  REPORT_FILES,
  writeReport,
  type WriteReportOptions,
  type WrittenReport,
} from './platform/node/report-files.js';
export type { KernelTarget } from './ops/backward.js';
export {
  SCORERS,
  scorerFor,
  scorerName,
  type ScorerName,
} from './score/index.js';
export type { Scorer, ScoreOptions } from './score/scorer.js';
export { prunableWeights, type PrunableWeight, type WeightMasks, type WeightScores } from './score/weights.js';
export { randomScores } from './score/random.js';
export { magnitudeScores } from './score/magnitude.js';
export { snipScores } from './score/snip.js';
export { graspScores, GRASP_RELATIVE_STEP, GRASP_TEMPERATURE } from './score/grasp.js';
export { synflowScores, SYNFLOW_ROUNDS } from './score/synflow.js';
export { applyMasks, checkSparsity, countMasks, kthSmallest, masksFromScores, SPARSITY_LEVELS, type MaskCount, type MaskOptions } from './prune/masks.js';
export { upaiPrune, type UpaiOptions, type UpaiReport, type UpaiResult } from './prune/upai.js';
export {
  evaluateSensitivity,
  reconvenePrune,
  rectifyLayers,
  SENSITIVITY_RULES,
  type LayerSensitivity,
  type ReconveneOptions,
  type ReconveneReport,
  type ReconveneResult,
  type RectifiedLayer,
  type RectifyOptions,
  type RectifyResult,
  type SensitivityOptions,
  type SensitivityReport,
  type SensitivityRule,
} from './prune/reconvene/index.js';
export * from './exp/index.js';
export {
  experimentStore,
  generateInChildProcess,
  loadExperimentData,
  readExperimentParts,
  readStateFile,
  resultsPath,
  statePath,
  updateExperimentMarkdown,
} from './platform/node/experiment-files.js';
