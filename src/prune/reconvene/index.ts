/**
 * Reconvene (Eccles, Wong, Varghese, CCGrid 2024; our reading in DESIGN.md): unstructured
 * pruning at initialisation, then the Pruning Sensitivity Evaluator (pse.ts) finds the layers
 * least sensitive to structured pruning and the Resilient Layer Rectifier (rlr.ts) rebuilds them
 * narrower and dense, keeping the UPaI mask on the rest. The result is a physically smaller model
 * and the masks that remain, ready to train from scratch with the training engine.
 *
 * @example
 * const { model: smaller, masks, report } = await reconvenePrune(model, {
 *   scorer: 'snip', sparsity: 0.99, backend: onnxruntimeNode, data,
 * });
 */
import type { Model } from '../../ir/graph.js';
import { layerCosts, totalCost } from '../../ops/cost.js';
import { inferModel } from '../../ops/infer.js';
import type { WeightMasks } from '../masks.js';
import { upaiPrune, type UpaiOptions, type UpaiReport } from '../upai.js';
import { evaluateSensitivity, type SensitivityOptions, type SensitivityRule } from './pse.js';
import { rectifyLayers, type RectifiedLayer, type RectifyOptions } from './rlr.js';

export { evaluateSensitivity, SENSITIVITY_RULES, type LayerSensitivity, type SensitivityOptions, type SensitivityReport, type SensitivityRule } from './pse.js';
export { DEFAULT_MIN_CHANNELS, rectifyLayers, type RectifiedLayer, type RectifyOptions, type RectifyResult } from './rlr.js';

/** Options of reconvenePrune: UPaI's (scorer, sparsity, scope, data...), the PSE rule and the RLR's. */
export interface ReconveneOptions extends UpaiOptions, Omit<RectifyOptions, 'seed'> {
  readonly sensitivity?: SensitivityOptions;
  /** Seeds the random scorer and the re-initialisation. Default 0. */
  readonly seed?: number;
}

/** Parameters and MACs per sample of a model, as src/ops/cost.ts counts them. */
interface ModelSize {
  readonly params: number;
  readonly macs: number;
}

/** What Reconvene did, layer by layer, and where the time went. */
export interface ReconveneReport {
  readonly upai: UpaiReport;
  readonly rule: SensitivityRule;
  readonly threshold: number;
  readonly layers: readonly RectifiedLayer[];
  readonly before: ModelSize;
  readonly after: ModelSize;
  /** Weights the result keeps: the masked layers' kept weights plus every weight of the rectified layers. */
  readonly keptWeights: number;
  readonly selfTest?: { readonly maxError: number; readonly tolerance: number };
  readonly timeMs: { readonly score: number; readonly mask: number; readonly pse: number; readonly plan: number; readonly surgery: number; readonly selfTest: number; readonly reinitialise: number };
}

/** The smaller model, the masks left on its sensitive layers, and the report. */
export interface ReconveneResult {
  readonly model: Model;
  readonly masks: WeightMasks;
  readonly report: ReconveneReport;
}

/** UPaI, then PSE and RLR (see the file comment). */
export async function reconvenePrune(model: Model, options: ReconveneOptions): Promise<ReconveneResult> {
  const upai = await upaiPrune(model, options);
  const inferOptions = options.inputShapes ? { inputShapes: options.inputShapes } : {};
  const pseStart = performance.now();
  const typed = inferModel(upai.model, inferOptions);
  const sensitivity = evaluateSensitivity(typed, upai.masks, options.sensitivity ?? {});
  const pseMs = performance.now() - pseStart;
  const rectified = await rectifyLayers(upai.model, upai.masks, upai.scores, sensitivity, { ...options, seed: options.seed ?? 0 });
  const size = (m: Model): ModelSize => {
    const cost = totalCost(layerCosts(inferModel(m, inferOptions)));
    return { params: cost.params, macs: cost.macs };
  };
  const keptWeights = rectified.layers.reduce((n, l) => n + l.keptAfter, 0);
  return {
    model: rectified.model,
    masks: rectified.masks,
    report: {
      upai: upai.report,
      rule: sensitivity.rule,
      threshold: sensitivity.threshold,
      layers: rectified.layers,
      before: size(upai.model),
      after: size(rectified.model),
      keptWeights,
      ...(rectified.selfTest ? { selfTest: { maxError: rectified.selfTest.maxError, tolerance: rectified.selfTest.tolerance } } : {}),
      timeMs: { ...upai.report.timeMs, pse: pseMs, ...rectified.timeMs },
    },
  };
}
