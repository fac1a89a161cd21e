/**
 * The rule shared by Squeeze and Unsqueeze: a view whose output shape comes from the input's and an
 * `axes` list (an attribute before opset 13, an input from 13). Only `shapeOf` differs.
 */
import { viewBackward } from './backward-common.js';
import { inOpsets, spec } from './attributes.js';
import { passShapeValue, requireInput } from './common.js';
import { withDims } from './fold.js';
import type { OpContext, OpRule } from './rule.js';
import { isStatic } from './shapes.js';
import type { Dim, Shape } from '../ir/graph.js';
import { EQUIVARIANT } from './scaling.js';

export function axesViewRule(opType: string, summary: string, shapeOf: (ctx: OpContext, shape: Shape) => Dim[]): OpRule {
  return {
    opType,
    summary,
    inputCount: [1, 2],
    outputCount: [1, 1],
    attributes: { axes: inOpsets(spec.ints(), 1, 12) },
    inferTypes(ctx) {
      const x = requireInput(ctx, 0, 'data');
      return [{ dtype: x.dtype, shape: shapeOf(ctx, x.shape) }];
    },
    fold(ctx) {
      const value = ctx.constant(0);
      const dims = value && shapeOf(ctx, value.dims);
      const result = value && dims && isStatic(dims) ? withDims(value, dims) : undefined;
      return result ? [result] : undefined;
    },
    foldShapeValue: passShapeValue,
    scaling: () => EQUIVARIANT,
    parameterInputs: [],
    channels: { kind: 'view' },
    macs: () => 0,
    backward: viewBackward,
  };
}
