/**
 * The pruning-at-initialisation scorers by name, one small file each with one signature (scorer.ts).
 * @example const scores = await scorerFor('snip')(model, { backend: onnxruntimeNode, data });
 */
import { SculptError } from '../errors.js';
import { graspScores } from './grasp.js';
import { magnitudeScores } from './magnitude.js';
import { randomScores } from './random.js';
import type { Scorer } from './scorer.js';
import { snipScores } from './snip.js';
import { synflowScores } from './synflow.js';

/** Every scorer by name. */
export const SCORERS = {
  random: randomScores,
  magnitude: magnitudeScores,
  snip: snipScores,
  grasp: graspScores,
  synflow: synflowScores,
} satisfies Record<string, Scorer>;

/** A scorer's name. */
export type ScorerName = keyof typeof SCORERS;

/** Short names the CLI accepts. */
const ALIASES: Readonly<Record<string, ScorerName>> = { rand: 'random', mag: 'magnitude' };

/** The scorer of a name or alias (rand, mag); BAD_ARGUMENT listing the known names otherwise. */
export function scorerFor(name: string): Scorer {
  const key = (ALIASES[name] ?? name) as ScorerName;
  const scorer = Object.hasOwn(SCORERS, key) ? SCORERS[key] : undefined;
  if (!scorer) {
    const known = [...Object.keys(SCORERS), ...Object.keys(ALIASES)].join(', ');
    throw new SculptError('BAD_ARGUMENT', `unknown scorer '${name}' (allowed: ${known})`);
  }
  return scorer;
}

/** The canonical name of a scorer name or alias, if it is one. */
export function scorerName(name: string): ScorerName | undefined {
  const key = ALIASES[name] ?? name;
  return Object.hasOwn(SCORERS, key) ? (key as ScorerName) : undefined;
}
