/**
 * The sentences a search ends with: why the chosen model was chosen, or why nothing was and which
 * candidates came closest. One sentence each, with the numbers that decided.
 */
import { checkMeasures, effectiveParams, latencyAt, type CandidateRecord, type CriterionMiss } from './candidate.js';
import { describeCriteria, formatFileSize, formatMilliseconds, formatParams, formatQualityValue, type FitCriteria, type ResolvedCriteria } from './criteria.js';
import type { SearchStrategy } from './search.js';
import type { BaselineRecord } from './state.js';

/** What the sentences are made from. */
export interface ReasonInput {
  /** The chosen candidate; undefined when the unpruned model was chosen. */
  readonly chosen: CandidateRecord | undefined;
  readonly baseline: BaselineRecord;
  /** Every rung, ascending. */
  readonly candidates: readonly CandidateRecord[];
  readonly criteria: ResolvedCriteria;
  readonly options: FitCriteria;
  readonly metric: string;
  readonly strategy: SearchStrategy;
}

/** Why the chosen model was chosen, in one sentence. */
export function choiceReason(input: ReasonInput): string {
  const { chosen, baseline, candidates, criteria, metric } = input;
  if (!chosen) {
    const misses = candidates.map((c) => ({ id: c.id, misses: checkMeasures(c, criteria, { metric }) })).filter((c) => c.misses.length > 0);
    const least = misses.find((c) => c.misses.every((m) => Number.isFinite(m.shortfall)));
    return `No compressed candidate meets every criterion (${describeCriteria(input.options, criteria, metric)})${least ? `, e.g. ${least.id}: ${least.misses.map((m) => m.message).join(', ')}` : ''}; the unpruned model itself does, so it is chosen unchanged.`;
  }
  const index = candidates.indexOf(chosen);
  const met = metBounds(chosen, criteria, metric);
  const size = `${formatParams(effectiveParams(chosen))} parameters, ${chosen.compression >= 10 ? chosen.compression.toFixed(0) : chosen.compression.toFixed(1)}x fewer than the unpruned ${formatParams(effectiveParams(baseline))}`;
  const beyond = candidates.slice(index + 1).map((c) => ({ c, misses: c.trained || !qualityOnly(c, criteria) ? checkMeasures(c, criteria, { metric, quality: c.trained }) : [] })).find((x) => x.misses.length > 0);
  const next =
    index === candidates.length - 1
      ? 'it is the last rung of the ladder'
      : beyond
        ? `the next more compressed candidate evaluated, ${beyond.c.id}, misses: ${beyond.misses.map((m) => m.message).join(', ')}`
        : 'no more compressed rung was shown to meet them';
  return `${chosen.id} is the most compressed candidate that meets every criterion (${size}; ${met.join('; ')}); ${next}.`;
}

/** Why nothing was chosen, naming the closest candidates and what they miss. */
export function closestReason(input: { readonly closest: readonly { readonly id: string; readonly misses: readonly CriterionMiss[] }[]; readonly candidates: readonly CandidateRecord[]; readonly baseline: BaselineRecord; readonly criteria: ResolvedCriteria; readonly options: FitCriteria; readonly metric: string }): string {
  const trained = input.candidates.filter((c) => c.trained).length;
  const list = input.closest.map((c) => `${c.id} (${c.misses.map((m) => m.message).join(', ')})`).join('; ');
  return `No candidate meets every criterion (${describeCriteria(input.options, input.criteria, input.metric)}) among ${input.candidates.length} rungs (${trained} trained) and the unpruned model${list ? `; closest: ${list}` : ''}.`;
}

/** A rung not trained: are its pre-training bounds met (so only quality is unknown)? */
function qualityOnly(candidate: CandidateRecord, criteria: ResolvedCriteria): boolean {
  return checkMeasures(candidate, criteria, { quality: false }).length === 0;
}

/** The stated bounds with the chosen model's values: `Dice 0.9612 >= 0.9510`. */
function metBounds(model: CandidateRecord, criteria: ResolvedCriteria, metric: string): string[] {
  const parts: string[] = [];
  if (criteria.minQuality !== undefined && model.quality !== null) parts.push(`${metric} ${formatQualityValue(model.quality)} >= ${formatQualityValue(criteria.minQuality)}`);
  if (criteria.maxLatency) {
    const measured = latencyAt(model, criteria.maxLatency);
    if (measured) parts.push(`latency ${formatMilliseconds(measured.medianMs)} <= ${formatMilliseconds(criteria.maxLatency.ms)} at batch ${criteria.maxLatency.batch}`);
  }
  if (criteria.maxParams !== undefined) parts.push(`${formatParams(effectiveParams(model))} <= ${formatParams(criteria.maxParams)} parameters`);
  if (criteria.maxBytes !== undefined) parts.push(`${formatFileSize(model.bytes)} <= ${formatFileSize(criteria.maxBytes)}`);
  return parts;
}
