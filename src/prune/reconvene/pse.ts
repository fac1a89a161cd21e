/**
 * Reconvene's Pruning Sensitivity Evaluator (PSE). From each prunable layer's UPaI mask it
 * measures how much structure UPaI already removed — the layer's density, the share of its output
 * filters emptied completely and the share of its input channels emptied completely — and marks
 * each layer sensitive or insensitive to structured pruning by one of three rules:
 *
 * - `density` (default): insensitive when density ≤ τ. Default τ: the mask's overall density, so
 *   the layers UPaI pruned harder than the network as a whole are insensitive. A relative default
 *   keeps the rule meaningful at every sparsity (an absolute τ such as 0.05 marks nothing at 2x
 *   and nearly everything at 256x).
 * - `emptied`: insensitive when UPaI emptied at least τ of the layer's filters or of its input
 *   channels (default τ = 0.5): UPaI itself already chose structure there.
 * - `relative`: the least dense fraction q of the layers are insensitive (default q = 0.5; ties by
 *   position, earlier layers first).
 *
 * Which rule holds accuracy best is an experiment (DESIGN.md); the defaults are starting points.
 */
import { SculptError } from '../../errors.js';
import type { Model } from '../../ir/graph.js';
import { costContext, inferModel, ruleFor, type TypedGraph } from '../../ops/infer.js';
import { resolveChannels } from '../../ops/channels.js';
import { prunableWeights, type PrunableWeight } from '../../score/weights.js';
import type { WeightMasks } from '../masks.js';

/** The sensitivity rules (see the file comment). */
export const SENSITIVITY_RULES = ['density', 'emptied', 'relative'] as const;
export type SensitivityRule = (typeof SENSITIVITY_RULES)[number];

/** Options of evaluateSensitivity. */
export interface SensitivityOptions {
  /** Default 'density'. */
  readonly rule?: SensitivityRule;
  /** τ (density, emptied) or q (relative); defaults in the file comment. */
  readonly threshold?: number;
}

/** Which weight axes index a layer's output and input channels, and its convolution groups. */
export interface WeightLayout {
  readonly outputAxis: number;
  readonly inputAxis: number;
  /** With groups > 1, axis 0 lists every channel of its side and the other axis one group's worth. */
  readonly groups: number;
}

/** One layer as the PSE sees it. */
export interface LayerSensitivity {
  readonly weight: string;
  readonly node: string;
  readonly nodeIndex: number;
  readonly opType: string;
  readonly total: number;
  readonly kept: number;
  readonly density: number;
  /** Output channels (filters) and the share of them whose weights the mask removed entirely. */
  readonly filters: number;
  readonly emptiedFilters: number;
  /** Input channels and the share of them no kept weight reads. */
  readonly inputs: number;
  readonly emptiedInputs: number;
  readonly sensitive: boolean;
}

/** The rule applied, its resolved threshold, and every layer. */
export interface SensitivityReport {
  readonly rule: SensitivityRule;
  readonly threshold: number;
  readonly layers: readonly LayerSensitivity[];
}

/**
 * Measures every masked prunable layer and applies the sensitivity rule.
 * @example evaluateSensitivity(upai.model, upai.masks, { rule: 'emptied', threshold: 0.25 })
 */
export function evaluateSensitivity(model: Model | TypedGraph, masks: WeightMasks, options: SensitivityOptions = {}): SensitivityReport {
  const rule = options.rule ?? 'density';
  if (!SENSITIVITY_RULES.includes(rule)) {
    throw new SculptError('BAD_ARGUMENT', `sensitivity rule '${String(rule)}' is not known (allowed: ${SENSITIVITY_RULES.join(', ')})`);
  }
  const typed = 'order' in model ? model : inferModel(model);
  const weights = prunableWeights(typed).filter((w) => masks.has(w.name));
  if (weights.length === 0) throw new SculptError('NOT_PRUNABLE', 'none of the masks belongs to a prunable weight of the model; give the masks UPaI returned with its model');
  const measured = weights.map((w) => measureLayer(typed, w, masks.get(w.name)!.data));
  const threshold = resolveThreshold(rule, options.threshold, measured);
  const insensitive = insensitiveLayers(rule, threshold, measured);
  return { rule, threshold, layers: measured.map((m, i) => ({ ...m, sensitive: !insensitive.has(i) })) };
}

function resolveThreshold(rule: SensitivityRule, given: number | undefined, layers: readonly Omit<LayerSensitivity, 'sensitive'>[]): number {
  if (given !== undefined) {
    if (!(given >= 0 && given <= 1)) throw new SculptError('BAD_ARGUMENT', `sensitivity threshold ${given} is out of range for rule '${rule}' (allowed: 0 to 1)`);
    return given;
  }
  if (rule === 'density') {
    const total = layers.reduce((sum, l) => sum + l.total, 0);
    return layers.reduce((sum, l) => sum + l.kept, 0) / total;
  }
  return 0.5;
}

