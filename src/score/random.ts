/** Random scores: U(0,1) per weight from a seeded generator (the baseline every scorer must beat). */
import type { Model } from '../ir/graph.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import { Random } from '../util/random.js';
import type { ScoreOptions } from './scorer.js';
import { prunableWeights, type WeightScores } from './weights.js';

/**
 * One U(0,1) draw per weight, in the order prunableWeights lists them. Reads `seed` (default 0).
 * @example const scores = await randomScores(model, { seed: 3 });
 */
export async function randomScores(model: Model, options: ScoreOptions = {}): Promise<WeightScores> {
  const random = new Random(options.seed ?? 0);
  const scores = new Map<string, Tensor<'float32'>>();
  for (const weight of prunableWeights(model)) {
    const size = weight.dims.reduce((a, b) => a * b, 1);
    scores.set(weight.name, tensor('float32', weight.dims, random.fillUniform(new Float32Array(size))));
  }
  return scores;
}
