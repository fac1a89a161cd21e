import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { ReportJson } from '../src/cli/commands/report.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { describeMachine } from '../src/platform/node/report-files.js';
import { parseResults } from '../src/report/validate.js';
import { runCli } from './helpers/cli.js';
import { demoResults, singleModelResults } from './report-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'sculpt-report-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A fresh folder holding the demo results as results.json. */
function workspace(): { dir: string; input: string } {
  counter += 1;
  const dir = join(root, `w${counter}`);
  mkdirSync(join(dir, 'run'), { recursive: true });
  const input = join(dir, 'run', 'results.json');
  writeFileSync(input, JSON.stringify(demoResults()));
  return { dir, input };
}

describe('sculpt report', () => {
  it('writes report.html and results.json into the output folder and says so', async () => {
    const { dir, input } = workspace();
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await runCli(['report', input, '-o', out]);
    assert.equal(code, EXIT.OK, stderr);
    assert.equal(stdout, `wrote ${join(out, 'report.html')}: 7 models, 1 run, chosen: ${demoResults().models[5]!.label}\nwrote ${join(out, 'results.json')}\n`);
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(page, /<table class="summary" id="summary-table">/);
    // Model files were beside the input: the copy names them from the new folder.
    const written = parseResults(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.deepEqual(written.models.map((m) => m.file), demoResults().models.map((m) => `../run/${m.file}`));
    assert.ok(page.includes('href="../run/dense.onnx"'));
    assert.deepEqual({ ...written, models: written.models.map(({ file: _file, ...m }) => m) }, { ...demoResults(), models: demoResults().models.map(({ file: _file, ...m }) => m) });
  });

  it('prints one JSON object with --json', async () => {
    const { dir, input } = workspace();
    const { code, stdout } = await runCli(['report', input, '-o', join(dir, 'out'), '--json']);
    assert.equal(code, EXIT.OK);
    const json = JSON.parse(stdout) as ReportJson;
    assert.deepEqual(json, { html: join(dir, 'out', 'report.html'), results: join(dir, 'out', 'results.json'), inputs: [input], models: 7, runs: 1, chosen: 'reconvene-16x' });
  });

  it('refuses to replace an existing report without --force, changing nothing, and replaces it with --force', async () => {
    const { dir, input } = workspace();
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'report.html'), 'old page');
    const refused = await runCli(['report', input, '-o', out]);
    assert.equal(refused.code, EXIT.USAGE);
    assert.equal(refused.stderr, `sculpt report: error: '${join(out, 'report.html')}' already exists; pass --force to replace it or choose another output folder\n`);
    assert.equal(readFileSync(join(out, 'report.html'), 'utf8'), 'old page');
    assert.throws(() => readFileSync(join(out, 'results.json')), /ENOENT/, 'no results.json written beside the old page');
    const forced = await runCli(['report', input, '-o', out, '--force']);
    assert.equal(forced.code, EXIT.OK, forced.stderr);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /^<!doctype html>/);
  });

  it('re-renders a folder from its own results.json, keeping that file byte for byte', async () => {
    const { dir, input } = workspace();
    const runDir = join(dir, 'run');
    const before = readFileSync(input);
    const { code, stdout, stderr } = await runCli(['report', input, '-o', runDir, '--json', '--verbose']);
    assert.equal(code, EXIT.OK, stderr);
    assert.equal((JSON.parse(stdout) as ReportJson).results, null);
    assert.deepEqual(readFileSync(input), before);
    assert.match(readFileSync(join(runDir, 'report.html'), 'utf8'), /href="dense\.onnx"/);
    assert.match(stderr, /kept .*results\.json as it is/);
  });

  it('merges several files, and never overwrites one of them', async () => {
    const { dir, input } = workspace();
    const second = join(dir, 'second.json');
    writeFileSync(second, JSON.stringify(demoResults()));
    const merged = await runCli(['report', input, second, '-o', join(dir, 'both')]);
    assert.equal(merged.code, EXIT.OK, merged.stderr);
    assert.match(merged.stdout, /: 14 models, 2 runs, chosen: .*\nwrote .*results\.json \(merged from 2 files\)\n$/);
    const written = parseResults(readFileSync(join(dir, 'both', 'results.json'), 'utf8'));
    assert.deepEqual(written.runs.map((r) => r.source), [input, second]);

    const before = readFileSync(input);
    const refused = await runCli(['report', input, second, '-o', join(dir, 'run'), '--force']);
    assert.equal(refused.code, EXIT.USAGE);
    assert.match(refused.stderr, /^sculpt report: error: refusing to overwrite the input file '.*results\.json'; choose another output folder\n$/);
    assert.deepEqual(readFileSync(input), before);
  });

  it('refuses to merge results about different datasets, exit 3', async () => {
    const { dir, input } = workspace();
    const other = join(dir, 'phantom.json');
    writeFileSync(other, JSON.stringify(singleModelResults()));
    const { code, stderr } = await runCli(['report', input, other, '-o', join(dir, 'out')]);
    assert.equal(code, EXIT.BAD_INPUT);
    assert.match(stderr, /^sculpt report: error: cannot merge .*phantom\.json \(phantom, segmentation, dice\) with .*results\.json \(mnist, classification, accuracy\)/);
  });

  it('reports a malformed results file in one line naming the file and field, exit 3', async () => {
    const { dir } = workspace();
    const bad = join(dir, 'bad.json');
    const json = JSON.parse(JSON.stringify(demoResults()));
    json.models[1].params = 'many';
    writeFileSync(bad, JSON.stringify(json));
    const { code, stderr, stdout } = await runCli(['report', bad, '-o', join(dir, 'out')]);
    assert.equal(code, EXIT.BAD_INPUT);
    assert.equal(stdout, '');
    assert.equal(stderr, `sculpt report: error: ${bad}: models[1].params must be a non-negative integer, got "many"; fix that field or regenerate the file with Sculpt\n`);
    writeFileSync(bad, JSON.stringify({ ...demoResults(), version: 2 }));
    const newer = await runCli(['report', bad, '-o', join(dir, 'out')]);
    assert.equal(newer.code, EXIT.BAD_INPUT);
    assert.match(newer.stderr, /results version 2 is not supported \(this Sculpt reads version 1\)/);
  });

  it('needs at least one results file, exit 2', async () => {
    const { code, stderr } = await runCli(['report']);
    assert.equal(code, EXIT.USAGE);
    assert.match(stderr, /^sculpt report: error: .*results\.json/);
  });
});

describe('describeMachine', () => {
  it('records the CPU, cores, Node and the onnxruntime version that onnxruntime itself reports', () => {
    const machine = describeMachine();
    assert.equal(machine.onnxruntime, ort.env.versions.node);
    assert.equal(machine.node, process.version);
    assert.equal(machine.cores, cpus().length);
    assert.equal(machine.cpu, cpus()[0]!.model.trim());
    assert.equal(machine.os, `${process.platform} ${process.arch}`);
  });
});
