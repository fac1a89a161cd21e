/**
 * How an op commutes with multiplying its inputs by positive constants, read by SynFlow's exact
 * float32 rescaling (src/score/synflow-scaling.ts): a network run with every activation tensor t
 * multiplied by its own power of two 2^e(t) computes exactly the same numbers as the original,
 * only scaled, when every op declares how factors flow through it. An op that declares nothing
 * is given its inputs at their true scale, which is always exact (it only gives up overflow
 * protection there).
 *
 * Activation inputs are the non-constant floating-point inputs; constants are initialisers and
 * folded values.
 */

/**
 * f(c·x, c·k) = c·f(x, k) for c > 0: every activation input carries the same factor c (the
 * rescaling aligns them first), the constant inputs listed in `scaledInputs` (Clip bounds, BN's
 * bias and mean, Pad's value, a constant operand of Add) are multiplied by c, other constants
 * (BN's scale and variance, shapes, Resize scales) keep their values, and the output carries c.
 * ReLU, pools, views, Concat, Add, BN in inference mode.
 */
export interface EquivariantScaling {
  readonly kind: 'equivariant';
  readonly scaledInputs?: readonly number[] | 'all';
}

/** f(a·x, b·y) = a·b·f(x, y): the output carries the product of its inputs' factors (Mul). */
export interface ProductScaling {
  readonly kind: 'product';
}

/** f(a·x, b·y) = (a/b)·f(x, y) (Div). */
export interface QuotientScaling {
  readonly kind: 'quotient';
}

/**
 * Linear in the activation input and in the weight (Conv, ConvTranspose, Gemm, MatMul): with the
 * input scaled by a and the weight by w, the output carries a·w, and the bias (if any) must be
 * multiplied by a·w. The weight's factor is free, so the rescaling chooses it to keep the output
 * in range.
 */
export interface WeightedScaling {
  readonly kind: 'weighted';
  readonly weight: number;
  readonly bias?: number;
}

export type ScalingRule = EquivariantScaling | ProductScaling | QuotientScaling | WeightedScaling;

/** The equivariant rule of an op without constants that scale (activations, pools, views). */
export const EQUIVARIANT: EquivariantScaling = { kind: 'equivariant' };
