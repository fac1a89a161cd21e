/**
 * The Node adapter of the criteria search: a FitStore on a folder. The state is
 * `<dir>/fit-state.json`, written atomically after every step of the search; trained models go to
 * `<dir>/candidates/<id>.onnx`.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelFile, saveModelFile } from './model-files.js';
import { writeAtomic } from './files.js';
import type { FitStore } from '../../sculpt/fit.js';
import { parseFitState, type FitState } from '../../sculpt/state.js';

/** The state file's name in the output folder. */
export const FIT_STATE_FILE = 'fit-state.json';

/** A store on a folder, with the path of its state file and a reader for it. */
export interface DirectoryStore extends FitStore {
  readonly statePath: string;
  /** The state in the folder, or undefined when there is none. */
  readState(): FitState | undefined;
}

/** Creates the folder (and candidates/) if needed and returns a store on it. */
export function directoryStore(dir: string): DirectoryStore {
  const statePath = join(dir, FIT_STATE_FILE);
  mkdirSync(join(dir, 'candidates'), { recursive: true });
  return {
    statePath,
    readState() {
      return existsSync(statePath) ? parseFitState(readFileSync(statePath, 'utf8'), statePath) : undefined;
    },
    saveState(state) {
      writeAtomic(statePath, `${JSON.stringify(state, null, 1)}\n`, { force: true });
    },
    saveModel(id, model) {
      const file = `candidates/${id}.onnx`;
      // A candidate trained again after an interruption replaces its half-finished predecessor.
      saveModelFile(join(dir, file), model, { force: true });
      return file;
    },
    loadModel(file) {
      return loadModelFile(join(dir, file));
    },
  };
}
