/**
 * Training checkpoints on disk: `<dir>/checkpoint.onnx`, one ONNX file (src/train/checkpoint.ts)
 * replaced atomically after every epoch, so an interrupted run always leaves the last whole
 * checkpoint behind.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SculptError } from '../../errors.js';
import { checkpointFromModel, checkpointToModel, type TrainCheckpoint } from '../../train/checkpoint.js';
import { loadModelFile, saveModelFile } from './model-files.js';

/** The checkpoint file's name inside a checkpoint folder. */
export const CHECKPOINT_FILE = 'checkpoint.onnx';

/** The path of the checkpoint in `dir`. */
export function checkpointPath(dir: string): string {
  return join(dir, CHECKPOINT_FILE);
}

/** Writes (replaces) `<dir>/checkpoint.onnx` atomically, creating the folder; returns the path. */
export function saveCheckpointFile(dir: string, checkpoint: TrainCheckpoint): string {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new SculptError('IO', `cannot create the checkpoint folder '${dir}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const path = checkpointPath(dir);
  saveModelFile(path, checkpointToModel(checkpoint), { force: true });
  return path;
}

/** True when `dir` holds a checkpoint. */
export function hasCheckpointFile(dir: string): boolean {
  return existsSync(checkpointPath(dir));
}

/** Reads `<dir>/checkpoint.onnx`. */
export function loadCheckpointFile(dir: string): TrainCheckpoint {
  const path = checkpointPath(dir);
  if (!existsSync(path)) throw new SculptError('IO', `cannot resume: '${path}' does not exist; start without --resume, or point --checkpoint-dir at a previous run's folder`);
  return checkpointFromModel(loadModelFile(path), `'${path}'`);
}
