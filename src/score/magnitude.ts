/** Magnitude scores: |w|. */
import type { Model } from '../ir/graph.js';
import { tensor, toFloat32, type Tensor } from '../ir/tensor.js';
import type { ScoreOptions } from './scorer.js';
import { prunableWeights, type WeightScores } from './weights.js';

/**
 * |w| for every prunable weight. Reads no options.
 * @example const scores = await magnitudeScores(model);
 */
export async function magnitudeScores(model: Model, _options: ScoreOptions = {}): Promise<WeightScores> {
  const scores = new Map<string, Tensor<'float32'>>();
  for (const weight of prunableWeights(model)) {
    const values = toFloat32(model.graph.initializers.get(weight.name)!);
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = Math.abs(values[i]!);
    scores.set(weight.name, tensor('float32', weight.dims, out));
  }
  return scores;
}
