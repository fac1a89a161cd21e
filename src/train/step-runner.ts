/**
 * Runs training-step and eval graphs on a Backend. One session per graph; the state a step
 * returns (parameters, optimizer state, running statistics) is fed straight back as the next
 * step's inputs, so it never leaves the runtime's own output buffers and is never copied in JS.
 */
import type { EvalGraph } from '../autodiff/eval-graph.js';
import type { TrainingGraph } from '../autodiff/training-graph.js';
import { SculptError } from '../errors.js';
import type { Model, Shape } from '../ir/graph.js';
import { float32, type Tensor } from '../ir/tensor.js';
import { encodeModel } from '../onnx/encode.js';
import { formatShape } from '../ops/shapes.js';
import type { Backend, Session, SessionOptions } from '../runtime/backend.js';

/** How a runner creates its session. */
export interface RunnerOptions {
  readonly backend: Backend;
  /** onnxruntime intra-op threads; default: the runtime's choice (all cores). */
  readonly threads?: number;
  /** Further session options (graph optimisation level, memory pattern). */
  readonly session?: SessionOptions;
}

function sessionOptions(options: RunnerOptions): SessionOptions {
  return { ...options.session, ...(options.threads !== undefined ? { intraOpThreads: options.threads } : {}) };
}

/** Checks a fed tensor against the graph's declared shape (symbolic dims match anything). */
function checkFeed(what: string, value: Tensor, dtype: string, shape: Shape): void {
  const fits = value.dims.length === shape.length && shape.every((d, i) => typeof d !== 'number' || d === value.dims[i]);
  if (value.dtype !== dtype || !fits) {
    throw new SculptError('SHAPE_MISMATCH', `${what} is ${value.dtype} ${formatShape(value.dims)}; the graph was built for ${dtype} ${formatShape(shape)} (rebuild it for this batch size, or pad the batch)`);
  }
}

/** Scalar value of a one-element output. */
function scalar(t: Tensor | undefined): number {
  return t ? Number((t.data as Float32Array)[0]) : NaN;
}

/**
 * Runs a training-step graph: `step(batch, labels, lr)` trains on one batch and returns its loss.
 * @example
 * const runner = await StepRunner.create(buildTrainingGraph(model, options), { backend: onnxruntimeNode, threads: 2 });
 * for (const [x, y] of batches) await runner.step(x, y, 0.1);
 * saveModelFile('trained.onnx', runner.exportModel());
 */
export class StepRunner {
  private readonly state = new Map<string, Tensor>();
  private readonly feeds: Record<string, Tensor> = {};
  private readonly learningRate = new Float32Array(1);
  private logits: Tensor | undefined;
  private steps = 0;

  private constructor(
    readonly graph: TrainingGraph,
    private readonly session: Session,
  ) {
    for (const s of graph.state) this.state.set(s.input, s.initial);
    for (const c of graph.constants) this.feeds[c.input] = c.value;
    this.feeds[graph.inputs.learningRate] = float32([], this.learningRate);
  }

  /** Creates the session for a training-step graph. */
  static async create(graph: TrainingGraph, options: RunnerOptions): Promise<StepRunner> {
    return new StepRunner(graph, await options.backend.createSession(encodeModel(graph.model), sessionOptions(options)));
  }

