/** Relu: max(x, 0). */
import { PASS_THROUGH } from './channels.js';
import { unaryRule } from './common.js';

export const Relu = unaryRule({ opType: 'Relu', summary: 'Rectified linear unit, max(x, 0).', channels: PASS_THROUGH });
