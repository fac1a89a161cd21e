// The criteria search on fake measurements: the trainer and the latency measurement are injected
// (quality and milliseconds come from tables), the candidates are real tiny zoo models. Checks the
// choice, which rungs are trained, the Pareto fronts against a brute-force reference, the report
// when nothing meets, and resuming from a state without retraining finished candidates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSculptError, SculptError } from '../src/errors.js';
import type { Model } from '../src/ir/graph.js';
import { effectiveParams, latencyAt } from '../src/sculpt/candidate.js';
import { parseCriteria, type CriteriaText, type LatencyConfig } from '../src/sculpt/criteria.js';
import { BASELINE_ID, fit, measureModel, type FitOptions } from '../src/sculpt/fit.js';
import { unreachableRung, type FitMethod, type FitServices } from '../src/sculpt/method.js';
import { paretoFront } from '../src/util/pareto.js';
import { searchLadder } from '../src/sculpt/search.js';
import { checkResumable, type FitFingerprint } from '../src/sculpt/state.js';
import { fitResultsFile } from '../src/sculpt/results.js';
import { memoryStore } from '../src/sculpt/store.js';
import { validateResults } from '../src/report/validate.js';
import { buildZooModel } from '../src/zoo/index.js';

const LADDER = [2, 4, 8, 16, 32, 64, 128, 256];
const FINGERPRINT: FitFingerprint = { model: '0123456789abcdef', data: 'phantom:16', method: 'fake:fake', training: '2ep', seed: 0 };
const DENSE_QUALITY = 0.9;

/** A tiny U-Net whose first width shrinks with the target, so parameters fall as compression rises. */
function tinyUNet(base: number): Model {
  return buildZooModel(`unet,base=${base},depth=1,out=2,input=1x8x8`, { seed: 0 });
}

const DENSE = tinyUNet(48);

/** Makes rung `target` as the U-Net with about 1/target of the dense parameters (params grow as base²). */
const fakeMethod: FitMethod = {
  name: 'fake',
  idPrefix: 'fake',
  slug: 'fake',
  training: 'fine-tune',
  async prepare(_unpruned, target) {
    return { model: tinyUNet(Math.max(1, Math.round(48 / Math.sqrt(target)))) };
  },
};

interface FakeServices extends FitServices {
  /** Ids the trainer was asked to train, in order. */
  readonly trainedIds: string[];
  /** Model lists the latency measurement was given (their sizes). */
  readonly timedBatches: number[];
}

/** Quality by rung id from `qualities` (target factor -> quality); latency = params / 1000 ms × batch / threads. */
function fakeServices(qualities: Readonly<Record<number, number>>, options: { interruptAfter?: number } = {}): FakeServices {
  const trainedIds: string[] = [];
  const timedBatches: number[] = [];
  return {
    trainedIds,
    timedBatches,
    async train(model, request) {
      if (options.interruptAfter !== undefined && trainedIds.length >= options.interruptAfter) throw new SculptError('INTERRUPTED', `interrupted while training ${request.id}`);
      trainedIds.push(request.id);
      const target = Number(/-(\d+)x$/.exec(request.id)?.[1]);
      const quality = qualities[target];
      assert.ok(quality !== undefined, `no fake quality for ${request.id}`);
      return { model, quality, training: { epochs: 2, steps: 10, examples: 160, seconds: 1 } };
    },
    async evaluate() {
      return DENSE_QUALITY;
    },
    async measureLatency(models, configs) {
      timedBatches.push(models.length);
      return models.map((m) => {
        const params = measureModel(m).params;
        return configs.map((c: LatencyConfig) => ({ batch: c.batch, threads: c.threads, medianMs: ((params / 1000) * c.batch) / c.threads, p90Ms: ((params / 1000) * c.batch * 1.1) / c.threads, runs: 30 }));
      });
    },
  };
}

/** Falls with compression: 32x is the last rung at or above 0.96 × 0.9 = 0.864. */
const MONOTONE: Record<number, number> = { 2: 0.9, 4: 0.9, 8: 0.895, 16: 0.88, 32: 0.87, 64: 0.85, 128: 0.8, 256: 0.6 };

function options(criteria: CriteriaText, services: FitServices, over: Partial<FitOptions> = {}): FitOptions {
  return { model: DENSE, method: fakeMethod, criteria: parseCriteria(criteria), services, store: memoryStore(), fingerprint: FINGERPRINT, ladder: LADDER, metric: 'Dice', now: () => new Date('2025-01-01T00:00:00Z'), ...over };
}

