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
export { decodeImageFile, decodeMaskFile, loadDataset, type LoadDatasetOptions, type LoadedDataset } from './platform/node/datasets.js';
