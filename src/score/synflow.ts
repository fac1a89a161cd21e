/**
 * SynFlow (Tanaka et al. 2020), data-free: every parameter and running statistic replaced by its
 * absolute value, BatchNormalization in inference mode, an all-ones input [1, C, H, W],
 * R = Σ output, score = |w · dR/dw|. Iterative: round k of n scores the network with the mask of
 * round k - 1 applied and masks to density d^(k/n) (d = 1 - sparsity, the exponential schedule
 * of the reference), globally or per layer; the scores of the last round are returned, and
 * masking them at the target sparsity gives the last round's mask.
 *
 * The reference runs in float64; this runs in float32 through the exact power-of-two rescaling of
 * synflow-scaling.ts, so scores are exact up to one positive global factor. They are returned
 * divided by a power of two that puts the largest in [1, 2) (the true values can exceed float32's
 * range on deep networks).
 */
import { SculptError } from '../errors.js';
import { feedInputs, type Model } from '../ir/graph.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import { buildGradientGraph } from '../autodiff/gradient-graph.js';
import { GradientRunner } from '../autodiff/gradient-runner.js';
import { detectKernels } from '../autodiff/kernels.js';
import { floats, requireBackend } from './gradients.js';
import type { ScoreOptions } from './scorer.js';
import { buildScaledNetwork, calibrate, ones, ScalingProbe, SlotValues, type ScaledNetwork } from './synflow-scaling.js';
import { checkSparsity, fillMasks } from './threshold.js';
import { prunableWeights, type WeightMasks, type WeightScores } from './weights.js';

/** SynFlow's default number of rounds. */
export const SYNFLOW_ROUNDS = 100;

/**
 * SynFlow scores (see the file comment). Reads `backend`, `rounds` (default 100), `sparsity`
 * (required when rounds > 1), `scope`, `inputShape` (when the model's input dims are symbolic)
 * and `threads`.
 * @example const scores = await synflowScores(model, { backend: onnxruntimeNode, sparsity: 0.99 });
 */
export async function synflowScores(model: Model, options: ScoreOptions): Promise<WeightScores> {
  const backend = requireBackend(options, 'SynFlow');
  const rounds = options.rounds ?? SYNFLOW_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 1) throw new SculptError('BAD_ARGUMENT', `SynFlow rounds must be a positive integer, got ${rounds}`);
  const sparsity = options.sparsity;
  if (rounds > 1) {
    if (sparsity === undefined) throw new SculptError('BAD_ARGUMENT', `iterative SynFlow (${rounds} rounds) prunes towards a target: give sparsity, or rounds: 1 for single-shot scores`);
    checkSparsity(sparsity);
  }
  const network = buildScaledNetwork(model, synflowInputShape(model, options.inputShape));
  const weights = prunableWeights(model);
  const threads = options.threads !== undefined ? { threads: options.threads } : {};
  const weightSlots = network.slots.filter((s) => s.weight !== undefined);
  const graph = buildGradientGraph(network.model, {
    inputShape: network.inputShape,
    objective: { kind: 'sum' },
    mode: 'eval',
    kernels: await detectKernels(backend),
    wrt: weightSlots.map((s) => s.name),
    inputs: network.slots.map((s) => s.name),
  });
  const probe = await ScalingProbe.create(network, { backend, ...threads });
  const runner = await GradientRunner.create(graph, { backend, ...threads });
  try {
    const targets = new Int32Array(network.points.length);
    const input = ones(network.inputShape);
    const slots = new SlotValues(network);
    const maskBuffers = new Map<string, Float32Array>();
    const sums = new Map(weights.map((w) => [w.name, new Float32Array(w.dims.reduce((a, b) => a * b, 1))]));
    let masks: WeightMasks | undefined;
    let scores: WeightScores = new Map();
    for (let round = 1; round <= rounds; round++) {
      await calibrate(network, probe, targets, slots, masks);
      const values = slots.update(targets, masks);
      const { gradients } = await runner.run(input, undefined, values);
      scores = collectScores(network, weights, values, gradients, sums);
      if (round < rounds) masks = fillMasks(scores, { sparsity: 1 - (1 - sparsity!) ** (round / rounds), scope: options.scope ?? 'global' }, maskBuffers);
    }
    return normalise(scores);
  } finally {
    await Promise.all([probe.release(), runner.release()]);
  }
}

/** [1, C, H, W]: the model's input shape with batch 1, or `given` [C, H, W]. */
function synflowInputShape(model: Model, given: readonly number[] | undefined): number[] {
  const input = feedInputs(model.graph)[0];
  if (given) return [1, ...given];
  const shape = input?.shape?.slice(1) ?? [];
  if (!input || !shape.every((d): d is number => typeof d === 'number')) {
    throw new SculptError('BAD_ARGUMENT', `SynFlow feeds an all-ones input: the model's input ${input ? `'${input.name}' ` : ''}has symbolic dims; give inputShape [C, H, W]`);
  }
  return [1, ...shape];
}

/** |w' · dR'/dw'| per weight slot, summed into the weight each slot holds (written into `sums`). */
function collectScores(
  network: ScaledNetwork,
  weights: readonly { name: string; dims: readonly number[] }[],
  values: ReadonlyMap<string, Tensor<'float32'>>,
  gradients: ReadonlyMap<string, Tensor>,
  sums: ReadonlyMap<string, Float32Array>,
): WeightScores {
  for (const out of sums.values()) out.fill(0);
  for (const slot of network.slots) {
    if (!slot.weight) continue;
    const out = sums.get(slot.weight);
    if (!out) continue;
    const w = values.get(slot.name)!.data;
    const g = floats(gradients.get(slot.name), slot.weight);
    for (let i = 0, n = out.length; i < n; i++) out[i] = out[i]! + Math.abs(w[i]! * g[i]!);
  }
  return new Map(weights.map((w) => [w.name, tensor('float32', w.dims, sums.get(w.name)!)]));
}

/** The scores divided by the power of two that puts the largest in [1, 2); NUMERIC when they are not finite or all zero. */
function normalise(scores: WeightScores): WeightScores {
  let max = 0;
  for (const [name, t] of scores) {
    for (const v of t.data) {
      if (!Number.isFinite(v)) throw new SculptError('NUMERIC', `SynFlow score of '${name}' is ${v}; the rescaled run overflowed (an op without a scaling rule? see src/ops/scaling.ts)`);
      if (v > max) max = v;
    }
  }
  if (max === 0) throw new SculptError('NUMERIC', 'every SynFlow score is zero: no path from the input to the output carries signal (check the masks or the model)');
  const factor = 2 ** -Math.floor(Math.log2(max));
  return new Map([...scores].map(([name, t]) => [name, tensor('float32', t.dims, t.data.map((v) => v * factor))]));
}
