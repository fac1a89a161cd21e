/** Loading and saving ONNX models from files, with external data resolved beside the model. */
import { dirname, join } from 'node:path';
import type { Model } from '../../ir/graph.js';
import { decodeModel } from '../../onnx/decode.js';
import { encodeModel } from '../../onnx/encode.js';
import { readBytes, readRange, writeAtomic, type WriteOptions } from './files.js';

/**
 * Reads an .onnx file; tensors stored in external data files are read from the model's folder.
 * @example const model = loadModelFile('resnet20.onnx');
 */
export function loadModelFile(path: string): Model {
  const bytes = readBytes(path);
  return decodeModel(bytes, { readExternal: (location, offset, length) => readRange(join(dirname(path), location), offset, length) });
}

/** Encodes and writes a model atomically; returns the number of bytes written. */
export function saveModelFile(path: string, model: Model, options: WriteOptions = {}): number {
  const bytes = encodeModel(model);
  writeAtomic(path, bytes, options);
  return bytes.byteLength;
}
