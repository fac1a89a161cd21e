/** Identity: passes its input through; PyTorch exports use it to share equal parameter tensors. */
import { passShapeValue, unaryRule } from './common.js';
import type { OpRule } from './rule.js';

export const Identity = {
  ...unaryRule({ opType: 'Identity', summary: 'Returns its input unchanged.' }),
  fold: (ctx) => {
    const value = ctx.constant(0);
    return value ? [value] : undefined;
  },
  foldShapeValue: passShapeValue,
  identityInput: () => 0,
} satisfies OpRule;
