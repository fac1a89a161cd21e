/**
 * The CLI frame: finds the command, parses its arguments, runs it with a CommandContext, and
 * turns every failure into one line on stderr and an exit code (src/cli/exit-codes.ts). Stack
 * traces are shown only with --verbose.
 * @example process.exitCode = await main(process.argv.slice(2));
 */
import { isSculptError, SculptError, writeAtomic } from '../index.js';
import { editDistance, parseArgs, parseInteger, type ParsedArgs } from './args.js';
import { GLOBAL_OPTIONS, type Command, type CommandContext, type ResolvedModel, type TextStream } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT, exitCodeFor, type ExitCode } from './exit-codes.js';
import { commandHelp, mainHelp } from './help.js';
import { resolveModelArgument } from './model-arg.js';
import { createProgress } from './progress.js';

import { VERSION } from './version.js';

export { VERSION };

/** Where the CLI reads and writes; tests pass buffers. */
export interface CliIo {
  readonly stdout: TextStream;
  readonly stderr: TextStream;
  /** The command table (default: COMMANDS). */
  readonly commands?: readonly Command[];
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitCode> {
  const commands = io.commands ?? COMMANDS;
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const json = argv.includes('--json');
  const [name, ...rest] = argv;
  let commandName = 'sculpt';
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? rest[0] : undefined;
      if (topic !== undefined) {
        io.stdout.write(commandHelp(findCommand(commands, topic)));
        return EXIT.OK;
      }
      (name === undefined ? io.stderr : io.stdout).write(mainHelp(commands, VERSION));
      return name === undefined ? EXIT.USAGE : EXIT.OK;
    }
    if (name === '--version') {
      io.stdout.write(`${VERSION}\n`);
      return EXIT.OK;
    }
    if (name.startsWith('-')) throw new SculptError('BAD_ARGUMENT', `expected a command before '${name}' (see 'sculpt --help')`);
    const command = findCommand(commands, name);
    commandName = `sculpt ${command.name}`;
    const args = parseArgs(rest, { commandLine: commandName, positionals: command.positionals, options: [...command.options, ...GLOBAL_OPTIONS] });
    if (args.flag('help')) {
      io.stdout.write(commandHelp(command));
      return EXIT.OK;
    }
    const ctx = createContext(args, io);
    return (await command.run(ctx)) ?? EXIT.OK;
  } catch (error) {
    return reportError(error, { commandName, verbose, json, io });
  }
}

function findCommand(commands: readonly Command[], name: string): Command {
  const command = commands.find((c) => c.name === name);
  if (command) return command;
  const near = commands.map((c) => c.name).filter((c) => editDistance(c, name) <= 2);
  const hint = near.length > 0 ? `; did you mean '${near[0]}'?` : '';
  throw new SculptError('BAD_ARGUMENT', `unknown command '${name}'${hint} (commands: ${commands.map((c) => c.name).join(', ')})`);
}

function createContext(args: ParsedArgs, io: CliIo): CommandContext {
  const json = args.flag('json');
  const verbose = args.flag('verbose');
  const seedText = args.string('seed');
  const seed = seedText === undefined ? 0 : parseInteger(seedText, '--seed', { min: 0, max: 2 ** 32 - 1 });
  const inputs: string[] = [];
  const progressEnabled = !json && io.stdout.isTTY === true && io.stderr.isTTY === true;
  return {
    args,
    json,
    verbose,
    seed,
    stdout: io.stdout,
    stderr: io.stderr,
    print: (line = '') => io.stdout.write(`${line}\n`),
    printJson: (value) => io.stdout.write(`${JSON.stringify(value)}\n`),
    note: (line) => {
      if (!json || verbose) io.stderr.write(`${line}\n`);
    },
    progress: (label, total, unit = 'it') => createProgress({ label, total, unit, stream: io.stderr, enabled: progressEnabled }),
    resolveModel: async (spec): Promise<ResolvedModel> => {
      const resolved = await resolveModelArgument(spec, { seed });
      if (resolved.path !== undefined) inputs.push(resolved.path);
      return resolved;
    },
    writeOutput: (path, data) => writeAtomic(path, data, { force: args.flag('force'), protect: inputs }),
  };
}

/** Prints an error as one line (plus a JSON object on stdout with --json) and picks the exit code. */
function reportError(error: unknown, options: { commandName: string; verbose: boolean; json: boolean; io: CliIo }): ExitCode {
  const sculpt = isSculptError(error);
  const message = oneLine(error instanceof Error ? error.message : String(error));
  const code = sculpt ? exitCodeFor(error.code) : EXIT.FAILURE;
  const text = sculpt ? message : `internal error: ${message} (please report this; --verbose shows where it happened)`;
  options.io.stderr.write(`${options.commandName}: error: ${text}\n`);
  if (options.verbose && error instanceof Error) {
    options.io.stderr.write(`${error.stack ?? ''}\n`);
    if (error.cause instanceof Error) options.io.stderr.write(`caused by: ${error.cause.stack ?? error.cause.message}\n`);
  }
  if (options.json) options.io.stdout.write(`${JSON.stringify({ error: { code: sculpt ? error.code : 'INTERNAL', message: text, exitCode: code } })}\n`);
  return code;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
