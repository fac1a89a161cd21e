/**
 * Which rungs of the ladder to train. Size, cost and latency are known before training (they do
 * not depend on the weights), so rungs that miss those bounds are never trained; quality needs
 * training. Two strategies:
 *
 * - binary: among the rungs that pass the pre-training bounds, quality is assumed to fall as
 *   compression rises, and a binary search finds the most compressed rung meeting the quality
 *   floor with about log2(n) trainings. Without a quality floor only the most compressed feasible
 *   rung is trained.
 * - all: every rung is trained (a full quality-vs-compression curve); the most compressed rung
 *   meeting every bound is chosen, whatever the shape of the curve.
 *
 * The order of trainings is a function of the outcomes only, so a resumed search that answers
 * finished rungs from its state walks the same path.
 */

/** How the ladder is searched. */
export type SearchStrategy = 'binary' | 'all';

/** The search strategies, for option parsing. */
export const SEARCH_STRATEGIES: readonly SearchStrategy[] = ['binary', 'all'];

/** What the search is told. Rungs are numbered 0..rungs-1 in ascending compression. */
export interface LadderSearchOptions {
  readonly rungs: number;
  readonly strategy: SearchStrategy;
  /** True when the rung passes every bound known before training. */
  readonly feasible: (rung: number) => boolean;
  /** True when a quality floor is stated (else only feasibility decides). */
  readonly qualityFloor: boolean;
  /** Trains the rung (or reads it from the resume state) and says whether it meets the quality floor. */
  readonly train: (rung: number) => Promise<boolean>;
}

/** The most compressed rung meeting every bound (undefined when none does), and the rungs trained, in order. */
export interface LadderSearchResult {
  readonly chosen: number | undefined;
  readonly trained: readonly number[];
}

/** Searches the ladder (see the file comment). */
export async function searchLadder(options: LadderSearchOptions): Promise<LadderSearchResult> {
  const trained: number[] = [];
  const meets = new Map<number, boolean>();
  const train = async (rung: number): Promise<boolean> => {
    const known = meets.get(rung);
    if (known !== undefined) return known;
    trained.push(rung);
    const passed = await options.train(rung);
    const result = !options.qualityFloor || passed;
    meets.set(rung, result);
    return result;
  };
  const all = Array.from({ length: options.rungs }, (_, i) => i);
  const feasible = all.filter((i) => options.feasible(i));
  if (options.strategy === 'all') {
    let chosen: number | undefined;
    for (const rung of all) if ((await train(rung)) && options.feasible(rung)) chosen = rung;
    return { chosen, trained };
  }
  if (!options.qualityFloor) {
    const last = feasible.at(-1);
    if (last !== undefined) await train(last);
    return { chosen: last, trained };
  }
  // Invariant: feasible[lo] meets the floor (lo = -1: nothing known to), feasible[hi] misses it (hi = n: none known to).
  let lo = -1;
  let hi = feasible.length;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await train(feasible[mid]!)) lo = mid;
    else hi = mid;
  }
  return { chosen: lo >= 0 ? feasible[lo] : undefined, trained };
}
