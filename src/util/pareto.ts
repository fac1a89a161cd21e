/**
 * Pareto fronts: the items no other item beats on every objective at once (at least as good on
 * all, strictly better on one). Quality is maximised; size and latency minimised.
 * @example paretoFront(models, [{ value: (m) => m.quality, maximise: true }, { value: (m) => m.params }])
 */

/** One objective: a value per item, minimised unless `maximise`. Items whose value is not finite are left out. */
export interface Objective<T> {
  readonly value: (item: T) => number | null | undefined;
  readonly maximise?: boolean;
}

/** The non-dominated items, in their input order. Items tied on every objective are all kept. */
export function paretoFront<T>(items: readonly T[], objectives: readonly Objective<T>[]): T[] {
  const scored = items
    .map((item) => ({ item, values: objectives.map((o) => o.value(item)) }))
    .filter((s): s is { item: T; values: number[] } => s.values.every((v) => typeof v === 'number' && Number.isFinite(v)))
    .map(({ item, values }) => ({ item, costs: values.map((v, i) => (objectives[i]!.maximise ? -v : v)) }));
  const dominates = (a: readonly number[], b: readonly number[]): boolean => a.every((v, i) => v <= b[i]!) && a.some((v, i) => v < b[i]!);
  return scored.filter((s) => !scored.some((other) => dominates(other.costs, s.costs))).map((s) => s.item);
}
