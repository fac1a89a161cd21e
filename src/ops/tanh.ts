/** Tanh: the hyperbolic tangent. */
import { elementwiseBackward } from './backward-common.js';
import { PASS_THROUGH } from './channels.js';
import { unaryRule } from './common.js';

// dY·(1 - y²), from the output alone.
const backward = elementwiseBackward((ctx) => ctx.op('Sub', [ctx.scalar(1), ctx.op('Mul', [ctx.output(0), ctx.output(0)])]));

export const Tanh = { ...unaryRule({ opType: 'Tanh', summary: 'Hyperbolic tangent.', channels: PASS_THROUGH }), backward };