describe('the ladder search', () => {
  it('binary search finds the last rung meeting the floor with about log2(n) trainings', async () => {
    for (let last = -1; last < 8; last++) {
      const trained: number[] = [];
      const result = await searchLadder({ rungs: 8, strategy: 'binary', qualityFloor: true, feasible: () => true, train: async (r) => (trained.push(r), r <= last) });
      assert.equal(result.chosen, last >= 0 ? last : undefined, `last meeting rung ${last}`);
      assert.deepEqual(result.trained, trained);
      assert.ok(trained.length <= 4, `${trained.length} trainings for 8 rungs`);
    }
  });

  it('binary search never trains an infeasible rung, and without a floor trains only the last feasible one', async () => {
    const trained: number[] = [];
    const feasible = (r: number): boolean => r >= 3;
    const result = await searchLadder({ rungs: 8, strategy: 'binary', qualityFloor: true, feasible, train: async (r) => (trained.push(r), r <= 5) });
    assert.equal(result.chosen, 5);
    assert.ok(trained.every(feasible), trained.join(', '));
    const noFloor = await searchLadder({ rungs: 8, strategy: 'binary', qualityFloor: false, feasible: (r) => r <= 6, train: async () => false });
    assert.deepEqual(noFloor, { chosen: 6, trained: [6] });
  });

  it('all trains every rung and chooses the last one meeting every bound, whatever the curve', async () => {
    const result = await searchLadder({ rungs: 6, strategy: 'all', qualityFloor: true, feasible: (r) => r !== 4, train: async (r) => r !== 2 && r !== 5 });
    assert.deepEqual(result.trained, [0, 1, 2, 3, 4, 5]);
    assert.equal(result.chosen, 3);
  });
});

