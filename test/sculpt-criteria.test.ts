// Deployment criteria and the ladder: parsing of every form, one-line errors for unit typos and
// impossible values, resolution of relative floors, and the check of measures against bounds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSculptError } from '../src/errors.js';
import { checkMeasures, totalShortfall, type ModelMeasures } from '../src/sculpt/candidate.js';
import {
  describeCriteria,
  parseByteSize,
  parseCount,
  parseCriteria,
  parseLatencyCeiling,
  parseLatencyConfigs,
  parseQualityFloor,
  resolveCriteria,
} from '../src/sculpt/criteria.js';
import { DEFAULT_LADDER, parseLadder } from '../src/sculpt/ladder.js';

/** Asserts a BAD_ARGUMENT whose message matches every pattern. */
function rejects(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isSculptError(error, 'BAD_ARGUMENT'), String(error));
    for (const p of patterns) assert.match(error.message, p);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
}

describe('criteria parsing', () => {
  it('reads relative and absolute quality floors', () => {
    assert.deepEqual(parseQualityFloor('0.96x'), { kind: 'relative', factor: 0.96 });
    assert.deepEqual(parseQualityFloor('1X'), { kind: 'relative', factor: 1 });
    assert.deepEqual(parseQualityFloor('0.85'), { kind: 'absolute', value: 0.85 });
    assert.deepEqual(parseQualityFloor('85%'), { kind: 'absolute', value: 0.85 });
    assert.deepEqual(parseQualityFloor(' .9 '), { kind: 'absolute', value: 0.9 });
  });

  it('refuses quality floors that cannot be met or are mistyped, saying what was meant', () => {
    rejects(() => parseQualityFloor('96'), /--min-quality 96 is outside \(0, 1\]/, /did you mean 96%/);
    rejects(() => parseQualityFloor('1.2x'), /relative floor must be in \(0x, 1x\]/, /absolute value/);
    rejects(() => parseQualityFloor('0x'), /relative floor/);
    rejects(() => parseQualityFloor('0'), /outside \(0, 1\]/);
    rejects(() => parseQualityFloor('150%'), /outside/);
    rejects(() => parseQualityFloor('0.96y'), /got '0.96y'; allowed: .*0\.96x.*0\.85 or 85%/);
    rejects(() => parseQualityFloor('high'), /--min-quality got 'high'/);
  });

  it('reads latency ceilings with units, batch and threads', () => {
    assert.deepEqual(parseLatencyCeiling('5ms@b1'), { ms: 5, batch: 1, threads: 1 });
    assert.deepEqual(parseLatencyCeiling('5ms'), { ms: 5, batch: 1, threads: 1 });
    assert.deepEqual(parseLatencyCeiling('20ms@b8@t2'), { ms: 20, batch: 8, threads: 2 });
    assert.deepEqual(parseLatencyCeiling('20 ms @ t2 @ b8'), { ms: 20, batch: 8, threads: 2 });
    assert.deepEqual(parseLatencyCeiling('800us@b1'), { ms: 0.8, batch: 1, threads: 1 });
    assert.deepEqual(parseLatencyCeiling('0.5s@B4'), { ms: 500, batch: 4, threads: 1 });
  });

  it('refuses latency unit typos, unknown qualifiers, repeats and impossible values', () => {
    rejects(() => parseLatencyCeiling('5msec@b1'), /unknown time unit 'msec'; allowed: us, ms, s/);
    rejects(() => parseLatencyCeiling('5@b1'), /the time needs a unit/);
    rejects(() => parseLatencyCeiling('5ms@x2'), /unknown qualifier 'x2'; allowed: b<batch>.*t<threads>/);
    rejects(() => parseLatencyCeiling('5ms@b0'), /the batch must be from 1 to 65536, got 0/);
    rejects(() => parseLatencyCeiling('5ms@t0'), /the threads must be from 1 to 256, got 0/);
    rejects(() => parseLatencyCeiling('5ms@b1@b8'), /b is given twice/);
    rejects(() => parseLatencyCeiling('0ms@b1'), /more than zero/);
    rejects(() => parseLatencyCeiling('fast'), /--max-latency got 'fast'/);
  });

  it('reads latency configurations to time at', () => {
    assert.deepEqual(parseLatencyConfigs('b1,b8'), [{ batch: 1, threads: 1 }, { batch: 8, threads: 1 }]);
    assert.deepEqual(parseLatencyConfigs('b8@t2, t2'), [{ batch: 8, threads: 2 }, { batch: 1, threads: 2 }]);
    rejects(() => parseLatencyConfigs('b1,,b8'), /--latency-at got 'b1,,b8'/);
    rejects(() => parseLatencyConfigs('8'), /unknown qualifier '8'/);
  });

  it('reads parameter counts with k, M and G suffixes', () => {
    assert.equal(parseCount('100k'), 100_000);
    assert.equal(parseCount('2.5M'), 2_500_000);
    assert.equal(parseCount('2.5m'), 2_500_000);
    assert.equal(parseCount('1G'), 1_000_000_000);
    assert.equal(parseCount('30000'), 30_000);
    assert.equal(parseCount('30_000'), 30_000);
    assert.equal(parseCount('1e5'), 100_000);
    rejects(() => parseCount('100kb'), /--max-params got '100kb'; allowed: a count with an optional k, M or G suffix/);
    rejects(() => parseCount('0'), /at least 1/);
    rejects(() => parseCount('-5k'), /--max-params got '-5k'/);
  });

  it('reads file sizes in powers of 1024, as Sculpt prints them', () => {
    assert.equal(parseByteSize('1MB'), 1024 ** 2);
    assert.equal(parseByteSize('1mib'), 1024 ** 2);
    assert.equal(parseByteSize('512KB'), 512 * 1024);
    assert.equal(parseByteSize('2.5 MB'), Math.floor(2.5 * 1024 ** 2));
    assert.equal(parseByteSize('300000'), 300_000);
    assert.equal(parseByteSize('300000B'), 300_000);
    rejects(() => parseByteSize('1MiBs'), /--max-bytes got '1MiBs'; allowed: a size with a unit B, KB, MB or GB/);
    rejects(() => parseByteSize('1M'), /allowed: a size with a unit/);
    rejects(() => parseByteSize('0.1B'), /at least 1 byte/);
  });

  it('parses only the criteria given', () => {
    assert.deepEqual(parseCriteria({ maxParams: '100k' }), { maxParams: 100_000 });
    assert.deepEqual(parseCriteria({ minQuality: '0.96x', maxLatency: '5ms@b8', maxBytes: '1MB' }), {
      minQuality: { kind: 'relative', factor: 0.96 },
      maxLatency: { ms: 5, batch: 8, threads: 1 },
      maxBytes: 1024 ** 2,
    });
  });
});

