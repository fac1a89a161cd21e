/** Add: element-wise sum with broadcasting (residual connections). */
import { broadcastBinaryRule } from './common.js';

export const Add = broadcastBinaryRule('Add', 'Element-wise sum with numpy broadcasting.', {
  number: (a, b) => a + b,
  bigint: (a, b) => a + b,
});
