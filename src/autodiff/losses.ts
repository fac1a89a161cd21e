/**
 * Losses on logits [N, K, ...] (class axis 1), each written as ONNX nodes together with its
 * gradient with respect to the logits, which seeds the backward pass. Written by hand rather
 * than differentiated through op rules: the closed forms (softmax - one-hot) are cheaper and
 * exact.
 */
import { SculptError } from '../errors.js';
import { ONNX_DATA_TYPE, float32 } from '../ir/tensor.js';
import type { GraphEmitter } from '../ops/backward.js';
import type { ValueType } from '../ops/rule.js';
import { formatShape } from '../ops/shapes.js';

/** Mean softmax cross-entropy over samples (and pixels), skipping `ignoreIndex` labels. */
export interface CrossEntropyLoss {
  readonly kind: 'cross-entropy';
  /** Labels equal to this contribute nothing and are not counted in the mean (segmentation's "void"). */
  readonly ignoreIndex?: number;
  /** Divides the logits by T before the softmax (GraSP scores with T = 200). Default 1. */
  readonly temperature?: number;
}

/**
 * Soft Dice: 1 - mean over classes of (2·Σ p·y + s) / (Σ p + Σ y + s), sums over the whole batch
 * and all pixels, p the softmax probabilities, y the one-hot labels, s the smoothing term.
 */
export interface DiceLoss {
  readonly kind: 'dice';
  readonly ignoreIndex?: number;
  /** Default 1. */
  readonly smooth?: number;
  /** Include class 0 (background) in the mean. Default false. */
  readonly includeBackground?: boolean;
}

/** Cross-entropy plus `diceWeight` times soft Dice, a common choice for segmentation. */
export interface CrossEntropyDiceLoss {
  readonly kind: 'cross-entropy+dice';
  readonly ignoreIndex?: number;
  readonly smooth?: number;
  readonly includeBackground?: boolean;
  /** Default 1. */
  readonly diceWeight?: number;
}

/** R = Σ output (SynFlow's objective); needs no labels. */
export interface SumObjective {
  readonly kind: 'sum';
}

/** R = Σ output ⊙ weights with the weights a graph input: a vector-Jacobian product. */
export interface DotObjective {
  readonly kind: 'dot';
}

export type LossOptions = CrossEntropyLoss | DiceLoss | CrossEntropyDiceLoss;
export type ObjectiveOptions = LossOptions | SumObjective | DotObjective;

/** The written loss: its scalar value and its gradient with respect to the logits. */
export interface EmittedLoss {
  readonly loss: string;
  readonly gradient: string;
}

/** True when the objective reads labels. */
export function needsLabels(objective: ObjectiveOptions): boolean {
  return objective.kind !== 'sum' && objective.kind !== 'dot';
}

/** The labels' type for logits of the given type: int64 [N] for [N, K], int64 [N, H, W] for [N, K, H, W]. */
export function labelsType(logits: ValueType): ValueType {
  return { dtype: 'int64', shape: [logits.shape[0]!, ...logits.shape.slice(2)] };
}

/** Writes an objective on `logits`; `extra` is the labels (losses) or the weights (dot). */
export function emitObjective(g: GraphEmitter, objective: ObjectiveOptions, logits: string, type: ValueType, extra: string | undefined): EmittedLoss {
  if (objective.kind === 'sum') {
    return { loss: g.reduceSum(logits, [...type.shape.keys()], false), gradient: g.op('Expand', [g.scalar(1), g.shapeOf(logits, type)]) };
  }
  if (objective.kind === 'dot') {
    return { loss: g.reduceSum(g.op('Mul', [logits, extra!]), [...type.shape.keys()], false), gradient: extra! };
  }
  const classes = type.shape[1];
  if (typeof classes !== 'number') throw new SculptError('SHAPE_MISMATCH', `the loss needs a static class count on axis 1 of the logits ${formatShape(type.shape)}`);
  const labels = prepareLabels(g, extra!, classes, objective.ignoreIndex, type);
  if (objective.kind === 'cross-entropy') return crossEntropy(g, logits, type, labels, objective.temperature ?? 1);
  const dice = diceLoss(g, logits, type, labels, objective.smooth ?? 1, objective.includeBackground ?? false);
  if (objective.kind === 'dice') return dice;
  const ce = crossEntropy(g, logits, type, labels, 1);
  const weight = objective.diceWeight ?? 1;
  return {
    loss: g.op('Add', [ce.loss, g.op('Mul', [dice.loss, g.scalar(weight)])]),
    gradient: g.op('Add', [ce.gradient, g.op('Mul', [dice.gradient, g.scalar(weight)])]),
  };
}

interface Labels {
  /** One-hot labels [N, K, ...], zero at ignored positions. */
  readonly oneHot: string;
  /** 1 at counted positions [N, 1, ...]; undefined when nothing is ignored. */
  readonly valid: string | undefined;
  /** Number of counted positions (float scalar). */
  readonly count: string;
}