describe('fit on fake measurements', () => {
  it('chooses the most compressed candidate meeting a relative floor and trains only what the binary search needs', async () => {
    const services = fakeServices(MONOTONE);
    const result = await fit(options({ minQuality: '0.96x' }, services));
    assert.equal(result.chosen?.id, 'fake-32x');
    assert.ok(Math.abs(result.criteria.minQuality! - 0.864) < 1e-12, String(result.criteria.minQuality));
    assert.deepEqual(services.trainedIds, result.searched);
    assert.deepEqual(result.trainedNow, result.searched);
    assert.ok(services.trainedIds.length <= 4, services.trainedIds.join(', '));
    // Every rung was made and timed once, interleaved with the unpruned model.
    assert.deepEqual(services.timedBatches, [LADDER.length + 1]);
    assert.equal(result.candidates.length, LADDER.length);
    assert.ok(result.candidates.every((c) => c.latency.length === 1), 'one latency per candidate');
    assert.deepEqual(result.candidates.filter((c) => c.trained).map((c) => c.id).sort(), [...services.trainedIds].sort());
    assert.match(result.chosen!.reason, /^fake-32x is the most compressed candidate that meets every criterion \(.* parameters, .*x fewer than the unpruned .*; Dice 0\.8700 >= 0\.8640\); the next more compressed candidate evaluated, fake-64x, misses: Dice 0\.8500 is below 0\.8640\.$/);
    assert.equal(measureModel(result.chosenModel!).params, result.candidates[4]!.params);
  });

  it('never trains rungs that miss a latency ceiling, and picks the smallest that meets both bounds', async () => {
    const services = fakeServices(MONOTONE);
    const denseMs = measureModel(DENSE).params / 1000;
    // Below every rung up to 4x, so 8x is the first that can meet it.
    const ceiling = (measureModel((await fakeMethod.prepare(DENSE, 8)).model).params / 1000) * 1.01;
    const result = await fit(options({ minQuality: '0.96x', maxLatency: `${ceiling}ms@b1` }, services, { latencyConfigs: [{ batch: 8, threads: 1 }] }));
    assert.ok(ceiling < denseMs, `${ceiling} < ${denseMs}`);
    assert.ok(services.trainedIds.length > 0 && services.trainedIds.every((id) => !['fake-2x', 'fake-4x'].includes(id)), services.trainedIds.join(', '));
    assert.deepEqual(result.candidates.slice(0, 2).map((c) => c.trained), [false, false]);
    assert.equal(result.chosen?.id, 'fake-32x');
    // Timed at the criterion's configuration first, then the requested one.
    assert.deepEqual(result.baseline.latency.map((l) => [l.batch, l.threads]), [[1, 1], [8, 1]]);
    assert.deepEqual(result.pareto.latencyConfig, { batch: 1, threads: 1 });
  });

  it('trains a single candidate for a parameter ceiling alone', async () => {
    const services = fakeServices(MONOTONE);
    const limit = measureModel((await fakeMethod.prepare(DENSE, 64)).model).params;
    const result = await fit(options({ maxParams: String(limit) }, services));
    assert.deepEqual(services.trainedIds, ['fake-256x']);
    assert.equal(result.chosen?.id, 'fake-256x');
    assert.ok(effectiveParams(result.candidates.at(-1)!) <= limit, 'within the limit');
  });

  it('returns the Pareto fronts of the unpruned model and the trained candidates, as a brute-force check finds them', async () => {
    // Not monotone: 16x beats 8x, so 8x is dominated (more parameters, lower Dice).
    const qualities = { ...MONOTONE, 8: 0.87, 16: 0.88 };
    const result = await fit(options({ minQuality: '0.5' }, fakeServices(qualities), { strategy: 'all' }));
    const items = [{ id: BASELINE_ID, q: result.baseline.quality!, p: result.baseline.params, l: latencyAt(result.baseline, { batch: 1, threads: 1 })!.medianMs }, ...result.candidates.map((c) => ({ id: c.id, q: c.quality!, p: c.params, l: latencyAt(c, { batch: 1, threads: 1 })!.medianMs }))];
    const brute = (cost: (i: (typeof items)[number]) => number): string[] =>
      items.filter((a) => !items.some((b) => b.q >= a.q && cost(b) <= cost(a) && (b.q > a.q || cost(b) < cost(a)))).map((i) => i.id);
    assert.deepEqual(result.pareto.params, brute((i) => i.p));
    assert.deepEqual(result.pareto.latency, brute((i) => i.l));
    assert.ok(!result.pareto.params.includes('fake-8x'), result.pareto.params.join(', '));
    // The unpruned model ties 2x on Dice with more parameters: dominated.
    assert.deepEqual(result.pareto.params, ['fake-4x', 'fake-16x', 'fake-32x', 'fake-64x', 'fake-128x', 'fake-256x']);
  });

  it('reports the closest candidates, by total relative shortfall, when nothing meets the criteria', async () => {
    const services = fakeServices(MONOTONE);
    const result = await fit(options({ minQuality: '0.95', maxParams: '10' }, services, { strategy: 'all' }));
    assert.equal(result.chosen, undefined);
    assert.equal(result.chosenModel, undefined);
    assert.equal(result.closest.length, 3);
    // Ranked by the sum of relative misses: the smallest models miss the parameter bound least.
    const shortfalls = result.closest.map((c) => c.misses.reduce((s, m) => s + m.shortfall, 0));
    assert.deepEqual([...shortfalls].sort((a, b) => a - b), shortfalls);
    assert.equal(result.closest[0]!.id, 'fake-256x');
    assert.deepEqual(result.closest[0]!.misses.map((m) => m.criterion), ['minQuality', 'maxParams']);
    assert.match(result.failure, /^No candidate meets every criterion \(Dice >= 0\.9500, parameters <= 10\) among 8 rungs \(8 trained\) and the unpruned model; closest: fake-256x \(Dice 0\.6000 is below 0\.9500, .* parameters is above 10\); /);
  });

  it('chooses the unpruned model itself when it alone meets the criteria', async () => {
    const result = await fit(options({ minQuality: '1x' }, fakeServices(MONOTONE, {}), { ladder: [8, 16] }));
    assert.equal(result.chosen?.id, BASELINE_ID);
    assert.equal(result.chosenModel, DENSE);
    assert.match(result.chosen!.reason, /No compressed candidate meets every criterion .*; the unpruned model itself does, so it is chosen unchanged\./);
  });

  it('trains an untrained input model for the budget first and keeps it in the store', async () => {
    const services = fakeServices({ ...MONOTONE, 1: 0.9 });
    const store = memoryStore();
    const trainDense: FitServices = { ...services, train: (m, r) => (r.id === BASELINE_ID ? Promise.resolve({ model: m, quality: 0.91, training: { epochs: 2, steps: 10, examples: 160, seconds: 1 } }) : services.train(m, r)) };
    const result = await fit(options({ minQuality: '0.96x' }, trainDense, { trainBaseline: true, store }));
    assert.equal(result.baseline.quality, 0.91);
    assert.equal(result.baseline.trainedBySearch, true);
    assert.ok(store.models.has(result.baseline.file!), 'the trained baseline is stored');
  });
});

describe('the results file', () => {
  it('is a valid results file for sculpt report, with every rung, the choice and the quality-vs-parameters front', async () => {
    const result = await fit(options({ minQuality: '0.96x', maxLatency: '50ms@b1' }, fakeServices(MONOTONE)));
    const machine = { cpu: 'test', cores: 2, node: 'v20', onnxruntime: '1.30.0' };
    const file = fitResultsFile(result, { task: { dataset: 'phantom:16', task: 'segmentation', metric: 'dice', inputShape: [1, 1, 8, 8] }, run: { date: '2025-01-01T00:00:00Z', command: 'sculpt fit', seed: 0, machine } });
    const results = validateResults(JSON.parse(JSON.stringify(file)), 'fit results');
    assert.deepEqual(results.models.map((m) => m.id), [BASELINE_ID, ...LADDER.map((t) => `fake-${t}x`)]);
    assert.equal(results.choice?.id, result.chosen!.id);
    assert.deepEqual(results.pareto?.ids, result.pareto.params);
    assert.deepEqual(results.criteria, { minQuality: result.criteria.minQuality, maxLatency: { threads: 1, batch: 1, ms: 50 } });
    const untrained = results.models.filter((m) => m.quality === null).map((m) => m.id);
    assert.deepEqual(untrained, result.candidates.filter((c) => !c.trained).map((c) => c.id));
  });
});

