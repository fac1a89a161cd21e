/**
 * The backward rule each differentiable op declares, read by src/autodiff.
 * (Filled in by the training-engine work.)
 */
export interface BackwardRule {
  readonly kind: string;
}