describe('criteria resolution and checks', () => {
  const measures = (over: Partial<ModelMeasures> = {}): ModelMeasures => ({
    params: 50_000,
    macs: 1e6,
    bytes: 210_000,
    quality: 0.95,
    latency: [{ batch: 1, threads: 1, medianMs: 4, p90Ms: 5, runs: 30 }],
    ...over,
  });

  it('makes a relative floor absolute against the unpruned quality and leaves an absolute one alone', () => {
    assert.equal(resolveCriteria(parseCriteria({ minQuality: '0.96x' }), 0.9).minQuality, 0.96 * 0.9);
    assert.equal(resolveCriteria(parseCriteria({ minQuality: '0.85' }), 0.99).minQuality, 0.85);
    const criteria = parseCriteria({ minQuality: '0.96x', maxLatency: '5ms@b1' });
    assert.equal(describeCriteria(criteria, resolveCriteria(criteria, 0.9), 'Dice'), 'Dice >= 0.8640 (0.96x of the unpruned 0.9000), latency <= 5.00 ms at batch 1, 1 thread');
  });

  it('passes a model within every bound and names each bound another misses, with relative shortfalls', () => {
    const bounds = resolveCriteria(parseCriteria({ minQuality: '0.9', maxLatency: '5ms@b1', maxParams: '60k', maxBytes: '256KB' }), 1);
    assert.deepEqual(checkMeasures(measures(), bounds), []);
    const misses = checkMeasures(measures({ quality: 0.81, params: 90_000, bytes: 300 * 1024, latency: [{ batch: 1, threads: 1, medianMs: 7.5, p90Ms: 8, runs: 30 }] }), bounds, { metric: 'Dice' });
    assert.deepEqual(
      misses.map((m) => [m.criterion, m.message]),
      [
        ['minQuality', 'Dice 0.8100 is below 0.9000'],
        ['maxLatency', 'latency 7.50 ms is above 5.00 ms'],
        ['maxParams', '90.0k parameters is above 60.0k'],
        ['maxBytes', 'size 300.0 KB is above 256.0 KB'],
      ],
    );
    assert.ok(Math.abs(totalShortfall(misses) - (0.09 / 0.9 + 2.5 / 5 + 30 / 60 + 44 / 256)) < 1e-12, String(totalShortfall(misses)));
  });

  it('counts non-zero parameters of a masked model, and an unmeasured bound as missed', () => {
    const bounds = resolveCriteria(parseCriteria({ maxParams: '60k', maxLatency: '5ms@b8' }), 1);
    const misses = checkMeasures(measures({ params: 1e6, nonzeroParams: 40_000 }), bounds);
    assert.deepEqual(misses.map((m) => m.message), ['latency not measured at batch 8, 1 thread']);
    assert.equal(misses[0]!.shortfall, Infinity);
  });

  it('checks only the bounds known before training when asked', () => {
    const bounds = resolveCriteria(parseCriteria({ minQuality: '0.99', maxParams: '60k' }), 1);
    assert.deepEqual(checkMeasures(measures({ quality: null }), bounds, { quality: false }), []);
    assert.equal(checkMeasures(measures({ quality: null }), bounds)[0]!.message, 'quality not measured (not trained)');
  });
});

describe('the compression ladder', () => {
  it('defaults to 2x, 4x, ..., 2048x', () => {
    assert.deepEqual(DEFAULT_LADDER, [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048]);
  });

  it('reads factors with or without x and refuses 1x, repeats and disorder', () => {
    assert.deepEqual(parseLadder('2,4,8'), [2, 4, 8]);
    assert.deepEqual(parseLadder('1.5x, 3X,1024'), [1.5, 3, 1024]);
    rejects(() => parseLadder('1,2'), /--ladder 1: a compression factor must be above 1/);
    rejects(() => parseLadder('4,2'), /ascending order \(4 then 2\)/);
    rejects(() => parseLadder('2,2'), /given once each/);
    rejects(() => parseLadder('2,four'), /--ladder got 'four' in '2,four'/);
  });
});
