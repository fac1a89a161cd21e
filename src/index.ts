/**
 * Sculpt's public API. Everything a program (and the CLI) may use is exported here, by name.
 */
export { SculptError, isSculptError, type SculptErrorCode } from './errors.js';
export type { Attribute, Dim, Graph, Model, Node, Shape, ValueInfo } from './ir/graph.js';
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
export { buildTrainingGraph, type StateRole, type StateTensor, type TrainingGraph, type TrainingGraphOptions } from './autodiff/training-graph.js';
export { buildGradientGraph, type GradientGraph, type GradientGraphOptions } from './autodiff/gradient-graph.js';
export { GradientRunner, type GradientResult } from './autodiff/gradient-runner.js';
export { buildEvalGraph, type EvalGraph, type EvalGraphOptions } from './autodiff/eval-graph.js';
export type { LossOptions, ObjectiveOptions } from './autodiff/losses.js';
export type { AdamOptions, OptimizerOptions, SgdOptions } from './autodiff/optimizers.js';
export { EvalRunner, StepRunner, type EvalResult, type RunnerOptions } from './train/step-runner.js';
export {
  SCORERS,
  scorerFor,
  scorerName,
  type ScorerName,
} from './score/index.js';
export type { LabelledBatch, Scorer, ScoreOptions } from './score/scorer.js';
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
  type ModelSize,
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
