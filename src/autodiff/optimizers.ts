/**
 * Optimizer updates written as ONNX nodes, following PyTorch's torch.optim formulas exactly so a
 * run can be compared step by step. The learning rate is a graph input; optimizer state
 * (momentum buffers, Adam moments, the step count) is graph input and output.
 */
import { SculptError } from '../errors.js';
import { float32, type Tensor } from '../ir/tensor.js';
import type { GraphEmitter } from '../ops/backward.js';

/** SGD as torch.optim.SGD (dampening 0): g += wd·w; b = μ·b + g; step = nesterov ? g + μ·b : b. */
export interface SgdOptions {
  readonly kind: 'sgd';
  /** Default 0 (plain SGD, no momentum buffers). */
  readonly momentum?: number;
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  readonly weightDecay?: number;
}

/** Adam as torch.optim.Adam (weight decay as L2 on the gradient) or AdamW (decoupled decay). */
export interface AdamOptions {
  readonly kind: 'adam' | 'adamw';
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.999. */
  readonly beta2?: number;
  /** Default 1e-8. */
  readonly epsilon?: number;
  /** Default 0 for Adam, 0.01 for AdamW (PyTorch's defaults). */
  readonly weightDecay?: number;
}

export type OptimizerOptions = SgdOptions | AdamOptions;

/** One parameter to update. */
export interface UpdateTarget {
  readonly name: string;
  readonly gradient: string;
  readonly dims: readonly number[];
  /** A 0/1 mask input: gradients and new values are multiplied by it, so masked weights stay exactly zero. */
  readonly mask?: string;
}

/** A state tensor the optimizer reads and writes each step. */
export interface OptimizerState {
  /** The graph input. */
  readonly input: string;
  /** The value holding its next state after the step. */
  readonly next: string;
  /** Its value before the first step. */
  readonly initial: Tensor;
}

/** What the update wrote: the new value of each parameter and the optimizer's state. */
export interface EmittedUpdate {
  readonly updated: ReadonlyMap<string, string>;
  readonly state: readonly OptimizerState[];
}

/** Checks the options at the public boundary. */
export function checkOptimizer(options: OptimizerOptions): void {
  const inRange = (value: number | undefined, what: string, max = Infinity): void => {
    if (value !== undefined && !(value >= 0 && value < max)) throw new SculptError('BAD_ARGUMENT', `${options.kind} ${what} must be in [0, ${max}), got ${value}`);
  };
  if (options.kind === 'sgd') {
    inRange(options.momentum, 'momentum', 1);
    inRange(options.weightDecay, 'weightDecay');
    if (options.nesterov && !(options.momentum && options.momentum > 0)) throw new SculptError('BAD_ARGUMENT', 'sgd nesterov needs a momentum above 0 (as in PyTorch)');
    return;
  }
  inRange(options.beta1, 'beta1', 1);
  inRange(options.beta2, 'beta2', 1);
  inRange(options.weightDecay, 'weightDecay');
  if (options.epsilon !== undefined && !(options.epsilon > 0)) throw new SculptError('BAD_ARGUMENT', `${options.kind} epsilon must be above 0, got ${options.epsilon}`);
}

/** Writes one optimizer step for every target. `declare(base, dims)` declares a state input and returns its name. */
export function emitOptimizer(
  g: GraphEmitter,
  options: OptimizerOptions,
  targets: readonly UpdateTarget[],
  learningRate: string,
  declare: (base: string, dims: readonly number[]) => string,
): EmittedUpdate {
  const updated = new Map<string, string>();
  const state: OptimizerState[] = [];
  const stateOf = (base: string, dims: readonly number[], initialValue = 0): { input: string; commit(value: string): void } => {
    const input = declare(base, dims);
    return {
      input,
      commit: (next) => state.push({ input, next, initial: float32(dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(initialValue)) }),
    };
  };
  let stepCount: { value: string; corrections: { first: string; second: string } } | undefined;
  if (options.kind !== 'sgd') {
    const step = stateOf('optimizer.step', []);
    const next = g.op('Add', [step.input, g.scalar(1)]);
    step.commit(next);
    const beta1 = options.beta1 ?? 0.9;
    const beta2 = options.beta2 ?? 0.999;
    stepCount = {
      value: next,
      corrections: {
        first: g.op('Sub', [g.scalar(1), g.op('Pow', [g.scalar(beta1), next])]),
        second: g.op('Sqrt', [g.op('Sub', [g.scalar(1), g.op('Pow', [g.scalar(beta2), next])])]),
      },
    };
  }
  for (const target of targets) {
    const w = target.name;
    let grad = target.mask ? g.op('Mul', [target.gradient, target.mask]) : target.gradient;
    let next: string;
    if (options.kind === 'sgd') {
      // Terms are summed by one n-ary Sum: each op is a pass over the weights, which for VGG-sized
      // models costs more than the arithmetic.
      const decay = options.weightDecay ?? 0;
      const terms = decay > 0 ? [grad, g.op('Mul', [w, g.scalar(decay)])] : [grad];
      const sum = (parts: readonly string[]): string => (parts.length === 1 ? parts[0]! : g.op('Sum', parts));
      const momentum = options.momentum ?? 0;
      let direction = sum(terms);
      if (momentum > 0) {
        const buffer = stateOf(`${w}.momentum`, target.dims);
        const updatedBuffer = sum([g.op('Mul', [buffer.input, g.scalar(momentum)]), ...terms]);
        buffer.commit(updatedBuffer);
        direction = options.nesterov ? sum([...terms, g.op('Mul', [updatedBuffer, g.scalar(momentum)])]) : updatedBuffer;
      }
      next = g.op('Sub', [w, g.op('Mul', [direction, learningRate])]);
    } else {
      const beta1 = options.beta1 ?? 0.9;
      const beta2 = options.beta2 ?? 0.999;
      const epsilon = options.epsilon ?? 1e-8;
      const decay = options.weightDecay ?? (options.kind === 'adamw' ? 0.01 : 0);
      let base = w;
      if (decay > 0 && options.kind === 'adam') grad = g.op('Add', [grad, g.op('Mul', [w, g.scalar(decay)])]);
      if (decay > 0 && options.kind === 'adamw') base = g.op('Sub', [w, g.op('Mul', [w, g.op('Mul', [learningRate, g.scalar(decay)])])]);
      const m = stateOf(`${w}.adam_m`, target.dims);
      const v = stateOf(`${w}.adam_v`, target.dims);
      const mNext = g.op('Add', [g.op('Mul', [m.input, g.scalar(beta1)]), g.op('Mul', [grad, g.scalar(1 - beta1)])]);
      const vNext = g.op('Add', [g.op('Mul', [v.input, g.scalar(beta2)]), g.op('Mul', [g.op('Mul', [grad, grad]), g.scalar(1 - beta2)])]);
      m.commit(mNext);
      v.commit(vNext);
      const { first, second } = stepCount!.corrections;
      // PyTorch: denom = sqrt(v)/sqrt(1-β2^t) + eps; w -= lr/(1-β1^t) · m/denom.
      const denominator = g.op('Add', [g.op('Div', [g.op('Sqrt', [vNext]), second]), g.scalar(epsilon)]);
      const stepSize = g.op('Div', [learningRate, first]);
      next = g.op('Sub', [base, g.op('Mul', [g.op('Div', [mNext, denominator]), stepSize])]);
    }
    if (target.mask) next = g.op('Mul', [next, target.mask]);
    updated.set(w, next);
  }
  return { updated, state };
}
