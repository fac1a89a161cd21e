/** SNIP (Lee et al. 2019): connection sensitivity |w · dL/dw| on a labelled batch. */
import type { Model } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { absProduct, floats, requireData, weightGradientRunner } from './gradients.js';
import type { ScoreOptions } from './scorer.js';
import type { WeightScores } from './weights.js';

/**
 * |w · dL/dw| with L the mean cross-entropy of the batch `data` (N examples per class, no
 * augmentation), BatchNormalization in inference mode. Reads `data`, `backend`, `threads`.
 * @example const scores = await snipScores(model, { backend: onnxruntimeNode, data: { input, labels } });
 */
export async function snipScores(model: Model, options: ScoreOptions): Promise<WeightScores> {
  const data = requireData(options, 'SNIP');
  const { runner, weights } = await weightGradientRunner(model, options, { inputShape: data.input.dims, objective: { kind: 'cross-entropy' } });
  try {
    const { gradients } = await runner.run(data.input, data.labels);
    const scores = new Map<string, Tensor<'float32'>>();
    for (const w of weights) {
      const value = floats(model.graph.initializers.get(w.name), w.name);
      scores.set(w.name, absProduct(value, floats(gradients.get(w.name), w.name), w.dims));
    }
    return scores;
  } finally {
    await runner.release();
  }
}
