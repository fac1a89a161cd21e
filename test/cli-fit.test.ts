// `sculpt fit` end to end on a tiny U-Net and phantom: help, one-line usage errors for criteria,
// exit code 5 with the closest candidates when nothing can meet the criteria, the files it writes,
// and a search killed after its first candidate that --resume continues without retraining it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FitJson } from '../src/cli/commands/fit.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { loadModelFile } from '../src/platform/node/model-files.js';
import type { FitState } from '../src/sculpt/state.js';
import { runCli } from './helpers/cli.js';

const UNET = 'zoo:unet,base=4,depth=2,out=4,input=1x16x16';
const PHANTOM = 'phantom:16,n=48';
const QUICK = ['--batch', '8', '--threads', '1', '--runs', '3'];
const ROOT = new URL('../', import.meta.url).pathname;

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'sculpt-cli-fit-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

function readState(outDir: string): FitState | undefined {
  const path = join(outDir, 'fit-state.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as FitState;
  } catch {
    return undefined;
  }
}

describe('sculpt fit', () => {
  it('shows help with every criterion form, the methods and runnable examples', async () => {
    const help = await runCli(['fit', '--help']);
    assert.equal(help.code, EXIT.OK);
    assert.match(help.stdout, /^Usage: sculpt fit <model> \[options\]$/m);
    for (const form of ['0.96x', '5ms@b1', '100k', '1MB', 'channel, uniform, reconvene or upai', 'Exit code 5']) assert.ok(help.stdout.includes(form), form);
    assert.match(help.stdout, /^ {2}sculpt fit unet\.onnx --data phantom:64 --min-quality 0\.96x --max-latency 5ms@b1/m);
  });

  it('refuses bad criteria and missing ones with one-line usage errors (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['--max-latency', '5msec@b1'], /--max-latency 5msec@b1: unknown time unit 'msec'; allowed: us, ms, s/],
      [['--min-quality', '96'], /--min-quality 96 is outside \(0, 1\]; did you mean 96%/],
      [['--max-params', '10kb'], /--max-params got '10kb'/],
      [['--max-bytes', '1M'], /--max-bytes got '1M'; allowed: a size with a unit B, KB, MB or GB/],
      [[], /sculpt fit needs at least one criterion: --min-quality, --max-latency, --max-params or --max-bytes/],
      [['--max-params', '10k', '--ladder', '4,2'], /--ladder 4,2: factors must be given once each, in ascending order/],
      [['--max-params', '10k', '--method', 'uniform', '--criterion', 'taylor'], /--criterion belongs to --method channel, not uniform/],
      [['--max-params', '10k', '--allocation', 'flat'], /--allocation got 'flat'; allowed: cap, global, local/],
      [['--max-params', '10k', '--search', 'linear'], /--search got 'linear'; allowed: binary, all/],
    ];
    for (const [extra, pattern] of cases) {
      const run = await runCli(['fit', UNET, '--data', PHANTOM, '--out-dir', join(dir, 'never'), ...extra]);
      assert.equal(run.code, EXIT.USAGE, `${extra.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, pattern);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
  });

  it('exits with code 5 and names the closest candidates when no rung can meet the criteria', async () => {
    const out = join(dir, 'impossible');
    const run = await runCli(['fit', UNET, '--data', PHANTOM, '--max-params', '20', '--ladder', '2,4', '--budget', '4steps', '--out-dir', out, '--json', ...QUICK]);
    assert.equal(run.code, EXIT.CRITERIA_NOT_MET, run.stderr);
    const json = JSON.parse(run.stdout) as FitJson;
    assert.equal(json.chosen, null);
    assert.deepEqual(json.trainedNow, [], 'no rung meets the parameter bound, so none is trained');
    assert.deepEqual(json.closest.map((c) => c.id), ['channel-l1-4x', 'channel-l1-2x', 'dense']);
    assert.match(json.failure!, /^No candidate meets every criterion \(parameters <= 20\) among 2 rungs \(0 trained\) and the unpruned model; closest: channel-l1-4x \(.* parameters is above 20\)/);
    assert.ok(existsSync(join(out, 'results.json')) && !existsSync(join(out, 'chosen.onnx')), 'results written, no chosen model');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { format: string; models: { id: string; quality: number | null }[]; choice?: unknown };
    assert.equal(results.format, 'sculpt-results');
    assert.deepEqual(results.models.map((m) => m.id), ['dense', 'channel-l1-2x', 'channel-l1-4x']);
    assert.equal(results.choice, undefined);
    const text = await runCli(['fit', UNET, '--data', PHANTOM, '--max-params', '20', '--ladder', '2,4', '--budget', '4steps', '--out-dir', out, '--resume', ...QUICK]);
    assert.equal(text.code, EXIT.CRITERIA_NOT_MET, text.stderr);
    assert.match(text.stdout, /nothing chosen \(exit code 5\)\. Relax a criterion, extend --ladder or raise --budget\./);
  });

  it('refuses to start over an earlier search without --force, and to resume one that is not there', async () => {
    const out = join(dir, 'impossible');
    const again = await runCli(['fit', UNET, '--data', PHANTOM, '--max-params', '20', '--out-dir', out, ...QUICK]);
    assert.equal(again.code, EXIT.USAGE);
    assert.match(again.stderr, /fit-state\.json' holds an earlier search; pass --resume to continue it or --force to start over/);
    const missing = await runCli(['fit', UNET, '--data', PHANTOM, '--max-params', '20', '--out-dir', join(dir, 'nothing-here'), '--resume', ...QUICK]);
    assert.equal(missing.code, EXIT.USAGE);
    assert.match(missing.stderr, /--resume: '.*fit-state\.json' does not exist/);
    const other = await runCli(['fit', UNET, '--data', 'phantom:16,n=64', '--max-params', '20', '--budget', '4steps', '--out-dir', out, '--resume', ...QUICK]);
    assert.equal(other.code, EXIT.USAGE);
    assert.match(other.stderr, /cannot resume: .* was written by a different search \(data 'phantom:16,n=48' then, 'phantom:16,n=64' now\)/);
  });

  it('resumes a search killed after its first candidate without retraining it', async () => {
    const out = join(dir, 'killed');
    const argv = ['fit', UNET, '--data', PHANTOM, '--min-quality', '0.5x', '--ladder', '2,4,8', '--search', 'all', '--budget', '40steps', '--out-dir', out, '--json', ...QUICK];
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/cli-entry.ts', ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Uint8Array) => (stderr += String(d)));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Watch the state file; kill the process (no chance to clean up) once one candidate is trained.
    let killedAt: FitState | undefined;
    const watch = setInterval(() => {
      const state = readState(out);
      if (!killedAt && state && state.candidates.some((c) => c.trained)) {
        killedAt = state;
        child.kill('SIGKILL');
      }
    }, 10);
    await closed;
    clearInterval(watch);
    assert.ok(killedAt, `the first candidate finished before the run ended: ${stderr}`);
    const state = readState(out)!;
    const finished = state.candidates.filter((c) => c.trained);
    assert.ok(finished.length >= 1 && finished.length < 3, `killed mid-search, with ${finished.length} of 3 candidates trained`);
    const files = new Map(finished.map((c) => [c.id, statSync(join(out, c.file!)).mtimeMs]));

    const resumed = await runCli([...argv.slice(0, -QUICK.length), '--resume', ...QUICK]);
    assert.equal(resumed.code, EXIT.OK, resumed.stderr);
    const json = JSON.parse(resumed.stdout) as FitJson;
    assert.deepEqual(json.searched, ['channel-l1-2x', 'channel-l1-4x', 'channel-l1-8x']);
    assert.deepEqual(json.trainedNow, json.searched.filter((id) => !files.has(id)), 'only the unfinished candidates are trained');
    for (const before of finished) {
      assert.deepEqual(json.candidates.find((c) => c.id === before.id), before, `${before.id} is unchanged`);
      assert.equal(statSync(join(out, before.file!)).mtimeMs, files.get(before.id), `${before.id}'s model file is not rewritten`);
    }
    assert.deepEqual(json.baseline, state.baseline, 'the trained baseline comes from the state');
    assert.ok(json.chosen, `a floor of half the unpruned Dice is met: ${resumed.stderr}`);
    const chosen = loadModelFile(json.chosen.file);
    assert.ok(chosen.graph.nodes.length > 0, 'chosen.onnx is a model');
  });
});
