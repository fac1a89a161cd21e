/**
 * GraSP (Wang et al. 2020) as DESIGN.md defines it: score = -w · (H g), g = dL/dw over the
 * prunable weights, L the mean cross-entropy of the logits divided by T = 200, H the Hessian of
 * that loss with respect to the prunable weights.
 *
 * H g is a central finite difference of gradients, (∇L(w + εg) - ∇L(w - εg)) / 2ε, taken on the
 * network with its activation pattern frozen at w (frozen-pattern.ts): an exact Hessian product
 * (PyTorch's double backward) holds ReLU masks and max-pool choices fixed, while the plain
 * network crosses its nearest kink after a relative weight step of about 1e-6 (measured on the
 * fixtures), far below what float32 differences resolve. On the frozen network the error is
 * O(ε²) from curvature plus rounding of order u·‖∇L‖/ε (u = 2^-24), so ε is set relative to the
 * sizes of w and g: the step εg is a fixed share δ of the weights, ε = δ‖w‖/‖g‖ over all prunable
 * weights, with δ = 1e-4 by default. Measured against PyTorch's exact product on the four
 * fixtures: Spearman ≥ 0.999 per tensor for δ from 3e-5 to 1e-3, falling off at 1e-2 (curvature)
 * and at 1e-6 (rounding); without the frozen pattern no δ gets above about 0.7.
 */
import type { Model } from '../ir/graph.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import { detectKernels } from '../autodiff/kernels.js';
import { freezePattern } from './frozen-pattern.js';
import { floats, requireBackend, requireData, weightGradientRunner } from './gradients.js';
import type { ScoreOptions } from './scorer.js';
import type { WeightScores } from './weights.js';

/** GraSP's logit temperature. */
export const GRASP_TEMPERATURE = 200;

/** The relative step δ of the finite-difference Hessian product (see the file comment). */
export const GRASP_RELATIVE_STEP = 1e-4;

/**
 * -w · (H g) on the batch `data`, BatchNormalization in inference mode. Reads `data`, `backend`,
 * `threads`, and `relativeStep` (δ). Three gradient evaluations: at w, w + εg and w - εg.
 * @example const scores = await graspScores(model, { backend: onnxruntimeNode, data });
 */
export async function graspScores(model: Model, options: ScoreOptions & { readonly relativeStep?: number }): Promise<WeightScores> {
  const data = requireData(options, 'GraSP');
  const backend = requireBackend(options, 'GraSP');
  const kernels = await detectKernels(backend);
  const frozen = await freezePattern(model, data.input, { backend, kernels, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
  const { runner, weights } = await weightGradientRunner(frozen, options, { inputShape: data.input.dims, objective: { kind: 'cross-entropy', temperature: GRASP_TEMPERATURE }, kernels });
  try {
    const values = weights.map((w) => floats(model.graph.initializers.get(w.name), w.name));
    const g = (await runner.run(data.input, data.labels)).gradients;
    const grads = weights.map((w) => floats(g.get(w.name), w.name));
    let weightNorm = 0;
    let gradNorm = 0;
    values.forEach((v, i) => {
      for (let k = 0; k < v.length; k++) {
        weightNorm += v[k]! * v[k]!;
        gradNorm += grads[i]![k]! ** 2;
      }
    });
    const epsilon = gradNorm > 0 ? ((options.relativeStep ?? GRASP_RELATIVE_STEP) * Math.sqrt(weightNorm)) / Math.sqrt(gradNorm) : 0;
    const shifted = async (sign: number): Promise<Float32Array[]> => {
      const moved = new Map<string, Tensor>();
      weights.forEach((w, i) => {
        const v = values[i]!;
        const d = grads[i]!;
        const out = new Float32Array(v.length);
        for (let k = 0; k < v.length; k++) out[k] = v[k]! + sign * epsilon * d[k]!;
        moved.set(w.name, tensor('float32', w.dims, out));
      });
      const result = await runner.run(data.input, data.labels, moved);
      return weights.map((w) => floats(result.gradients.get(w.name), w.name));
    };
    const plus = await shifted(1);
    const minus = await shifted(-1);
    const scores = new Map<string, Tensor<'float32'>>();
    weights.forEach((w, i) => {
      const v = values[i]!;
      const out = new Float32Array(v.length);
      if (epsilon > 0) for (let k = 0; k < v.length; k++) out[k] = (-v[k]! * (plus[i]![k]! - minus[i]![k]!)) / (2 * epsilon);
      scores.set(w.name, tensor('float32', w.dims, out));
    });
    return scores;
  } finally {
    await runner.release();
  }
}
