/** Sigmoid: 1 / (1 + exp(-x)) (squeeze-excitation gates). */
import { elementwiseBackward } from './backward-common.js';
import { PASS_THROUGH } from './channels.js';
import { unaryRule } from './common.js';

// dY·y·(1 - y), from the output alone.
const backward = elementwiseBackward((ctx) => ctx.op('Mul', [ctx.output(0), ctx.op('Sub', [ctx.scalar(1), ctx.output(0)])]));

export const Sigmoid = { ...unaryRule({ opType: 'Sigmoid', summary: 'Logistic sigmoid, 1 / (1 + exp(-x)).', channels: PASS_THROUGH }), backward };
