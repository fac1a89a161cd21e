// Central finite differences against the autodiff's gradient graph, both run in onnxruntime.
// The objective is L = Σ Y·R with fixed random R (a vector-Jacobian product), summed in float64
// in JS from the float32 outputs, so rounding in the sum does not swamp the differences.
import { buildGradientGraph } from '../../src/autodiff/gradient-graph.js';
import type { ForwardMode, KernelTarget } from '../../src/ops/backward.js';
import type { Model } from '../../src/ir/graph.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { float32, type Tensor } from '../../src/ir/tensor.js';
import { onnxruntimeNode } from '../../src/runtime/onnxruntime-node.js';
import { Random } from '../../src/util/random.js';

export interface GradCheckOptions {
  /** Values to check (the batch input name and/or initialisers). */
  readonly wrt: readonly string[];
  readonly input: Tensor;
  readonly mode?: ForwardMode;
  /** Perturbation size. */
  readonly eps?: number;
  /** Elements checked per tensor (a seeded random subset when larger). */
  readonly samples?: number;
  readonly seed?: number;
  /** Runtime-specific kernels for the gradient graph. */
  readonly kernels?: KernelTarget;
}

export interface GradCheckResult {
  /** Per checked value: ‖g_fd − g‖/‖g_fd‖ over the checked elements, and both norms. */
  readonly errors: ReadonlyMap<string, { relative: number; norm: number; maxAbs: number; checked: number }>;
  readonly graph: Model;
}

/** Compares the autodiff gradient of Σ Y·R with central differences, element by element. */
export async function gradCheck(model: Model, options: GradCheckOptions): Promise<GradCheckResult> {
  const random = new Random(options.seed ?? 1);
  const graph = buildGradientGraph(model, { objective: { kind: 'dot' }, wrt: options.wrt, mode: options.mode ?? 'eval', outputLogits: true, inputShape: options.input.dims, ...(options.kernels ? { kernels: options.kernels } : {}) });
  const session = await onnxruntimeNode.createSession(encodeModel(graph.model), { intraOpThreads: 1 });
  try {
    const logitsInfo = graph.model.graph.outputs.find((o) => o.name === graph.outputs.logits)!;
    const dims = logitsInfo.shape as number[];
    const weights = float32(dims, random.fillNormal(new Float32Array(dims.reduce((a, b) => a * b, 1)), 1));
    const base: Record<string, Tensor> = { ...Object.fromEntries(graph.defaults), [graph.inputs.batch]: options.input, [graph.inputs.weights!]: weights };
    const values = new Map<string, Tensor>();
    for (const name of options.wrt) values.set(name, name === graph.inputs.batch ? options.input : graph.forward.graph.initializers.get(name)!);
    const analytic = await session.run(base);
    const objective = async (name: string, value: Tensor): Promise<number> => {
      const out = await session.run({ ...base, [name]: value }, [graph.outputs.logits!]);
      const y = out[graph.outputs.logits!]!.data as Float32Array;
      let sum = 0;
      for (let i = 0; i < y.length; i++) sum += y[i]! * weights.data[i]!;
      return sum;
    };
    const eps = options.eps ?? 1e-2;
    const errors = new Map<string, { relative: number; norm: number; maxAbs: number; checked: number }>();
    for (const [name, value] of values) {
      const grad = analytic[graph.outputs.gradients.get(name)!]!.data as Float32Array;
      const data = value.data as Float32Array;
      const all = Array.from({ length: data.length }, (_, i) => i);
      const picked = data.length <= (options.samples ?? 48) ? all : random.shuffle(all).slice(0, options.samples ?? 48);
      let num = 0;
      let den = 0;
      let maxAbs = 0;
      for (const i of picked) {
        const plus = data.slice();
        plus[i] = data[i]! + eps;
        const minus = data.slice();
        minus[i] = data[i]! - eps;
        // The float32 steps actually taken, not the nominal 2·eps.
        const step = plus[i]! - minus[i]!;
        const fd = ((await objective(name, float32(value.dims, plus))) - (await objective(name, float32(value.dims, minus)))) / step;
        num += (fd - grad[i]!) ** 2;
        den += fd ** 2;
        maxAbs = Math.max(maxAbs, Math.abs(fd - grad[i]!));
      }
      errors.set(name, { relative: Math.sqrt(num / Math.max(den, 1e-30)), norm: Math.sqrt(den), maxAbs, checked: picked.length });
    }
    return { errors, graph: graph.model };
  } finally {
    await session.release();
  }
}
