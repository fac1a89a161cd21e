/** Unsqueeze: inserts size-1 axes; `axes` is an attribute before opset 13 and an input from 13. */
import { axesViewRule } from './axes-view.js';
import { attributeOrInputAxes } from './common.js';
import type { OpContext } from './rule.js';
import { normalizeAxes } from './shapes.js';
import type { Dim, Shape } from '../ir/graph.js';

function unsqueezed(ctx: OpContext, shape: Shape): Dim[] {
  const given = attributeOrInputAxes(ctx, 1, 13);
  if (!given) return ctx.fail('axes are required');
  const rank = shape.length + given.length;
  const axes = normalizeAxes(given, rank);
  if (!axes) return ctx.fail(`axes [${given.join(', ')}] must be distinct and within rank ${rank}`);
  const out: Dim[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : shape[next++]!);
  return out;
}

export const Unsqueeze = axesViewRule('Unsqueeze', 'Inserts size-1 axes at the given output positions.', unsqueezed);
