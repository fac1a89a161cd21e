/**
 * Command-line parsing without a dependency: each command declares its positionals and options,
 * and `parseArgs` checks the words against that spec. Values come back as strings; typed
 * accessors (`integer`, `integerList`, ...) convert them and name the option in every error.
 */
import { SculptError } from '../index.js';

/** A `--name` option. Flags take no value; the others take one (`--name v` or `--name=v`). */
export interface OptionSpec {
  readonly name: string;
  /** One-letter alias, e.g. 'o' for -o. */
  readonly short?: string;
  readonly kind: 'flag' | 'value';
  /** Shown in help: `--runs <n>`. */
  readonly valueName?: string;
  readonly description: string;
  /** Shown in help as the default. */
  readonly defaultText?: string;
  /** May be given more than once (values are collected in order). */
  readonly repeatable?: boolean;
}

/** A positional argument. The last one may be variadic (one or more). */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
  readonly variadic?: boolean;
}

/** What the parser needs to know about a command. */
export interface ArgumentSpec {
  /** 'sculpt inspect', for messages. */
  readonly commandLine: string;
  readonly positionals: readonly PositionalSpec[];
  readonly options: readonly OptionSpec[];
}

/** Parsed words with typed accessors. */
export class ParsedArgs {
  constructor(
    readonly commandLine: string,
    readonly positionals: readonly string[],
    private readonly values: ReadonlyMap<string, readonly (string | true)[]>,
  ) {}

  /** True when the option was given. */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** A flag's state. */
  flag(name: string): boolean {
    return this.values.has(name);
  }

  /** The last value of a value option, or undefined. */
  string(name: string): string | undefined {
    const list = this.values.get(name);
    const value = list?.[list.length - 1];
    return typeof value === 'string' ? value : undefined;
  }

  /** All values of a repeatable option. */
  strings(name: string): string[] {
    return (this.values.get(name) ?? []).filter((v): v is string => typeof v === 'string');
  }

  /** An integer option within [min, max]. */
  integer(name: string, options: { readonly default: number; readonly min?: number; readonly max?: number }): number {
    const raw = this.string(name);
    return raw === undefined ? options.default : parseInteger(raw, `--${name}`, options);
  }

  /** A comma-separated list of integers (`--threads 1,2`). */
  integerList(name: string, options: { readonly default: readonly number[]; readonly min?: number; readonly max?: number }): number[] {
    const raw = this.string(name);
    if (raw === undefined) return [...options.default];
    return splitList(raw, `--${name}`).map((word) => parseInteger(word, `--${name}`, options));
  }

  /** A comma-separated list of words from a fixed set (`--backends node,web`). */
  choiceList<T extends string>(name: string, choices: readonly T[], defaults: readonly T[]): T[] {
    const raw = this.string(name);
    if (raw === undefined) return [...defaults];
    return splitList(raw, `--${name}`).map((word) => {
      if (!(choices as readonly string[]).includes(word)) {
        throw usage(this.commandLine, `--${name} got '${word}'; allowed: ${choices.join(', ')}`);
      }
      return word as T;
    });
  }
}

/** Parses an integer argument, naming it in errors. */
export function parseInteger(raw: string, what: string, range: { readonly min?: number; readonly max?: number } = {}): number {
  const value = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value)) throw new SculptError('BAD_ARGUMENT', `${what} must be an integer, got '${raw}'`);
  if (range.min !== undefined && value < range.min) throw new SculptError('BAD_ARGUMENT', `${what} must be at least ${range.min}, got ${value}`);
  if (range.max !== undefined && value > range.max) throw new SculptError('BAD_ARGUMENT', `${what} must be at most ${range.max}, got ${value}`);
  return value;
}

function splitList(raw: string, what: string): string[] {
  const words = raw.split(',').map((w) => w.trim());
  if (words.some((w) => w === '')) throw new SculptError('BAD_ARGUMENT', `${what} must be a comma-separated list without empty items, got '${raw}'`);
  return words;
}

function usage(commandLine: string, message: string): SculptError {
  return new SculptError('BAD_ARGUMENT', `${message} (see '${commandLine} --help')`);
}

/**
 * Parses `words` against `spec`. `--` ends the options; `-` alone is a positional (stdin/stdout).
 * @example parseArgs(['m.onnx', '--json'], spec).flag('json') === true
 */
export function parseArgs(words: readonly string[], spec: ArgumentSpec): ParsedArgs {
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const byShort = new Map(spec.options.filter((o) => o.short).map((o) => [o.short!, o]));
  const values = new Map<string, (string | true)[]>();
  const positionals: string[] = [];
  let optionsEnded = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (optionsEnded || !word.startsWith('-') || word === '-' || /^-\d/.test(word)) {
      positionals.push(word);
      continue;
    }
    if (word === '--') {
      optionsEnded = true;
      continue;
    }
    const long = word.startsWith('--');
    const body = long ? word.slice(2) : word.slice(1);
    const eq = long ? body.indexOf('=') : -1;
    const key = eq >= 0 ? body.slice(0, eq) : body;
    const option = long ? byName.get(key) : byShort.get(key);
    if (!option) throw usage(spec.commandLine, `unknown option '${long ? `--${key}` : `-${key}`}'${suggest(key, [...byName.keys()])}`);
    let value: string | true = true;
    if (option.kind === 'value') {
      if (eq >= 0) value = body.slice(eq + 1);
      else {
        const next = words[i + 1];
        if (next === undefined || (next.startsWith('--') && next.length > 2)) throw usage(spec.commandLine, `--${option.name} needs a value (${option.valueName ?? 'value'})`);
        value = next;
        i++;
      }
    } else if (eq >= 0) {
      throw usage(spec.commandLine, `--${option.name} is a flag and takes no value`);
    }
    const list = values.get(option.name) ?? [];
    if (list.length > 0 && !option.repeatable && option.kind === 'value') throw usage(spec.commandLine, `--${option.name} was given more than once`);
    list.push(value);
    values.set(option.name, list);
  }
  // `--help` wins over missing arguments, so `sculpt inspect --help` shows help.
  if (!values.has('help')) checkPositionals(positionals, spec);
  return new ParsedArgs(spec.commandLine, positionals, values);
}

function checkPositionals(positionals: readonly string[], spec: ArgumentSpec): void {
  const required = spec.positionals.filter((p) => !p.optional).length;
  const variadic = spec.positionals.some((p) => p.variadic);
  if (positionals.length < required) {
    const missing = spec.positionals[positionals.length]!;
    throw usage(spec.commandLine, `missing <${missing.name}>: ${missing.description}`);
  }
  if (!variadic && positionals.length > spec.positionals.length) {
    throw usage(spec.commandLine, `unexpected argument '${positionals[spec.positionals.length]}'`);
  }
}

/** "; did you mean '--x'?" for a near miss, else ''. */
function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? `; did you mean '--${best}'?` : '';
}

/** Levenshtein distance; also used for command-name suggestions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length]!;
}
