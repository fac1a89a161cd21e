/** Mul: element-wise product with broadcasting (squeeze-excitation gates, HardSwish exports). */
import { broadcastBinaryRule } from './common.js';

export const Mul = broadcastBinaryRule('Mul', 'Element-wise product with numpy broadcasting.', {
  number: (a, b) => a * b,
  bigint: (a, b) => a * b,
});
