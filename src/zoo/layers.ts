/**
 * The layer vocabulary the zoo's builders are written in: PyTorch-like modules (conv, batch
 * norm, linear, ...) emitted as ONNX nodes through a GraphBuilder. Each call names its node and
 * initialisers after the PyTorch module path (`layers.0.conv1` → `layers.0.conv1.weight`) and
 * tracks the per-sample shape, so builders never repeat the output-size arithmetic.
 */
import { SculptError } from '../errors.js';
import { GraphBuilder, modelFromGraph } from '../ir/builder.js';
import { attr, type Model } from '../ir/graph.js';
import { float32, sizeOf } from '../ir/tensor.js';
import { Random } from '../util/random.js';

/** A per-sample input shape: channels, height, width. */
export type InputShape = readonly [channels: number, height: number, width: number];

/** A 4-D activation flowing through a builder: its value name and per-sample shape. */
export interface FeatureMap {
  readonly name: string;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** A flattened activation [batch, size]. */
export interface FeatureVector {
  readonly name: string;
  readonly size: number;
}

/** Options of a 2-D convolution, as `nn.Conv2d` spells them. */
export interface ConvOptions {
  readonly out: number;
  readonly kernel: number;
  readonly stride?: number;
  readonly padding?: number;
  readonly groups?: number;
  readonly bias: boolean;
}

/** How a final node is named: the graph output is always `output`. */
interface OutputOption {
  readonly output?: string;
}

/** The name every zoo model gives its graph input. */
export const ZOO_INPUT = 'input';
/** The name every zoo model gives its graph output. */
export const ZOO_OUTPUT = 'output';

/**
 * Emits layers as ONNX nodes with Kaiming-normal weights drawn from one seeded generator, in
 * the order the layers are created, so a seed fixes every weight.
 */
export class NetBuilder {
  private readonly graph: GraphBuilder;
  private readonly random: Random;
  private relu6Bounds: readonly [string, string] | undefined;

  constructor(name: string, seed: number) {
    this.graph = new GraphBuilder(name);
    this.random = new Random(seed);
  }

  /** Declares the graph input `input` [batch, C, H, W]. */
  input(shape: InputShape): FeatureMap {
    const [channels, height, width] = shape;
    const name = this.graph.input(ZOO_INPUT, 'float32', ['batch', channels, height, width]);
    return { name, channels, height, width };
  }

  /** `nn.Conv2d`: weight [out, in/groups, k, k] Kaiming-normal (fan_in, gain sqrt 2), zero bias. */
  conv(name: string, x: FeatureMap, options: ConvOptions & OutputOption): FeatureMap {
    const { out, kernel, stride = 1, padding = 0, groups = 1 } = options;
    if (x.channels % groups !== 0 || out % groups !== 0) {
      throw internal(`${name}: ${x.channels} -> ${out} channels do not divide into ${groups} groups`);
    }
    const inputs = [x.name, this.kaiming(`${name}.weight`, [out, x.channels / groups, kernel, kernel])];
    if (options.bias) inputs.push(this.zeros(`${name}.bias`, out));
    const attributes = {
      dilations: attr.ints([1, 1]),
      group: attr.int(groups),
      kernel_shape: attr.ints([kernel, kernel]),
      pads: attr.ints([padding, padding, padding, padding]),
      strides: attr.ints([stride, stride]),
    };
    const output = this.graph.op('Conv', inputs, attributes, nodeOptions(name, options));
    return { name: output, channels: out, height: slide(x.height, kernel, stride, padding), width: slide(x.width, kernel, stride, padding) };
  }

  /** `nn.ConvTranspose2d` without padding: weight [in, out, k, k], Kaiming-normal over PyTorch's fan_in (out·k·k). */
  convTranspose(name: string, x: FeatureMap, options: { readonly out: number; readonly kernel: number; readonly stride: number; readonly bias: boolean }): FeatureMap {
    const { out, kernel, stride } = options;
    const inputs = [x.name, this.kaiming(`${name}.weight`, [x.channels, out, kernel, kernel])];
    if (options.bias) inputs.push(this.zeros(`${name}.bias`, out));
    const attributes = { kernel_shape: attr.ints([kernel, kernel]), strides: attr.ints([stride, stride]) };
    const output = this.graph.op('ConvTranspose', inputs, attributes, { name });
    const grow = (size: number): number => (size - 1) * stride + kernel;
    return { name: output, channels: out, height: grow(x.height), width: grow(x.width) };
  }