  /** Trains on one batch (labels: int64 class indices) with the given learning rate; returns the batch's loss. */
  async step(batch: Tensor, labels: Tensor, learningRate: number): Promise<number> {
    const { inputs, outputs } = this.graph;
    checkFeed('the batch', batch, 'float32', this.graph.batchShape);
    checkFeed('the labels', labels, 'int64', this.graph.labelsShape);
    if (!Number.isFinite(learningRate)) throw new SculptError('BAD_ARGUMENT', `the learning rate must be a finite number, got ${learningRate}`);
    this.learningRate[0] = learningRate;
    this.feeds[inputs.batch] = batch;
    this.feeds[inputs.labels] = labels;
    for (const [name, value] of this.state) this.feeds[name] = value;
    const result = await this.session.run(this.feeds);
    for (const s of this.graph.state) this.state.set(s.input, result[s.output]!);
    this.logits = outputs.logits ? result[outputs.logits] : undefined;
    this.steps++;
    return scalar(result[outputs.loss]);
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** The logits of the last step (training-mode forward), when the graph outputs them. */
  lastLogits(): Tensor | undefined {
    return this.logits;
  }

  /** Current state tensors by graph input name (parameters, optimizer state, statistics). */
  currentState(): ReadonlyMap<string, Tensor> {
    return this.state;
  }

  /** Current parameters and running statistics by forward-model initialiser name. */
  parameters(): Map<string, Tensor> {
    const result = new Map<string, Tensor>();
    for (const s of this.graph.state) if (s.source) result.set(s.source, this.state.get(s.input)!);
    return result;
  }

  /** Replaces state tensors by graph input name (resuming from a checkpoint); shapes must match. */
  setState(values: ReadonlyMap<string, Tensor>): void {
    for (const [name, value] of values) {
      const entry = this.graph.state.find((s) => s.input === name);
      if (!entry) throw new SculptError('BAD_ARGUMENT', `'${name}' is not a state tensor of this training graph`);
      checkFeed(`state '${name}'`, value, entry.initial.dtype, entry.initial.dims);
      this.state.set(name, value);
    }
  }

  /** The forward model with the trained parameters and running statistics as its initialisers. */
  exportModel(): Model {
    const forward = this.graph.forward;
    const initializers = new Map(forward.graph.initializers);
    for (const [name, value] of this.parameters()) initializers.set(name, value);
    return { ...forward, graph: { ...forward.graph, initializers } };
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/** What one eval batch measured. */
export interface EvalResult {
  readonly loss: number;
  /** Labels counted (ignored labels excluded). */
  readonly count: number;
  /** Classification: correct top-1 predictions. */
  readonly correct?: number;
  /** Segmentation: per-class pixel counts (predicted and labelled c; predicted c; labelled c). */
  readonly intersection?: Float32Array;
  readonly predicted?: Float32Array;
  readonly target?: Float32Array;
  readonly logits?: Tensor;
}

/** Runs an eval graph with the parameters given per call (a training run's current state), or the model's own. */
export class EvalRunner {
  private constructor(
    readonly graph: EvalGraph,
    private readonly session: Session,
  ) {}

  /** Creates the session for an eval graph. */
  static async create(graph: EvalGraph, options: RunnerOptions): Promise<EvalRunner> {
    return new EvalRunner(graph, await options.backend.createSession(encodeModel(graph.model), sessionOptions(options)));
  }

  /** Evaluates one batch; `parameters` (by initialiser name, e.g. StepRunner.parameters()) replace the model's values. */
  async run(batch: Tensor, labels: Tensor, parameters?: ReadonlyMap<string, Tensor>): Promise<EvalResult> {
    const { inputs, outputs } = this.graph;
    checkFeed('the batch', batch, 'float32', this.graph.batchShape);
    const feeds: Record<string, Tensor> = { [inputs.batch]: batch, [inputs.labels]: labels };
    for (const [name, value] of this.graph.defaults) feeds[name] = parameters?.get(name) ?? value;
    const out = await this.session.run(feeds);
    const vector = (name: string | undefined): Float32Array | undefined => (name ? (out[name]!.data as Float32Array) : undefined);
    const result: { -readonly [K in keyof EvalResult]: EvalResult[K] } = { loss: scalar(out[outputs.loss]), count: scalar(out[outputs.count]) };
    if (outputs.correct) result.correct = scalar(out[outputs.correct]);
    const intersection = vector(outputs.intersection);
    if (intersection) {
      result.intersection = intersection;
      result.predicted = vector(outputs.predicted)!;
      result.target = vector(outputs.target)!;
    }
    if (outputs.logits) result.logits = out[outputs.logits]!;
    return result;
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
