/**
 * Metrics from counts summed over a whole dataset: top-1 accuracy for classification; per-class
 * Dice and IoU for segmentation. Counts are summed over every batch first and the ratios taken
 * once ("global" Dice, as nnU-Net and MONAI's aggregated metrics report), so a batch with few
 * pixels of a class weighs no more than its pixels do. Pixels holding the ignore label are never
 * counted (the eval graph drops them before counting).
 *
 * Dice_c = 2·I_c / (P_c + T_c) and IoU_c = I_c / (P_c + T_c − I_c), with I_c the pixels predicted
 * and labelled c, P_c those predicted c, T_c those labelled c. A class that is neither labelled
 * nor predicted anywhere has no score (null) and is left out of the means.
 */

/** Classification metrics. */
export interface ClassificationMetrics {
  readonly task: 'classification';
  /** Mean cross-entropy (the eval loss) over the examples. */
  readonly loss: number;
  /** Correct top-1 predictions over examples, in [0, 1]. */
  readonly accuracy: number;
  readonly correct: number;
  readonly count: number;
}

/** Segmentation metrics; arrays are indexed by class. */
export interface SegmentationMetrics {
  readonly task: 'segmentation';
  /** Mean eval loss over the counted pixels. */
  readonly loss: number;
  /** Pixels counted (ignore label excluded). */
  readonly count: number;
  /** Share of counted pixels predicted right. */
  readonly pixelAccuracy: number;
  readonly dice: readonly (number | null)[];
  readonly iou: readonly (number | null)[];
  /** Mean over classes 1..K−1 (the background, class 0, left out) that have a score. */
  readonly meanForegroundDice: number;
  readonly meanForegroundIoU: number;
  /** Mean over all classes that have a score. */
  readonly meanDice: number;
  readonly meanIoU: number;
}

/** What `evaluate` measures. */
export type Metrics = ClassificationMetrics | SegmentationMetrics;

/** Per-class pixel counts summed over a dataset. */
export interface ClassCounts {
  readonly intersection: ArrayLike<number>;
  readonly predicted: ArrayLike<number>;
  readonly target: ArrayLike<number>;
}

/** Accuracy from counts; 0 examples give NaN. */
export function classificationMetrics(counts: { readonly loss: number; readonly correct: number; readonly count: number }): ClassificationMetrics {
  return { task: 'classification', loss: counts.loss, accuracy: counts.count > 0 ? counts.correct / counts.count : NaN, correct: counts.correct, count: counts.count };
}

/** Dice = 2I/(P+T) per class; null for a class neither labelled nor predicted. */
export function diceScores(counts: ClassCounts): (number | null)[] {
  return Array.from({ length: counts.intersection.length }, (_, c) => {
    const sum = counts.predicted[c]! + counts.target[c]!;
    return sum > 0 ? (2 * counts.intersection[c]!) / sum : null;
  });
}

/** IoU = I/(P+T−I) per class; null for a class neither labelled nor predicted. */
export function iouScores(counts: ClassCounts): (number | null)[] {
  return Array.from({ length: counts.intersection.length }, (_, c) => {
    const union = counts.predicted[c]! + counts.target[c]! - counts.intersection[c]!;
    return union > 0 ? counts.intersection[c]! / union : null;
  });
}

/** Mean of the scores that exist, from class `first` on; NaN when none does. */
export function meanScore(scores: readonly (number | null)[], first = 0): number {
  const present = scores.slice(first).filter((s): s is number => s !== null);
  return present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : NaN;
}

/** Segmentation metrics from per-class counts, the summed loss and the pixel count. */
export function segmentationMetrics(counts: ClassCounts & { readonly loss: number; readonly count: number }): SegmentationMetrics {
  const dice = diceScores(counts);
  const iou = iouScores(counts);
  let correct = 0;
  for (let c = 0; c < counts.intersection.length; c++) correct += counts.intersection[c]!;
  return {
    task: 'segmentation',
    loss: counts.loss,
    count: counts.count,
    pixelAccuracy: counts.count > 0 ? correct / counts.count : NaN,
    dice,
    iou,
    meanForegroundDice: meanScore(dice, 1),
    meanForegroundIoU: meanScore(iou, 1),
    meanDice: meanScore(dice),
    meanIoU: meanScore(iou),
  };
}

/** The one number a run is judged by: accuracy, or the mean foreground Dice. */
export function headlineMetric(metrics: Metrics): { readonly name: string; readonly value: number } {
  return metrics.task === 'classification' ? { name: 'accuracy', value: metrics.accuracy } : { name: 'mean foreground Dice', value: metrics.meanForegroundDice };
}