function insensitiveLayers(rule: SensitivityRule, threshold: number, layers: readonly Omit<LayerSensitivity, 'sensitive'>[]): Set<number> {
  const chosen = new Set<number>();
  if (rule === 'relative') {
    const order = layers.map((_, i) => i).sort((a, b) => layers[a]!.density - layers[b]!.density || a - b);
    for (const i of order.slice(0, Math.round(threshold * layers.length))) chosen.add(i);
    return chosen;
  }
  layers.forEach((l, i) => {
    const insensitive = rule === 'density' ? l.density <= threshold : Math.max(l.emptiedFilters, l.emptiedInputs) >= threshold;
    if (insensitive) chosen.add(i);
  });
  return chosen;
}

/** Density and emptied shares of one layer's mask. */
function measureLayer(typed: TypedGraph, weight: PrunableWeight, mask: Float32Array): Omit<LayerSensitivity, 'sensitive'> {
  const layout = weightLayout(typed, weight);
  const { outputs, inputs } = channelUse(weight.dims, layout, mask);
  let kept = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) kept++;
  const emptied = (alive: Uint8Array): number => (alive.length ? alive.reduce((n, a) => n + (a ? 0 : 1), 0) / alive.length : 0);
  return {
    weight: weight.name,
    node: weight.node,
    nodeIndex: weight.nodeIndex,
    opType: weight.opType,
    total: mask.length,
    kept,
    density: mask.length ? kept / mask.length : 0,
    filters: outputs.length,
    emptiedFilters: emptied(outputs),
    inputs: inputs.length,
    emptiedInputs: emptied(inputs),
  };
}

/**
 * The weight's channel axes, read from its op's resolved channel rule: the slices the rule
 * declares for the weight on the output and input side. A grouped convolution declares only axis
 * 0 (its full side); the other axis then holds one group's channels. Falls back to the op's
 * `outputChannelWeights` (or [out, in, ...]) when the rule is a barrier at this node.
 */
export function weightLayout(typed: TypedGraph, weight: PrunableWeight): WeightLayout {
  const node = typed.graph.nodes[weight.nodeIndex]!;
  const rule = ruleFor(node);
  const ctx = costContext(typed, node);
  const resolved = resolveChannels(rule.channels, ctx);
  if (!('barrier' in resolved)) {
    const slices = resolved.parameters.filter((p) => p.input === weight.input);
    const output = slices.find((p) => p.port.side === 'output');
    const input = slices.find((p) => p.port.side === 'input');
    const grouped = resolved.links.find((l) => l.map.kind === 'groups');
    const groups = grouped && grouped.map.kind === 'groups' ? grouped.map.groups : 1;
    if (output && input) return { outputAxis: output.axis, inputAxis: input.axis, groups };
    if (output || input) {
      const full = (output ?? input)!.axis;
      return output ? { outputAxis: full, inputAxis: 1 - full, groups } : { outputAxis: 1 - full, inputAxis: full, groups };
    }
  }
  const form = rule.outputChannelWeights?.(ctx);
  const outputAxis = form && form.weight === weight.input && form.groups === 1 ? form.weightAxis : 0;
  return { outputAxis, inputAxis: outputAxis === 0 ? 1 : 0, groups: 1 };
}

/**
 * For each output and each input channel of a weight, whether the mask keeps any weight of it.
 * Weights are [d0, d1, ...rest]: the channel axes are 0 and 1 (any order); with groups > 1 the
 * index j on the per-group axis of an entry in group g is channel g·d + j.
 */
export function channelUse(dims: readonly number[], layout: WeightLayout, mask: Float32Array): { outputs: Uint8Array; inputs: Uint8Array } {
  const [d0 = 1, d1 = 1] = dims;
  const inner = dims.slice(2).reduce((a, b) => a * b, 1);
  const g = layout.groups;
  const per0 = d0 / g;
  const size = (axis: number): number => (axis === 0 ? d0 : d1 * g);
  const outputs = new Uint8Array(size(layout.outputAxis));
  const inputs = new Uint8Array(size(layout.inputAxis));
  for (let i0 = 0; i0 < d0; i0++) {
    const group = Math.floor(i0 / per0);
    for (let i1 = 0; i1 < d1; i1++) {
      const start = (i0 * d1 + i1) * inner;
      let any = false;
      for (let k = 0; k < inner && !any; k++) any = mask[start + k] !== 0;
      if (!any) continue;
      const c1 = group * d1 + i1;
      if (layout.outputAxis === 0) {
        outputs[i0] = 1;
        inputs[c1] = 1;
      } else {
        outputs[c1] = 1;
        inputs[i0] = 1;
      }
    }
  }
  return { outputs, inputs };
}
