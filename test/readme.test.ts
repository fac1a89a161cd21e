// README.md against the code: its op list is the op table, its zoo table is the zoo, every
// `sculpt ...` command it shows parses against that command's options, the five-minute tour runs
// end to end after a quick demo (with the MNIST parts shrunk to a few hundred digits so it takes
// seconds), and the library example runs as written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseArgs } from '../src/cli/args.js';
import { GLOBAL_OPTIONS } from '../src/cli/command.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { listZooModels, supportedOps } from '../src/index.js';

const ROOT = new URL('../', import.meta.url).pathname;
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'sculpt-readme-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The text between `<!-- name:begin -->` and `<!-- name:end -->`. */
function section(name: string): string {
  const match = new RegExp(`<!-- ${name}:begin -->\\n([\\s\\S]*?)<!-- ${name}:end -->`).exec(README);
  assert.ok(match, `README has a ${name} section`);
  return match[1]!;
}

/** The bodies of the README's fenced blocks of one language. */
function blocks(language: string): string[] {
  return [...README.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

/** Shell words of one command line: whitespace-separated, quotes removed, a trailing # comment dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(#.*$)|(\S+)/g)) {
    if (m[3] !== undefined) break;
    out.push(m[1] ?? m[2] ?? m[4]!);
  }
  return out;
}

/** Every `sculpt ...` command the README shows (lines of sh blocks, inline `npx sculpt ...`), without `npx`; not the reference's `<placeholders>`. */
function readmeCommands(): string[][] {
  const lines = blocks('sh').flatMap((b) => b.split('\n'));
  const inline = [...README.matchAll(/`(npx sculpt [^`]+)`/g)].map((m) => m[1]!.replace(/\s*\n\s*/g, ' '));
  return [...lines, ...inline]
    .map((line) => words(line.replace(/^npm ci && /, '')))
    .map((w) => (w[0] === 'npx' ? w.slice(1) : w))
    .filter((w) => w[0] === 'sculpt' && w.length > 1 && !w.some((x) => x.includes('<') || x === '...' || x === '[...]'))
    .map((w) => w.slice(1));
}

describe('README.md', () => {
  it('lists exactly the supported ops of the op table', () => {
    const listed = [...section('ops').matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]!);
    assert.deepEqual(listed, [...supportedOps()].sort());
  });

  it('lists exactly the zoo models', () => {
    const listed = [...section('zoo').matchAll(/`([a-z0-9]+)`/g)].map((m) => m[1]!);
    assert.deepEqual([...listed].sort(), listZooModels().map((m) => m.name).sort());
  });

  it('shows only commands and options that exist, with the values they need', () => {
    const commands = readmeCommands();
    assert.ok(commands.length >= 12, `found ${commands.length} commands`);
    const shown = new Set<string>();
    for (const argv of commands) {
      const command = COMMANDS.find((c) => c.name === argv[0]);
      assert.ok(command, `'sculpt ${argv.join(' ')}': no command '${argv[0]}'`);
      shown.add(command.name);
      assert.doesNotThrow(() => parseArgs(argv.slice(1), { commandLine: `sculpt ${command.name}`, positionals: command.positionals, options: [...command.options, ...GLOBAL_OPTIONS] }), `sculpt ${argv.join(' ')}`);
    }
    // The tour and the reference between them name every command.
    for (const name of ['inspect', 'prune', 'train', 'eval', 'bench', 'report', 'fit', 'demo']) assert.ok(shown.has(name), `a '${name}' example`);
    for (const command of COMMANDS) assert.ok(README.includes(`sculpt ${command.name}`), `the reference names sculpt ${command.name}`);
  });

  it('runs the five-minute tour after a quick demo (MNIST shrunk to 300 digits)', async () => {
    const demo = await sculpt(['demo', '--quick', '--threads', '1']);
    assert.equal(demo.code, EXIT.OK, demo.stderr);
    const tour = blocks('sh').find((b) => b.includes('sculpt inspect sculpt-report/'));
    assert.ok(tour, 'the tour block');
    const steps = tour.split('\n').filter((l) => l.startsWith('npx sculpt ')).map((l) => words(l).slice(2));
    assert.deepEqual(steps.map((s) => s[0]), ['inspect', 'prune', 'train', 'eval', 'bench', 'report', 'fit', 'report']);
    for (const step of steps) {
      const argv = step.map((w) => (/^mnist(,|$)/.test(w) ? 'mnist,limit=300' : w));
      if (argv[0] === 'bench') argv.push('--runs', '3', '--backends', 'node');
      if (argv[0] === 'train' || argv[0] === 'fit') argv.push('--threads', '1');
      if (argv[0] === 'fit') argv.push('--runs', '3');
      const result = await sculpt(argv);
      // With 300 digits the fit's quality floor may not be met (exit 5); it still writes its results.
      assert.ok(result.code === EXIT.OK || (argv[0] === 'fit' && result.code === EXIT.CRITERIA_NOT_MET), `sculpt ${argv.join(' ')}: exit ${result.code}\n${result.stderr}`);
    }
    for (const file of ['dense-l1.onnx', 'dense-l1-tuned.onnx', 'my-report/report.html', 'fit-mnist/results.json', 'fit-mnist/report.html']) assert.ok(existsSync(join(dir, file)), file);
  });

  it('runs the library example as written', async () => {
    const examples = blocks('ts');
    assert.equal(examples.length, 1);
    const source = examples[0]!.replace("from 'sculpt'", `from '${join(ROOT, 'src/index.ts')}'`);
    assert.notEqual(source, examples[0], "the example imports from 'sculpt'");
    const file = join(dir, 'example.mts'); // an ES module outside the package, as a user's would be
    writeFileSync(file, source);
    const result = await node([file]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0]!, /^272186 parameters, \d+ MACs$/, 'ResNet-20 at 1x28x28 as PyTorch counts it');
    assert.match(lines[2]!, /^accuracy 0\.\d+$/);
    assert.match(lines.at(-1)!, /most compressed candidate|No candidate meets/);
    assert.ok(existsSync(join(dir, 'resnet20-reconvene.onnx')));
  });
});

/** `sculpt <argv>` from source in a child process whose working directory is the test folder. */
function sculpt(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return node([join(ROOT, 'test/helpers/cli-entry.ts'), ...argv]);
}

function node(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Uint8Array) => (stdout += String(d)));
    child.stderr.on('data', (d: Uint8Array) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
