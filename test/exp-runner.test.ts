// The experiment runner on its smoke grids: results in the report model's shape, a run killed
// after a cell resumes without redoing it, other settings refused, Table C in child processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExpJson } from '../src/cli/commands/exp.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { experimentCells, experimentFor, cellModelIds } from '../src/exp/grid.js';
import { readStateFile } from '../src/platform/node/experiment-files.js';
import { readResultsFile } from '../src/platform/node/report-files.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel } from '../src/ops/infer.js';
import { buildZooModel } from '../src/zoo/index.js';
import { Random } from '../src/util/random.js';
import { cifarBytes } from './data-files.js';
import { runCli } from './helpers/cli.js';

const ROOT = new URL('../', import.meta.url).pathname;

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'sculpt-exp-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `sculpt exp <argv>` in a child process, killed with SIGKILL as soon as its first cell is reported written. */
function runAndKillAfterFirstCell(argv: readonly string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/cli-entry.ts', 'exp', ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Uint8Array) => {
      stderr += String(d);
      // The runner reports a cell done only after both of its files were written.
      if (/^\[1\/\d+\] .*: done in/m.test(stderr)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('sculpt exp', () => {
  it('writes every cell of the Table A smoke grid in the report model shape, and sculpt report renders it', async () => {
    const results = join(dir, 'shape');
    const run = await runCli(['exp', 'table-a-smoke', '--results', results, '--markdown', join(dir, 'shape.md'), '--json']);
    assert.equal(run.code, EXIT.OK, run.stderr);
    const summary = JSON.parse(run.stdout) as ExpJson;
    assert.deepEqual(summary.computed, ['mnist/vgg11-tiny/dense/seed1', 'mnist/vgg11-tiny/snip/0.9/seed1', 'mnist/vgg11-tiny/dense/seed2', 'mnist/vgg11-tiny/snip/0.9/seed2']);
    assert.deepEqual(summary.remaining, []);
    // The report's own validator reads the file: the shape is the report model's.
    const file = readResultsFile(join(results, 'table-a-smoke-mnist.json'));
    assert.deepEqual(file.task, { dataset: 'mnist', task: 'classification', metric: 'accuracy', inputShape: [1, 1, 32, 32] });
    assert.deepEqual(
      file.models.map((m) => m.id),
      ['vgg11-tiny-dense-seed1', 'vgg11-tiny-upai-snip-0.9-seed1', 'vgg11-tiny-reconvene-snip-0.9-seed1', 'vgg11-tiny-dense-seed2', 'vgg11-tiny-upai-snip-0.9-seed2', 'vgg11-tiny-reconvene-snip-0.9-seed2'],
    );
    // Parameters of the dense network counted independently of the runner: the zoo model's own cost table.
    const dense = totalCost(layerCosts(inferModel(buildZooModel('vgg11,width=0.0625,input=1x32x32,classes=10', { seed: 1 })))).params;
    for (const model of file.models) {
      assert.ok(model.quality !== null && model.quality >= 0 && model.quality <= 1, model.id);
      assert.deepEqual(model.latency.map((l) => [l.threads, l.batch]), [[1, 1], [1, 4]], model.id);
      assert.equal(model.training?.steps, 6, `${model.id}: one epoch of 192 examples at batch 32`);
      if (model.method === 'dense') assert.deepEqual([model.params, model.nonzeroParams, model.compression], [dense, dense, 1]);
      if (model.method === 'upai') {
        assert.equal(model.params, dense, 'UPaI keeps the dense shapes');
        assert.ok(Math.abs(model.nonzeroParams! / dense - 0.1) < 0.05, `${model.id}: about 10% of the weights kept`);
      }
      if (model.method === 'reconvene') assert.ok(model.params < dense && model.generationSeconds! > 0, model.id);
    }
    const report = await runCli(['report', join(results, 'table-a-smoke-mnist.json'), '-o', join(dir, 'report'), '--json']);
    assert.equal(report.code, EXIT.OK, report.stderr);
    assert.ok(existsSync(join(dir, 'report', 'report.html')));
  });

  it('resumes a run killed after its first cell without redoing that cell', async () => {
    const results = join(dir, 'resume');
    const argv = ['table-a-smoke', '--results', results, '--no-tables'];
    const killed = await runAndKillAfterFirstCell(argv);
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const state = readStateFile(join(results, 'table-a-smoke-mnist.state.json'));
    const finished = Object.keys(state.cells);
    assert.ok(finished.length >= 1 && finished.length < 4, `the kill left work to do (finished: ${finished.join(', ')})`);
    const before = readResultsFile(join(results, 'table-a-smoke-mnist.json'));
    const resumed = await runCli(['exp', ...argv, '--json']);
    assert.equal(resumed.code, EXIT.OK, resumed.stderr);
    const summary = JSON.parse(resumed.stdout) as ExpJson;
    assert.deepEqual(summary.skipped, finished);
    assert.equal(summary.computed.length, 4 - finished.length);
    const after = readResultsFile(join(results, 'table-a-smoke-mnist.json'));
    // The finished cells' entries are the very ones written before the kill (measured latencies included).
    for (const model of before.models) assert.deepEqual(after.models.find((m) => m.id === model.id), model);
    assert.equal(after.runs.length, 2, 'one run record per invocation');
    const definition = experimentFor('table-a-smoke');
    const all = experimentCells(definition, { ...readStateFile(join(results, 'table-a-smoke-mnist.state.json')).config });
    for (const cell of all) {
      for (const id of cellModelIds(cell)) assert.equal(after.models.find((m) => m.id === id)?.run, finished.includes(cell.id) ? 0 : 1, id);
    }
    const again = await runCli(['exp', ...argv, '--json']);
    assert.deepEqual((JSON.parse(again.stdout) as ExpJson).computed, [], 'a finished experiment runs nothing');
  });

  it('refuses to continue a results part made with another budget, naming the setting', async () => {
    const results = join(dir, 'resume');
    const run = await runCli(['exp', 'table-a-smoke', '--results', results, '--no-tables', '--epochs', '2']);
    assert.equal(run.code, EXIT.USAGE);
    assert.match(run.stderr, /results part 'table-a-smoke-mnist' was run with other settings \(training\.epochs 1 → 2\)/);
  });

  it('measures Table C generations in child processes, with their peak memory', async () => {
    const results = join(dir, 'scaling');
    const run = await runCli(['exp', 'table-c-smoke', '--results', results, '--markdown', join(dir, 'scaling.md'), '--json']);
    assert.equal(run.code, EXIT.OK, run.stderr);
    const file = readResultsFile(join(results, 'table-c-smoke.json'));
    const state = readStateFile(join(results, 'table-c-smoke.state.json'));
    const [dense, pruned] = file.models;
    assert.equal(dense!.params, totalCost(layerCosts(inferModel(buildZooModel('resnet20,width=0.25,input=3x16x16', { seed: 1 })))).params);
    assert.ok(pruned!.params < dense!.params && pruned!.generationSeconds! > 0);
    const details = state.cells['resnet20-tiny/seed1']!.details[pruned!.id]!;
    // A fresh Node process with onnxruntime loaded holds tens of MiB at least; this one's own RSS is not what is reported.
    assert.ok(details.peakRssBytes! > 30 * 2 ** 20, String(details.peakRssBytes));
    assert.ok(details.peakRssBytes !== process.resourceUsage().maxRSS * 1024);
    assert.match(readFileSync(join(dir, 'scaling.md'), 'utf8'), /\| ResNet-20, width 1\/4 \(CIFAR\) `resnet20,width=0.25` \| 3x16x16 \| 17.5k \|/);
  });

  it('runs Table A on a CIFAR-10 folder given with --data', async () => {
    const cifar = join(dir, 'cifar');
    mkdirSync(cifar);
    const random = new Random(5);
    const records = (n: number) => Array.from({ length: n }, (_, i) => ({ labels: [i % 10], pixels: Uint8Array.from({ length: 3072 }, () => random.int(256)) }));
    for (let f = 1; f <= 5; f++) writeFileSync(join(cifar, `data_batch_${f}.bin`), cifarBytes(records(40)));
    writeFileSync(join(cifar, 'test_batch.bin'), cifarBytes(records(20)));
    const results = join(dir, 'cifar-results');
    const run = await runCli(['exp', 'table-a-smoke', '--data', `cifar10:${cifar}`, '--seeds', '1', '--results', results, '--no-tables', '--json']);
    assert.equal(run.code, EXIT.OK, run.stderr);
    const file = readResultsFile(join(results, 'table-a-smoke-cifar10.json'));
    assert.deepEqual(file.task, { dataset: 'cifar10', task: 'classification', metric: 'accuracy', inputShape: [1, 3, 32, 32] });
    assert.equal(file.models.length, 3);
    assert.equal(file.models[0]!.training?.steps, 6, '200 training images, 192 of them used, batch 32');
  });

  it('lists the cells of the full tables without running them', async () => {
    const run = await runCli(['exp', 'table-a', '--dry-run', '--results', join(dir, 'none'), '--json']);
    assert.equal(run.code, EXIT.OK, run.stderr);
    const cells = (JSON.parse(run.stdout) as { cells: { id: string; finished: boolean }[] }).cells;
    // 3 seeds x 2 datasets x 2 networks x (dense + 4 sparsities x 3 scorers).
    assert.equal(cells.length, 3 * 2 * 2 * 13);
    assert.ok(cells.every((c) => !c.finished));
    assert.equal(cells[0]!.id, 'mnist/vgg11q/dense/seed1');
    const unknown = await runCli(['exp', 'table-z']);
    assert.equal(unknown.code, EXIT.USAGE);
    assert.match(unknown.stderr, /unknown experiment 'table-z'; known: table-a, table-b, table-b2, table-c/);
  });
});
