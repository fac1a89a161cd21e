/**
 * Graph transforms: functions from Model to Model that sit between the op rules and everything
 * above (pruning, training, export). They read rule fields, never op names.
 */
export { removeDeadNodes } from './dead-nodes.js';
export { foldBatchNorm } from './fold-batch-norm.js';
export { removeIdentities } from './identities.js';
export { materializeSharedParameters } from './shared-parameters.js';
