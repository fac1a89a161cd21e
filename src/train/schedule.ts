/**
 * Learning-rate schedules: the learning rate of every training step, from the base rate and the
 * step's position. Pure functions of the position, so a resumed run gets exactly the rates an
 * uninterrupted one would have had.
 *
 * - `constant`: the base rate.
 * - `step`: base · gamma^k, k = the number of milestones (epochs) reached, as PyTorch's MultiStepLR
 *   stepped once per epoch.
 * - `cosine`: base · (min + (1 − min)·(1 + cos(π·t/T))/2) over the steps after warm-up, t counted
 *   from the end of warm-up, T the remaining steps (per step, as CosineAnnealingLR stepped per batch).
 * Any of them can start with a linear warm-up: step s < K runs at base·(s + 1)/K, so the first step
 * is already non-zero and step K reaches the schedule's own rate.
 */
import { SculptError } from '../errors.js';

/** Which schedule. */
export type ScheduleKind = 'constant' | 'step' | 'cosine';

/** A learning-rate schedule. */
export interface ScheduleOptions {
  readonly kind: ScheduleKind;
  /** `step`: epochs at which the rate is multiplied by `gamma` (default: half and three quarters of the run, as 80/120 of 160). */
  readonly milestones?: readonly number[];
  /** `step`: the factor at each milestone. Default 0.1. */
  readonly gamma?: number;
  /** `cosine`: the final rate as a fraction of the base rate. Default 0. */
  readonly minFactor?: number;
  /** Steps of linear warm-up before the schedule. Default 0. */
  readonly warmupSteps?: number;
}

/** Where a step stands in the run. */
export interface SchedulePosition {
  /** Steps taken before this one (0 for the first step). */
  readonly step: number;
  /** Epoch of this step (0-based). */
  readonly epoch: number;
  readonly stepsPerEpoch: number;
  /** Steps in the whole run when known (epoch or step budgets); `cosine` needs it. */
  readonly totalSteps?: number;
}

/** Checks a schedule at the public boundary; `totalSteps` is the planned horizon, when known. */
export function checkSchedule(schedule: ScheduleOptions, totalSteps: number | undefined): void {
  const { kind } = schedule;
  if (kind !== 'constant' && kind !== 'step' && kind !== 'cosine') throw new SculptError('BAD_ARGUMENT', `unknown learning-rate schedule '${String(kind)}'; allowed: constant, step, cosine`);
  const warmup = schedule.warmupSteps ?? 0;
  if (!Number.isInteger(warmup) || warmup < 0) throw new SculptError('BAD_ARGUMENT', `warm-up must be a whole number of steps (0 or more), got ${warmup}`);
  const gamma = schedule.gamma ?? 0.1;
  if (!(gamma > 0 && Number.isFinite(gamma))) throw new SculptError('BAD_ARGUMENT', `the step schedule's gamma must be a positive number, got ${gamma}`);
  for (const m of schedule.milestones ?? []) {
    if (!(Number.isInteger(m) && m > 0)) throw new SculptError('BAD_ARGUMENT', `schedule milestones are epochs (positive integers), got ${m}`);
  }
  const minFactor = schedule.minFactor ?? 0;
  if (!(minFactor >= 0 && minFactor <= 1)) throw new SculptError('BAD_ARGUMENT', `the cosine schedule's minFactor must be within [0, 1], got ${minFactor}`);
  if (kind === 'cosine' && totalSteps === undefined) {
    throw new SculptError('BAD_ARGUMENT', 'the cosine schedule needs a known number of steps: give an epoch or step budget (a wall-clock budget alone has no horizon), or use the step or constant schedule');
  }
}

/** Default `step` milestones for a run of `epochs` epochs: at one half and three quarters (PyTorch recipes' 80 and 120 of 160). */
export function defaultMilestones(epochs: number): number[] {
  const half = Math.max(1, Math.round(epochs / 2));
  const threeQuarters = Math.max(half + 1, Math.round((epochs * 3) / 4));
  return threeQuarters < epochs ? [half, threeQuarters] : half < epochs ? [half] : [];
}

/**
 * The learning rate of the step at `position`.
 * @example learningRateAt(0.1, { kind: 'step', milestones: [80, 120] }, { step: 0, epoch: 100, stepsPerEpoch: 391 }) // 0.01
 */
export function learningRateAt(base: number, schedule: ScheduleOptions, position: SchedulePosition): number {
  const warmup = schedule.warmupSteps ?? 0;
  const factor = position.step < warmup ? (position.step + 1) / warmup : 1;
  return base * factor * scheduleFactor(schedule, position, warmup);
}

function scheduleFactor(schedule: ScheduleOptions, position: SchedulePosition, warmup: number): number {
  switch (schedule.kind) {
    case 'constant':
      return 1;
    case 'step': {
      const reached = (schedule.milestones ?? []).filter((m) => position.epoch >= m).length;
      return (schedule.gamma ?? 0.1) ** reached;
    }
    case 'cosine': {
      const total = position.totalSteps;
      if (total === undefined) throw new SculptError('BAD_ARGUMENT', 'the cosine schedule needs the total number of steps');
      const span = Math.max(1, total - warmup);
      const t = Math.min(Math.max(position.step - warmup, 0), span);
      const minFactor = schedule.minFactor ?? 0;
      return minFactor + ((1 - minFactor) * (1 + Math.cos((Math.PI * t) / span))) / 2;
    }
  }
}
