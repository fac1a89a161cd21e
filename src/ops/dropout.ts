/** Dropout: the identity at inference; random zeroing (seeded) in Sculpt's training-step graphs. */
import { spec } from './attributes.js';
import type { BackwardRule } from './backward.js';
import { masked } from './backward-common.js';
import { requireInput } from './common.js';
import { tensor } from '../ir/tensor.js';
import type { OpRule } from './rule.js';

// In training-step graphs the node runs in training mode (seeded) and outputs its mask; the
// gradient is dY * mask / (1 - ratio). Elsewhere (eval, gradient graphs for scoring) it is the identity.
const backward: BackwardRule = {
  differentiable: [0],
  forward: (ctx) => {
    if (!ctx.stochastic) return undefined;
    if (ctx.opset < 12) ctx.fail(`training through Dropout needs opset 12 or later (the model has ${ctx.opset})`);
    const ratio = ctx.input(1) || ctx.scalar(0.5);
    const training = ctx.constantTensor(tensor('bool', [], Uint8Array.of(1)));
    const [, mask] = ctx.ops('Dropout', [ctx.input(0), ratio, training], { seed: ctx.seed }, [ctx.output(0), ctx.output(1) || null]);
    return { saved: { mask: mask!, ratio } };
  },
  emit: (ctx) => {
    const dy = ctx.outputGrads[0]!;
    const mask = ctx.saved('mask');
    if (!mask) return [dy];
    const keep = ctx.op('Sub', [ctx.scalar(1), ctx.saved('ratio')!]);
    return [ctx.op('Div', [masked(ctx, dy, mask), keep])];
  },
};

export const Dropout = {
  opType: 'Dropout',
  summary: 'Randomly zeroes elements in training; the identity at inference.',
  inputCount: [1, 3],
  outputCount: [1, 2],
  attributes: { seed: spec.int() },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    return ctx.node.outputs.length > 1 ? [x, { dtype: 'bool', shape: x.shape }] : [x];
  },
  parameterInputs: [],
  macs: () => 0,
  backward,
} satisfies OpRule;
