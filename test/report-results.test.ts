import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSculptError } from '../src/errors.js';
import { checkCriteria, chooseSmallest, paretoFront } from '../src/report/analysis.js';
import { mergeResults } from '../src/report/merge.js';
import { baselineModel, latencyConfigs, primaryLatencyConfig, RESULTS_VERSION, type ModelEntry, type Results } from '../src/report/results.js';
import { createResults, parseResults, validateResults } from '../src/report/validate.js';
import { demoResults, MACHINE, manyModelResults, singleModelResults } from './report-fixture.js';

/** A JSON copy of the demo fixture, changed by `edit`. */
function edited(edit: (json: any) => void): string {
  const json = JSON.parse(JSON.stringify(demoResults()));
  edit(json);
  return JSON.stringify(json);
}

function rejects(text: string, message: RegExp): void {
  assert.throws(
    () => parseResults(text, 'runs/a.json'),
    (error: unknown) => {
      assert.ok(isSculptError(error, 'BAD_DATA'), `a BAD_DATA SculptError, got ${String(error)}`);
      assert.ok(error.message.startsWith('runs/a.json: '), `names the file: ${error.message}`);
      assert.ok(!error.message.includes('\n'), 'one line');
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('results files', () => {
  it('round-trip through JSON unchanged, for 1, 7 and 50 models', () => {
    for (const results of [singleModelResults(), demoResults(), manyModelResults(50)]) {
      assert.deepEqual(parseResults(JSON.stringify(results)), results);
      assert.equal(results.format, 'sculpt-results');
      assert.equal(results.version, RESULTS_VERSION);
    }
  });

  it('accept model files in other folders, named relative to the results file', () => {
    const text = edited((j) => (j.models[0].file = '../run1/models/dense.onnx'));
    assert.equal(parseResults(text).models[0]!.file, '../run1/models/dense.onnx');
  });

  it('keep the optional run time, notes and pruner-style layer widths', () => {
    const results = createResults({
      task: { dataset: 'mnist', task: 'classification', metric: 'accuracy' },
      runs: [{ date: '2025-01-31T12:00:00Z', command: 'sculpt demo', seed: 3, machine: MACHINE, seconds: 212.5 }],
      models: [{ id: 'a', label: 'A', method: 'l1', compression: 2, params: 10, macs: 20, bytes: 100, quality: null, latency: [], layers: [{ name: 'conv', op: 'Conv', before: 8, after: 4 }] }],
      notes: ['No model met every criterion; the closest is shown.'],
    });
    assert.equal(results.runs[0]!.seconds, 212.5);
    assert.deepEqual(results.notes, ['No model met every criterion; the closest is shown.']);
    assert.deepEqual(parseResults(JSON.stringify(results)), results);
  });

  it('reject a version other than the one this Sculpt reads, saying which it reads', () => {
    rejects(edited((j) => (j.version = 2)), /results version 2 is not supported \(this Sculpt reads version 1\); regenerate the file/);
    rejects(edited((j) => delete j.version), /results version nothing is not supported/);
    rejects(edited((j) => (j.version = '1')), /results version "1" is not supported/);
  });

  it('reject text that is not a results file', () => {
    rejects('{"models": [', /not valid JSON/);
    rejects('[]', /the top level must be a JSON object, got an empty list/);
    rejects(edited((j) => delete j.format), /not a Sculpt results file \(its "format" is nothing, expected "sculpt-results"\)/);
  });

  const MALFORMED: readonly [string, (json: any) => void, RegExp][] = [
    ['no models', (j) => (j.models = []), /models must be a list of at least 1, got an empty list/],
    ['no runs', (j) => delete j.runs, /runs must be a list of at least 1, got nothing/],
    ['a negative parameter count', (j) => (j.models[2].params = -1), /models\[2\]\.params must be a non-negative integer, got -1/],
    ['a fractional MAC count', (j) => (j.models[0].macs = 1.5), /models\[0\]\.macs must be a non-negative integer, got 1\.5/],
    ['quality above 1', (j) => (j.models[0].quality = 99.1), /models\[0\]\.quality must be a number in \[0, 1\] or null, got 99\.1/],
    ['quality as text', (j) => (j.models[0].quality = '0.9'), /models\[0\]\.quality must be a number in \[0, 1\] or null, got "0\.9"/],
    ['sparsity of 1', (j) => (j.models[1].sparsity = 1), /models\[1\]\.sparsity must be a fraction in \[0, 1\), got 1/],
    ['zero compression', (j) => (j.models[1].compression = 0), /models\[1\]\.compression must be a number above 0/],
    ['a misspelt field', (j) => (j.models[1].acurracy = 0.5), /unknown field "models\[1\]\.acurracy" \(allowed here: id, label, method/],
    ['a misspelt top-level field', (j) => (j.critera = {}), /unknown field "critera"/],
    ['a repeated model id', (j) => (j.models[3].id = 'dense'), /models\[3\]\.id must be unique among the models, got "dense"/],
    ['a method that is not a slug', (j) => (j.models[0].method = 'Dense'), /models\[0\]\.method must be a lower-case name/],
    ['an empty label', (j) => (j.models[0].label = ' '), /models\[0\]\.label must be a non-empty string/],
    ['more non-zero than stored parameters', (j) => (j.models[4].nonzeroParams = j.models[4].params + 1), /models\[4\]\.nonzeroParams must be at most params \(186214\)/],
    ['p90 below the median', (j) => (j.models[0].latency[1].p90Ms = 1), /models\[0\]\.latency\[1\]\.p90Ms must be at least medianMs \(6\.81\), got 1/],
    ['two latencies at one configuration', (j) => (j.models[0].latency[1] = { ...j.models[0].latency[0] }), /models\[0\]\.latency\[1\] must be the only measurement at threads 1, batch 1/],
    ['zero threads', (j) => (j.models[0].latency[0].threads = 0), /models\[0\]\.latency\[0\]\.threads must be an integer of at least 1, got 0/],
    ['a layer with no channels before pruning', (j) => (j.models[0].layers[0].before = 0), /models\[0\]\.layers\[0\]\.before must be an integer of at least 1/],
    ['an absolute model file', (j) => (j.models[0].file = '/etc/passwd'), /models\[0\]\.file must be a file path relative to the results file \(no scheme, drive or leading slash\), got "\/etc\/passwd"/],
    ['a model file URL', (j) => (j.models[0].file = 'https://example.com/m.onnx'), /models\[0\]\.file must be a file path relative/],
    ['a javascript: link', (j) => (j.models[0].file = 'javascript:alert(1)'), /models\[0\]\.file must be a file path relative/],
    ['a run index out of range', (j) => (j.models[0].run = 1), /models\[0\]\.run must be an index into runs \(0 to 0\), got 1/],
    ['a date that is not a date', (j) => (j.runs[0].date = 'yesterday'), /runs\[0\]\.date must be an ISO 8601 date-time/],
    ['a machine without cores', (j) => delete j.runs[0].machine.cores, /runs\[0\]\.machine\.cores must be an integer of at least 1, got nothing/],
    ['an unknown metric', (j) => (j.task.metric = 'f1'), /task\.metric must be one of "accuracy", "dice", got "f1"/],
    ['an unknown task', (j) => (j.task.task = 'detection'), /task\.task must be one of "classification", "segmentation"/],
    ['empty criteria', (j) => (j.criteria = {}), /criteria must be an object with at least one of minQuality, maxLatency, maxParams, maxBytes/],
    ['a latency bound without a batch', (j) => delete j.criteria.maxLatency.batch, /criteria\.maxLatency\.batch must be an integer of at least 1, got nothing/],
    ['a chosen model that is not listed', (j) => (j.choice.id = 'reconvene-32x'), /choice\.id must be the id of one of the models, got "reconvene-32x"/],
    ['a choice without a reason', (j) => delete j.choice.reason, /choice\.reason must be a non-empty string, got nothing/],
    ['a Pareto id listed twice', (j) => j.pareto.ids.push('dense'), /pareto\.ids\[4\] must be the id of a model, listed once, got "dense"/],
    ['an unknown Pareto objective', (j) => (j.pareto.objectives = ['accuracy']), /pareto\.objectives\[0\] must be one of "quality", "params"/],
    ['a latency objective without a configuration', (j) => (j.pareto.objectives = ['quality', 'latency']), /pareto\.latencyConfig must be present when 'latency' is an objective/],
    ['a note that is not text', (j) => (j.notes = [3]), /notes\[0\] must be a non-empty string, got 3/],
  ];
  for (const [what, edit, message] of MALFORMED) {
    it(`reject ${what}, naming the field`, () => rejects(edited(edit), message));
  }

  it('validate values built in code the same way (createResults)', () => {
    const { format, version, ...input } = demoResults();
    assert.equal(format, 'sculpt-results');
    assert.equal(version, 1);
    assert.throws(() => createResults({ ...input, models: [{ ...input.models[0]!, quality: Number.NaN }] }), /results: models\[0\]\.quality must be a number in \[0, 1\] or null, got NaN/);
  });

  it('drop nothing and add nothing: the validated copy holds exactly the input fields', () => {
    const results = demoResults();
    const copy = validateResults(JSON.parse(JSON.stringify(results)));
    assert.equal(JSON.stringify(copy), JSON.stringify(results));
  });
});

describe('results helpers', () => {
  it('take the first dense model as the baseline, else the first model', () => {
    assert.equal(baselineModel(demoResults()).id, 'dense');
    assert.equal(baselineModel(singleModelResults()).id, 'unet-pruned');
  });

  it('read latency at the criteria configuration, else the most common one', () => {
    assert.deepEqual(primaryLatencyConfig(demoResults()), { threads: 1, batch: 1 });
    assert.deepEqual(latencyConfigs(demoResults()), [
      { threads: 1, batch: 1 },
      { threads: 2, batch: 32 },
    ]);
    const { criteria: _criteria, ...rest } = demoResults();
    const models = rest.models.map((m, i) => (i < 4 ? { ...m, latency: m.latency.slice(1) } : m));
    assert.deepEqual(primaryLatencyConfig({ ...rest, models }), { threads: 2, batch: 32 });
    assert.equal(primaryLatencyConfig(singleModelResults()), undefined);
    // A bound at a configuration nobody measured does not hide the measurements there are.
    const unmeasured = { ...demoResults(), criteria: { maxLatency: { ms: 1, threads: 4, batch: 8 } } };
    assert.deepEqual(primaryLatencyConfig(unmeasured), { threads: 1, batch: 1 });
  });
});

describe('deployment criteria', () => {
  const demo = demoResults();
  const model = (id: string): ModelEntry => demo.models.find((m) => m.id === id)!;

  it('name every bound a model misses', () => {
    const check = checkCriteria(model('upai-16x'), demo.criteria!, 'accuracy');
    assert.equal(check.meets, false);
    assert.deepEqual(
      check.failures.map((f) => f.message),
      ['latency 0.409 ms is above 0.3 ms', 'size 1.69 MB is above 1 MB'],
    );
    assert.deepEqual(checkCriteria(model('reconvene-16x'), demo.criteria!, 'accuracy'), { meets: true, failures: [] });
    assert.deepEqual(
      checkCriteria(model('reconvene-64x'), demo.criteria!, 'accuracy').failures.map((f) => f.criterion),
      ['minQuality'],
    );
  });

  it('count an unmeasured bound as missed', () => {
    const single = singleModelResults().models[0]!;
    const check = checkCriteria(single, { minQuality: 0.8, maxLatency: { ms: 5, threads: 1, batch: 1 } }, 'dice');
    assert.deepEqual(
      check.failures.map((f) => f.message),
      ['quality not measured', 'latency not measured at 1 thread, batch 1'],
    );
  });

  it('read non-zero parameters for the parameter bound when recorded', () => {
    assert.equal(checkCriteria(model('upai-64x'), { maxParams: 7000 }, 'accuracy').meets, true);
    assert.equal(checkCriteria(model('upai-16x'), { maxParams: 7000 }, 'accuracy').meets, false);
  });

  it('choose the smallest passing model, with a reason, or none', () => {
    const choice = chooseSmallest(demo.models, demo.criteria!, 'accuracy');
    assert.equal(choice?.id, 'reconvene-16x');
    assert.match(choice!.reason, /is the smallest of the 2 models that meet every criterion \(213 kB\)\.$/);
    assert.equal(chooseSmallest(demo.models, { minQuality: 0.995 }, 'accuracy'), undefined);
  });
});

describe('the Pareto front', () => {
  it('keeps the models no other model beats on quality and size (worked by hand)', () => {
    // UPaI keeps the dense file size at lower accuracy, so dense dominates every UPaI model.
    assert.deepEqual(paretoFront(demoResults().models, ['quality', 'bytes']), ['dense', 'reconvene-4x', 'reconvene-16x', 'reconvene-64x']);
  });

  it('counts non-zero parameters as UPaI’s gain, and leaves out models without the measure', () => {
    const demo = demoResults();
    // Each UPaI model is more accurate than the Reconvene model of its compression with one more
    // non-zero parameter (rounding), so both stay — except at 64×, where both have 6588 and UPaI wins.
    assert.deepEqual(paretoFront(demo.models, ['quality', 'nonzeroParams']), ['dense', 'upai-4x', 'upai-16x', 'upai-64x', 'reconvene-4x', 'reconvene-16x']);
    assert.deepEqual(paretoFront(demo.models, ['quality', 'latency'], { threads: 4, batch: 1 }), []);
  });
});

describe('merging results files', () => {
  function second(): Results {
    const demo = demoResults();
    return createResults({
      task: demo.task,
      runs: [{ ...demo.runs[0]!, command: 'sculpt fit cnn.onnx', seed: 8, date: '2025-03-15T08:00:00Z' }],
      models: [
        { ...demo.models[0]!, quality: 0.9915 },
        { ...demo.models[5]!, id: 'reconvene-32x', label: 'Reconvene 32×', compression: 32, bytes: 120000, quality: 0.9831 },
      ],
      criteria: demo.criteria!,
      choice: { id: 'reconvene-32x', reason: 'Reconvene 32× is the smallest model that meets every criterion.' },
      pareto: { objectives: ['quality', 'bytes'], ids: ['dense', 'reconvene-32x'] },
      notes: ['Second search.'],
    });
  }

  it('pools the models with unique ids, each pointing at its own run and file', () => {
    const merged = mergeResults([
      { results: demoResults(), source: 'a/results.json' },
      { results: second(), source: 'b/results.json' },
    ]);
    assert.equal(merged.models.length, 9);
    assert.deepEqual(merged.models.slice(7).map((m) => m.id), ['dense-2', 'reconvene-32x']);
    assert.deepEqual(merged.models.map((m) => m.run), [0, 0, 0, 0, 0, 0, 0, 1, 1]);
    assert.deepEqual(merged.runs.map((r) => [r.source, r.seed]), [
      ['a/results.json', 7],
      ['b/results.json', 8],
    ]);
    assert.deepEqual(merged.notes, ['Second search.']);
  });

  it('recomputes the Pareto front over the pooled models and keeps the smallest chosen model', () => {
    const merged = mergeResults([
      { results: demoResults(), source: 'a.json' },
      { results: second(), source: 'b.json' },
    ]);
    // dense-2 (0.9915) now beats dense (0.9912) at the same size; reconvene-32x sits between 16x and 64x.
    assert.deepEqual(merged.pareto?.ids, ['reconvene-4x', 'reconvene-16x', 'reconvene-64x', 'dense-2', 'reconvene-32x']);
    assert.equal(merged.choice?.id, 'reconvene-32x');
    assert.match(merged.choice!.reason, /^Reconvene 32× is the smallest \(120 kB\) of the 2 models chosen by the merged runs/);
  });

  it('returns a single file as it is', () => {
    const demo = demoResults();
    assert.equal(mergeResults([{ results: demo, source: 'a.json' }]), demo);
  });

  it('refuses files about different datasets, or searched under different criteria', () => {
    const other = { ...singleModelResults() };
    assert.throws(
      () => mergeResults([
        { results: demoResults(), source: 'a.json' },
        { results: other, source: 'b.json' },
      ]),
      /cannot merge b\.json \(phantom, segmentation, dice\) with a\.json \(mnist, classification, accuracy\): merged results must share dataset, task and metric/,
    );
    const stricter = { ...second(), criteria: { minQuality: 0.99 } };
    assert.throws(
      () => mergeResults([
        { results: demoResults(), source: 'a.json' },
        { results: stricter, source: 'b.json' },
      ]),
      /a\.json and b\.json state different deployment criteria/,
    );
  });
});
