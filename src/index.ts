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
export { buildTrainingGraph, type StateRole, type StateTensor, type TrainingGraph, type TrainingGraphOptions } from './autodiff/training-graph.js';
export { buildGradientGraph, type GradientGraph, type GradientGraphOptions } from './autodiff/gradient-graph.js';
export { GradientRunner, type GradientResult } from './autodiff/gradient-runner.js';
export { buildEvalGraph, type EvalGraph, type EvalGraphOptions } from './autodiff/eval-graph.js';
export type { LossOptions, ObjectiveOptions } from './autodiff/losses.js';
export type { AdamOptions, OptimizerOptions, SgdOptions } from './autodiff/optimizers.js';
export { EvalRunner, StepRunner, type EvalResult, type RunnerOptions } from './train/step-runner.js';
