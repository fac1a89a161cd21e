/**
 * A candidate of a criteria search: one rung of the compression ladder made by one method, with
 * what was measured about it, and the check of those measurements against the criteria. Plain
 * data, so records go into the resume state and the results file unchanged.
 */
import { describeConfig, formatFileSize, formatMilliseconds, formatParams, formatQualityValue, type LatencyConfig, type ResolvedCriteria } from './criteria.js';

/** A median latency at one configuration (onnxruntime-node CPU). */
export interface LatencyMeasurement extends LatencyConfig {
  readonly medianMs: number;
  readonly p90Ms: number;
  /** Timed runs the statistics come from. */
  readonly runs: number;
}

/** What a model measures: size, cost, quality and latency. */
export interface ModelMeasures {
  /** Parameters stored (zeros included). */
  readonly params: number;
  /** Non-zero parameters, for masked (unstructured) models. */
  readonly nonzeroParams?: number;
  /** Multiply-accumulates per sample. */
  readonly macs: number;
  /** Size of the ONNX encoding. */
  readonly bytes: number;
  /** Quality on the held-out set in the task's metric; null when the model was not trained. */
  readonly quality: number | null;
  readonly latency: readonly LatencyMeasurement[];
}

/** How much training a candidate received. */
export interface TrainingRecord {
  readonly epochs: number;
  readonly steps: number;
  /** Examples seen (steps × batch). */
  readonly examples: number;
  readonly seconds: number;
}

/** Output width of one weighted layer before and after. */
export interface LayerWidthRecord {
  readonly name: string;
  readonly op: string;
  readonly before: number;
  readonly after: number;
}

/** One evaluated rung of the ladder. */
export interface CandidateRecord extends ModelMeasures {
  /** `<method>-<target>x`, unique in a search. */
  readonly id: string;
  /** The method's results slug ('l1', 'taylor', 'uniform', 'upai', 'reconvene'). */
  readonly method: string;
  /** The criterion or scorer that ranked weights or channels, when there is one. */
  readonly scorer?: string;
  /** The compression asked for (a rung of the ladder). */
  readonly target: number;
  /** The compression reached: the unpruned model's parameters over this one's (non-zero) parameters. */
  readonly compression: number;
  /** False for a rung that was made and timed but not trained (it missed a size or latency bound, or the search did not need it). */
  readonly trained: boolean;
  readonly training?: TrainingRecord;
  /** Seconds to make the untrained candidate (scoring, selection, surgery). */
  readonly generationSeconds: number;
  readonly layers?: readonly LayerWidthRecord[];
  /** Share of prunable weights masked, for unstructured methods. */
  readonly sparsity?: number;
  /** The trained .onnx file, relative to the output folder. */
  readonly file?: string;
  /** When the record was finished (ISO 8601). */
  readonly finishedAt: string;
}

/** A criterion a model misses, how (in words), and by how much (relative; Infinity when not measured). */
export interface CriterionMiss {
  readonly criterion: keyof ResolvedCriteria;
  readonly message: string;
  readonly shortfall: number;
}

/** The latency measured at a configuration, if any. */
export function latencyAt(measures: Pick<ModelMeasures, 'latency'>, config: LatencyConfig): LatencyMeasurement | undefined {
  return measures.latency.find((l) => l.batch === config.batch && l.threads === config.threads);
}

/** The parameters a bound on parameters reads: non-zero ones when recorded. */
export function effectiveParams(measures: Pick<ModelMeasures, 'params' | 'nonzeroParams'>): number {
  return measures.nonzeroParams ?? measures.params;
}

/**
 * Every bound the measures miss. `quality: false` checks only what is known before training
 * (size, cost and latency do not depend on the weights).
 */
export function checkMeasures(measures: ModelMeasures, criteria: ResolvedCriteria, options: { readonly quality?: boolean; readonly metric?: string } = {}): CriterionMiss[] {
  const misses: CriterionMiss[] = [];
  const metric = options.metric ?? 'quality';
  if (criteria.minQuality !== undefined && options.quality !== false) {
    if (measures.quality === null) misses.push({ criterion: 'minQuality', message: `${metric} not measured (not trained)`, shortfall: Infinity });
    else if (measures.quality < criteria.minQuality) {
      misses.push({
        criterion: 'minQuality',
        message: `${metric} ${formatQualityValue(measures.quality)} is below ${formatQualityValue(criteria.minQuality)}`,
        shortfall: (criteria.minQuality - measures.quality) / criteria.minQuality,
      });
    }
  }
  if (criteria.maxLatency) {
    const measured = latencyAt(measures, criteria.maxLatency);
    if (!measured) misses.push({ criterion: 'maxLatency', message: `latency not measured at ${describeConfig(criteria.maxLatency)}`, shortfall: Infinity });
    else if (measured.medianMs > criteria.maxLatency.ms) {
      misses.push({
        criterion: 'maxLatency',
        message: `latency ${formatMilliseconds(measured.medianMs)} is above ${formatMilliseconds(criteria.maxLatency.ms)}`,
        shortfall: (measured.medianMs - criteria.maxLatency.ms) / criteria.maxLatency.ms,
      });
    }
  }
  const params = effectiveParams(measures);
  if (criteria.maxParams !== undefined && params > criteria.maxParams) {
    misses.push({ criterion: 'maxParams', message: `${formatParams(params)} parameters is above ${formatParams(criteria.maxParams)}`, shortfall: (params - criteria.maxParams) / criteria.maxParams });
  }
  if (criteria.maxBytes !== undefined && measures.bytes > criteria.maxBytes) {
    misses.push({ criterion: 'maxBytes', message: `size ${formatFileSize(measures.bytes)} is above ${formatFileSize(criteria.maxBytes)}`, shortfall: (measures.bytes - criteria.maxBytes) / criteria.maxBytes });
  }
  return misses;
}

/** The sum of relative shortfalls: 0 for a model meeting every criterion; what "closest" ranks by. */
export function totalShortfall(misses: readonly CriterionMiss[]): number {
  return misses.reduce((sum, m) => sum + m.shortfall, 0);
}
