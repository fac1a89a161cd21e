// Small hand-built models for the dependency-group, surgery and structured-zero tests.
import { GraphBuilder, modelFromGraph } from '../src/ir/builder.js';
import { attr, type Attribute, type Model } from '../src/ir/graph.js';
import { float32, int64 } from '../src/ir/tensor.js';
import { Random } from '../src/util/random.js';

/** A GraphBuilder with seeded random weights and layer shorthands. */
export class Net {
  readonly b = new GraphBuilder('test');
  private readonly random: Random;

  constructor(seed = 1) {
    this.random = new Random(seed);
  }

  input(shape: readonly number[], name = 'x'): string {
    return this.b.input(name, 'float32', ['batch', ...shape.slice(1)]);
  }

  weight(name: string, dims: readonly number[], scale = 0.5): string {
    const n = dims.reduce((a, c) => a * c, 1);
    return this.b.initializer(name, float32(dims, this.random.fillNormal(new Float32Array(n), scale)));
  }

  ints(name: string, values: readonly number[]): string {
    return this.b.initializer(name, int64([values.length], values));
  }

  conv(x: string, cin: number, cout: number, name: string, options: { k?: number; group?: number; bias?: boolean } = {}): string {
    const k = options.k ?? 3;
    const group = options.group ?? 1;
    const inputs = [x, this.weight(`${name}.weight`, [cout, cin / group, k, k])];
    if (options.bias ?? true) inputs.push(this.weight(`${name}.bias`, [cout]));
    const attrs: Record<string, Attribute> = { pads: attr.ints([(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2]) };
    if (group > 1) attrs['group'] = attr.int(group);
    return this.b.op('Conv', inputs, attrs, { name });
  }

  bn(x: string, c: number, name: string): string {
    const positive = (n: string): string => this.b.initializer(n, float32([c], Array.from({ length: c }, () => 0.5 + this.random.uniform())));
    return this.b.op('BatchNormalization', [x, positive(`${name}.scale`), this.weight(`${name}.bias`, [c]), this.weight(`${name}.mean`, [c]), positive(`${name}.var`)], {}, { name });
  }

  relu(x: string): string {
    return this.b.op('Relu', [x]);
  }

  op(opType: string, inputs: readonly string[], attrs: Record<string, Attribute> = {}, name?: string): string {
    return this.b.op(opType, inputs, attrs, name !== undefined ? { name } : {});
  }

  /** The model with `output` (and any `extra` outputs) declared. */
  model(output: string, extra: readonly { name: string; dtype: 'float32' | 'int64' }[] = []): Model {
    this.b.output(output, 'float32');
    for (const e of extra) this.b.output(e.name, e.dtype);
    return modelFromGraph(this.b.build());
  }
}
