/**
 * The backward rule each differentiable op declares, read by src/autodiff. A rule emits its
 * gradient as standard ONNX nodes through the small emitter API below; src/autodiff implements
 * the API over a GraphBuilder and decides which nodes need gradients at all.
 */
import type { Dim, Node } from '../ir/graph.js';
import type { DType, Tensor } from '../ir/tensor.js';
import type { AttributeReader } from './attributes.js';
import type { ValueType } from './rule.js';

/** Attribute values as the emitter takes them: plain numbers, strings, lists or tensors. */
export type EmitAttributes = Readonly<Record<string, number | string | readonly number[] | readonly string[] | Tensor | { readonly float: number }>>;

/**
 * Runtime-specific kernels a derived graph may use, detected from the backend that will run it
 * (src/autodiff/kernels.ts). Rules fall back to standard ONNX ops when a field is absent.
 */
export interface KernelTarget {
  /**
   * Block size of onnxruntime's blocked-layout (NCHWc) kernels in the 'com.microsoft.nchwc'
   * domain (16 with AVX-512, 8 with AVX2). Convolutions then run there with their weights
   * reordered inside the graph: onnxruntime uses that fast path by itself only for constant weights.
   */
  readonly nchwcBlockSize?: number;
  /** Formulation overrides for benchmarks and experiments; by default each rule chooses per node. */
  readonly prefer?: {
    /** Conv weight gradient: unfold + batched MatMul, or one Gemm per kernel offset. */
    readonly convWeightGradient?: 'unfold' | 'shifted';
    /** Training-mode batch statistics: onnxruntime's fused BatchNormalization (opset 14+) or Reduce ops. */
    readonly batchStatistics?: 'fused' | 'explicit';
  };
}

/** The operator domain of onnxruntime's blocked-layout kernels. */
export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

/** The operator domain of onnxruntime's contrib kernels (FusedMatMul), used where the NCHWc ones are. */
export const MICROSOFT_DOMAIN = 'com.microsoft';

/** Node-independent emitting: ops and constants (also used for losses and optimizer updates). */
export interface GraphEmitter {
  /** The default-domain opset of the graph being written (the emitted nodes follow it). */
  readonly opset: number;
  /** The kernels the graph may use beyond standard ONNX. */
  readonly target: KernelTarget;
  /** Adds a single-output node; `int` attributes are written for integers unless given as `{ float }`. `domain` defaults to ONNX's. */
  op(opType: string, inputs: readonly string[], attributes?: EmitAttributes, domain?: string): string;
  /** Adds a node with several outputs: a count (fresh names) or explicit names ('' skips an output, null asks for a fresh name). */
  ops(opType: string, inputs: readonly string[], attributes: EmitAttributes, outputs: number | readonly (string | null)[], domain?: string): string[];
  /** A scalar constant (float32 unless another dtype is given: float64, int64). */
  scalar(value: number, dtype?: DType): string;
  /** A 1-D int64 constant (shapes, axes, pads). */
  ints(values: readonly number[]): string;
  /** Any constant tensor (deduplicated). */
  constantTensor(value: Tensor): string;
  /** The shape of a value as an int64 tensor: a constant when static, a Shape node otherwise. */
  shapeOf(name: string, type: ValueType): string;

  // Opset-aware forms of the ops whose signature changed between opsets.
  /** ReduceSum over `axes` (axes as an input from opset 13). */
  reduceSum(x: string, axes: readonly number[], keepdims: boolean): string;
  /** ReduceMean over `axes` (axes as an input from opset 18). */
  reduceMean(x: string, axes: readonly number[], keepdims: boolean): string;
  /** Unsqueeze at `axes` (axes as an input from opset 13). */
  unsqueeze(x: string, axes: readonly number[]): string;
  /** Split along `axis` into parts of the given sizes (sizes as an input from opset 13). */
  split(x: string, axis: number, sizes: readonly number[]): string[];
  /** Reshape to `shape` (0 copies the input dim, -1 infers one dim). */
  reshape(x: string, shape: readonly number[]): string;
  /** Sums `grad` (of shape `from`) down to `to` under numpy broadcasting. */
  unbroadcast(grad: string, from: ValueType, to: ValueType): string;
}

