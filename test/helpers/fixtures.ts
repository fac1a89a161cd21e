// Loads the PyTorch-made reference fixtures (test/fixtures/pytorch, copied from ../shared/fixtures;
// see its README): real ONNX exports with reference outputs, gradients and PaI scores.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE_ROOT = new URL('../fixtures/pytorch/', import.meta.url).pathname;
export const FIXTURE_NAMES = ['resnet20', 'vgg11-quarter', 'mobilenetv2-0.5', 'unet8'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];
export const SCORERS = ['magnitude', 'snip', 'grasp', 'synflow'] as const;

export interface FixtureMeta {
  readonly name: string;
  readonly task: 'cls' | 'seg';
  readonly input_shape: number[];
  readonly input_name: string;
  readonly output_name: string;
  readonly params: number;
  readonly prunable_params: number;
  readonly macs_per_sample: number;
  readonly loss_train_mode: number;
  readonly tensors: Record<string, { file: string; shape: number[]; dtype: string }>;
  readonly [key: string]: unknown;
}

/** A file's bytes copied into their own aligned buffer (readFileSync may return a pooled view). */
function readAligned(path: string): ArrayBuffer {
  const buf = readFileSync(path);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export interface Fixture {
  readonly name: FixtureName;
  readonly dir: string;
  readonly meta: FixtureMeta;
  /** model.onnx bytes (BN kept). */
  modelBytes(): Uint8Array;
  /** model-deploy.onnx bytes (BN folded by PyTorch's exporter). */
  deployBytes(): Uint8Array;
  input(): Float32Array;
  labels(): BigInt64Array;
  outputEval(): Float32Array;
  /** Reference gradient of a parameter (PyTorch name), BN in training mode. */
  grad(parameter: string): Float32Array;
  /** Parameter names that have a reference gradient. */
  gradNames(): string[];
  /** Reference PaI score of a weight. */
  score(scorer: (typeof SCORERS)[number], weight: string): Float32Array;
  /** Weight names that have reference scores. */
  scoreNames(): string[];
  /** Weights kept per tensor by the reference global mask at sparsity 0.9. */
  keptAt90(scorer: (typeof SCORERS)[number]): Record<string, number>;
}

export function loadFixture(name: FixtureName): Fixture {
  const dir = join(FIXTURE_ROOT, name);
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as FixtureMeta;
  const f32 = (file: string): Float32Array => new Float32Array(readAligned(join(dir, file)));
  return {
    name,
    dir,
    meta,
    modelBytes: () => new Uint8Array(readAligned(join(dir, 'model.onnx'))),
    deployBytes: () => new Uint8Array(readAligned(join(dir, 'model-deploy.onnx'))),
    input: () => f32('input.f32'),
    labels: () => new BigInt64Array(readAligned(join(dir, 'labels.i64'))),
    outputEval: () => f32('output_eval.f32'),
    grad: (parameter) => f32(`grad/${parameter}.f32`),
    gradNames: () => Object.keys(meta.tensors).filter((k) => k.startsWith('grad/')).map((k) => k.slice(5)),
    score: (scorer, weight) => f32(`score/${scorer}/${weight}.f32`),
    scoreNames: () => Object.keys(meta.tensors).filter((k) => k.startsWith('score/magnitude/')).map((k) => k.slice('score/magnitude/'.length)),
    keptAt90: (scorer) => meta[`global_mask_0.9_kept/${scorer}`] as Record<string, number>,
  };
}
