/** Div: element-wise quotient with broadcasting; integer division truncates toward zero, as onnxruntime's does. */
import { broadcastBinaryRule } from './common.js';

export const Div = broadcastBinaryRule('Div', 'Element-wise quotient with numpy broadcasting.', {
  number: (a, b) => a / b,
  // A zero integer divisor leaves the value unfolded: it is onnxruntime's error to report, not a constant.
  bigint: (a, b) => (b === 0n ? undefined : a / b),
});
