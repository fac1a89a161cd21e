import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseArgs } from '../src/cli/args.js';
import { OUTPUT_OPTIONS, type Command } from '../src/cli/command.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { distinctLabels, resolveModelArgument } from '../src/cli/model-arg.js';
import { isSculptError } from '../src/errors.js';
import { onnxTypes } from '../src/onnx/proto.js';
import { FIXTURE_NAMES, FIXTURE_ROOT, loadFixture } from './helpers/fixtures.js';
import { runCli } from './helpers/cli.js';

const resnet = join(FIXTURE_ROOT, 'resnet20', 'model.onnx');
/** Options a command checks before it reads its model (usage errors come first). */
const REQUIRED: Readonly<Record<string, readonly string[]>> = { fit: ['--data', 'phantom:16', '--max-params', '10k'] };

describe('sculpt help', () => {
  it('lists every command with a summary', async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, EXIT.OK);
    for (const command of COMMANDS) assert.match(stdout, new RegExp(`^  ${command.name} +${command.summary.slice(0, 20)}`, 'm'));
    assert.match(stdout, /Exit codes: 0 ok, 1 runtime failure, 2 bad usage, 3 bad model or data, 4 file error/);
  });

  it('prints the help and exits 2 when no command is given', async () => {
    const { code, stderr, stdout } = await runCli([]);
    assert.equal(code, EXIT.USAGE);
    assert.equal(stdout, '');
    assert.match(stderr, /Usage: sculpt <command>/);
  });

  for (const command of COMMANDS) {
    it(`shows help with usage, options and examples for '${command.name} --help'`, async () => {
      for (const argv of [[command.name, '--help'], [command.name, '-h'], ['help', command.name]]) {
        const { code, stdout } = await runCli(argv);
        assert.equal(code, EXIT.OK);
        assert.match(stdout, new RegExp(`^Usage: sculpt ${command.name} `, 'm'));
        assert.match(stdout, /^Examples:\n {2}sculpt /m);
        for (const option of command.options) assert.ok(stdout.includes(`--${option.name}`), `help mentions --${option.name}`);
        for (const global of ['--json', '--seed', '--verbose', '--help']) assert.ok(stdout.includes(global));
      }
    });

    it(`'${command.name}' names an unknown option and suggests the near one, exit 2`, async () => {
      const { code, stderr } = await runCli([command.name, resnet, '--jsn']);
      assert.equal(code, EXIT.USAGE);
      assert.equal(stderr, `sculpt ${command.name}: error: unknown option '--jsn'; did you mean '--json'? (see 'sculpt ${command.name} --help')\n`);
    });

    // demo reads no file and exp takes an experiment's name; test/cli-all.test.ts covers them.
    if (command.positionals.length === 0 || command.positionals[0]!.name === 'experiment') continue;
    it(`'${command.name}' reports a missing model file in one line, exit 4`, async () => {
      const { code, stderr, stdout } = await runCli([command.name, 'no/such/model.onnx', ...(REQUIRED[command.name] ?? [])]);
      assert.equal(code, EXIT.IO);
      assert.equal(stdout, '');
      assert.equal(stderr, `sculpt ${command.name}: error: cannot read 'no/such/model.onnx': no such file\n`);
    });
  }

  it('suggests the nearest command for a typo', async () => {
    const { code, stderr } = await runCli(['inpsect', resnet]);
    assert.equal(code, EXIT.USAGE);
    assert.match(stderr, /unknown command 'inpsect'; did you mean 'inspect'\?/);
  });
});

