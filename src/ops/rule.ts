/**
 * The op rule record: everything Sculpt knows about one ONNX op, in one place. Graph code reads
 * these fields and never branches on op names. The table of all rules is ./index.ts.
 */
import type { Dim, Node, Shape } from '../ir/graph.js';
import type { DType, Tensor } from '../ir/tensor.js';
import type { OutputChannelWeights, PerChannelAffine } from './affine.js';
import type { AttributeReader, AttributeSpec } from './attributes.js';
import type { BackwardRule } from './backward.js';
import type { ChannelRule } from './channels.js';
import type { PatternRule } from './pattern.js';
import type { ScalingRule } from './scaling.js';

/** A value's static type: dtype and shape (dims may be symbolic, such as the batch). */
export interface ValueType {
  readonly dtype: DType;
  readonly shape: Shape;
}

/** What a rule sees of one node while shapes are inferred or costs counted. */
export interface OpContext {
  readonly node: Node;
  /** The model's default-domain opset. */
  readonly opset: number;
  /** Types of the node's inputs, by position; undefined for omitted optional inputs. */
  readonly inputs: readonly (ValueType | undefined)[];
  /** The static value of input `index` when it is an initialiser or a folded constant. */
  constant(index: number): Tensor | undefined;
  /**
   * The elements of a rank-0/1 integer input as dims, when known: a constant's values, or shape
   * arithmetic that still holds symbolic dims (Shape of a batch-symbolic input, then Gather...).
   */
  shapeValue(index: number): readonly Dim[] | undefined;
  /** Attribute values, with the defaults the rule declares. */
  readonly attrs: AttributeReader;
  /** Throws a SHAPE_MISMATCH error that names the node. */
  fail(message: string): never;
}

/** Counted per sample, as the fixtures' meta.json `convention` defines. */
export interface CostContext extends OpContext {
  readonly outputs: readonly ValueType[];
}

export interface OpRule {
  readonly opType: string;
  /** One sentence: what the op does, for reports and error messages. */
  readonly summary: string;
  /** Default-domain opsets in which the op exists, [first, last]; absent: every opset Sculpt reads. */
  readonly opsets?: readonly [first: number, last: number];
  /** What to do instead when the model's opset is outside `opsets` (for the error message). */
  readonly opsetNote?: string;
  /** Allowed number of inputs (omitted optional inputs count as present positions). */
  readonly inputCount: readonly [min: number, max: number];
  readonly outputCount: readonly [min: number, max: number];
  /** Every attribute the op accepts, with defaults and allowed values; others are an error. */
  readonly attributes: Readonly<Record<string, AttributeSpec>>;
  /** Output types from input types and attributes; throws via `ctx.fail` on a mismatch. */
  inferTypes(ctx: OpContext): ValueType[];
  /** Folds the outputs to constants when all inputs are constant (Constant, Identity, shape arithmetic). */
  fold?(ctx: OpContext): Tensor[] | undefined;
  /** Output elements as dims when an output is a shape value that may hold symbolic dims (see `OpContext.shapeValue`). */
  foldShapeValue?(ctx: OpContext): (readonly Dim[] | undefined)[] | undefined;
  /** When output 0 always equals one input unchanged (Identity; Dropout at inference), that input's position. */
  identityInput?(ctx: OpContext): number | undefined;
  /** The op as a per-channel affine map, when it is one (BatchNormalization in eval mode with constant statistics). */
  perChannelAffine?(ctx: OpContext): PerChannelAffine | undefined;
  /** How the output channels map to weight slices and bias entries (Conv, ConvTranspose, Gemm), when the node allows folding into them. */
  outputChannelWeights?(ctx: OpContext): OutputChannelWeights | undefined;
  /** Input positions that hold trainable parameters when they are initialisers (Conv weight and bias, BN scale and bias). */
  readonly parameterInputs: readonly number[];
  /** Input position of the weight that pruning-at-initialisation scores (Conv, ConvTranspose, Gemm, MatMul). */
  readonly prunableWeight?: number;
  /** Multiply-accumulates per sample (0 for ops the convention excludes). */
  macs(ctx: CostContext): number;
  /** How channels couple through the op (read by src/deps). Undefined: the op is a pruning barrier. */
  readonly channels?: ChannelRule;
  /**
   * How the op commutes with positive scaling of its inputs (read by SynFlow's exact float32
   * rescaling; see scaling.ts). Undefined: it does not, and its inputs are given at their true scale.
   */
  scaling?(ctx: OpContext): ScalingRule | undefined;
  /** How a piecewise-linear op is frozen at its activation pattern (read by GraSP; see pattern.ts). Undefined: the op is smooth, or linear. */
  pattern?(ctx: OpContext): PatternRule | undefined;
  /** How to emit the op's gradient as ONNX nodes (read by src/autodiff). Undefined: not differentiable. */
  readonly backward?: BackwardRule;
}
