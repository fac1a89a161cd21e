// Bad input through the real command line: each case spawns `sculpt` and expects one line on
// stderr naming the problem, the documented exit code, and no stack trace.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXIT } from '../src/cli/exit-codes.js';
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { float32 } from '../src/ir/tensor.js';
import { encodeModel } from '../src/onnx/encode.js';
import { Random } from '../src/util/random.js';
import { FIXTURE_ROOT } from './helpers/fixtures.js';
import { spawnCli, type CliResult } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sculpt-bad-'));
const resnetPath = join(FIXTURE_ROOT, 'resnet20', 'model.onnx');
const resnet = readFileSync(resnetPath);

function write(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A one-conv model; `op` replaces Conv, `declareWeight: false` leaves the weight undeclared. */
function convModel(options: { op?: string; declareWeight?: boolean } = {}): Uint8Array {
  const b = new GraphBuilder('bad');
  const x = b.input('x', 'float32', [1, 3, 8, 8]);
  const w = options.declareWeight === false ? 'conv.weight' : b.initializer('conv.weight', float32([4, 3, 3, 3], new Float32Array(108)));
  const y = b.op(options.op ?? 'Conv', [x, w], {}, { name: 'conv1', output: 'y' });
  b.output(y, 'float32');
  return encodeModel(modelFromGraph(b.build()));
}

const random = new Random(11);
const cases: { name: string; argv: string[]; code: number; message: RegExp }[] = [
  { name: 'an empty file', argv: ['inspect', write('empty.onnx', '')], code: EXIT.BAD_INPUT, message: /empty\.onnx': the model file is empty \(0 bytes\)$/ },
  {
    name: 'random bytes',
    argv: ['inspect', write('random.onnx', Uint8Array.from({ length: 4096 }, () => random.int(256)))],
    code: EXIT.BAD_INPUT,
    message: /random\.onnx': not a valid ONNX model/,
  },
  {
    name: 'a truncated model',
    argv: ['inspect', write('truncated.onnx', resnet.subarray(0, Math.floor(resnet.byteLength / 2)))],
    code: EXIT.BAD_INPUT,
    message: /truncated\.onnx': not a valid ONNX model: the protobuf could not be decoded .*truncated/,
  },
  {
    name: 'an unknown op',
    argv: ['inspect', write('unknown-op.onnx', convModel({ op: 'FancyConv' }))],
    code: EXIT.BAD_INPUT,
    message: /node 'conv1' \(FancyConv\): op 'FancyConv' is not supported \(supported: .*Conv/,
  },
  {
    name: 'a missing initialiser',
    argv: ['inspect', write('missing-init.onnx', convModel({ declareWeight: false }))],
    code: EXIT.BAD_INPUT,
    message: /node 'conv1' \(Conv\): input 'conv\.weight' is not a graph input, an initialiser, or any node's output \(missing initialiser\?\)$/,
  },
  {
    name: 'a wrong input rank',
    argv: ['inspect', resnetPath, '--input-shape', '1,3,32'],
    code: EXIT.USAGE,
    message: /--input-shape 1,3,32 has rank 3, but input 'input' of model\.onnx has rank 4/,
  },
  { name: 'a directory instead of a model', argv: ['bench', dir], code: EXIT.IO, message: /cannot read '.*': it is a directory$/ },
  { name: 'random bytes given to bench', argv: ['bench', join(dir, 'random.onnx'), '--backends', 'node'], code: EXIT.BAD_INPUT, message: /not a valid ONNX model/ },
];

describe('bad input on the command line', () => {
  // Spawn all at once; each is a separate process.
  const results = new Map<string, Promise<CliResult>>(cases.map((c) => [c.name, spawnCli(c.argv)]));

  for (const c of cases) {
    it(`reports ${c.name} in one line with exit ${c.code} and no stack trace`, async () => {
      const { code, stdout, stderr } = await results.get(c.name)!;
      assert.equal(code, c.code, stderr);
      assert.equal(stdout, '');
      const lines = stderr.split('\n');
      assert.equal(lines.length, 2, `one line, got:\n${stderr}`);
      assert.equal(lines[1], '');
      assert.match(lines[0]!, new RegExp(`^sculpt ${c.argv[0]}: error: `));
      assert.match(lines[0]!, c.message);
      assert.doesNotMatch(stderr, /\bat .*\.(ts|js):\d+/);
    });
  }

  it('shows the stack trace with --verbose', async () => {
    const { code, stderr } = await spawnCli(['inspect', join(dir, 'empty.onnx'), '--verbose']);
    assert.equal(code, EXIT.BAD_INPUT);
    assert.match(stderr, /\n +at .*decode\.ts:\d+/);
  });
});
