/**
 * First-order Taylor criterion (Molchanov et al. 2017): the loss change from removing a channel,
 * to first order, is |sum over positions of activation x gradient| for that channel. Removing a
 * channel of a group means every node that absorbs it (a Conv's input-channel slice, a Gemm's
 * columns) stops reading it, which is the same as scaling those weight slices by m = 0. For a
 * consumer linear in its input, dL/dm at m = 1 is sum over the slice of w * dL/dw, and it equals
 * sum over positions (and the batch) of a * dL/da along the path through that consumer. So the
 * score of channel i is |sum over the group's absorbing slices of w * dL/dw| per batch, averaged
 * over batches: it needs only weight gradients, and it counts every path the channel takes.
 * `taylorGradients` computes them with the autodiff's gradient graph: cross-entropy (the default
 * objective) with BatchNormalization in eval mode, as the trained model runs.
 */
import { buildGradientGraph } from '../../autodiff/gradient-graph.js';
import { GradientRunner } from '../../autodiff/gradient-runner.js';
import type { LossOptions } from '../../autodiff/losses.js';
import { SculptError } from '../../errors.js';
import type { Model } from '../../ir/graph.js';
import { toFloat32, type Tensor } from '../../ir/tensor.js';
import type { Backend } from '../../runtime/backend.js';
import type { DependencyGraph } from '../../deps/groups.js';
import { describeChannelGroup, parameterValue, type ChannelCriterion, type WeightGradients } from './criterion.js';

/** Score of channel i: mean over batches of |sum over absorbing slices of w * dL/dw|. */
export const taylorCriterion: ChannelCriterion = {
  name: 'taylor',
  summary: 'first-order Taylor: |sum of activation x gradient| per channel, averaged over labelled batches (needs --data)',
  needsGradients: true,
  score(group, context) {
    const { deps, gradients } = context;
    if (!gradients || gradients.length === 0) {
      throw new SculptError('BAD_ARGUMENT', 'the taylor criterion needs weight gradients on at least one labelled batch; give data (--data <spec>)');
    }
    const slices = group.parameters.filter((p) => p.absorbs);
    if (slices.length === 0) {
      throw new SculptError('NOT_PRUNABLE', `${describeChannelGroup(group)} reaches no weight that reads its channels, so the taylor criterion cannot score it; use --method l1 for this model`);
    }
    const scores = new Float64Array(group.width);
    for (const batch of gradients) {
      const sums = new Float64Array(group.width);
      for (const p of slices) {
        const value = parameterValue(deps, p);
        const gradient = batch.get(p.value);
        if (!gradient || gradient.length !== value.data.length) {
          throw new SculptError('BAD_ARGUMENT', `no gradient of '${p.value}' (${value.dims.join('x')}) was given for the taylor criterion; compute the gradients of every parameter of this model`);
        }
        const w = toFloat32(value);
        const n = value.dims[p.axis]!;
        let inner = 1;
        for (let a = p.axis + 1; a < value.dims.length; a++) inner *= value.dims[a]!;
        const perAxis = new Float64Array(n);
        for (let k = 0; k < w.length; k++) perAxis[Math.floor(k / inner) % n]! += w[k]! * gradient[k]!;
        for (let i = 0; i < group.width; i++) for (const j of p.indices[i]!) sums[i]! += perAxis[j]!;
      }
      for (let i = 0; i < group.width; i++) scores[i]! += Math.abs(sums[i]!) / gradients.length;
    }
    return scores;
  },
};

/** A batch of inputs with their labels (int64 [N] for classification, [N, H, W] for segmentation). */
export interface LabelledBatch {
  readonly input: Tensor;
  readonly labels: Tensor;
}

/** Options of `taylorGradients`. */
export interface TaylorGradientOptions {
  readonly backend: Backend;
  /** The loss; default cross-entropy. */
  readonly loss?: LossOptions;
  /** The dependency graph of `model`, to differentiate only the weights that absorb prunable channels. */
  readonly dependencies?: DependencyGraph;
}

/**
 * Weight gradients of the loss on each batch, as the taylor criterion reads them (by the weight's
 * value name). One gradient graph per distinct batch shape.
 * @example const gradients = await taylorGradients(model, batches, { backend: onnxruntimeNode });
 */
export async function taylorGradients(model: Model, batches: readonly LabelledBatch[], options: TaylorGradientOptions): Promise<WeightGradients[]> {
  if (batches.length === 0) throw new SculptError('BAD_ARGUMENT', 'the taylor criterion needs at least one labelled batch; give data with at least one example');
  const wrt = options.dependencies ? absorbingWeights(options.dependencies) : undefined;
  const runners = new Map<string, GradientRunner>();
  const results: WeightGradients[] = [];
  try {
    for (const batch of batches) {
      const key = batch.input.dims.join('x');
      let runner = runners.get(key);
      if (!runner) {
        const graph = buildGradientGraph(model, { inputShape: batch.input.dims, mode: 'eval', objective: options.loss ?? { kind: 'cross-entropy' }, ...(wrt ? { wrt } : {}) });
        runners.set(key, (runner = await GradientRunner.create(graph, { backend: options.backend })));
      }
      const { loss, gradients } = await runner.run(batch.input, batch.labels);
      if (!Number.isFinite(loss)) throw new SculptError('NUMERIC', `the loss is ${loss} on a batch of ${key}; check the model's weights and the data's labels`);
      results.push(new Map([...gradients].map(([name, t]) => [name, toFloat32(t)])));
    }
  } finally {
    for (const runner of runners.values()) await runner.release();
  }
  return results;
}

/** Weights that absorb the channels of some prunable group: the only gradients taylor reads. */
function absorbingWeights(deps: DependencyGraph): string[] {
  const names = new Set<string>();
  for (const group of deps.groups) if (group.prunable) for (const p of group.parameters) if (p.absorbs) names.add(p.value);
  return [...names];
}
