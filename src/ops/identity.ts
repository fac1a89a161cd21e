/** Identity: passes its input through; PyTorch exports use it to share equal parameter tensors. */
import { passThroughBackward } from './backward-common.js';
import { PASS_THROUGH } from './channels.js';
import { passShapeValue, unaryRule } from './common.js';
import type { OpRule } from './rule.js';
import { EQUIVARIANT } from './scaling.js';

export const Identity = {
  ...unaryRule({ opType: 'Identity', summary: 'Returns its input unchanged.', channels: PASS_THROUGH }),
  fold: (ctx) => {
    const value = ctx.constant(0);
    return value ? [value] : undefined;
  },
  foldShapeValue: passShapeValue,
  identityInput: () => 0,
  backward: passThroughBackward,
  scaling: () => EQUIVARIANT,
} satisfies OpRule;
