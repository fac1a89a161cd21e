/** The experiment runner's public surface (see runner.ts). */
export { NETWORKS, VARIANTS, networkFor, variantFor, settingsFingerprint, type ExperimentConfig, type ExperimentNetwork, type LatencySettings, type ReconveneVariant, type TrainingSettings } from './config.js';
export { labelledBatch, padData, padDataset, type ExperimentData } from './data.js';
export { EXPERIMENTS, cellModelIds, experimentCells, experimentFor, formatSparsity, partName, type Cell, type ExperimentDefinition, type GenerateCell, type TableKind, type TrainCell } from './grid.js';
export { measureGeneration, isGenerationFailure, type GenerationFailure, type GenerationMeasurement, type GenerationOutcome, type GenerationRequest } from './generate-cell.js';
export { replaceSection, sectionMarkers } from './markdown.js';
export { runExperiment, STATE_FORMAT, type CellRecord, type ExperimentEvent, type ExperimentServices, type ExperimentStore, type ExperimentSummary, type PartFiles, type PartState, type RunExperimentOptions } from './runner.js';
export { CLAIM, renderExperiment, type PartData } from './tables.js';
export { runTrainCell, sensitivityOptions, type CellOutput, type CellProgress, type ModelDetails } from './train-cell.js';
