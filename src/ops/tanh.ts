/** Tanh: the hyperbolic tangent. */
import { unaryRule } from './common.js';

export const Tanh = unaryRule({ opType: 'Tanh', summary: 'Hyperbolic tangent.' });
