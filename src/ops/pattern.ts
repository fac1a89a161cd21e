/**
 * How a piecewise-linear op is held at its activation pattern, read by GraSP's finite-difference
 * Hessian product (src/score/frozen-pattern.ts). An exact Hessian-vector product (PyTorch's double
 * backward) keeps every ReLU mask and max-pool choice of the current point; perturbing the weights
 * of a ReLU network crosses the nearest kink after a relative step of about 1e-6, so differences
 * of gradients are taken on a copy of the network whose pattern is frozen at the base point.
 */

/**
 * y = f(x) element-wise in input 0, piecewise linear (ReLU, LeakyReLU, PRelu, Clip). Frozen at x0:
 * y = f'(x0)·x + (f(x0) - f'(x0)·x0), with f'(x0) the op's own backward rule's slope (so the kink
 * convention is PyTorch's).
 */
export interface ElementwisePattern {
  readonly kind: 'elementwise';
}

/**
 * y = the maximum of input 0 over windows, and output `indicesOutput` can give the flat index of
 * each maximum (MaxPool). Frozen: the op applied to x plus a bias that is 0 at the chosen positions
 * and very negative elsewhere, so the same positions win. Exact for non-overlapping windows; with
 * overlapping windows two positions that are each chosen by some window can still trade places.
 */
export interface ArgmaxPattern {
  readonly kind: 'argmax';
  readonly indicesOutput: number;
}

export type PatternRule = ElementwisePattern | ArgmaxPattern;

/** The pattern rule of an element-wise piecewise-linear op. */
export const ELEMENTWISE_PATTERN: ElementwisePattern = { kind: 'elementwise' };
