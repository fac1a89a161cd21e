/**
 * The sculpting methods, one factory each. Every method makes the untrained candidate at a
 * compression factor of the unpruned model's parameters:
 *
 * - channel: a post-training channel criterion (l1, taylor, ...) scores the trained model's
 *   channels, the lowest go until the parameters are 1/target of the original (spread over the
 *   layers by a width cap by default, ./allocation.ts; each cut checked by the equivalence
 *   self-test), and the survivor is fine-tuned.
 * - uniform: the same architecture with every hidden width scaled by one factor, the largest whose
 *   parameters fit 1/target, newly initialised and trained from scratch.
 *
 * - upai / reconvene: the architecture newly initialised, scored by a pruning-at-initialisation
 *   scorer (SNIP, GraSP, SynFlow, ...) and masked to the rung's non-zero parameters (UPaI), and
 *   for Reconvene its insensitive layers rebuilt narrower and dense; trained from scratch with the
 *   remaining masks held at zero.
 *
 * Compression is always the unpruned model's parameters over the candidate's non-zero ones, so
 * the masked methods are compared with the structured ones on the same ladder.
 */
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';
import { layerCosts, totalCost } from '../ops/cost.js';
import { inferModel } from '../ops/infer.js';
import { layerWidths, pruneModelChannels, type PruneScope } from '../prune/channel-pruner.js';
import type { Backend } from '../runtime/backend.js';
import type { ChannelCriterion, WeightGradients } from '../score/channel/criterion.js';
import { countMasks } from '../prune/masks.js';
import { reconvenePrune } from '../prune/reconvene/index.js';
import { upaiPrune } from '../prune/upai.js';
import type { LabelledBatch } from '../score/channel/taylor.js';
import { prunableWeights } from '../score/weights.js';
import { capChannels } from './allocation.js';
import { formatFactor } from './ladder.js';
import { unreachableRung, type FitMethod } from './method.js';

/** How the channel method spreads a parameter budget over layers. */
export type ChannelAllocation = 'cap' | PruneScope;

/** The allocations, for option parsing. */
export const CHANNEL_ALLOCATIONS: readonly ChannelAllocation[] = ['cap', 'global', 'local'];

/** Options of `channelMethod`. */
export interface ChannelMethodOptions {
  readonly criterion: ChannelCriterion;
  /** Runs the equivalence self-test of each cut. */
  readonly backend: Backend;
  /** Weight gradients on labelled batches, for criteria that need them (taylor). */
  readonly gradients?: (model: Model) => Promise<readonly WeightGradients[]>;
  /**
   * How the parameter budget is spread over layers: 'cap' (every layer keeps at most C channels;
   * ./allocation.ts), or the channel pruner's 'global' and 'local' scopes. Default 'cap'.
   */
  readonly allocation?: ChannelAllocation;
  /** Pruning steps, re-scoring between them. Default 1. */
  readonly steps?: number;
  /** Kept widths rounded up to a multiple of this. Default 1. */
  readonly roundTo?: number;
  /** Default true. */
  readonly selfTest?: boolean;
  readonly seed?: number;
}

/** Post-training channel pruning to the rung's parameter count; candidates are fine-tuned. */
export function channelMethod(options: ChannelMethodOptions): FitMethod {
  const criterion = options.criterion;
  const slug = (options.allocation ?? 'cap') === 'cap' ? criterion.name : `${criterion.name}-${options.allocation}`;
  if (criterion.needsGradients && !options.gradients) throw new SculptError('BAD_ARGUMENT', `the ${criterion.name} criterion needs weight gradients on labelled data; pass a gradients function`);
  return {
    name: 'channel',
    idPrefix: `channel-${slug}`,
    slug,
    scorer: criterion.name,
    training: 'fine-tune',
    async prepare(unpruned, target) {
      try {
        if ((options.allocation ?? 'cap') === 'cap') {
          const maxParams = totalCost(layerCosts(inferModel(unpruned))).params / target;
          const capped = await capChannels(unpruned, {
            criterion,
            maxParams,
            backend: options.backend,
            seed: options.seed ?? 0,
            ...(options.selfTest === false ? { selfTest: false } : {}),
            ...(options.gradients ? { gradients: options.gradients } : {}),
          });
          return { model: capped.model, layers: capped.layers };
        }
        const result = await pruneModelChannels(unpruned, {
          criterion,
          keepRatio: 1 / target,
          target: 'params',
          scope: options.allocation as PruneScope,
          steps: options.steps ?? 1,
          roundTo: options.roundTo ?? 1,
          backend: options.backend,
          seed: options.seed ?? 0,
          ...(options.selfTest === false ? { selfTest: false } : {}),
          ...(options.gradients ? { gradients: options.gradients } : {}),
        });
        return { model: result.model, layers: result.layers.map((l) => ({ name: l.name, op: l.op, before: l.before, after: l.after })) };
      } catch (error) {
        if (error instanceof SculptError && error.code === 'BAD_ARGUMENT') throw unreachableRung(`rung ${formatFactor(target)} of the ladder: ${error.message}; drop it from --ladder`);
        throw error;
      }
    },
  };
}