describe('sculpt inspect', () => {
  for (const name of FIXTURE_NAMES) {
    it(`prints one JSON object for ${name} with params and MACs per sample as PyTorch counts them`, async () => {
      const fixture = loadFixture(name);
      const path = join(fixture.dir, 'model.onnx');
      const { code, stdout } = await runCli(['inspect', path, '--json']);
      assert.equal(code, EXIT.OK);
      const lines = stdout.trimEnd().split('\n');
      assert.equal(lines.length, 1);
      const result = JSON.parse(lines[0]!) as Record<string, unknown> & { layers: Record<string, unknown>[] };
      assert.deepEqual(Object.keys(result), ['params', 'macs', 'bytes', 'nodes', 'layers']);
      assert.equal(result.params, fixture.meta.params);
      assert.equal(result.macs, fixture.meta.macs_per_sample);
      assert.equal(result.bytes, statSync(path).size);
      assert.equal(result.nodes, result.layers.length);
      for (const layer of result.layers) assert.deepEqual(Object.keys(layer), ['name', 'op', 'inputShape', 'outputShape', 'params', 'macs']);
      assert.equal(result.layers.reduce((s, l) => s + (l.macs as number), 0), fixture.meta.macs_per_sample);
    });
  }

  it('uses --input-shape: ResNet-20 at half the side has a quarter of the conv MACs and the same classifier', async () => {
    const fixture = loadFixture('resnet20');
    const classifierMacs = 64 * 10;
    const { code, stdout } = await runCli(['inspect', resnet, '--json', '--input-shape', '1,3,16,16']);
    assert.equal(code, EXIT.OK);
    const result = JSON.parse(stdout) as { macs: number; layers: { op: string; inputShape: unknown[] }[] };
    assert.equal(result.macs, (fixture.meta.macs_per_sample - classifierMacs) / 4 + classifierMacs);
    assert.deepEqual(result.layers.find((l) => l.op === 'Conv')!.inputShape, [1, 3, 16, 16]);
  });

  it('prints a layer table and a totals line', async () => {
    const { code, stdout } = await runCli(['inspect', resnet]);
    assert.equal(code, EXIT.OK);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ +# +name +op +input +output +params +MACs$/);
    assert.ok(lines.some((l) => /\bConv\b.*\[batch, 3, 32, 32\] +\[batch, 16, 32, 32\] +432 +442,368$/.test(l)), 'the first conv row');
    assert.equal(lines[lines.length - 1], 'model.onnx: 272,474 parameters (272.5k), 40,813,184 MACs per sample (40.81M), 1.06 MB, 109 nodes');
  });

  it('rejects an --input-shape of the wrong rank as a usage error naming both shapes', async () => {
    const { code, stderr } = await runCli(['inspect', resnet, '--input-shape', '1,3,32']);
    assert.equal(code, EXIT.USAGE);
    assert.equal(stderr, "sculpt inspect: error: --input-shape 1,3,32 has rank 3, but input 'input' of model.onnx has rank 4 [batch, 3, 32, 32]; give 4 numbers\n");
  });

  it('rejects a malformed --input-shape', async () => {
    for (const bad of ['1,3,x,32', '1,3,0,32', '']) {
      const { code, stderr } = await runCli(['inspect', resnet, `--input-shape=${bad}`]);
      assert.equal(code, EXIT.USAGE, bad);
      assert.match(stderr, /must be positive integers separated by commas/);
    }
  });

  it('prints a JSON error object with --json', async () => {
    const { code, stdout } = await runCli(['inspect', 'missing.onnx', '--json']);
    assert.equal(code, EXIT.IO);
    assert.deepEqual(JSON.parse(stdout), { error: { code: 'IO', message: "cannot read 'missing.onnx': no such file", exitCode: 4 } });
  });
});

describe('zoo models as arguments', () => {
  it('inspects zoo:resnet20 with the PyTorch fixture counts', async () => {
    const fixture = loadFixture('resnet20');
    const { code, stdout } = await runCli(['inspect', 'zoo:resnet20', '--json']);
    assert.equal(code, EXIT.OK);
    const result = JSON.parse(stdout) as { params: number; macs: number };
    assert.equal(result.params, fixture.meta.params);
    assert.equal(result.macs, fixture.meta.macs_per_sample);
  });

  it('builds zoo models with the --seed given', async () => {
    const a = await resolveModelArgument('zoo:resnet20,width=0.5', { seed: 1 });
    const b = await resolveModelArgument('zoo:resnet20,width=0.5', { seed: 1 });
    const c = await resolveModelArgument('zoo:resnet20,width=0.5', { seed: 2 });
    assert.deepEqual(a.bytes, b.bytes);
    assert.notDeepEqual(a.bytes, c.bytes);
    assert.equal(a.storedBytes, a.bytes.byteLength);
  });

  it('reports an unknown zoo model as a usage error listing the models', async () => {
    const { code, stderr } = await runCli(['inspect', 'zoo:resnet21']);
    assert.equal(code, EXIT.USAGE);
    assert.match(stderr, /^sculpt inspect: error: unknown zoo model 'resnet21' \(models: .*resnet20.*\)\n$/);
  });

  it('lists the zoo models in the main help', async () => {
    const { stdout } = await runCli(['--help']);
    assert.match(stdout, /zoo:<name>\[,key=value\.\.\.\].*\n +vgg11, .*resnet20.*unet/);
  });
});

