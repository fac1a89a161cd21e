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
export type { Backend, Session, SessionOptions } from './runtime/backend.js';
export { onnxruntimeNode } from './runtime/onnxruntime-node.js';
export { loadModelFile, saveModelFile } from './platform/node/model-files.js';
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
