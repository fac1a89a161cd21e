/** Sigmoid: 1 / (1 + exp(-x)) (squeeze-excitation gates). */
import { PASS_THROUGH } from './channels.js';
import { unaryRule } from './common.js';

export const Sigmoid = unaryRule({ opType: 'Sigmoid', summary: 'Logistic sigmoid, 1 / (1 + exp(-x)).', channels: PASS_THROUGH });