describe('models with external data', () => {
  // The resnet20 fixture rewritten with every initialiser in one side file, as large exports are.
  const dir = mkdtempSync(join(tmpdir(), 'sculpt-external-'));
  const path = join(dir, 'external.onnx');
  const { ModelProto } = onnxTypes();
  const message = ModelProto.toObject(ModelProto.decode(readFileSync(resnet)), { longs: Number, bytes: Uint8Array }) as {
    graph: { initializer: { raw_data?: Uint8Array; data_location?: number; external_data?: { key: string; value: string }[] }[] };
  };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of message.graph.initializer) {
    const data = t.raw_data ?? new Uint8Array();
    chunks.push(data);
    t.external_data = [
      { key: 'location', value: 'weights.bin' },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(data.byteLength) },
    ];
    t.data_location = 1;
    delete t.raw_data;
    offset += data.byteLength;
  }
  writeFileSync(join(dir, 'weights.bin'), Buffer.concat(chunks));
  writeFileSync(path, ModelProto.encode(ModelProto.fromObject(message)).finish());

  it('inspects the model with its external data and counts both files as its size', async () => {
    const { code, stdout } = await runCli(['inspect', path, '--json']);
    assert.equal(code, EXIT.OK);
    const result = JSON.parse(stdout) as { params: number; macs: number; bytes: number };
    assert.equal(result.params, 272474);
    assert.equal(result.macs, 40813184);
    assert.equal(result.bytes, statSync(path).size + statSync(join(dir, 'weights.bin')).size);
  });

  it('benchmarks the model (re-encoded whole, since onnxruntime gets bytes, not a folder)', async () => {
    const { code, stdout, stderr } = await runCli(['bench', path, '--backends', 'node', '--threads', '1', '--batch', '1', '--runs', '1', '--warmup', '0', '--json']);
    assert.equal(code, EXIT.OK, stderr);
    assert.equal((JSON.parse(stdout) as { models: { params: number }[] }).models[0]!.params, 272474);
  });
});

describe('sculpt bench', () => {
  it('labels models by file name, with parent folders only where names collide', () => {
    assert.deepEqual(distinctLabels(['a/x/model.onnx', 'a/y/model.onnx', 'zoo:resnet20']), ['x/model.onnx', 'y/model.onnx', 'zoo:resnet20']);
    assert.deepEqual(distinctLabels(['/m/dense.onnx', '/m/pruned.onnx']), ['dense.onnx', 'pruned.onnx']);
    assert.deepEqual(distinctLabels(['m.onnx', 'm.onnx']), ['m.onnx', 'm.onnx']);
  });

  it('prints JSON with one result per config and a ratio of 1 against itself', async () => {
    const { code, stdout, stderr } = await runCli(['bench', resnet, resnet, '--backends', 'node', '--threads', '1', '--batch', '1,2', '--runs', '3', '--warmup', '0', '--json']);
    assert.equal(code, EXIT.OK, stderr);
    assert.equal(stderr, '', 'no progress bar or notes when stdout is not a terminal');
    const result = JSON.parse(stdout) as { runs: number; models: { name: string; params: number; macs: number; results: Record<string, number | string>[] }[] };
    assert.equal(result.runs, 3);
    assert.equal(result.models.length, 2);
    const [a, b] = result.models;
    assert.equal(a!.params, 272474);
    assert.equal(a!.macs, 40813184);
    assert.deepEqual(
      a!.results.map((r) => [r.backend, r.threads, r.batch, r.runs]),
      [
        ['onnxruntime-node', 1, 1, 3],
        ['onnxruntime-node', 1, 2, 3],
      ],
    );
    for (const r of a!.results) assert.equal(r.ratio, 1);
    for (const [i, r] of b!.results.entries()) assert.equal(r.ratio, (r.medianMs as number) / (a!.results[i]!.medianMs as number));
    for (const r of a!.results) assert.equal(r.gflops, (2 * 40813184 * (r.batch as number)) / ((r.medianMs as number) * 1e6));
  });

  it('prints a side-by-side table in text mode', async () => {
    const { code, stdout } = await runCli(['bench', resnet, join(FIXTURE_ROOT, 'resnet20', 'model-deploy.onnx'), '--backends', 'node', '--threads', '1', '--batch', '1', '--runs', '2', '--warmup', '0']);
    assert.equal(code, EXIT.OK);
    assert.match(stdout, /^A +model\.onnx /m);
    assert.match(stdout, /^B +model-deploy\.onnx .* 1\.00x$/m);
    assert.match(stdout, /^backend +threads +batch +A median ms +A p90 ms +A GFLOP\/s +B median ms +B p90 ms +B GFLOP\/s +B\/A$/m);
    assert.match(stdout, /^onnxruntime-node +1 +1 /m);
  });

  it('rejects bad numbers and unknown backends as usage errors', async () => {
    const cases: [string[], RegExp][] = [
      [['--runs', '0'], /--runs must be at least 1, got 0/],
      [['--threads', '1,two'], /--threads must be an integer, got 'two'/],
      [['--batch', '1,,2'], /--batch must be a comma-separated list without empty items/],
      [['--backends', 'gpu'], /--backends got 'gpu'; allowed: node, web/],
      [['--runs'], /--runs needs a value/],
      [['--seed', '-3'], /--seed must be at least 0/],
    ];
    for (const [extra, message] of cases) {
      const { code, stderr } = await runCli(['bench', resnet, ...extra]);
      assert.equal(code, EXIT.USAGE, extra.join(' '));
      assert.match(stderr, message);
      assert.equal(stderr.split('\n').length, 2, 'one line');
    }
  });
});

