/**
 * Dropout: the identity at inference. Before opset 12 the ratio is an attribute; from 12 ratio and
 * training_mode are inputs (and `seed` an attribute). Sculpt's training-step graphs run it in
 * training mode, seeded (see its backward rule).
 */
import { inOpsets, spec } from './attributes.js';
import type { BackwardRule } from './backward.js';
import { masked } from './backward-common.js';
import { PASS_THROUGH } from './channels.js';
import { requireInput, requireInputOpset } from './common.js';
import { tensor, toNumbers } from '../ir/tensor.js';
import type { OpRule } from './rule.js';
import { EQUIVARIANT } from './scaling.js';

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
  attributes: { ratio: inOpsets(spec.float(0.5), 1, 11), seed: inOpsets(spec.int(), 12) },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'data');
    requireInputOpset(ctx, 1, 'ratio', 12, "use the 'ratio' attribute");
    requireInputOpset(ctx, 2, 'training_mode', 12);
    const ratio = ctx.inputs[1];
    if (ratio && ratio.shape.length !== 0) ctx.fail('ratio must be a scalar');
    const training = ctx.inputs[2];
    if (training && (training.dtype !== 'bool' || training.shape.length !== 0)) ctx.fail('training_mode must be a bool scalar');
    return ctx.node.outputs.length > 1 ? [x, { dtype: 'bool', shape: x.shape }] : [x];
  },
  // The output is the input unless training_mode is given and not a constant false.
  identityInput(ctx) {
    if (!ctx.node.inputs[2]) return 0;
    const training = ctx.constant(2);
    return training && toNumbers(training).every((v) => v === 0) ? 0 : undefined;
  },
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: PASS_THROUGH,
  macs: () => 0,
  backward,
} satisfies OpRule;
