import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  achievedGflops,
  benchModels,
  latencyStats,
  measureInterleaved,
  measureLatency,
  percentile,
  randomFeeds,
  type BenchModel,
  type Clock,
} from '../src/bench/latency.js';
import { isSculptError } from '../src/errors.js';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr } from '../src/ir/graph.js';
import { float32 } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { onnxruntimeNode } from '../src/runtime/onnxruntime-node.js';

/** A clock that each runner advances by its next scripted duration. */
function scriptedClock(): { clock: Clock; advance(ms: number): void } {
  let now = 1000;
  return { clock: () => now, advance: (ms) => (now += ms) };
}

function tinyModel(batch: number | string = 'N'): BenchModel {
  const b = new GraphBuilder('tiny');
  const x = b.input('x', 'float32', [batch, 4]);
  const w = b.initializer('w', float32([3, 4], new Float32Array(12).fill(0.5)));
  const y = b.op('Gemm', [x, w], { transB: attr.int(1) }, { output: 'y' });
  b.output(y, 'float32', [batch, 3]);
  const model = modelFromGraph(b.build());
  return { name: 'tiny', bytes: encodeModel(model), params: 12, macsPerSample: 12, model };
}

describe('latency statistics', () => {
  it('takes the middle value as the median of an odd count and p90 by nearest rank', () => {
    const stats = latencyStats([5, 1, 4, 2, 3]);
    assert.equal(stats.medianMs, 3);
    assert.equal(stats.p90Ms, 5); // ceil(0.9 * 5) = 5th smallest
    assert.equal(stats.meanMs, 3);
    assert.equal(stats.minMs, 1);
    assert.equal(stats.maxMs, 5);
    assert.deepEqual(stats.timesMs, [5, 1, 4, 2, 3]);
  });

  it('averages the two middle values for an even count', () => {
    const stats = latencyStats([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert.equal(stats.medianMs, 5.5);
    assert.equal(stats.p90Ms, 9); // ceil(0.9 * 10) = 9th smallest
  });

  it('puts p90 of 30 runs at the 27th smallest', () => {
    const times = Array.from({ length: 30 }, (_, i) => 30 - i);
    assert.equal(latencyStats(times).p90Ms, 27);
    assert.equal(latencyStats(times).medianMs, 15.5);
    assert.equal(percentile([1, 2, 3, 4], 1), 4);
    assert.equal(percentile([7], 0.5), 7);
  });

  it('computes achieved GFLOP/s as 2 * MACs * batch over the time', () => {
    // 1e9 MACs per sample, batch 4, 2 s: 8e9 FLOPs / 2 s = 4 GFLOP/s.
    assert.equal(achievedGflops(1e9, 4, 2000), 4);
  });

  it('refuses to summarise no runs', () => {
    assert.throws(() => latencyStats([]), (e) => isSculptError(e, 'BAD_ARGUMENT'));
  });
});

describe('the latency harness on a fake clock', () => {
  it('excludes warm-up runs from the statistics', async () => {
    const { clock, advance } = scriptedClock();
    // Two warm-up runs that are very slow, then 5 timed runs with known durations.
    const durations = [1000, 900, 4, 2, 6, 8, 10];
    let call = 0;
    const stats = await measureLatency(() => advance(durations[call++]!), { warmup: 2, runs: 5, clock });
    assert.equal(call, 7);
    assert.deepEqual(stats.timesMs, [4, 2, 6, 8, 10]);
    assert.equal(stats.medianMs, 6);
    assert.equal(stats.p90Ms, 10);
    assert.equal(stats.runs, 5);
  });

  it('interleaves runners round by round and reports each one', async () => {
    const { clock, advance } = scriptedClock();
    const order: string[] = [];
    const [a, b] = await measureInterleaved(
      [
        () => {
          order.push('a');
          advance(10);
        },
        () => {
          order.push('b');
          advance(order.length);
        },
      ],
      { warmup: 1, runs: 3, clock },
    );
    assert.deepEqual(order, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    assert.deepEqual(a!.timesMs, [10, 10, 10]);
    assert.deepEqual(b!.timesMs, [4, 6, 8]); // the b calls at positions 4, 6, 8 (the first b, at 2, was warm-up)
    assert.equal(b!.medianMs, 6);
  });

  it('reports progress over warm-up and timed runs', async () => {
    const seen: string[] = [];
    await measureInterleaved([() => {}, () => {}], { warmup: 1, runs: 2, clock: () => 0, onProgress: (d, t) => seen.push(`${d}/${t}`) });
    assert.deepEqual(seen, ['1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
  });

  it('rejects zero timed runs and negative warm-up', async () => {
    await assert.rejects(measureLatency(() => {}, { runs: 0 }), (e) => isSculptError(e, 'BAD_ARGUMENT'));
    await assert.rejects(measureLatency(() => {}, { warmup: -1 }), (e) => isSculptError(e, 'BAD_ARGUMENT'));
  });

  it('benchmarks a matrix of configs with GFLOP/s and ratios against the first model', async () => {
    const { clock, advance } = scriptedClock();
    const base = tinyModel();
    const half = { ...tinyModel(), name: 'half', macsPerSample: 6 };
    // Model A takes 2 ms per sample, model B 1 ms per sample, whatever the config.
    const perSample: Record<string, number> = { tiny: 2, half: 1 };
    const prepared: string[] = [];
    const released: string[] = [];
    const reports = await benchModels([base, half], {
      configs: [
        { backend: 'fake', threads: 1, batch: 1 },
        { backend: 'fake', threads: 2, batch: 4 },
      ],
      warmup: 1,
      runs: 3,
      clock,
      prepare: async (model, config) => {
        prepared.push(`${model.name}@${config.batch}`);
        return { run: async () => advance(perSample[model.name]! * config.batch), release: async () => void released.push(`${model.name}@${config.batch}`) };
      },
    });
    assert.deepEqual(prepared, ['tiny@1', 'half@1', 'tiny@4', 'half@4']);
    assert.deepEqual(released, prepared);
    const [a, b] = reports;
    assert.equal(a!.results[1]!.medianMs, 8);
    assert.equal(b!.results[1]!.medianMs, 4);
    assert.equal(a!.results[0]!.ratio, 1);
    assert.equal(b!.results[0]!.ratio, 0.5);
    // 2 * 12 MACs * batch 4 / 8 ms = 96 / 8e6 GFLOP/s.
    assert.equal(a!.results[1]!.gflops, (2 * 12 * 4) / (8 * 1e6));
    assert.deepEqual(a!.results[1]!.config, { backend: 'fake', threads: 2, batch: 4 });
    assert.equal(b!.bytes, half.bytes.byteLength);
  });

  it('releases prepared sessions when a run fails', async () => {
    const released: string[] = [];
    await assert.rejects(
      benchModels([tinyModel()], {
        configs: [{ backend: 'fake', threads: 1, batch: 1 }],
        prepare: async () => ({
          run: async () => {
            throw new Error('boom');
          },
          release: async () => void released.push('released'),
        }),
      }),
      /boom/,
    );
    assert.deepEqual(released, ['released']);
  });
});

describe('benchmark inputs and the default runner', () => {
  it('makes seeded inputs with the batch size on axis 0', () => {
    const a = randomFeeds(tinyModel(), 3, 7);
    const b = randomFeeds(tinyModel(), 3, 7);
    const c = randomFeeds(tinyModel(), 3, 8);
    assert.deepEqual(a.x!.dims, [3, 4]);
    assert.deepEqual(a.x!.data, b.x!.data);
    assert.notDeepEqual(a.x!.data, c.x!.data);
  });

  it('asks for --input-shape when a non-batch dim is symbolic', () => {
    const model = tinyModel();
    const symbolic = { ...model, inputShapes: { x: ['N', 'features'] } };
    assert.throws(() => randomFeeds(symbolic, 1, 0), (e) => isSculptError(e, 'BAD_ARGUMENT') && /--input-shape/.test(e.message));
  });

  it('runs a real model on onnxruntime-node through the default preparer', async () => {
    const [report] = await benchModels([tinyModel()], {
      configs: [{ backend: 'onnxruntime-node', threads: 1, batch: 2 }],
      backends: { 'onnxruntime-node': onnxruntimeNode },
      warmup: 1,
      runs: 3,
    });
    const result = report!.results[0]!;
    assert.equal(result.runs, 3);
    assert.ok(result.medianMs > 0 && result.p90Ms >= result.medianMs);
    assert.equal(result.gflops, achievedGflops(12, 2, result.medianMs));
  });

  it('names the missing backend', async () => {
    await assert.rejects(
      benchModels([tinyModel()], { configs: [{ backend: 'tpu', threads: 1, batch: 1 }], backends: {} }),
      (e) => isSculptError(e, 'BAD_ARGUMENT') && /no backend named 'tpu'/.test(e.message),
    );
  });
});
