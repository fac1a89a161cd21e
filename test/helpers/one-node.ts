// One-node ONNX models for op-level tests: build with GraphBuilder, run in onnxruntime-node (the
// independent reference), and compare with what Sculpt infers.
import * as ort from 'onnxruntime-node';
import type { Attribute, Model } from '../../src/ir/graph.js';
import { GraphBuilder, modelFromGraph } from '../../src/ir/builder.js';
import { allocate, sizeOf, type DType, type Tensor } from '../../src/ir/tensor.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { onnxruntimeNode } from '../../src/runtime/onnxruntime-node.js';
import { Random } from '../../src/util/random.js';

// onnxruntime warns on stderr when its own (ONNX) shape inference disagrees with the kernel's
// output; the kernel's output is what the tests compare against.
ort.env.logLevel = 'error';

/** A node input: a graph input fed with seeded random data, a constant initialiser, or omitted (null). */
export type InputSpec = { readonly shape: readonly number[]; readonly dtype?: DType } | { readonly value: Tensor } | null;

export interface OneNode {
  readonly op: string;
  readonly inputs: readonly InputSpec[];
  readonly attributes?: Readonly<Record<string, Attribute>>;
  /** Number of outputs (default 1). */
  readonly outputs?: number;
  /** Default 17. */
  readonly opset?: number;
}

/** The model of one node; inputs are named in0, in1..., outputs out0, out1...; outputs are declared with `outputTypes` (default float32). */
export function oneNodeModel(spec: OneNode, outputTypes: readonly DType[] = []): Model {
  const b = new GraphBuilder('one_node');
  const names = spec.inputs.map((input, i) => {
    if (input === null) return '';
    if ('value' in input) return b.initializer(`in${i}`, input.value);
    return b.input(`in${i}`, input.dtype ?? 'float32', input.shape);
  });
  const outputs = Array.from({ length: spec.outputs ?? 1 }, (_, i) => `out${i}`);
  b.node(spec.op, names, spec.attributes ?? {}, { name: spec.op.toLowerCase(), outputs });
  outputs.forEach((name, i) => b.output(name, outputTypes[i] ?? 'float32'));
  return modelFromGraph(b.build(), { opset: spec.opset ?? 17 });
}

/** Seeded random data for a graph input (floats in [-2, 2], integers in [0, 4), booleans). */
export function randomTensor(dtype: DType, dims: readonly number[], random: Random): Tensor {
  const data = allocate(dtype, sizeOf(dims));
  const out = data as unknown as { [i: number]: number | bigint };
  for (let i = 0; i < data.length; i++) {
    if (dtype === 'float32' || dtype === 'float64') out[i] = random.uniform() * 4 - 2;
    else if (dtype === 'int64' || dtype === 'uint64') out[i] = BigInt(random.int(4));
    else if (dtype === 'bool') out[i] = random.int(2);
    else out[i] = random.int(4);
  }
  return { dtype, dims: [...dims], data };
}

/** Runs a model in onnxruntime-node with seeded random feeds for its graph inputs (symbolic dims fed as 2). */
export async function runModel(model: Model, seed = 1): Promise<Record<string, Tensor>> {
  const random = new Random(seed);
  const feeds: Record<string, Tensor> = {};
  for (const input of model.graph.inputs) {
    if (model.graph.initializers.has(input.name)) continue;
    const dims = (input.shape ?? []).map((d) => (typeof d === 'number' ? d : 2));
    feeds[input.name] = randomTensor(input.dtype, dims, random);
  }
  const session = await onnxruntimeNode.createSession(encodeModel(model), { intraOpThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** Runs a model with the given feeds (for comparing two models on the same data). */
export async function runWithFeeds(model: Model, feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
  const session = await onnxruntimeNode.createSession(encodeModel(model), { intraOpThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}