/** Options of `uniformMethod`. */
export interface UniformMethodOptions {
  /** Builds the architecture, newly initialised, with every hidden width scaled by `width` (the zoo's width option). */
  readonly build: (width: number) => Model;
  /** Smallest width multiplier tried. Default 0.01 (the zoo's minimum). */
  readonly minWidth?: number;
}

/** Uniform width scaling of the architecture, trained from scratch. */
export function uniformMethod(options: UniformMethodOptions): FitMethod {
  const minWidth = options.minWidth ?? 0.01;
  const paramsAt = (width: number): { model: Model; params: number } => {
    const model = options.build(width);
    return { model, params: totalCost(layerCosts(inferModel(model))).params };
  };
  return {
    name: 'uniform',
    idPrefix: 'uniform',
    slug: 'uniform',
    training: 'from-scratch',
    async prepare(unpruned, target) {
      const goal = totalCost(layerCosts(inferModel(unpruned))).params / target;
      // Parameters grow with the width (about quadratically); bisect for the widest model within the goal.
      let best = paramsAt(minWidth);
      if (best.params > goal) {
        throw unreachableRung(`rung ${formatFactor(target)} of the ladder: even width ${minWidth} has ${best.params} parameters, above the ${Math.floor(goal)} the rung allows; drop it from --ladder`);
      }
      let lo = minWidth;
      let hi = 1;
      for (let i = 0; i < 24 && hi - lo > 1e-4; i++) {
        const mid = (lo + hi) / 2;
        const candidate = paramsAt(mid);
        if (candidate.params <= goal) {
          lo = mid;
          best = candidate;
        } else hi = mid;
      }
      // The zoo names layers alike at every width, so widths line up by node name.
      const layers = layerWidths(inferModel(unpruned), inferModel(best.model)).map((l) => ({ name: l.name, op: l.op, before: l.before, after: l.after }));
      return { model: best.model, layers };
    },
  };
}

/** Options of `initialisationMethod`. */
export interface InitialisationMethodOptions {
  readonly kind: 'upai' | 'reconvene';
  /** A scorer name: random, magnitude, snip, grasp, synflow. */
  readonly scorer: string;
  /** Builds the architecture newly initialised (the same one as the unpruned model). */
  readonly build: () => Model;
  /** Runs the scorers' gradient graphs and Reconvene's self-test. */
  readonly backend: Backend;
  /** The labelled batch data-driven scorers (SNIP, GraSP) read. */
  readonly data?: LabelledBatch;
  readonly seed?: number;
}

/** Pruning at initialisation to the rung's non-zero parameters (UPaI, or Reconvene on top of it), trained from scratch. */
export function initialisationMethod(options: InitialisationMethodOptions): FitMethod {
  return {
    name: options.kind,
    idPrefix: `${options.kind}-${options.scorer}`,
    slug: options.kind,
    scorer: options.scorer,
    training: 'from-scratch',
    async prepare(unpruned, target) {
      const initialised = options.build();
      const total = totalCost(layerCosts(inferModel(unpruned))).params;
      const fresh = totalCost(layerCosts(inferModel(initialised))).params;
      if (fresh !== total) throw new SculptError('BAD_ARGUMENT', `the initialised architecture has ${fresh} parameters but the unpruned model ${total}; give the architecture the model was built from`);
      const prunable = prunableWeights(initialised).reduce((n, w) => n + w.dims.reduce((a, b) => a * b, 1), 0);
      const fixed = total - prunable;
      // Non-zero parameters = fixed ones (BN, biases) + kept prunable weights = total / target.
      const keep = total / target - fixed;
      if (keep < 1) {
        throw unreachableRung(`rung ${formatFactor(target)} of the ladder: ${options.kind} cannot reach ${Math.floor(total / target)} non-zero parameters, as ${fixed} parameters (normalisation, biases) are not prunable; drop it from --ladder`);
      }
      const sparsity = 1 - keep / prunable;
      const settings = { scorer: options.scorer, sparsity, seed: options.seed ?? 0, backend: options.backend, ...(options.data ? { data: options.data } : {}) };
      const result = options.kind === 'upai' ? await upaiPrune(initialised, settings) : await reconvenePrune(initialised, { ...settings, selfTest: { seed: options.seed ?? 0 } });
      const masks = countMasks(result.masks);
      const stored = totalCost(layerCosts(inferModel(result.model))).params;
      const layers = layerWidths(inferModel(unpruned), inferModel(result.model)).map((l) => ({ name: l.name, op: l.op, before: l.before, after: l.after }));
      return { model: result.model, masks: result.masks, nonzeroParams: stored - (masks.total - masks.kept), sparsity, layers };
    },
  };
}
