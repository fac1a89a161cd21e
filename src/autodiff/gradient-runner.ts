/**
 * Runs a gradient graph repeatedly with new parameter values: the scorers' inner loop (SNIP once,
 * GraSP's finite-difference Hessian product at w ± εg, SynFlow's rounds on |w|).
 */
import { SculptError } from '../errors.js';
import type { Tensor } from '../ir/tensor.js';
import { encodeModel } from '../onnx/encode.js';
import type { Backend, Session, SessionOptions } from '../runtime/backend.js';
import type { GradientGraph } from './gradient-graph.js';

/** One evaluation: the objective and dObjective/dValue for every differentiated value. */
export interface GradientResult {
  readonly loss: number;
  readonly gradients: ReadonlyMap<string, Tensor>;
  readonly logits?: Tensor;
}

/**
 * A session over a gradient graph.
 * @example
 * const runner = await GradientRunner.create(buildGradientGraph(model, { batchSize: 32 }), { backend: onnxruntimeNode });
 * const { gradients } = await runner.run(batch, labels);
 */
export class GradientRunner {
  private constructor(
    readonly graph: GradientGraph,
    private readonly session: Session,
  ) {}

  static async create(graph: GradientGraph, options: { backend: Backend; threads?: number; session?: SessionOptions }): Promise<GradientRunner> {
    const sessionOptions = { ...options.session, ...(options.threads !== undefined ? { intraOpThreads: options.threads } : {}) };
    return new GradientRunner(graph, await options.backend.createSession(encodeModel(graph.model), sessionOptions));
  }

  /**
   * Evaluates the objective and its gradients. `extra` is the labels (losses) or the weights
   * (the 'dot' objective); `values` replace parameters or statistics by name (others keep the model's).
   */
  async run(batch: Tensor, extra?: Tensor, values?: ReadonlyMap<string, Tensor>): Promise<GradientResult> {
    const { inputs, outputs } = this.graph;
    const feeds: Record<string, Tensor> = { [inputs.batch]: batch };
    const extraInput = inputs.labels ?? inputs.weights;
    if (extraInput) {
      if (!extra) throw new SculptError('BAD_ARGUMENT', `this gradient graph needs ${inputs.labels ? 'labels' : 'objective weights'} as the second argument`);
      feeds[extraInput] = extra;
    }
    for (const [name, value] of this.graph.defaults) feeds[name] = value;
    for (const [name, value] of values ?? []) {
      if (!this.graph.defaults.has(name)) throw new SculptError('BAD_ARGUMENT', `'${name}' is not a parameter or statistic input of this gradient graph`);
      feeds[name] = value;
    }
    const out = await this.session.run(feeds);
    const gradients = new Map<string, Tensor>();
    for (const [name, output] of outputs.gradients) gradients.set(name, out[output]!);
    const loss = Number((out[outputs.loss]!.data as Float32Array)[0]);
    return outputs.logits ? { loss, gradients, logits: out[outputs.logits]! } : { loss, gradients };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
