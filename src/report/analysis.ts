/**
 * Questions asked of a set of model entries: does a model meet the deployment criteria, which
 * models form the Pareto front, which model a merge of several searches should pick.
 */
import { paretoFront as nonDominated } from '../util/pareto.js';
import { formatBytes, formatConfig, formatCount, formatMs, formatQuality } from './format.js';
import { latencyAt, type ModelChoice, type DeploymentCriteria, type LatencyConfig, type ModelEntry, type ParetoObjective, type QualityMetric } from './results.js';

/** One missed bound: which criterion, and a phrase saying how it was missed. */
export interface CriteriaFailure {
  readonly criterion: keyof DeploymentCriteria;
  /** E.g. "quality 96.10% is below 97.00%", "latency not measured at 1 thread, batch 1". */
  readonly message: string;
}

/** Whether a model meets the criteria, and each bound it misses. */
export interface CriteriaCheck {
  readonly meets: boolean;
  readonly failures: readonly CriteriaFailure[];
}

/**
 * Checks every stated bound. A bound on something the model did not measure counts as missed,
 * since nothing shows the model meets it. maxParams reads non-zero parameters when recorded.
 */
export function checkCriteria(model: ModelEntry, criteria: DeploymentCriteria, metric: QualityMetric): CriteriaCheck {
  const failures: CriteriaFailure[] = [];
  if (criteria.minQuality !== undefined) {
    if (model.quality === null) failures.push({ criterion: 'minQuality', message: 'quality not measured' });
    else if (model.quality < criteria.minQuality) failures.push({ criterion: 'minQuality', message: `quality ${formatQuality(model.quality, metric)} is below ${formatQuality(criteria.minQuality, metric)}` });
  }
  if (criteria.maxLatency !== undefined) {
    const measured = latencyAt(model, criteria.maxLatency);
    if (!measured) failures.push({ criterion: 'maxLatency', message: `latency not measured at ${formatConfig(criteria.maxLatency)}` });
    else if (measured.medianMs > criteria.maxLatency.ms) failures.push({ criterion: 'maxLatency', message: `latency ${formatMs(measured.medianMs)} is above ${formatMs(criteria.maxLatency.ms)}` });
  }
  if (criteria.maxParams !== undefined) {
    const params = model.nonzeroParams ?? model.params;
    if (params > criteria.maxParams) failures.push({ criterion: 'maxParams', message: `${formatCount(params)} parameters is above ${formatCount(criteria.maxParams)}` });
  }
  if (criteria.maxBytes !== undefined && model.bytes > criteria.maxBytes) failures.push({ criterion: 'maxBytes', message: `size ${formatBytes(model.bytes)} is above ${formatBytes(criteria.maxBytes)}` });
  return { meets: failures.length === 0, failures };
}

/** A model's value of one objective, oriented so that larger is better; undefined when not measured. */
function objectiveValue(model: ModelEntry, objective: ParetoObjective, latencyConfig: LatencyConfig | undefined): number | undefined {
  switch (objective) {
    case 'quality':
      return model.quality ?? undefined;
    case 'params':
      return -model.params;
    case 'nonzeroParams':
      return -(model.nonzeroParams ?? model.params);
    case 'macs':
      return -model.macs;
    case 'bytes':
      return -model.bytes;
    case 'latency': {
      const measured = latencyConfig && latencyAt(model, latencyConfig);
      return measured ? -measured.medianMs : undefined;
    }
  }
}

/**
 * The ids of the models that no other model dominates (at least as good on every objective and
 * better on one), in input order. Models missing a value for an objective take no part.
 */
export function paretoFront(models: readonly ModelEntry[], objectives: readonly ParetoObjective[], latencyConfig?: LatencyConfig): string[] {
  const oriented = objectives.map((o) => ({ value: (model: ModelEntry) => objectiveValue(model, o, latencyConfig), maximise: true }));
  return nonDominated(models, oriented).map((model) => model.id);
}

/**
 * The smallest model (by file size, then non-zero parameters, then input order) that meets every
 * criterion, with a one-sentence reason; undefined when none does.
 */
export function chooseSmallest(models: readonly ModelEntry[], criteria: DeploymentCriteria, metric: QualityMetric): ModelChoice | undefined {
  const passing = models.filter((m) => checkCriteria(m, criteria, metric).meets);
  let best: ModelEntry | undefined;
  for (const model of passing) {
    const size = (m: ModelEntry): [number, number] => [m.bytes, m.nonzeroParams ?? m.params];
    if (!best) best = model;
    else {
      const [b0, b1] = size(best);
      const [m0, m1] = size(model);
      if (m0 < b0 || (m0 === b0 && m1 < b1)) best = model;
    }
  }
  if (!best) return undefined;
  const of = passing.length === 1 ? 'the only model' : `the smallest of the ${passing.length} models`;
  return { id: best.id, reason: `${best.label} is ${of} that meet every criterion (${formatBytes(best.bytes)}).` };
}
