/** Flatten: reshapes to 2-D at `axis` (dims before it form rows, the rest columns). */
import { viewBackward } from './backward-common.js';
import { spec } from './attributes.js';
import { requireInput } from './common.js';
import type { OpRule } from './rule.js';
import { product } from './shapes.js';
import { EQUIVARIANT } from './scaling.js';

export const Flatten = {
  opType: 'Flatten',
  summary: 'Reshapes to [prod(dims before axis), prod(dims from axis)].',
  inputCount: [1, 1],
  outputCount: [1, 1],
  attributes: { axis: spec.int(1) },
  inferTypes(ctx) {
    const x = requireInput(ctx, 0, 'input');
    const rank = x.shape.length;
    let axis = ctx.attrs.int('axis');
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank) ctx.fail(`axis ${ctx.attrs.int('axis')} is out of range for rank ${rank}`);
    const rows = axis === 1 ? x.shape[0]! : (product(x.shape.slice(0, axis)) ?? '');
    const columns = product(x.shape.slice(axis)) ?? '';
    return [{ dtype: x.dtype, shape: [rows, columns] }];
  },
  fold: (ctx) => {
    const value = ctx.constant(0);
    if (!value) return undefined;
    const [rows, columns] = Flatten.inferTypes(ctx)[0]!.shape as number[];
    return [{ ...value, dims: [rows!, columns!] }];
  },
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: { kind: 'view' },
  macs: () => 0,
  backward: viewBackward,
} satisfies OpRule;
