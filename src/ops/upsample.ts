/**
 * Upsample: the pre-Resize op, deprecated at opset 10. onnxruntime refuses it in every opset Sculpt
 * reads (11-21), so a model holding it gets a clear error naming Resize as the replacement.
 */
import { passThroughUnless } from './channels.js';
import { spec } from './attributes.js';
import { resamplesChannels, resizedType } from './resize.js';
import type { OpRule } from './rule.js';
import { EQUIVARIANT } from './scaling.js';

export const Upsample = {
  opType: 'Upsample',
  summary: 'Scales the input up by constant factors (deprecated; Resize replaces it).',
  opsets: [7, 9],
  opsetNote: 'Upsample is deprecated from opset 10 and onnxruntime rejects it; re-export so that it becomes Resize',
  inputCount: [2, 2],
  outputCount: [1, 1],
  attributes: { mode: spec.string('nearest', ['nearest', 'linear']) },
  inferTypes: (ctx) => [resizedType(ctx, 1, undefined)],
  scaling: () => EQUIVARIANT,
  parameterInputs: [],
  channels: passThroughUnless(resamplesChannels(1)),
  macs: () => 0,
} satisfies OpRule;
