import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXIT } from '../src/cli/exit-codes.js';
import { buildDependencyGraph } from '../src/deps/groups.js';
import type { Model } from '../src/ir/graph.js';
import { float32, toFloat32 } from '../src/ir/tensor.js';
import { decodeModel } from '../src/onnx/decode.js';
import { encodeModel } from '../src/onnx/encode.js';
import { layerCosts, totalCost } from '../src/ops/cost.js';
import { inferModel } from '../src/ops/infer.js';
import { removeChannels } from '../src/prune/surgery.js';
import { buildZooModel } from '../src/zoo/index.js';
import { runCli } from './helpers/cli.js';
import { Net } from './deps-graphs.js';

const SPEC = 'resnet20,width=0.5';
const dir = mkdtempSync(join(tmpdir(), 'sculpt-prune-'));
const modelPath = join(dir, 'resnet.onnx');
writeFileSync(modelPath, encodeModel(buildZooModel(SPEC, { seed: 1 })));
let outputs = 0;
const freshOutput = (): string => join(dir, `out-${outputs++}.onnx`);

describe('sculpt prune', () => {
  it('shows help with every method, the options and examples', async () => {
    const { code, stdout } = await runCli(['prune', '--help']);
    assert.equal(code, EXIT.OK);
    assert.match(stdout, /^Usage: sculpt prune /m);
    for (const method of ['upai', 'reconvene', 'structured-zero', 'l1', 'l2', 'bn', 'taylor', 'random']) assert.ok(stdout.includes(method), method);
    for (const option of ['--method', '--scorer', '--ratio', '--sparsity', '--target', '--scope', '--steps', '--round-to', '--data', '--no-self-test', '--output', '--force']) assert.ok(stdout.includes(option), option);
  });

  it('prints one JSON object with before/after sizes, time and per-layer widths, and writes the pruned model', async () => {
    const output = freshOutput();
    const before = readFileSync(modelPath);
    const { code, stdout, stderr } = await runCli(['prune', modelPath, '--method', 'l1', '--ratio', '0.5', '--target', 'params', '-o', output, '--json']);
    assert.equal(code, EXIT.OK, stderr);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    const result = JSON.parse(lines[0]!) as Record<string, any>;
    assert.deepEqual(Object.keys(result), ['method', 'output', 'before', 'after', 'timeMs', 'layers', 'groups', 'selfTest']);
    assert.equal(result.selfTest.cuts, 1);
    assert.ok(result.selfTest.maxError <= 1e-4);
    assert.deepEqual(Object.keys(result.before), ['params', 'macs', 'bytes']);
    assert.deepEqual(Object.keys(result.after), ['params', 'macs', 'bytes']);
    assert.equal(result.before.bytes, before.byteLength);
    assert.equal(result.after.bytes, statSync(output).size);
    assert.ok(typeof result.timeMs === 'number' && result.timeMs > 0);
    // The written model is the reported one: measure it independently.
    const written = decodeModel(new Uint8Array(readFileSync(output)));
    const measured = totalCost(layerCosts(inferModel(written)));
    assert.deepEqual([result.after.params, result.after.macs], [measured.params, measured.macs]);
    assert.ok(result.after.params <= 0.5 * result.before.params);
    const original = totalCost(layerCosts(inferModel(decodeModel(new Uint8Array(before)))));
    assert.deepEqual([result.before.params, result.before.macs], [original.params, original.macs]);
    assert.ok(result.layers.length > 0);
    for (const layer of result.layers) assert.deepEqual(Object.keys(layer), ['name', 'op', 'before', 'after']);
    assert.ok(result.layers.some((l: { before: number; after: number }) => l.after < l.before));
    assert.deepEqual(readFileSync(modelPath), before, 'the input file is untouched');
  });

  it('prints the size table, the per-layer width table and the self-test line as text', async () => {
    const { code, stdout } = await runCli(['prune', `zoo:${SPEC}`, '--method', 'random', '--sparsity', '0.25', '--scope', 'local', '--steps', '2', '-o', freshOutput()]);
    assert.equal(code, EXIT.OK);
    assert.match(stdout, /^before +[\d,]+ +[\d,]+ +[\d.]+ [KM]B$/m);
    assert.match(stdout, /^after\/before +0\.\d\dx/m);
    assert.match(stdout, /^ *# +layer +op +channels +after +kept$/m);
    assert.match(stdout, /Self-test passed on 2 cut\(s\)/);
  });

  const usageCases: [string, string[], RegExp][] = [
    ['a ratio of 0', ['--method', 'l1', '--ratio', '0'], /--ratio must be a number in \(0, 1\]/],
    ['a ratio above 1', ['--method', 'l1', '--ratio', '1.5'], /--ratio must be a number in \(0, 1\]/],
    ['a ratio that is not a number', ['--method', 'l1', '--ratio', 'half'], /--ratio must be a number in \(0, 1\].*got 'half'/],
    ['a sparsity of 1', ['--method', 'l1', '--sparsity', '1'], /--sparsity must be a number in \[0, 1\)/],
    ['a negative sparsity', ['--method', 'upai', '--scorer', 'snip', '--sparsity=-0.1'], /--sparsity must be a number in \[0, 1\)/],
    ['both ratio and sparsity', ['--method', 'l1', '--ratio', '0.5', '--sparsity', '0.5'], /give one of them/],
    ['an unknown method', ['--method', 'l3', '--ratio', '0.5'], /--method got 'l3'; allowed: upai, reconvene, structured-zero, l1, l2, bn, taylor, random/],
    ['an unknown scorer', ['--method', 'upai', '--scorer', 'snp', '--sparsity', '0.9'], /--scorer got 'snp'; allowed: rand, mag, snip, grasp, synflow/],
    ['a scorer with a structured method', ['--method', 'l1', '--scorer', 'snip', '--ratio', '0.5'], /--scorer applies to --method upai and reconvene/],
    ['a ratio with structured-zero', ['--method', 'structured-zero', '--ratio', '0.5'], /structured-zero .* takes no --ratio/],
    ['no ratio for a criterion', ['--method', 'bn'], /--method bn needs --ratio R/],
    ['no method', ['--ratio', '0.5'], /give --method/],
    ['taylor without data', ['--method', 'taylor', '--ratio', '0.5'], /--method taylor needs labelled data: give --data/],
    ['data with a criterion that reads none', ['--method', 'l2', '--ratio', '0.5', '--data', 'phantom'], /does not read data; drop --data/],
    ['a batch count with a criterion that reads no data', ['--method', 'l1', '--ratio', '0.5', '--batches', '2'], /does not read data; drop --batches/],
    ['an unknown target', ['--method', 'l1', '--ratio', '0.5', '--target', 'flops'], /--target got 'flops'; allowed: channels, params, macs/],
    ['zero steps', ['--method', 'l1', '--ratio', '0.5', '--steps', '0'], /--steps must be at least 1/],
    ['an unreachable target', ['--method', 'l1', '--ratio', '0.001', '--target', 'params'], /cannot be met.*ask for a ratio of at least/],
    ['snip without data', ['--method', 'upai', '--scorer', 'snip', '--sparsity', '0.9'], /--scorer snip needs labelled data: give --data/],
    ['data with a data-free scorer', ['--method', 'reconvene', '--scorer', 'synflow', '--sparsity', '0.9', '--data', 'phantom'], /--scorer synflow does not read data; drop --data/],
  ];
  for (const [what, args, message] of usageCases) {
    it(`refuses ${what} with one line and exit 2`, async () => {
      const output = freshOutput();
      const { code, stderr, stdout } = await runCli(['prune', modelPath, ...args, '-o', output]);
      assert.equal(code, EXIT.USAGE, stderr);
      assert.equal(stdout, '');
      assert.match(stderr, /^sculpt prune: error: .+\n$/);
      assert.match(stderr, message);
      assert.ok(!existsSync(output));
    });
  }

  it('prunes a U-Net by taylor scores on phantom slices, re-scoring at each step', async () => {
    const { code, stdout, stderr } = await runCli([
      'prune', 'zoo:unet,base=8,depth=2,input=1x32x32,out=4', '--method', 'taylor', '--data', 'phantom,n=24,size=32',
      '--batches', '2', '--batch-size', '6', '--ratio', '0.7', '--target', 'params', '--steps', '2', '-o', freshOutput(), '--json',
    ]);
    assert.equal(code, EXIT.OK, stderr);
    const result = JSON.parse(stdout) as { before: { params: number }; after: { params: number }; selfTest: { cuts: number; maxError: number } };
    assert.ok(result.after.params <= 0.7 * result.before.params);
    assert.equal(result.selfTest.cuts, 2);
  });

  it('refuses data whose images do not fit the model input, exit 2', async () => {
    const { code, stderr } = await runCli(['prune', modelPath, '--method', 'taylor', '--data', 'phantom,n=24,size=32', '--ratio', '0.7', '-o', freshOutput()]);
    assert.equal(code, EXIT.USAGE);
    assert.match(stderr, /--data 'phantom,n=24,size=32' has 1x32x32 images, but the model's input 'input' takes 3x32x32/);
  });

  it('asks for -o when no output path is given, exit 2', async () => {
    const { code, stderr } = await runCli(['prune', modelPath, '--method', 'l1', '--ratio', '0.5']);
    assert.equal(code, EXIT.USAGE);
    assert.match(stderr, /give the output path with -o/);
  });

  it('reports a missing model file in one line, exit 4', async () => {
    const { code, stderr } = await runCli(['prune', join(dir, 'missing.onnx'), '--method', 'l1', '--ratio', '0.5', '-o', freshOutput()]);
    assert.equal(code, EXIT.IO);
    assert.match(stderr, /cannot read '.*missing\.onnx': no such file\n$/);
  });

  it('refuses to overwrite the input model, and an existing output unless --force', async () => {
    const before = readFileSync(modelPath);
    const self = await runCli(['prune', modelPath, '--method', 'l1', '--ratio', '0.5', '-o', modelPath, '--force']);
    assert.equal(self.code, EXIT.USAGE);
    assert.match(self.stderr, /refusing to overwrite the input file/);
    assert.deepEqual(readFileSync(modelPath), before);
    const output = freshOutput();
    writeFileSync(output, 'keep me');
    const refused = await runCli(['prune', modelPath, '--method', 'l1', '--ratio', '0.5', '-o', output]);
    assert.equal(refused.code, EXIT.USAGE);
    assert.match(refused.stderr, /already exists; pass --force/);
    assert.equal(readFileSync(output, 'utf8'), 'keep me');
    const forced = await runCli(['prune', modelPath, '--method', 'l1', '--ratio', '0.5', '-o', output, '--force']);
    assert.equal(forced.code, EXIT.OK, forced.stderr);
    assert.ok(decodeModel(new Uint8Array(readFileSync(output))).graph.nodes.length > 0);
  });

  it('refuses a model with nothing prunable, exit 3', async () => {
    const net = new Net(1);
    const path = join(dir, 'lone.onnx');
    writeFileSync(path, encodeModel(net.model(net.conv(net.input([1, 3, 8, 8]), 3, 4, 'only'))));
    const { code, stderr } = await runCli(['prune', path, '--method', 'l1', '--ratio', '0.5', '-o', freshOutput()]);
    assert.equal(code, EXIT.BAD_INPUT);
    assert.match(stderr, /no channel group that can lose channels/);
  });

  it('structured-zero removes exactly the zeroed channels and reports the drop', async () => {
    // Zero two filters of the stem conv of a small VGG and the matching BN scales: those channels are dead.
    const model = buildZooModel('vgg11,width=0.25', { seed: 2 });
    const deps = buildDependencyGraph(inferModel(model));
    const group = deps.groups.find((g) => g.prunable && g.producers.length === 1)!;
    const zeroed = zeroFilters(model, group.parameters.filter((p) => p.side === 'output').map((p) => p.value), [1, 3]);
    const path = join(dir, 'zeroed.onnx');
    writeFileSync(path, encodeModel(zeroed));
    const { code, stdout, stderr } = await runCli(['prune', path, '--method', 'structured-zero', '-o', freshOutput(), '--json']);
    assert.equal(code, EXIT.OK, stderr);
    const result = JSON.parse(stdout) as { before: { params: number }; after: { params: number }; layers: { name: string; before: number; after: number }[] };
    const producer = result.layers.find((l) => l.name === group.producers[0]!.node)!;
    assert.deepEqual([producer.before, producer.after], [group.width, group.width - 2]);
    // The expected drop: the same two channels cut by surgery directly.
    const cut = removeChannels(model, [{ group: group.id, channels: [1, 3] }], { dependencies: deps });
    const params = (m: Model): number => totalCost(layerCosts(inferModel(m))).params;
    assert.equal(result.before.params - result.after.params, params(model) - params(cut));
    assert.ok(result.after.params < result.before.params);
  });
});

describe('sculpt inspect --groups', () => {
  it('prints the prunability report as one JSON object', async () => {
    const { code, stdout } = await runCli(['inspect', modelPath, '--groups', '--json']);
    assert.equal(code, EXIT.OK);
    const report = JSON.parse(stdout) as { groups: Record<string, unknown>[]; barriers: Record<string, unknown>[]; totals: Record<string, number> };
    assert.deepEqual(Object.keys(report), ['groups', 'barriers', 'totals']);
    assert.deepEqual(Object.keys(report.groups[0]!), ['id', 'width', 'prunable', 'barriers', 'producers', 'consumers', 'tensors', 'parameters']);
    assert.deepEqual(Object.keys(report.totals), ['groups', 'prunableGroups', 'channels', 'prunableChannels']);
    const deps = buildDependencyGraph(inferModel(buildZooModel(SPEC, { seed: 1 })));
    assert.equal(report.totals.groups, deps.groups.length);
    assert.equal(report.totals.prunableGroups, deps.groups.filter((g) => g.prunable).length);
    assert.ok(report.barriers.some((b) => /graph output/.test(String(b.reason))));
  });

  it('prints the report as text', async () => {
    const { code, stdout } = await runCli(['inspect', `zoo:${SPEC}`, '--groups']);
    assert.equal(code, EXIT.OK);
    assert.match(stdout, /^\d+ of \d+ channel groups are prunable \(\d+ of \d+ channels\)\.$/m);
    assert.match(stdout, /^Barriers:$/m);
  });
});

/** The model with filters `indices` (axis 0 of every named output-side parameter) set to zero. */
function zeroFilters(model: Model, names: readonly string[], indices: readonly number[]): Model {
  const initializers = new Map(model.graph.initializers);
  for (const name of names) {
    const t = initializers.get(name)!;
    const data = Float32Array.from(toFloat32(t));
    const inner = data.length / t.dims[0]!;
    for (const i of indices) data.fill(0, i * inner, (i + 1) * inner);
    initializers.set(name, float32(t.dims, data));
  }
  return { ...model, graph: { ...model.graph, initializers } };
}