describe('unreachable rungs', () => {
  it('are skipped with their reason, and the search goes on over the rest', async () => {
    const limited: FitMethod = { ...fakeMethod, prepare: (unpruned, target) => (target >= 128 ? Promise.reject(unreachableRung(`rung ${target}x of the ladder: too far`)) : fakeMethod.prepare(unpruned, target)) };
    const result = await fit(options({ minQuality: '0.96x' }, fakeServices(MONOTONE), { method: limited }));
    assert.deepEqual(result.unreachable.map((u) => [u.id, u.reason]), [['fake-128x', 'rung 128x of the ladder: too far'], ['fake-256x', 'rung 256x of the ladder: too far']]);
    assert.deepEqual(result.candidates.map((c) => c.target), [2, 4, 8, 16, 32, 64]);
    assert.equal(result.chosen?.id, 'fake-32x');
  });

  it('but other errors of a method end the search', async () => {
    const broken: FitMethod = { ...fakeMethod, prepare: () => Promise.reject(new SculptError('BAD_ARGUMENT', 'misconfigured')) };
    await assert.rejects(fit(options({ minQuality: '0.96x' }, fakeServices(MONOTONE), { method: broken })), /misconfigured/);
  });
});

describe('resuming a search', () => {
  it('continues from the last saved state without retraining finished candidates', async () => {
    const store = memoryStore();
    const first = fakeServices(MONOTONE, { interruptAfter: 2 });
    await assert.rejects(fit(options({ minQuality: '0.96x' }, first, { store, strategy: 'all' })), (e: unknown) => isSculptError(e, 'INTERRUPTED'));
    assert.deepEqual(first.trainedIds, ['fake-2x', 'fake-4x']);
    const saved = store.states.at(-1)!;
    const finished = saved.candidates.filter((c) => c.trained);
    assert.deepEqual(finished.map((c) => c.id), ['fake-2x', 'fake-4x']);
    assert.equal(saved.candidates.length, LADDER.length);

    const second = fakeServices(MONOTONE);
    const resumed = await fit(options({ minQuality: '0.96x' }, second, { store, strategy: 'all', resume: saved, now: () => new Date('2025-01-02T00:00:00Z') }));
    assert.deepEqual(second.trainedIds, LADDER.slice(2).map((t) => `fake-${t}x`));
    assert.deepEqual(second.timedBatches, [], 'nothing timed again');
    for (const before of finished) assert.deepEqual(resumed.candidates.find((c) => c.id === before.id), before);
    assert.equal(resumed.chosen?.id, 'fake-32x');
    assert.deepEqual(resumed.trainedNow, second.trainedIds);
    assert.deepEqual(resumed.searched, LADDER.map((t) => `fake-${t}x`));
  });

  it('refuses a state from a different search, naming what differs', () => {
    const state = { format: 'sculpt-fit-state', version: 1, fingerprint: FINGERPRINT, candidates: [] } as const;
    assert.doesNotThrow(() => checkResumable(state, FINGERPRINT, 'out/fit-state.json'));
    assert.throws(
      () => checkResumable(state, { ...FINGERPRINT, data: 'phantom:32', seed: 2 }, 'out/fit-state.json'),
      (e: unknown) => isSculptError(e, 'BAD_ARGUMENT') && /cannot resume: 'out\/fit-state\.json' was written by a different search \(data 'phantom:16' then, 'phantom:32' now; seed '0' then, '2' now\)/.test(e.message),
    );
  });
});

describe('Pareto fronts', () => {
  it('keep the items no other beats on every objective, ties included, skipping unmeasured ones', () => {
    const items = [
      { id: 'a', q: 0.9, p: 100 },
      { id: 'b', q: 0.8, p: 50 },
      { id: 'c', q: 0.8, p: 60 },
      { id: 'd', q: 0.95, p: 100 },
      { id: 'e', q: 0.8, p: 50 },
      { id: 'f', q: null, p: 1 },
    ];
    const front = paretoFront(items, [{ value: (i) => i.q, maximise: true }, { value: (i) => i.p }]).map((i) => i.id);
    assert.deepEqual(front, ['b', 'd', 'e']);
  });
});