function prepareLabels(g: GraphEmitter, labels: string, classes: number, ignoreIndex: number | undefined, type: ValueType): Labels {
  const depth = g.ints([classes]);
  const values = g.constantTensor(float32([2], [0, 1]));
  const positions = type.shape.filter((_, i) => i !== 1);
  const staticCount = positions.every((d) => typeof d === 'number') ? (positions as number[]).reduce((a, b) => a * b, 1) : undefined;
  if (ignoreIndex === undefined) {
    const oneHot = g.op('OneHot', [labels, depth, values], { axis: 1 });
    const count = staticCount !== undefined ? g.scalar(staticCount) : g.op('Cast', [g.op('Size', [labels])], { to: ONNX_DATA_TYPE.float32 });
    return { oneHot, valid: undefined, count };
  }
  const keep = g.op('Not', [g.op('Equal', [labels, g.scalar(ignoreIndex, 'int64')])]);
  // Ignored labels may be negative (OneHot would wrap them) or beyond K: map them to class 0 first.
  const safe = g.op('Where', [keep, labels, g.scalar(0, 'int64')]);
  const valid = g.unsqueeze(g.op('Cast', [keep], { to: ONNX_DATA_TYPE.float32 }), [1]);
  const oneHot = g.op('Mul', [g.op('OneHot', [safe, depth, values], { axis: 1 }), valid]);
  const count = g.op('Max', [g.reduceSum(valid, [...type.shape.keys()], false), g.scalar(1)]);
  return { oneHot, valid, count };
}

/** Class-axis log-softmax; before opset 13 the op flattened from the axis, so the class axis moves last. */
function logSoftmax(g: GraphEmitter, logits: string, rank: number): string {
  if (g.opset >= 13 || rank === 2) return g.op('LogSoftmax', [logits], { axis: 1 });
  const last = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
  const back = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
  return g.op('Transpose', [g.op('LogSoftmax', [g.op('Transpose', [logits], { perm: last })], { axis: rank - 1 })], { perm: back });
}

// L = -Σ y·log softmax(z/T) / count;  dL/dz = (softmax(z/T)·valid - y) / (count·T).
function crossEntropy(g: GraphEmitter, logits: string, type: ValueType, labels: Labels, temperature: number): EmittedLoss {
  const rank = type.shape.length;
  const scaled = temperature === 1 ? logits : g.op('Mul', [logits, g.scalar(1 / temperature)]);
  const logProbabilities = logSoftmax(g, scaled, rank);
  const total = g.reduceSum(g.op('Mul', [labels.oneHot, logProbabilities]), [...type.shape.keys()], false);
  const loss = g.op('Neg', [g.op('Div', [total, labels.count])]);
  let probabilities = g.op('Exp', [logProbabilities]);
  if (labels.valid) probabilities = g.op('Mul', [probabilities, labels.valid]);
  const denominator = temperature === 1 ? labels.count : g.op('Mul', [labels.count, g.scalar(temperature)]);
  const gradient = g.op('Div', [g.op('Sub', [probabilities, labels.oneHot]), denominator]);
  return { loss, gradient };
}

// With sums over batch and pixels per class c: I = Σ p·y, S = Σ p·valid + Σ y, d_c = (2I + s)/(S + s),
// L = 1 - Σ_c w_c·d_c. dL/dp = a_c·y + b_c·valid with a_c = -2w_c/(S+s), b_c = w_c(2I+s)/(S+s)²,
// then through the softmax: dz = p ⊙ (dp - Σ_k dp_k·p_k).
function diceLoss(g: GraphEmitter, logits: string, type: ValueType, labels: Labels, smooth: number, includeBackground: boolean): EmittedLoss {
  const rank = type.shape.length;
  const classes = type.shape[1] as number;
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  let probabilities = g.op('Exp', [logSoftmax(g, logits, rank)]);
  if (labels.valid) probabilities = g.op('Mul', [probabilities, labels.valid]);
  const counted = includeBackground ? classes : classes - 1;
  if (counted < 1) throw new SculptError('BAD_ARGUMENT', `Dice without the background class needs at least 2 classes, the logits have ${classes}`);
  const weights = new Float32Array(classes).fill(1 / counted);
  if (!includeBackground) weights[0] = 0;
  const classWeights = g.constantTensor(float32([1, classes, ...new Array<number>(rank - 2).fill(1)], weights));
  const s = g.scalar(smooth);
  const intersection = g.reduceSum(g.op('Mul', [probabilities, labels.oneHot]), axes, true);
  const denominator = g.op('Add', [g.op('Add', [g.reduceSum(probabilities, axes, true), g.reduceSum(labels.oneHot, axes, true)]), s]);
  const numerator = g.op('Add', [g.op('Mul', [intersection, g.scalar(2)]), s]);
  const dice = g.op('Div', [numerator, denominator]);
  const loss = g.op('Sub', [g.scalar(1), g.reduceSum(g.op('Mul', [dice, classWeights]), [...type.shape.keys()], false)]);
  const a = g.op('Div', [g.op('Mul', [classWeights, g.scalar(-2)]), denominator]);
  const b = g.op('Div', [g.op('Mul', [classWeights, numerator]), g.op('Mul', [denominator, denominator])]);
  let dProbabilities = g.op('Add', [g.op('Mul', [labels.oneHot, a]), b]);
  if (labels.valid) dProbabilities = g.op('Mul', [dProbabilities, labels.valid]);
  const inner = g.reduceSum(g.op('Mul', [dProbabilities, probabilities]), [1], true);
  const gradient = g.op('Mul', [probabilities, g.op('Sub', [dProbabilities, inner])]);
  return { loss, gradient };
}
