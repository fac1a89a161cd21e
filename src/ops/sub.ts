/** Sub: element-wise difference with broadcasting. */
import { broadcastBinaryRule } from './common.js';

export const Sub = broadcastBinaryRule('Sub', 'Element-wise difference with numpy broadcasting.', {
  number: (a, b) => a - b,
  bigint: (a, b) => a - b,
});
