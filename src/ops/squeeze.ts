/**
 * Squeeze: removes size-1 axes; `axes` is an attribute before opset 13 and an input from 13.
 * Without axes it removes every dim known to be 1; symbolic dims (the batch) are kept.
 */
import { axesViewRule } from './axes-view.js';
import { attributeOrInputAxes } from './common.js';
import type { OpContext } from './rule.js';
import { formatShape, normalizeAxes } from './shapes.js';
import type { Dim, Shape } from '../ir/graph.js';

function squeezed(ctx: OpContext, shape: Shape): Dim[] {
  const given = attributeOrInputAxes(ctx, 1, 13);
  if (!given) return shape.filter((d) => d !== 1);
  const axes = normalizeAxes(given, shape.length);
  if (!axes) return ctx.fail(`axes [${given.join(', ')}] must be distinct and within rank ${shape.length}`);
  for (const axis of axes) {
    const d = shape[axis]!;
    if (typeof d === 'number' && d !== 1) ctx.fail(`axis ${axis} of ${formatShape(shape)} has size ${d}, not 1`);
  }
  return shape.filter((_, i) => !axes.includes(i));
}

export const Squeeze = axesViewRule('Squeeze', 'Removes size-1 axes.', squeezed);
