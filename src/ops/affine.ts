/**
 * The per-channel linear structure some ops declare, read by graph transforms (BN folding):
 * an op that is a per-channel affine map at inference, and an op whose output channels each
 * own a slice of a weight and one bias entry, so such a map can be absorbed into them.
 */

/** y = x * scale[c] + shift[c], with c the index along `axis` (BatchNormalization in eval mode). */
export interface PerChannelAffine {
  /** Input position of x. */
  readonly input: number;
  /** Axis of x (and y) that indexes the channels. */
  readonly axis: number;
  readonly scale: Float64Array;
  readonly shift: Float64Array;
  /** Input position of the learned per-channel scale (BatchNormalization's gamma), when the op has one: channel criteria rank by it. */
  readonly scaleInput?: number;
}

/**
 * How output channel c of an op maps to its weight and bias (Conv, ConvTranspose, Gemm), so that
 * scaling channel c of the output scales exactly those weight entries and that bias entry.
 */
export interface OutputChannelWeights {
  /** Input position of the weight. */
  readonly weight: number;
  /** Weight axis that indexes output channels (within a group when `groups` > 1). */
  readonly weightAxis: number;
  /**
   * Groups that split the weight's axis 0, each owning `dims[weightAxis]` consecutive output
   * channels (ConvTranspose's W [Cin, Cout/group, k...]); 1 when `weightAxis` spans all of them.
   */
  readonly groups: number;
  /** Input position of the per-channel bias; it may be absent in the node and is then added there. */
  readonly bias: number;
  /** What the op multiplies the bias by (Gemm's beta; 1 for convolutions). */
  readonly biasMultiplier: number;
  /** Output axis that indexes the channels. */
  readonly outputAxis: number;
}
