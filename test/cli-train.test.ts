// `sculpt train` and `sculpt eval`: help, JSON shapes, agreement between the two, resume, and
// one-line errors with the right exit codes for bad arguments, missing files and overwrites.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseBudget } from '../src/cli/commands/train.js';
import type { EvalJson } from '../src/cli/commands/eval.js';
import type { TrainJson } from '../src/cli/commands/train.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { isSculptError } from '../src/errors.js';
import { float32 } from '../src/ir/tensor.js';
import { loadModelFile, saveModelFile } from '../src/platform/node/model-files.js';
import { buildZooModel } from '../src/zoo/index.js';
import { runCli } from './helpers/cli.js';

const UNET = 'zoo:unet,base=4,depth=2,out=4,input=1x16x16';
const PHANTOM = 'phantom:16,n=40';
const QUICK = ['--batch', '8', '--threads', '1'];
const ROOT = new URL('../', import.meta.url).pathname;

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'sculpt-cli-train-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('sculpt train and eval', () => {
  it('show help with the dataset kinds, the budget forms and runnable examples', async () => {
    const trainHelp = await runCli(['train', '--help']);
    assert.equal(trainHelp.code, EXIT.OK);
    assert.match(trainHelp.stdout, /^Usage: sculpt train <model> \[options\]$/m);
    assert.match(trainHelp.stdout, /stop after 2ep, 500steps, 90s, 10m or 1h/);
    assert.match(trainHelp.stdout, /phantom\[:<size>\]/);
    assert.match(trainHelp.stdout, /^ {2}sculpt train zoo:resnet20,input=1x28x28 --data mnist /m);
    const evalHelp = await runCli(['eval', '--help']);
    assert.equal(evalHelp.code, EXIT.OK);
    assert.match(evalHelp.stdout, /Dice and IoU per class/);
  });

  it('trains with --json: one object with the final metrics and per-epoch history, and eval of the written model agrees', async () => {
    const output = join(dir, 'unet.onnx');
    const checkpoints = join(dir, 'ckpt');
    const run = await runCli(['train', UNET, '--data', PHANTOM, '--budget', '2ep', '--optimizer', 'adam', '--lr', '0.01', '--checkpoint-dir', checkpoints, '--json', '-o', output, ...QUICK]);
    assert.equal(run.code, EXIT.OK, run.stderr);
    assert.equal(run.stdout.trim().split('\n').length, 1, 'exactly one line of JSON');
    const json = JSON.parse(run.stdout) as TrainJson;
    assert.equal(json.model, UNET);
    assert.equal(json.output, output);
    assert.deepEqual(json.data, { spec: PHANTOM, part: 'test', name: 'phantom/test', count: 8, trainCount: 32, task: 'segmentation', classes: 4 });
    assert.equal(json.steps, 8);
    assert.equal(json.epochs, 2);
    assert.equal(json.stoppedBy, 'epochs');
    assert.equal(json.history.length, 2);
    assert.deepEqual(Object.keys(json.history[0]!).sort(), ['epoch', 'imagesPerSecond', 'learningRate', 'metrics', 'partial', 'seconds', 'step', 'trainLoss']);
    assert.equal(json.checkpoint, join(checkpoints, 'checkpoint.onnx'));
    assert.ok(existsSync(json.checkpoint!));
    assert.ok(json.metrics?.task === 'segmentation' && json.metrics.classes.length === 4 && json.metrics.classes[1]!.name === 'left ventricle');
    assert.ok(existsSync(output) && json.bytes > 0);
    const evaluated = await runCli(['eval', output, '--data', PHANTOM, '--json', ...QUICK]);
    assert.equal(evaluated.code, EXIT.OK, evaluated.stderr);
    const e = JSON.parse(evaluated.stdout) as EvalJson;
    assert.deepEqual(e.data, { spec: PHANTOM, part: 'test', name: 'phantom/test', count: 8, task: 'segmentation', classes: 4 });
    assert.ok(e.metrics.task === 'segmentation' && json.metrics.task === 'segmentation');
    if (e.metrics.task === 'segmentation' && json.metrics.task === 'segmentation') {
      assert.deepEqual(e.metrics.classes.map((c) => c.dice), json.metrics.classes.map((c) => c.dice), 'eval of the written model reproduces the final metrics of the run');
    }
  });

  it('resumes a run from its checkpoint folder and refuses to start over it without --force', async () => {
    const checkpoints = join(dir, 'resume');
    const base = ['train', UNET, '--data', PHANTOM, '--epochs', '2', '--checkpoint-dir', checkpoints, '--json', ...QUICK];
    const whole = await runCli([...base, '-o', join(dir, 'whole.onnx')]);
    assert.equal(whole.code, EXIT.OK, whole.stderr);
    const again = await runCli([...base, '-o', join(dir, 'again.onnx')]);
    assert.equal(again.code, EXIT.USAGE);
    assert.match(again.stderr, /checkpoint\.onnx' exists from an earlier run; pass --resume to continue it or --force to start over/);
    const resumed = await runCli([...base, '--resume', '-o', join(dir, 'resumed.onnx')]);
    assert.equal(resumed.code, EXIT.OK, resumed.stderr);
    const json = JSON.parse(resumed.stdout) as TrainJson;
    assert.equal(json.steps, 8, 'the run was complete: resuming takes no further steps');
    const a = loadModelFile(join(dir, 'whole.onnx'));
    const b = loadModelFile(join(dir, 'resumed.onnx'));
    for (const [name, value] of a.graph.initializers) assert.deepEqual(b.graph.initializers.get(name)!.data, value.data, name);
    // The checkpoint is itself a runnable model: evaluating it gives the run's final metrics.
    const evaluated = await runCli(['eval', join(checkpoints, 'checkpoint.onnx'), '--data', PHANTOM, '--json', ...QUICK]);
    assert.equal(evaluated.code, EXIT.OK, evaluated.stderr);
    const metrics = (JSON.parse(evaluated.stdout) as EvalJson).metrics;
    assert.deepEqual(metrics, json.metrics);
  });

  it('stops on Ctrl-C with exit 130, leaving a checkpoint that --resume continues', async () => {
    const checkpoints = join(dir, 'interrupted');
    const argv = ['train', UNET, '--data', PHANTOM, '--epochs', '1000', '--checkpoint-dir', checkpoints, '-o', join(dir, 'interrupted.onnx'), ...QUICK];
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/cli-entry.ts', ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Uint8Array) => (stderr += String(d)));
    child.stdout.on('data', (d: Uint8Array) => {
      stdout += String(d);
      // After the second epoch's line the SIGINT handler is surely installed: interrupt, once
      // (a second Ctrl-C ends the process at once, as usual).
      if (!sent && /^epoch 2\/1000/m.test(stdout)) sent = child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, EXIT.INTERRUPTED, stderr);
    assert.match(stderr, /interrupted at epoch \d+, step \d+; '.*checkpoint\.onnx' holds the state: rerun with --resume to continue/);
    assert.ok(!existsSync(join(dir, 'interrupted.onnx')), 'no output is written for an interrupted run');
    const resumed = await runCli(['train', UNET, '--data', PHANTOM, '--epochs', '1000', '--budget', '60steps', '--checkpoint-dir', checkpoints, '--resume', '--json', '-o', join(dir, 'interrupted.onnx'), ...QUICK]);
    assert.equal(resumed.code, EXIT.OK, resumed.stderr);
    const json = JSON.parse(resumed.stdout) as TrainJson;
    assert.equal(json.stoppedBy, 'steps');
    assert.ok(json.history.length >= 2 && json.history[0]!.epoch === 1, 'the history of the interrupted run is kept');
  });

  it('refuses to resume from a file that is not a checkpoint, naming it', async () => {
    const fake = join(dir, 'fake');
    mkdirSync(fake);
    saveModelFile(join(fake, 'checkpoint.onnx'), buildZooModel('unet,base=4,depth=2,out=4,input=1x16x16', { seed: 1 }));
    const run = await runCli(['train', UNET, '--data', PHANTOM, '--resume', '--checkpoint-dir', fake, '-o', join(dir, 'never.onnx'), ...QUICK]);
    assert.equal(run.code, EXIT.USAGE);
    assert.match(run.stderr, /fake\/checkpoint.onnx' is not a Sculpt training checkpoint/);
  });

  it('trains an unstructured-pruned model with --masks zeros, keeping its zeros', async () => {
    const model = buildZooModel('unet,base=4,depth=2,out=4,input=1x16x16', { seed: 3 });
    const initializers = new Map(model.graph.initializers);
    const weight = [...initializers].find(([name, t]) => t.dims.length === 4 && name.startsWith('down'))!;
    const data = (weight[1].data as Float32Array).map((v, i) => (i % 3 === 0 ? 0 : v));
    initializers.set(weight[0], float32(weight[1].dims, data));
    const input = join(dir, 'upai.onnx');
    saveModelFile(input, { ...model, graph: { ...model.graph, initializers } });
    const output = join(dir, 'upai-trained.onnx');
    const run = await runCli(['train', input, '--data', PHANTOM, '--budget', '3steps', '--masks', 'zeros', '-o', output, ...QUICK]);
    assert.equal(run.code, EXIT.OK, run.stderr);
    const trained = loadModelFile(output).graph.initializers.get(weight[0])!.data as Float32Array;
    let moved = 0;
    trained.forEach((v, i) => (i % 3 === 0 ? assert.equal(v, 0) : (moved += v !== data[i] ? 1 : 0)));
    assert.ok(moved > 0);
  });

  it('prints accuracy for a classification model', async () => {
    const run = await runCli(['eval', 'zoo:resnet20,width=0.25,input=1x28x28', '--data', 'mnist,limit=50', ...QUICK]);
    assert.equal(run.code, EXIT.OK, run.stderr);
    assert.match(run.stdout, /^accuracy \d+\.\d\d% \(\d+ of 50\), loss \d/m);
  });

  const failures: [string, string[], number, RegExp][] = [
    ['an unknown dataset', ['train', UNET, '--data', 'imagenet', '-o', 'x.onnx'], EXIT.USAGE, /unknown dataset 'imagenet'.*allowed: mnist/],
    ['a missing --data', ['eval', UNET], EXIT.USAGE, /needs --data <spec>/],
    ['a missing -o', ['train', UNET, '--data', PHANTOM], EXIT.USAGE, /needs -o <path>/],
    ['a bad budget', ['train', UNET, '--data', PHANTOM, '--budget', '2weeks', '-o', 'x.onnx'], EXIT.USAGE, /--budget got '2weeks'; allowed: .*2ep, 500steps, 90s, 10m, 1h/],
    ['an unknown optimizer', ['train', UNET, '--data', PHANTOM, '--optimizer', 'rmsprop', '-o', 'x.onnx'], EXIT.USAGE, /--optimizer got 'rmsprop'; allowed: sgd, adam, adamw/],
    ['a non-numeric learning rate', ['train', UNET, '--data', PHANTOM, '--lr', 'fast', '-o', 'x.onnx'], EXIT.USAGE, /--lr must be a number, got 'fast'/],
    ['a model input that does not fit the data', ['eval', 'zoo:resnet20,width=0.25', '--data', 'mnist,limit=20'], EXIT.BAD_INPUT, /input 'input' is \[batch, 3, 32, 32\] but dataset 'mnist\/test' has 1x28x28 images; build the model for 1x28x28/],
    ['a class count that does not fit the data', ['eval', 'zoo:unet,base=4,depth=2,out=2,input=1x16x16', '--data', PHANTOM], EXIT.BAD_INPUT, /outputs 2 classes per pixel but dataset 'phantom\/test' has 4; .*out=4/],
    ['a missing masks file', ['train', UNET, '--data', PHANTOM, '--masks', 'no/such/masks.onnx', '-o', 'x.onnx'], EXIT.IO, /cannot read 'no\/such\/masks.onnx': no such file/],
    ['--resume without a checkpoint', ['train', UNET, '--data', PHANTOM, '--resume', '--checkpoint-dir', 'no/such/dir', '-o', 'x.onnx'], EXIT.IO, /cannot resume: 'no\/such\/dir\/checkpoint.onnx' does not exist/],
  ];
  for (const [what, argv, code, message] of failures) {
    it(`reports ${what} in one line, exit ${code}`, async () => {
      const run = await runCli(argv);
      assert.equal(run.code, code, run.stderr);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, message);
    });
  }

  it('refuses to overwrite an existing output without --force, before training', async () => {
    const output = join(dir, 'exists.onnx');
    writeFileSync(output, 'keep me');
    const run = await runCli(['train', UNET, '--data', PHANTOM, '--epochs', '50', '-o', output, ...QUICK]);
    assert.equal(run.code, EXIT.USAGE);
    assert.match(run.stderr, /already exists; pass --force to replace it/);
  });

  it('refuses to overwrite the input model, even with --force, before training', async () => {
    const input = join(dir, 'input.onnx');
    saveModelFile(input, buildZooModel('unet,base=4,depth=2,out=4,input=1x16x16', { seed: 1 }));
    const run = await runCli(['train', input, '--data', PHANTOM, '--epochs', '50', '--force', '-o', input, ...QUICK]);
    assert.equal(run.code, EXIT.USAGE);
    assert.match(run.stderr, /refusing to overwrite the input file/);
  });

  it('parses budgets in epochs, steps and wall-clock units', () => {
    assert.deepEqual(parseBudget(undefined, undefined), { epochs: 10 });
    assert.deepEqual(parseBudget('2ep', undefined), { epochs: 2 });
    assert.deepEqual(parseBudget('500steps', 3), { epochs: 3, steps: 500 });
    assert.deepEqual(parseBudget('90s', undefined), { seconds: 90 });
    assert.deepEqual(parseBudget('1.5m', undefined), { seconds: 90 });
    assert.deepEqual(parseBudget('1h', 4), { epochs: 4, seconds: 3600 });
    assert.throws(() => parseBudget('2ep', 3), (e) => isSculptError(e, 'BAD_ARGUMENT') && /contradict/.test(e.message));
    assert.throws(() => parseBudget('0.5steps', undefined), (e) => isSculptError(e, 'BAD_ARGUMENT') && /whole number/.test(e.message));
  });
});