  /** `nn.BatchNorm2d` in inference form: scale 1, bias 0, running mean 0, running variance 1. */
  batchNorm(name: string, x: FeatureMap): FeatureMap {
    const c = x.channels;
    const inputs = [
      x.name,
      this.param(`${name}.weight`, float32([c], new Float32Array(c).fill(1))),
      this.zeros(`${name}.bias`, c),
      this.zeros(`${name}.running_mean`, c),
      this.param(`${name}.running_var`, float32([c], new Float32Array(c).fill(1))),
    ];
    const output = this.graph.op('BatchNormalization', inputs, { epsilon: attr.float(1e-5), momentum: attr.float(0.9) }, { name });
    return { ...x, name: output };
  }

  /** ReLU. */
  relu<T extends FeatureMap | FeatureVector>(name: string, x: T): T {
    return { ...x, name: this.graph.op('Relu', [x.name], {}, { name }) };
  }

  /** ReLU6 as Clip(0, 6), the form PyTorch exports; the two bounds are shared scalar initialisers. */
  relu6(name: string, x: FeatureMap): FeatureMap {
    this.relu6Bounds ??= [this.param('relu6.min', float32([], [0])), this.param('relu6.max', float32([], [6]))];
    return { ...x, name: this.graph.op('Clip', [x.name, ...this.relu6Bounds], {}, { name }) };
  }

  /** `nn.MaxPool2d(kernel, stride, padding)` (floor mode). */
  maxPool(name: string, x: FeatureMap, options: { readonly kernel: number; readonly stride: number; readonly padding?: number }): FeatureMap {
    const { kernel, stride, padding = 0 } = options;
    const attributes = { kernel_shape: attr.ints([kernel, kernel]), pads: attr.ints([padding, padding, padding, padding]), strides: attr.ints([stride, stride]) };
    const output = this.graph.op('MaxPool', [x.name], attributes, { name });
    return { ...x, name: output, height: slide(x.height, kernel, stride, padding), width: slide(x.width, kernel, stride, padding) };
  }

  /** Element-wise sum of two maps of one shape (a residual connection). */
  add(name: string, a: FeatureMap, b: FeatureMap): FeatureMap {
    if (a.channels !== b.channels || a.height !== b.height || a.width !== b.width) throw internal(`${name}: adding maps of different shapes`);
    return { ...a, name: this.graph.op('Add', [a.name, b.name], {}, { name }) };
  }

  /** Channel concatenation (`torch.cat([...], 1)`). */
  concat(name: string, maps: readonly FeatureMap[]): FeatureMap {
    const first = maps[0]!;
    if (maps.some((m) => m.height !== first.height || m.width !== first.width)) throw internal(`${name}: concatenating maps of different sizes`);
    const output = this.graph.op('Concat', maps.map((m) => m.name), { axis: attr.int(1) }, { name });
    return { ...first, name: output, channels: maps.reduce((sum, m) => sum + m.channels, 0) };
  }

  /**
   * Spatial up-sampling by an integer factor, as `F.interpolate(scale_factor=...)` exports it:
   * nearest (floor of the asymmetric source coordinate) or bilinear (align_corners=False).
   */
  upsample(name: string, x: FeatureMap, options: { readonly scale: number; readonly mode: 'nearest' | 'linear' } & OutputOption): FeatureMap {
    const { scale, mode } = options;
    const scales = this.param(`${name}.scales`, float32([4], [1, 1, scale, scale]));
    const attributes =
      mode === 'nearest'
        ? { mode: attr.string('nearest'), coordinate_transformation_mode: attr.string('asymmetric'), nearest_mode: attr.string('floor') }
        : { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('pytorch_half_pixel') };
    const output = this.graph.op('Resize', [x.name, '', scales], attributes, nodeOptions(name, options));
    return { ...x, name: output, height: x.height * scale, width: x.width * scale };
  }

  /** `adaptive_avg_pool2d(x, 1)`: a 1x1 map per channel. */
  globalAveragePool(name: string, x: FeatureMap): FeatureMap {
    return { ...x, name: this.graph.op('GlobalAveragePool', [x.name], {}, { name }), height: 1, width: 1 };
  }

  /** `torch.flatten(x, 1)`. */
  flatten(name: string, x: FeatureMap): FeatureVector {
    return { name: this.graph.op('Flatten', [x.name], { axis: attr.int(1) }, { name }), size: x.channels * x.height * x.width };
  }

