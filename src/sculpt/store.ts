/** A FitStore in memory: for tests and for programs that keep results themselves. */
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import type { FitStore } from './fit.js';
import type { FitState } from './state.js';

/** A store that keeps the last state and the models in memory (`states` records every save, in order). */
export interface MemoryStore extends FitStore {
  readonly states: FitState[];
  readonly models: Map<string, Model>;
}

/** Creates an empty in-memory store. */
export function memoryStore(): MemoryStore {
  const states: FitState[] = [];
  const models = new Map<string, Model>();
  return {
    states,
    models,
    saveState(state) {
      // A deep copy, as a file would hold: later changes to the search's objects must not leak in.
      states.push(JSON.parse(JSON.stringify(state)) as FitState);
    },
    saveModel(id, model) {
      const file = `candidates/${id}.onnx`;
      models.set(file, model);
      return file;
    },
    loadModel(file) {
      const model = models.get(file);
      if (!model) throw new SculptError('IO', `the store holds no model '${file}'`);
      return model;
    },
  };
}
