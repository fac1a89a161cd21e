/**
 * What a CLI command is: a name, its arguments and options, help text with examples, and a `run`
 * that receives a CommandContext. Adding a command is one file in ./commands plus one line in
 * ./commands/index.ts. Commands call only the public API (src/index.ts) and the context.
 */
import type { Model } from '../index.js';
import type { OptionSpec, ParsedArgs, PositionalSpec } from './args.js';
import type { ExitCode } from './exit-codes.js';
import type { ProgressBar } from './progress.js';

/** A CLI command. */
export interface Command {
  readonly name: string;
  /** One line for `sculpt --help`. */
  readonly summary: string;
  /** A paragraph for `sculpt <name> --help` (optional). */
  readonly description?: string;
  readonly positionals: readonly PositionalSpec[];
  /** Command options; the global ones (--json, --seed, --verbose, --help) are added by the frame. */
  readonly options: readonly OptionSpec[];
  /** Whole command lines, shown under "Examples". At least one. */
  readonly examples: readonly string[];
  /** Does the work; returns an exit code (default 0). Throw SculptError for failures. */
  run(ctx: CommandContext): Promise<ExitCode | void>;
}

/** A text sink: process.stdout/stderr or a test's buffer. */
export interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** A model argument, resolved and decoded. */
export interface ResolvedModel {
  /** What the user typed: a path or zoo:<spec>. */
  readonly spec: string;
  /** A short name for tables: the file name or the zoo spec. */
  readonly label: string;
  readonly model: Model;
  /** ONNX bytes onnxruntime can load (the file's bytes, or the model re-encoded when it had external data). */
  readonly bytes: Uint8Array;
  /** The size of the model as stored: the file (plus external data), or the encoded zoo model. */
  readonly storedBytes: number;
  /** The file path, for files. */
  readonly path?: string;
}

/** Everything a command may use. */
export interface CommandContext {
  readonly args: ParsedArgs;
  /** --json: print exactly one JSON value on stdout and nothing else there. */
  readonly json: boolean;
  /** --verbose: more detail; stack traces on errors. */
  readonly verbose: boolean;
  /** --seed: the seed for everything random in this run. */
  readonly seed: number;
  readonly stdout: TextStream;
  readonly stderr: TextStream;
  /** Prints a line on stdout (use for the human-readable result). */
  print(line?: string): void;
  /** Prints one JSON value on stdout. */
  printJson(value: unknown): void;
  /** A note on stderr (suppressed by --json unless --verbose). */
  note(line: string): void;
  /** A progress bar on stderr, shown after a second; silent when stdout is not a terminal or with --json. */
  progress(label: string, total: number, unit?: string): ProgressBar;
  /** Resolves a model argument (an .onnx path or zoo:<spec>); remembers file paths as inputs never to overwrite. */
  resolveModel(spec: string): Promise<ResolvedModel>;
  /**
   * Writes an output atomically. Refuses to overwrite an input of this command, and an existing
   * file unless --force (commands that write declare OUTPUT_OPTIONS).
   */
  writeOutput(path: string, data: Uint8Array | string): void;
}

/** Options shared by commands that write a file: -o/--output and --force. */
export const OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { name: 'output', short: 'o', kind: 'value', valueName: 'path', description: 'where to write the result (written atomically)' },
  { name: 'force', kind: 'flag', description: 'replace the output if it exists (the input model is never overwritten)' },
];

/** Options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'json', kind: 'flag', description: 'print one JSON object on stdout instead of text' },
  { name: 'seed', kind: 'value', valueName: 'n', description: 'seed for everything random (zoo weights, inputs, masks)', defaultText: '0' },
  { name: 'verbose', short: 'v', kind: 'flag', description: 'more detail; stack traces on errors' },
  { name: 'help', short: 'h', kind: 'flag', description: 'show this help' },
];