/** The emitter API for one node, common to forward rewrites and backward rules. */
export interface EmitContext extends GraphEmitter {
  /** The forward node being rewritten or differentiated. */
  readonly node: Node;
  readonly attrs: AttributeReader;
  /** Static types of the node's inputs; undefined for omitted optional inputs. */
  readonly inputs: readonly (ValueType | undefined)[];
  /** Static types of the node's outputs. */
  readonly outputs: readonly (ValueType | undefined)[];
  /** Name of forward input `index` ('' when omitted). Reading it keeps the value alive for the backward pass. */
  input(index: number): string;
  /** Name of forward output `index`. */
  output(index: number): string;
  /** The static value of input `index` (initialiser or folded constant), if any. */
  constant(index: number): Tensor | undefined;
  /** The elements of a rank-0/1 integer input as dims, when known (as OpContext.shapeValue). */
  shapeValue(index: number): readonly Dim[] | undefined;
  /** True when input `index` must receive a gradient (rules skip work for the others). */
  needsGrad(index: number): boolean;
  /** A scalar constant of the node's element type unless `dtype` is given. */
  scalar(value: number, dtype?: DType): string;
  /** Throws an UNSUPPORTED_ATTRIBUTE error that names the node. */
  fail(message: string): never;
}

/** How the graph under construction runs the forward pass. */
export type ForwardMode = 'train' | 'eval';

/** What a rule sees when it may rewrite its forward node for a training or gradient graph. */
export interface ForwardContext extends EmitContext {
  /** 'train': batch statistics (BatchNormalization); 'eval': running statistics. */
  readonly mode: ForwardMode;
  /** True when random ops (Dropout) are active: training-step graphs, not gradient graphs for scoring. */
  readonly stochastic: boolean;
  /** A positive seed for this node's random ops, derived from the graph's seed and the node's position (onnxruntime repeats one mask every run for seed 0). */
  readonly seed: number;
  /** Emits the node itself (op, inputs, attributes overridden by `attributes`) with the given output names ('' skips one, null asks for a fresh name). */
  copy(outputs: readonly (string | null)[], attributes?: EmitAttributes): string[];
}

/** The result of a forward rewrite. The rewrite must produce every output name of the original node. */
export interface ForwardRewrite {
  /** Extra forward values the backward rule reads later (batch statistics, pooling indices), by key. */
  readonly saved?: Readonly<Record<string, string>>;
  /** New values for inputs that are running state (BatchNormalization mean and variance), by input position. */
  readonly stateUpdates?: readonly { readonly input: number; readonly value: string }[];
}

/** What a backward rule sees: the emitter, the forward mode, saved values and the incoming gradients. */
export interface BackwardContext extends EmitContext {
  readonly mode: ForwardMode;
  /** Incoming gradient of each output; undefined when no gradient flows into that output. */
  readonly outputGrads: readonly (string | undefined)[];
  /** A value the forward rewrite saved under `key`; undefined when it saved none (or did not rewrite). */
  saved(key: string): string | undefined;
}

/** True when input `index` of an op with this rule can carry a gradient. */
export function isDifferentiable(rule: BackwardRule, index: number): boolean {
  return rule.differentiable === 'all' || rule.differentiable.includes(index);
}

/** How an op's gradient is emitted. */
export interface BackwardRule {
  /** Input positions that can carry a gradient ('all' for variadic ops); the others (shapes, indices, running statistics, bounds) never do. */
  readonly differentiable: readonly number[] | 'all';
  /**
   * Optionally rewrites the forward node in training and gradient graphs (batch statistics for
   * BatchNormalization, the Indices output of MaxPool). Returning undefined copies the node unchanged.
   */
  forward?(ctx: ForwardContext): ForwardRewrite | undefined;
  /** Input positions holding running state that a training-mode forward updates (BatchNormalization's mean and variance). */
  readonly stateInputs?: readonly number[];
  /** Emits the gradient nodes; returns one gradient name, or undefined, per input position. */
  emit(ctx: BackwardContext): readonly (string | undefined)[];
  /**
   * The op is element-wise and monotone non-decreasing, and its gradient is the incoming gradient
   * times a mask computed from its output alone (ReLU). When its only consumer commutes with such
   * maps (`commutesWithMonotone`), the mask is applied at the consumer's output, which is smaller.
   */
  readonly monotoneMaskFromOutput?: boolean;
  /** The op commutes with element-wise monotone non-decreasing maps of its single input: f(m(x)) = m(f(x)) (MaxPool). */
  readonly commutesWithMonotone?: boolean;
}
