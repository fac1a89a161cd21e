/**
 * Channel coupling declared by each op rule, read by src/deps to build dependency groups.
 * (Filled in by the pruning-core work; until then every op is treated as a barrier.)
 */
export interface ChannelRule {
  readonly kind: string;
}
