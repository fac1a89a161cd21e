/**
 * The model zoo: named, seeded, Kaiming-initialised ONNX models addressed by a spec string,
 * `<name>[,key=value...]` — the same string the CLI takes as `zoo:<spec>` wherever a model
 * path is accepted.
 * @example buildZooModel('vgg16,width=0.5,classes=100,input=3x64x64', { seed: 1 })
 */
import type { Model } from '../ir/graph.js';
import type { CommonOptions, InputShape } from './layers.js';
import { buildMobileNetV2 } from './mobilenetv2.js';
import { buildResNet, type ResNetDepth } from './resnet.js';
import { buildCifarResNet, type CifarResNetDepth } from './resnet-cifar.js';
import { bad, formatSpec, optionReader, parseSpec, type ZooEntry, type ZooOptionReader, type ZooOptionSpec, type ZooSpec } from './spec.js';
import { buildUNet, UNET_DEFAULT_INPUT } from './unet.js';
import { buildVgg, type VggDepth } from './vgg.js';

export type { ZooOptionSpec, ZooOptionValue, ZooSpec } from './spec.js';
export type { InputShape } from './layers.js';

const width = (fallback = '1'): ZooOptionSpec => ({
  kind: 'number',
  description: 'width multiplier on hidden channel counts',
  default: fallback,
  integer: false,
  min: 0.01,
  max: 8,
});
const classes = (fallback: string): ZooOptionSpec => ({ kind: 'number', description: 'number of classes', default: fallback, integer: true, min: 1, max: 100000 });
const input = (fallback: string): ZooOptionSpec => ({ kind: 'shape', description: 'per-sample input shape CxHxW (HxW keeps the default channels)', default: fallback });
const seed: ZooOptionSpec = { kind: 'number', description: 'initialisation seed (overrides the seed passed to buildZooModel)', default: '0', integer: true, min: 0, max: 2 ** 32 - 1 };

/** `input` as [C, H, W], filling C from `channels` when the spec gave HxW. */
function inputShape(options: ZooOptionReader, channels: number): InputShape | undefined {
  const dims = options.shape('input');
  if (!dims) return undefined;
  return dims.length === 3 ? [dims[0]!, dims[1]!, dims[2]!] : [channels, dims[0]!, dims[1]!];
}

/** Drops undefined fields, so optional options pass under exactOptionalPropertyTypes. */
function given<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** The options every classifier shares, read from a spec. */
function classifierOptions(options: ZooOptionReader, seedValue: number): CommonOptions {
  return { seed: seedValue, ...given({ width: options.number('width'), classes: options.number('classes'), input: inputShape(options, 3) }) };
}

function vggEntry(depth: VggDepth): ZooEntry {
  return {
    name: `vgg${depth}`,
    description: `VGG-${depth} with batch norm; CIFAR head (one Linear) or torchvision's ImageNet head`,
    options: {
      width: width(),
      classes: classes('10; 1000 with classifier=imagenet'),
      input: input('3x32x32; 3x224x224 with classifier=imagenet'),
      classifier: { kind: 'choice', description: "head: 'cifar' (Flatten, one Linear) or 'imagenet' (Linear 4096-4096-classes)", default: 'cifar', values: ['cifar', 'imagenet'] },
      seed,
    },
    build: (options, seedValue) => {
      return buildVgg({ depth, ...classifierOptions(options, seedValue), ...given({ classifier: options.choice<'cifar' | 'imagenet'>('classifier') }) });
    },
  };
}

function cifarResNetEntry(depth: CifarResNetDepth): ZooEntry {
  return {
    name: `resnet${depth}`,
    description: `CIFAR ResNet-${depth} (He et al. 2016), 16-32-64 channels, 1x1 conv + BN shortcuts`,
    options: { width: width(), classes: classes('10'), input: input('3x32x32'), seed },
    build: (options, seedValue) => buildCifarResNet({ depth, ...classifierOptions(options, seedValue) }),
  };
}

function resNetEntry(depth: ResNetDepth): ZooEntry {
  return {
    name: `resnet${depth}`,
    description: `ImageNet ResNet-${depth}, torchvision layout (${depth === 50 ? 'bottleneck' : 'basic'} blocks)`,
    options: { width: width(), classes: classes('1000'), input: input('3x224x224'), seed },
    build: (options, seedValue) => buildResNet({ depth, ...classifierOptions(options, seedValue) }),
  };
}

const mobileNetV2Entry: ZooEntry = {
  name: 'mobilenetv2',
  description: 'MobileNetV2, torchvision layout, ReLU6 as Clip; width multiplier rounds channels to multiples of 8',
  options: { width: width(), classes: classes('1000'), input: input('3x224x224'), seed },
  build: (options, seedValue) => buildMobileNetV2(classifierOptions(options, seedValue)),
};

