/** Loading and saving ONNX models from files, with external data resolved beside the model. */
import { dirname, join } from 'node:path';
import { isSculptError, SculptError } from '../../errors.js';
import type { Model } from '../../ir/graph.js';
import { decodeModel } from '../../onnx/decode.js';
import { encodeModel } from '../../onnx/encode.js';
import { readBytes, readRange, writeAtomic, type WriteOptions } from './files.js';

/**
 * Reads an .onnx file; tensors stored in external data files are read from the model's folder.
 * @example const model = loadModelFile('resnet20.onnx');
 */
export function loadModelFile(path: string): Model {
  return readModelFile(path).model;
}

/** A model file as read: the model, the file's bytes, and whether it had external data. */
export interface ModelFile {
  readonly model: Model;
  /** The .onnx file's own bytes. */
  readonly bytes: Uint8Array;
  /** Bytes of external data read (0 when all tensors are inside the file). */
  readonly externalBytes: number;
}

/**
 * Reads and decodes an .onnx file, keeping its bytes (to hand to onnxruntime without re-encoding).
 * Errors name the file: "'m.onnx': not a valid ONNX model: ...".
 */
export function readModelFile(path: string): ModelFile {
  const bytes = readBytes(path);
  let externalBytes = 0;
  try {
    const model = decodeModel(bytes, {
      readExternal: (location, offset, length) => {
        const data = readRange(join(dirname(path), location), offset, length);
        externalBytes += data.byteLength;
        return data;
      },
    });
    return { model, bytes, externalBytes };
  } catch (error) {
    if (isSculptError(error) && error.code !== 'IO') throw new SculptError(error.code, `'${path}': ${error.message}`, { cause: error });
    throw error;
  }
}

/** Encodes and writes a model atomically; returns the number of bytes written. */
export function saveModelFile(path: string, model: Model, options: WriteOptions = {}): number {
  const bytes = encodeModel(model);
  writeAtomic(path, bytes, options);
  return bytes.byteLength;
}