describe('the CLI frame', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sculpt-cli-'));
  // A command that copies its input model to --output, to exercise the frame's output rules.
  const copy: Command = {
    name: 'copy',
    summary: 'copy a model',
    positionals: [{ name: 'model', description: 'a model' }],
    options: OUTPUT_OPTIONS,
    examples: ['sculpt copy a.onnx -o b.onnx'],
    async run(ctx) {
      const model = await ctx.resolveModel(ctx.args.positionals[0]!);
      ctx.writeOutput(ctx.args.string('output') ?? 'out.onnx', model.bytes);
    },
  };
  const fail: Command = {
    name: 'fail',
    summary: 'throws',
    positionals: [],
    options: [],
    examples: ['sculpt fail'],
    async run() {
      throw new TypeError("Cannot read properties of undefined (reading 'x')\n    on a second line");
    },
  };
  const commands = [copy, fail];

  it('refuses to overwrite the input model, even with --force', async () => {
    const input = join(dir, 'in.onnx');
    writeFileSync(input, readFileSync(resnet));
    const { code, stderr } = await runCli(['copy', input, '-o', input, '--force'], { commands });
    assert.equal(code, EXIT.USAGE);
    assert.match(stderr, /refusing to overwrite the input file/);
    assert.deepEqual(readFileSync(input), readFileSync(resnet));
  });

  it('refuses to replace an existing output without --force, and replaces it with --force', async () => {
    const output = join(dir, 'out.onnx');
    writeFileSync(output, 'old');
    const refused = await runCli(['copy', resnet, '--output', output], { commands });
    assert.equal(refused.code, EXIT.USAGE);
    assert.match(refused.stderr, /already exists; pass --force to replace it/);
    assert.equal(readFileSync(output, 'utf8'), 'old');
    const forced = await runCli(['copy', resnet, '--output', output, '--force'], { commands });
    assert.equal(forced.code, EXIT.OK);
    assert.deepEqual(readFileSync(output), readFileSync(resnet));
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left');
  });

  it('reports an unwritable output as a file error, exit 4', async () => {
    const { code, stderr } = await runCli(['copy', resnet, '-o', join(dir, 'no-such-dir', 'x.onnx')], { commands });
    assert.equal(code, EXIT.IO);
    assert.match(stderr, /cannot write .*the folder does not exist/);
    assert.ok(!existsSync(join(dir, 'no-such-dir')));
  });

  it('prints an unexpected exception as one line, exit 1, and the stack only with --verbose', async () => {
    const quiet = await runCli(['fail'], { commands });
    assert.equal(quiet.code, EXIT.FAILURE);
    assert.equal(quiet.stderr, "sculpt fail: error: internal error: Cannot read properties of undefined (reading 'x') on a second line (please report this; --verbose shows where it happened)\n");
    const verbose = await runCli(['fail', '--verbose'], { commands });
    assert.match(verbose.stderr, /\n +at .*cli\.test\.ts/);
  });

  it('parses --name=value, -o value, repeated options, and -- before positionals', () => {
    const spec = {
      commandLine: 'sculpt t',
      positionals: [{ name: 'files', description: 'files', variadic: true }],
      options: [
        { name: 'shape', kind: 'value', repeatable: true, description: '' },
        { name: 'output', short: 'o', kind: 'value', description: '' },
        { name: 'json', kind: 'flag', description: '' },
      ],
    } as const;
    const args = parseArgs(['a', '--shape=1,2', '-o', 'x', '--shape', '3', '--json', '--', '--not-an-option'], spec);
    assert.deepEqual(args.positionals, ['a', '--not-an-option']);
    assert.deepEqual(args.strings('shape'), ['1,2', '3']);
    assert.equal(args.string('output'), 'x');
    assert.equal(args.flag('json'), true);
    assert.throws(() => parseArgs(['a', '--json=yes'], spec), (e) => isSculptError(e, 'BAD_ARGUMENT') && /is a flag and takes no value/.test(e.message));
    assert.throws(() => parseArgs(['a', '-o', 'x', '-o', 'y'], spec), (e) => isSculptError(e, 'BAD_ARGUMENT') && /more than once/.test(e.message));
    assert.throws(() => parseArgs([], spec), (e) => isSculptError(e, 'BAD_ARGUMENT') && /missing <files>/.test(e.message));
  });
});
