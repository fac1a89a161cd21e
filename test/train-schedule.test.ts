// Learning-rate schedules give the rate PyTorch's schedulers give at each step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSculptError } from '../src/errors.js';
import { checkSchedule, defaultMilestones, learningRateAt, type ScheduleOptions } from '../src/train/schedule.js';

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

/** Rates of every step of a run of `epochs` x `perEpoch` steps. */
function rates(base: number, schedule: ScheduleOptions, epochs: number, perEpoch: number): number[] {
  const total = epochs * perEpoch;
  return Array.from({ length: total }, (_, step) => learningRateAt(base, schedule, { step, epoch: Math.floor(step / perEpoch), stepsPerEpoch: perEpoch, totalSteps: total }));
}

describe('learning-rate schedules', () => {
  it('keeps a constant rate', () => {
    assert.deepEqual(rates(0.05, { kind: 'constant' }, 2, 3), [0.05, 0.05, 0.05, 0.05, 0.05, 0.05]);
  });

  it('multiplies by gamma at each milestone epoch, as MultiStepLR stepped per epoch', () => {
    // torch: MultiStepLR(opt, milestones=[2, 3], gamma=0.1) with lr 0.1 gives 0.1, 0.1, 0.01, 0.001 for epochs 0..3.
    const r = rates(0.1, { kind: 'step', milestones: [2, 3], gamma: 0.1 }, 4, 2);
    const expected = [0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001];
    r.forEach((v, i) => close(v, expected[i]!, `step ${i}`));
  });

  it('anneals per step along a half cosine from the base rate to the minimum', () => {
    const total = 10;
    const r = rates(0.2, { kind: 'cosine', minFactor: 0.1 }, 1, total);
    // CosineAnnealingLR(T_max=10, eta_min=0.02): eta_min + (base - eta_min)(1 + cos(pi t / T)) / 2.
    r.forEach((v, t) => close(v, 0.02 + (0.18 * (1 + Math.cos((Math.PI * t) / total))) / 2, `step ${t}`));
    close(r[0]!, 0.2, 'first step');
    close(r[5]!, 0.11, 'half way');
  });

  it('warms up linearly, reaching the schedule at the end of warm-up', () => {
    const r = rates(0.4, { kind: 'cosine', warmupSteps: 4 }, 1, 12);
    [0.1, 0.2, 0.3, 0.4].forEach((v, i) => close(r[i]!, v, `warm-up step ${i}`));
    // After warm-up the cosine runs over the remaining 8 steps.
    r.slice(4).forEach((v, t) => close(v, (0.4 * (1 + Math.cos((Math.PI * t) / 8))) / 2, `cosine step ${t}`));
    const stepped = rates(1, { kind: 'step', milestones: [1], warmupSteps: 2 }, 2, 3);
    [0.5, 1, 1, 0.1, 0.1, 0.1].forEach((v, i) => close(stepped[i]!, v, `step schedule with warm-up, step ${i}`));
  });

  it('places default milestones at one half and three quarters of the run', () => {
    assert.deepEqual(defaultMilestones(160), [80, 120]);
    assert.deepEqual(defaultMilestones(4), [2, 3]);
    assert.deepEqual(defaultMilestones(2), [1]);
    assert.deepEqual(defaultMilestones(1), []);
  });

  it('refuses a cosine schedule without a horizon and bad settings, naming the fix', () => {
    assert.throws(() => checkSchedule({ kind: 'cosine' }, undefined), (e) => isSculptError(e, 'BAD_ARGUMENT') && /epoch or step budget/.test(e.message));
    assert.throws(() => checkSchedule({ kind: 'step', gamma: 0 }, 10), (e) => isSculptError(e, 'BAD_ARGUMENT') && /gamma/.test(e.message));
    assert.throws(() => checkSchedule({ kind: 'constant', warmupSteps: -1 }, 10), (e) => isSculptError(e, 'BAD_ARGUMENT') && /warm-up/.test(e.message));
    assert.throws(() => checkSchedule({ kind: 'linear' as never }, 10), (e) => isSculptError(e, 'BAD_ARGUMENT') && /allowed: constant, step, cosine/.test(e.message));
  });
});