  /** `nn.Linear` as Gemm(transB=1): weight [out, in] Kaiming-normal (fan_in = in), zero bias. */
  linear(name: string, x: FeatureVector, options: { readonly out: number } & OutputOption): FeatureVector {
    const inputs = [x.name, this.kaiming(`${name}.weight`, [options.out, x.size]), this.zeros(`${name}.bias`, options.out)];
    const attributes = { alpha: attr.float(1), beta: attr.float(1), transB: attr.int(1) };
    return { name: this.graph.op('Gemm', inputs, attributes, nodeOptions(name, options)), size: options.out };
  }

  /** Declares `x` (which must be named `output`) as the graph output and wraps the graph in a Model. */
  finish(x: FeatureMap | FeatureVector, metadata: Readonly<Record<string, string>>): Model {
    if (x.name !== ZOO_OUTPUT) throw internal(`the last layer must write '${ZOO_OUTPUT}', not '${x.name}'`);
    const shape = 'size' in x ? ['batch', x.size] : ['batch', x.channels, x.height, x.width];
    this.graph.output(ZOO_OUTPUT, 'float32', shape);
    const model = modelFromGraph(this.graph.build(), { docString: `Sculpt zoo model ${metadata['sculpt.zoo'] ?? this.graph.name}` });
    return { ...model, metadata: Object.entries(metadata).map(([key, value]) => ({ key, value })) };
  }

  private kaiming(name: string, dims: readonly number[]): string {
    // nn.init.kaiming_normal_(w, nonlinearity='relu'): std = sqrt(2 / fan_in), fan_in = dims[1] * kernel area.
    const fanIn = sizeOf(dims.slice(1));
    const data = this.random.fillNormal(new Float32Array(sizeOf(dims)), Math.sqrt(2 / fanIn));
    return this.param(name, float32(dims, data));
  }

  private zeros(name: string, length: number): string {
    return this.param(name, float32([length], new Float32Array(length)));
  }

  private param(name: string, value: ReturnType<typeof float32>): string {
    const given = this.graph.initializer(name, value);
    // Names are the model's public vocabulary (reports, masks, fixtures): a silent rename is a bug.
    if (given !== name) throw internal(`initialiser name '${name}' is already taken`);
    return given;
  }
}

function nodeOptions(name: string, options: OutputOption): { name: string; output?: string } {
  return options.output !== undefined ? { name, output: options.output } : { name };
}

/** Output size of a sliding window (conv, pool) in floor mode. */
function slide(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

function internal(message: string): SculptError {
  return new SculptError('INVALID_GRAPH', `zoo builder bug: ${message}`);
}

/** Scales a channel count by a width multiplier: round to nearest, at least 1. */
export function scaleChannels(channels: number, width: number): number {
  return Math.max(1, Math.round(channels * width));
}

/** Options every zoo builder takes. */
export interface CommonOptions {
  /** Width multiplier on every hidden channel count (default 1). */
  readonly width?: number;
  /** Classes (output channels for segmentation). */
  readonly classes?: number;
  /** Per-sample input shape [C, H, W]. */
  readonly input?: InputShape;
  /** Seed of the Kaiming-normal initialisation (default 0). */
  readonly seed?: number;
}

/** Throws a BAD_ARGUMENT error naming the model when `condition` fails. */
export function requireOption(condition: boolean, model: string, message: string): asserts condition {
  if (!condition) throw new SculptError('BAD_ARGUMENT', `${model}: ${message}`);
}

/** Checks the options every builder shares (positive integers, a positive finite width). */
export function checkCommon(model: string, options: CommonOptions): void {
  const { width, classes, input, seed } = options;
  requireOption(width === undefined || (Number.isFinite(width) && width > 0), model, `width must be a positive number, got ${width}`);
  requireOption(classes === undefined || (Number.isInteger(classes) && classes > 0), model, `classes must be a positive integer, got ${classes}`);
  requireOption(input === undefined || (input.length === 3 && input.every((d) => Number.isInteger(d) && d > 0)), model, `input must be three positive integers [C, H, W], got [${input?.join(', ')}]`);
  requireOption(seed === undefined || Number.isInteger(seed), model, `seed must be an integer, got ${seed}`);
}

/** The metadata every zoo model carries (the registry replaces `sculpt.zoo` with the full spec). */
export function zooMetadata(model: string, seed: number): Record<string, string> {
  return { 'sculpt.zoo': model, 'sculpt.seed': String(seed) };
}
