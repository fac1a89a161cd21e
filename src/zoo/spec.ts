/**
 * Zoo specs: the shell-safe strings that name a zoo model and its options,
 * `<name>[,key=value...]` (e.g. `vgg16,width=0.5,classes=100,input=3x64x64`). Each model declares
 * its options as data (kind, allowed range or values, default); parsing checks a spec against
 * that table and says what is allowed when it does not fit.
 */
import { SculptError } from '../errors.js';
import type { Model } from '../ir/graph.js';

/** A parsed option value: a number, a choice, or an input shape (`CxHxW` → [C, H, W], `HxW` → [H, W]). */
export type ZooOptionValue = number | string | readonly number[];

/** How one option is written and checked. `default` is display text (some defaults depend on other options). */
export type ZooOptionSpec =
  | { readonly kind: 'number'; readonly description: string; readonly default: string; readonly integer: boolean; readonly min: number; readonly max: number }
  | { readonly kind: 'choice'; readonly description: string; readonly default: string; readonly values: readonly string[] }
  | { readonly kind: 'shape'; readonly description: string; readonly default: string };

/** A parsed spec: the model name and the options given (defaults are applied by the builder). */
export interface ZooSpec {
  readonly name: string;
  readonly options: Readonly<Record<string, ZooOptionValue>>;
}

/** One registry entry: a model name, a one-line description, its options and its builder. */
export interface ZooEntry {
  readonly name: string;
  readonly description: string;
  readonly options: Readonly<Record<string, ZooOptionSpec>>;
  build(options: ZooOptionReader, seed: number): Model;
}

/** Typed access to a spec's options inside a builder entry; undefined where the spec is silent. */
export interface ZooOptionReader {
  number(key: string): number | undefined;
  choice<T extends string>(key: string): T | undefined;
  shape(key: string): readonly number[] | undefined;
}

/** Largest spatial size or channel count a spec may ask for (a guard against typos such as 3x2240x2240). */
const MAX_DIM = 8192;

/** Parses `spec` against `entries`; throws a BAD_ARGUMENT SculptError listing what is allowed. */
export function parseSpec(spec: string, entries: ReadonlyMap<string, ZooEntry>): ZooSpec {
  const text = spec.trim().replace(/^zoo:/, '');
  const [head = '', ...parts] = text.split(',');
  const name = head.trim().toLowerCase();
  const models = [...entries.keys()].join(', ');
  if (!name) throw bad(`empty zoo spec '${spec}': write <name>[,key=value...], e.g. 'vgg16,width=0.5,classes=100' (models: ${models})`);
  const entry = entries.get(name);
  if (!entry) throw bad(`unknown zoo model '${head.trim()}' (models: ${models})`);
  const keys = Object.keys(entry.options).join(', ');
  const options: Record<string, ZooOptionValue> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) throw bad(`zoo spec '${spec}': '${part}' is not key=value (options of ${name}: ${keys})`);
    const key = part.slice(0, eq).trim().toLowerCase();
    const option = entry.options[key];
    if (!option) throw bad(`zoo model '${name}' has no option '${key}' (options: ${keys})`);
    if (key in options) throw bad(`zoo spec '${spec}' gives '${key}' twice; give it once`);
    options[key] = parseValue(name, key, option, part.slice(eq + 1).trim());
  }
  return { name, options };
}

function parseValue(model: string, key: string, option: ZooOptionSpec, raw: string): ZooOptionValue {
  const where = `zoo model '${model}': ${key}=${raw === '' ? "''" : raw}`;
  switch (option.kind) {
    case 'number': {
      const pattern = option.integer ? /^\d+$/ : /^(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;
      const value = Number(raw);
      if (!pattern.test(raw) || value < option.min || value > option.max) {
        const kind = option.integer ? 'an integer' : 'a number';
        throw bad(`${where} is not allowed: ${key} must be ${kind} from ${option.min} to ${option.max} (default ${option.default})`);
      }
      return value;
    }
    case 'choice': {
      const value = raw.toLowerCase();
      if (!option.values.includes(value)) throw bad(`${where} is not allowed: ${key} must be one of ${option.values.join(', ')} (default ${option.default})`);
      return value;
    }
    case 'shape': {
      const dims = raw.toLowerCase().split('x').map(Number);
      if (!/^\d+(x\d+){1,2}$/i.test(raw) || dims.some((d) => d < 1 || d > MAX_DIM)) {
        throw bad(`${where} is not allowed: ${key} must be CxHxW or HxW with sizes from 1 to ${MAX_DIM}, e.g. 3x64x64 (default ${option.default})`);
      }
      return dims;
    }
  }
}

/** The canonical text of a spec: the name, then the given options in the model's declared order. */
export function formatSpec(spec: ZooSpec, entries: ReadonlyMap<string, ZooEntry>): string {
  const order = Object.keys(entries.get(spec.name)?.options ?? {});
  const keys = Object.keys(spec.options).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return [spec.name, ...keys.map((key) => `${key}=${formatValue(spec.options[key]!)}`)].join(',');
}

function formatValue(value: ZooOptionValue): string {
  return typeof value === 'object' ? value.join('x') : String(value);
}

/** A reader over parsed options for an entry's builder. */
export function optionReader(spec: ZooSpec): ZooOptionReader {
  const get = (key: string): ZooOptionValue | undefined => spec.options[key];
  return {
    number: (key) => {
      const value = get(key);
      return typeof value === 'number' ? value : undefined;
    },
    choice: <T extends string>(key: string) => {
      const value = get(key);
      return typeof value === 'string' ? (value as T) : undefined;
    },
    shape: (key) => {
      const value = get(key);
      return typeof value === 'object' ? value : undefined;
    },
  };
}

/** A BAD_ARGUMENT error for a spec. */
export function bad(message: string): SculptError {
  return new SculptError('BAD_ARGUMENT', message);
}
