/**
 * Model arguments: wherever the CLI takes a model it accepts a path to an .onnx file or
 * `zoo:<spec>` (a model built in memory from the zoo, seeded by --seed). This file is the one
 * place that knows both forms. Also parses --input-shape against a model's inputs.
 */
import { buildZooModel, encodeModel, feedInputs, readModelFile, SculptError, type Model, type Shape } from '../index.js';
import type { ResolvedModel } from './command.js';

/** The prefix of zoo model arguments. */
export const ZOO_PREFIX = 'zoo:';

/**
 * Resolves a model argument.
 * @example await resolveModelArgument('zoo:resnet20', { seed: 0 })
 */
export async function resolveModelArgument(spec: string, options: { readonly seed: number }): Promise<ResolvedModel> {
  if (spec.startsWith(ZOO_PREFIX)) return resolveZooModel(spec, options.seed);
  const file = readModelFile(spec);
  // onnxruntime cannot resolve external data from bytes alone, so such models are re-encoded whole.
  const bytes = file.externalBytes > 0 ? encodeModel(file.model) : file.bytes;
  return { spec, label: baseName(spec), model: file.model, bytes, storedBytes: file.bytes.byteLength + file.externalBytes, path: spec };
}

/** A zoo model, built in memory with the run's seed (a `seed=` key in the spec takes precedence). */
async function resolveZooModel(spec: string, seed: number): Promise<ResolvedModel> {
  const model = buildZooModel(spec.slice(ZOO_PREFIX.length), { seed });
  const bytes = encodeModel(model);
  return { spec, label: spec, model, bytes, storedBytes: bytes.byteLength };
}

/** Labels that tell models apart: file names, with as many parent folders as needed to differ. */
export function distinctLabels(specs: readonly string[]): string[] {
  const parts = specs.map((spec) => (spec.startsWith(ZOO_PREFIX) ? [spec] : spec.split(/[\\/]/).filter((p) => p !== '')));
  const depth = Math.max(1, ...parts.map((p) => p.length));
  for (let keep = 1; keep <= depth; keep++) {
    const labels = parts.map((p) => p.slice(-keep).join('/'));
    if (new Set(labels).size === labels.length || keep === depth) return labels;
  }
  return [...specs];
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/**
 * Parses --input-shape for a model: `1,3,32,32` for its only input, or `name:1,3,32,32` (repeat
 * the option for several inputs). Checks the rank against the declared input, so a wrong rank is
 * a usage error naming both shapes.
 */
export function parseInputShapes(values: readonly string[], model: Model, label: string): Record<string, Shape> {
  const inputs = feedInputs(model.graph);
  const shapes: Record<string, Shape> = {};
  for (const value of values) {
    const colon = value.lastIndexOf(':');
    const name = colon >= 0 ? value.slice(0, colon) : undefined;
    const dimsText = colon >= 0 ? value.slice(colon + 1) : value;
    let input = inputs[0];
    if (name !== undefined) {
      input = inputs.find((i) => i.name === name);
      if (!input) throw new SculptError('BAD_ARGUMENT', `--input-shape names '${name}', but ${label} has inputs ${inputs.map((i) => `'${i.name}'`).join(', ')}`);
    } else if (inputs.length !== 1) {
      throw new SculptError('BAD_ARGUMENT', `${label} has ${inputs.length} inputs (${inputs.map((i) => `'${i.name}'`).join(', ')}); write --input-shape name:1,3,32,32 for each`);
    }
    if (!input) throw new SculptError('BAD_ARGUMENT', `${label} has no inputs to shape`);
    const dims = dimsText.split(/[,x]/).map((d) => d.trim());
    if (dims.some((d) => !/^\d+$/.test(d) || Number(d) < 1)) {
      throw new SculptError('BAD_ARGUMENT', `--input-shape '${value}' must be positive integers separated by commas, e.g. 1,3,32,32`);
    }
    const shape = dims.map(Number);
    if (input.shape && input.shape.length !== shape.length) {
      throw new SculptError(
        'BAD_ARGUMENT',
        `--input-shape ${dimsText} has rank ${shape.length}, but input '${input.name}' of ${label} has rank ${input.shape.length} [${input.shape.join(', ')}]; give ${input.shape.length} numbers`,
      );
    }
    shapes[input.name] = shape;
  }
  return shapes;
}

/** Input shapes to use: the given ones, else the declared ones; symbolic non-batch dims need --input-shape. */
export function resolvedInputShapes(model: Model, given: Readonly<Record<string, Shape>>, label: string): Record<string, Shape> {
  const shapes: Record<string, Shape> = {};
  for (const input of feedInputs(model.graph)) {
    const shape = given[input.name] ?? input.shape;
    if (!shape) throw new SculptError('BAD_ARGUMENT', `input '${input.name}' of ${label} has no declared shape; give one with --input-shape, e.g. 1,3,32,32`);
    const symbolic = shape.slice(1).find((d) => typeof d !== 'number');
    if (symbolic !== undefined) {
      throw new SculptError('BAD_ARGUMENT', `input '${input.name}' of ${label} has a symbolic dim '${symbolic}' in [${shape.join(', ')}]; give --input-shape, e.g. 1,3,224,224`);
    }
    shapes[input.name] = shape;
  }
  return shapes;
}
