/** Tanh: the hyperbolic tangent. */
import { PASS_THROUGH } from './channels.js';
import { unaryRule } from './common.js';

export const Tanh = unaryRule({ opType: 'Tanh', summary: 'Hyperbolic tangent.', channels: PASS_THROUGH });