const unetEntry: ZooEntry = {
  name: 'unet',
  description: 'U-Net segmentation model: double 3x3 convs, max-pool down, ConvTranspose or Resize up, concat skips',
  options: {
    base: { kind: 'number', description: 'channels of the first level (doubling per level)', default: '64', integer: true, min: 1, max: 1024 },
    depth: { kind: 'number', description: 'number of down-sampling steps', default: '4', integer: true, min: 1, max: 8 },
    up: { kind: 'choice', description: "up-sampling: 'transpose' (ConvTranspose 2x2 stride 2) or 'resize' (Resize x2 + 1x1 conv)", default: 'transpose', values: ['transpose', 'resize'] },
    resize: { kind: 'choice', description: 'Resize interpolation with up=resize', default: 'nearest', values: ['nearest', 'linear'] },
    in: { kind: 'number', description: 'input channels', default: '1', integer: true, min: 1, max: 4096 },
    out: { kind: 'number', description: 'output channels (segmentation classes; `classes` is a synonym)', default: '2', integer: true, min: 1, max: 4096 },
    classes: classes('2 (synonym of out)'),
    width: width(),
    input: input('1x128x128 (C from in)'),
    seed,
  },
  build: (options, seedValue) => {
    const inChannels = options.number('in');
    const shape = inputShape(options, inChannels ?? 1);
    if (inChannels !== undefined && shape && shape[0] !== inChannels) {
      throw bad(`zoo model 'unet': in=${inChannels} contradicts input=${shape.join('x')}; give the channels once`);
    }
    const out = options.number('out');
    const classCount = options.number('classes');
    if (out !== undefined && classCount !== undefined && out !== classCount) {
      throw bad(`zoo model 'unet': out=${out} contradicts classes=${classCount}; they are synonyms, give one`);
    }
    const [, h, w] = UNET_DEFAULT_INPUT;
    return buildUNet({
      seed: seedValue,
      ...given({
        input: shape ?? (inChannels !== undefined ? ([inChannels, h, w] as const) : undefined),
        classes: out ?? classCount,
        base: options.number('base'),
        depth: options.number('depth'),
        up: options.choice<'transpose' | 'resize'>('up'),
        resize: options.choice<'nearest' | 'linear'>('resize'),
        width: options.number('width'),
      }),
    });
  },
};

const ENTRIES: readonly ZooEntry[] = [
  vggEntry(11),
  vggEntry(13),
  vggEntry(16),
  vggEntry(19),
  cifarResNetEntry(20),
  cifarResNetEntry(32),
  cifarResNetEntry(56),
  cifarResNetEntry(110),
  resNetEntry(18),
  resNetEntry(34),
  resNetEntry(50),
  mobileNetV2Entry,
  unetEntry,
];

const ZOO: ReadonlyMap<string, ZooEntry> = new Map(ENTRIES.map((entry) => [entry.name, entry]));

/** One option of a zoo model, for listings and help text. */
export interface ZooOptionInfo {
  readonly key: string;
  readonly description: string;
  readonly default: string;
  /** The allowed values, for choices; the range as text, for numbers; undefined for shapes. */
  readonly allowed?: string;
}

/** One zoo model, for listings and help text. */
export interface ZooModelInfo {
  readonly name: string;
  readonly description: string;
  readonly options: readonly ZooOptionInfo[];
}

/** Every zoo model with a one-line description and its options. */
export function listZooModels(): readonly ZooModelInfo[] {
  return ENTRIES.map((entry) => ({
    name: entry.name,
    description: entry.description,
    options: Object.entries(entry.options).map(([key, option]) => ({
      key,
      description: option.description,
      default: option.default,
      ...(option.kind === 'choice' ? { allowed: option.values.join(', ') } : {}),
      ...(option.kind === 'number' ? { allowed: `${option.integer ? 'integer' : 'number'} from ${option.min} to ${option.max}` } : {}),
    })),
  }));
}

/**
 * Parses a zoo spec `<name>[,key=value...]` (a leading `zoo:` is accepted); throws a
 * BAD_ARGUMENT SculptError that lists the allowed models, keys or values.
 */
export function parseZooSpec(spec: string): ZooSpec {
  return parseSpec(spec, ZOO);
}

/** The canonical text of a parsed spec (name, then options in the model's declared order). */
export function formatZooSpec(spec: ZooSpec): string {
  return formatSpec(spec, ZOO);
}

/** Options of `buildZooModel`. */
export interface BuildZooOptions {
  /** Seed of the Kaiming-normal initialisation (default 0); a `seed=` key in the spec takes precedence. */
  readonly seed?: number;
}

/**
 * Builds a zoo model from a spec string or a parsed spec. The model's metadata records the
 * canonical spec (`sculpt.zoo`) and the seed (`sculpt.seed`).
 * @example buildZooModel('unet,base=64,depth=4,up=resize,in=1,out=4')
 */
export function buildZooModel(spec: string | ZooSpec, options: BuildZooOptions = {}): Model {
  const parsed = typeof spec === 'string' ? parseZooSpec(spec) : spec;
  const entry = ZOO.get(parsed.name);
  if (!entry) throw bad(`unknown zoo model '${parsed.name}' (models: ${[...ZOO.keys()].join(', ')})`);
  const reader = optionReader(parsed);
  const seedValue = reader.number('seed') ?? options.seed ?? 0;
  const model = entry.build(reader, seedValue);
  const canonical = formatZooSpec(parsed);
  return {
    ...model,
    docString: `Sculpt zoo model ${canonical} (seed ${seedValue})`,
    metadata: model.metadata.map((m) => (m.key === 'sculpt.zoo' ? { key: m.key, value: canonical } : m)),
  };
}

export { buildCifarResNet, type CifarResNetOptions } from './resnet-cifar.js';
export { buildMobileNetV2 } from './mobilenetv2.js';
export { buildResNet, type ResNetOptions } from './resnet.js';
export { buildUNet, type UNetOptions } from './unet.js';
export { buildVgg, type VggOptions } from './vgg.js';
export type { CommonOptions } from './layers.js';
