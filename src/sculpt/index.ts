/** The criteria search (`sculpt fit`): criteria, ladder, methods, services, the search, its state and results. */
export {
  DEFAULT_LATENCY_THREADS,
  describeConfig,
  describeCriteria,
  noCriteria,
  parseByteSize,
  parseCount,
  parseCriteria,
  parseLatencyCeiling,
  parseLatencyConfigs,
  parseQualityFloor,
  resolveCriteria,
  type CriteriaText,
  type FitCriteria,
  type LatencyCeiling,
  type LatencyConfig,
  type QualityFloor,
  type ResolvedCriteria,
} from './criteria.js';
export {
  checkMeasures,
  effectiveParams,
  latencyAt,
  totalShortfall,
  type CandidateRecord,
  type CriterionMiss,
  type LatencyMeasurement,
  type LayerWidthRecord,
  type ModelMeasures,
  type TrainingRecord,
} from './candidate.js';
export { DEFAULT_LADDER, formatFactor, parseLadder } from './ladder.js';
export { paretoFront, type Objective } from '../util/pareto.js';
export { searchLadder, SEARCH_STRATEGIES, type LadderSearchOptions, type LadderSearchResult, type SearchStrategy } from './search.js';
export { checkResumable, emptyState, FIT_STATE_FORMAT, FIT_STATE_VERSION, hashBytes, parseFitState, type BaselineRecord, type FitFingerprint, type FitState } from './state.js';
export { isUnreachableRung, unreachableRung, type FitMethod, type FitServices, type PreparedCandidate, type TrainedModel, type TrainRequest } from './method.js';
export { CHANNEL_ALLOCATIONS, channelMethod, initialisationMethod, uniformMethod, type ChannelAllocation, type ChannelMethodOptions, type InitialisationMethodOptions, type UniformMethodOptions } from './methods.js';
export { capChannels, type CapOptions, type CapResult } from './allocation.js';
export { createFitServices, type FitServiceOptions } from './services.js';
export { BASELINE_ID, fit, measureModel, type FitChoice, type FitEvent, type FitOptions, type FitResult, type FitStore } from './fit.js';
export { memoryStore, type MemoryStore } from './store.js';
export { fitResultsFile, type FitResultsFile, type FitRunInfo, type FitTaskInfo } from './results.js';
