/**
 * Exact float32 rescaling for SynFlow. SynFlow runs the network on |parameters| and an all-ones
 * input, where activations grow by the layer gains (about 100x per residual block of a ResNet-110):
 * the reference computes in float64, and onnxruntime has no float64 Conv. Overflow is avoided by
 * running a rescaled network in which every activation tensor t holds 2^e(t) times its true value:
 *
 * - a layer with a weight (rule scaling `weighted`: Conv, ConvTranspose, Gemm, MatMul) is a free
 *   point: its weight is fed multiplied by 2^(e(out) - e(in)) and its bias by 2^e(out), with e(out)
 *   chosen to bring the output's largest magnitude into [1, 2);
 * - an op with several activation inputs that must share a factor (Add, Concat) is another free
 *   point: a Mul by 2^(e(out) - e(input)) is inserted on each input;
 * - single-input equivariant ops (ReLU, pools, views, BN in inference mode) pass the factor on, and
 *   their constants that add to the activation (BN's bias and mean, Clip bounds, Pad's value) are
 *   fed multiplied by it; Mul and Div combine factors;
 * - an op that declares no scaling rule (Sigmoid, Softmax...) gets its inputs unscaled by a Mul by
 *   2^-e(input), which is exact but gives up overflow protection there.
 *
 * Multiplying by a power of two is exact in binary floating point (short of overflow/underflow),
 * and every one of these ops commutes with it, so the rescaled network computes the original's
 * float32 numbers times 2^e(t) for every tensor. The objective R = Σ output is then 2^e(output) R,
 * and each weight's score w'·dR'/dw' = 2^e(output) · w·dR/dw: every score carries the same factor,
 * which rankings and masks ignore.
 *
 * The exponents come from probes: a forward run of the rescaled network that reports the largest
 * magnitude at every free point. Starting from no scaling, each probe fixes the exponents of every
 * point it measured finite, so the points behind the first overflow are fixed by the next probe
 * (a few probes for ResNet-110). Between SynFlow rounds masks only shrink activations a little, so
 * one probe per round keeps them in range. Every value that depends on exponents (scaled weights,
 * biases, BN shifts, Mul factors) is an input of the probe and of the gradient graph, so neither is
 * rebuilt between probes or rounds.
 */
import { SculptError } from '../errors.js';
import { feedInputs, type Model, type Node } from '../ir/graph.js';
import { tensor, toFloat32, type Tensor } from '../ir/tensor.js';
import { describeNode } from '../ir/topology.js';
import { encodeModel } from '../onnx/encode.js';
import { nodeContext, inferModel, ruleFor, type TypedGraph } from '../ops/infer.js';
import type { Backend, Session } from '../runtime/backend.js';
import { NameSource } from '../transform/edit.js';

/**
 * An exponent as a signed sum of free-point targets: code p + 1 adds the target of point p, code
 * -(p + 1) subtracts it. The empty sum is 0 (the all-ones input is not scaled).
 */
export type Exponent = readonly number[];

/** An initialiser whose value depends on the exponents: 2^exponent times its base value. */
export interface ScaledSlot {
  /** The initialiser in the rescaled model. */
  readonly name: string;
  /** The original value: |value| for parameters and running statistics, else the value itself (1 for inserted factors). */
  readonly base: Tensor<'float32'>;
  /** The weight it holds, when it is a layer's weight (masks and scores are keyed by it). */
  readonly weight?: string;
  readonly exponent: Exponent;
}

/** The rescaled model and what its runs need. */
export interface ScaledNetwork {
  readonly model: Model;
  readonly slots: readonly ScaledSlot[];
  /** Free points, by index: the tensors whose magnitude chooses their exponent. */
  readonly points: readonly string[];
  /** The exponent of each point's (first) activation input: its target when the point's gain is unknown. */
  readonly pointInputs: readonly Exponent[];
  /** The exponent of the first graph output: R's factor. */
  readonly output: Exponent;
  readonly input: string;
  readonly inputShape: readonly number[];
}

/** Builds the rescaled network of a forward model for an all-ones input of `inputShape` (batch included). */
export function buildScaledNetwork(model: Model, inputShape: readonly number[]): ScaledNetwork {
  const feeds = feedInputs(model.graph);
  if (feeds.length !== 1) throw new SculptError('BAD_ARGUMENT', `SynFlow needs a model with one input; this one has ${feeds.length} (${feeds.map((f) => f.name).join(', ')})`);
  const input = feeds[0]!.name;
  const typed = inferModel(model, { inputShapes: { [input]: inputShape } });
  const state = stateInitializers(typed);
  const names = new NameSource(model.graph);
  const initializers = new Map(model.graph.initializers);
  for (const name of state) {
    const value = initializers.get(name)!;
    if (value.dtype === 'float32') initializers.set(name, absolute(value));
  }
  const slots: ScaledSlot[] = [];
  const points: string[] = [];
  const pointInputs: Exponent[] = [];
  const exponent = new Map<string, Exponent>([[input, []]]);
  const nodes: Node[] = [];
  const isActivation = (name: string): boolean => Boolean(name) && !typed.constants.has(name) && isFloat(typed, name);
  const expOf = (name: string): Exponent => exponent.get(name) ?? [];

  /** A fresh initialiser for input `position` of `node`, fed as 2^exponent times its (absolute) value. */
  const scaledConstant = (node: Node, position: number, exponentOf: Exponent, weight?: string): string => {
    const original = node.inputs[position]!;
    const value = typed.constants.get(original);
    if (!value || (value.dtype !== 'float32' && value.dtype !== 'float64')) {
      throw new SculptError('UNSUPPORTED_ATTRIBUTE', `${describeNode(node)}: input ${position} ('${original}') must be a float constant for SynFlow's rescaling`);
    }
    const base = state.has(original) ? absolute(value) : tensor('float32', value.dims, toFloat32(value));
    const name = names.fresh(`${original}.synflow`);
    initializers.set(name, base);
    slots.push({ name, base, ...(weight ? { weight } : {}), exponent: exponentOf });
    return name;
  };
  /** Inserts `Mul(value, 2^exponent)` and returns its output. */
  const scaledActivation = (value: string, exponentOf: Exponent): string => {
    const factor = names.fresh(`${value}.synflow_factor`);
    const base = tensor('float32', [], Float32Array.of(1));
    initializers.set(factor, base);
    slots.push({ name: factor, base, exponent: exponentOf });
    const output = names.fresh(`${value}.synflow_scaled`);
    nodes.push({ name: names.fresh(`${value}.synflow_mul`), opType: 'Mul', domain: '', inputs: [value, factor], outputs: [output], attributes: {} });
    return output;
  };

  for (const node of typed.order) {
    const rule = ruleFor(node).scaling?.(nodeContext(typed, node));
    const activations = node.inputs.map((name, i) => (isActivation(name) ? i : -1)).filter((i) => i >= 0);
    const inputs = [...node.inputs];
    let out: Exponent = [];
    if (rule?.kind === 'weighted' && typed.constants.has(node.inputs[rule.weight] ?? '')) {
      const point = points.push(node.outputs[0]!) - 1;
      const x = activations.find((i) => i !== rule.weight && i !== rule.bias);
      pointInputs.push(x !== undefined ? expOf(node.inputs[x]!) : []);
      const weight = node.inputs[rule.weight]!;
      out = [point + 1];
      inputs[rule.weight] = scaledConstant(node, rule.weight, [...out, ...negate(x !== undefined ? expOf(node.inputs[x]!) : [])], weight);
      if (rule.bias !== undefined && node.inputs[rule.bias]) inputs[rule.bias] = scaledConstant(node, rule.bias, out);
    } else if (rule?.kind === 'equivariant' || rule?.kind === 'weighted') {
      const scaled = rule.kind === 'equivariant' ? rule.scaledInputs : undefined;
      if (activations.length >= 2) {
        const point = points.push(node.outputs[0]!) - 1;
        pointInputs.push(expOf(node.inputs[activations[0]!]!));
        out = [point + 1];
        for (const i of activations) inputs[i] = scaledActivation(node.inputs[i]!, [...out, ...negate(expOf(node.inputs[i]!))]);
      } else if (activations.length === 1) {
        out = expOf(node.inputs[activations[0]!]!);
      }
      node.inputs.forEach((name, i) => {
        const listed = scaled === 'all' || (scaled ?? []).includes(i);
        if (name && listed && !activations.includes(i) && typed.constants.has(name) && isFloat(typed, name)) {
          inputs[i] = scaledConstant(node, i, out);
        }
      });
    } else if (rule?.kind === 'product' || rule?.kind === 'quotient') {
      const [a, b] = [node.inputs[0] ?? '', node.inputs[1] ?? ''];
      const ea = isActivation(a) ? expOf(a) : [];
      const eb = isActivation(b) ? expOf(b) : [];
      out = rule.kind === 'product' ? [...ea, ...eb] : [...ea, ...negate(eb)];
    } else {
      for (const i of activations) inputs[i] = scaledActivation(node.inputs[i]!, negate(expOf(node.inputs[i]!)));
    }
    for (const name of node.outputs) if (name && isFloat(typed, name)) exponent.set(name, out);
    nodes.push(inputs.every((name, i) => name === node.inputs[i]) ? node : { ...node, inputs });
  }
  const first = model.graph.outputs[0]!.name;
  // The originals of the slots are read by nothing now.
  const read = new Set(nodes.flatMap((n) => n.inputs));
  for (const name of [...initializers.keys()]) if (!read.has(name)) initializers.delete(name);
  const graphInputs = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name) || initializers.has(i.name));
  const scaled: Model = { ...model, graph: { ...model.graph, nodes, initializers, inputs: graphInputs, valueInfo: [] } };
  inferModel(scaled, { inputShapes: { [input]: inputShape } });
  return { model: scaled, slots, points, pointInputs, output: expOf(first), input, inputShape };
}

/**
 * The value of every slot for the point targets (masked weights zero), in buffers kept from one update to the next: only slots whose exponent
 * changed, or whose mask did, are rewritten (SynFlow updates them a few times per round, and a
 * slot of VGG-19 holds up to 2.4M weights). The returned tensors share the buffers, so each
 * update overwrites what the previous one returned.
 */
export class SlotValues {
  private readonly values = new Map<string, Tensor<'float32'>>();
  private readonly exponents = new Map<string, number>();
  private masks: ReadonlyMap<string, Tensor<'float32'>> | undefined;

  constructor(private readonly network: ScaledNetwork) {}

  update(targets: Int32Array, masks?: ReadonlyMap<string, Tensor<'float32'>>): Map<string, Tensor<'float32'>> {
    const masksChanged = masks !== this.masks;
    this.masks = masks;
    for (const slot of this.network.slots) {
      const e = evaluate(slot.exponent, targets);
      let value = this.values.get(slot.name);
      const stale = !value || this.exponents.get(slot.name) !== e || (slot.weight !== undefined && masksChanged);
      if (!stale) continue;
      if (!value) this.values.set(slot.name, (value = tensor('float32', slot.base.dims, new Float32Array(slot.base.data.length))));
      scaleInto(slot.base.data, e, slot.weight ? masks?.get(slot.weight)?.data : undefined, value.data);
      this.exponents.set(slot.name, e);
    }
    return this.values;
  }
}

/** The value of an exponent for the point targets. */
export function evaluate(exponent: Exponent, targets: Int32Array): number {
  let e = 0;
  for (const code of exponent) e += code > 0 ? targets[code - 1]! : -targets[-code - 1]!;
  return e;
}

function negate(exponent: Exponent): Exponent {
  return exponent.map((code) => -code);
}

/** out = 2^e · base (times the mask): exact in float32 unless it overflows or underflows. */
function scaleInto(source: Float32Array, e: number, mask: Float32Array | undefined, out: Float32Array): void {
  const factor = 2 ** e;
  if (mask) for (let i = 0, n = out.length; i < n; i++) out[i] = mask[i] ? source[i]! * factor : 0;
  else for (let i = 0, n = out.length; i < n; i++) out[i] = source[i]! * factor;
}

function absolute(value: Tensor): Tensor<'float32'> {
  const data = toFloat32(value);
  const out = new Float32Array(data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(data[i]!);
  return tensor('float32', value.dims, out);
}

function isFloat(typed: TypedGraph, name: string): boolean {
  const dtype = typed.types.get(name)?.dtype;
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16';
}

/** Parameters and running statistics: the inputs rules declare as parameters or state, when initialisers. */
function stateInitializers(typed: TypedGraph): Set<string> {
  const state = new Set<string>();
  for (const node of typed.order) {
    const rule = ruleFor(node);
    for (const position of [...rule.parameterInputs, ...(rule.backward?.stateInputs ?? [])]) {
      const name = node.inputs[position];
      if (name && typed.graph.initializers.has(name)) state.add(name);
    }
  }
  return state;
}

/**
 * Forward runs of the rescaled network that report the largest magnitude at every free point.
 * The slots are inputs, so one session serves every probe.
 */
export class ScalingProbe {
  private constructor(
    private readonly network: ScaledNetwork,
    private readonly session: Session,
    private readonly outputs: readonly string[],
  ) {}

  static async create(network: ScaledNetwork, options: { backend: Backend; threads?: number }): Promise<ScalingProbe> {
    const graph = network.model.graph;
    const names = new NameSource(graph);
    const slotNames = new Set(network.slots.map((s) => s.name));
    const nodes = [...graph.nodes];
    const outputs = network.points.map((point) => {
      const abs = names.fresh(`${point}.synflow_abs`);
      const max = names.fresh(`${point}.synflow_max`);
      nodes.push({ name: abs, opType: 'Abs', domain: '', inputs: [point], outputs: [abs], attributes: {} });
      nodes.push({ name: max, opType: 'ReduceMax', domain: '', inputs: [abs], outputs: [max], attributes: { keepdims: { type: 'int', value: 0 } } });
      return max;
    });
    const initializers = new Map([...graph.initializers].filter(([name]) => !slotNames.has(name)));
    const slotInputs = network.slots.map((s) => ({ name: s.name, dtype: 'float32' as const, shape: s.base.dims }));
    const probeGraph = {
      ...graph,
      nodes,
      initializers,
      inputs: [...graph.inputs.filter((i) => !slotNames.has(i.name)), ...slotInputs],
      outputs: outputs.map((name) => ({ name, dtype: 'float32' as const, shape: [] })),
    };
    const session = await options.backend.createSession(encodeModel({ ...network.model, graph: probeGraph }), options.threads !== undefined ? { intraOpThreads: options.threads } : {});
    return new ScalingProbe(network, session, outputs);
  }

  /** The largest magnitude at every point, with these slot values. */
  async measure(values: ReadonlyMap<string, Tensor<'float32'>>): Promise<Float64Array> {
    const feeds: Record<string, Tensor> = { [this.network.input]: ones(this.network.inputShape) };
    for (const [name, value] of values) feeds[name] = value;
    const out = await this.session.run(feeds);
    return Float64Array.from(this.outputs, (name) => Number((out[name]!.data as Float32Array)[0]));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** The all-ones input. */
export function ones(dims: readonly number[]): Tensor<'float32'> {
  return tensor('float32', dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(1));
}

/**
 * Chooses the point targets: probes, and moves each point measured finite and non-zero so its
 * largest magnitude lands in [1, 2). A point measured non-finite or zero gets its input's exponent
 * (gain 1 assumed) and the next probe measures it. Points come in topological order, so each
 * probe settles at least the points up to the first overflow and those behind it until the
 * growth overflows again. Done when one probe finds every point finite and every non-zero point
 * within 2^±16 of its target; a point still zero then is truly negligible (its inputs were in
 * range). `targets` is updated in place; a good start (the previous round's) needs one probe.
 */
export async function calibrate(network: ScaledNetwork, probe: ScalingProbe, targets: Int32Array, values: SlotValues, masks?: ReadonlyMap<string, Tensor<'float32'>>, maxProbes = 64): Promise<Int32Array> {
  for (let attempt = 0; attempt < maxProbes; attempt++) {
    const maxima = await probe.measure(values.update(targets, masks));
    let settled = true;
    maxima.forEach((m, point) => {
      if (Number.isFinite(m) && m > 0) {
        const shift = Math.floor(Math.log2(m));
        if (Math.abs(shift) > 16) settled = false;
        targets[point] = targets[point]! - shift;
        return;
      }
      if (!Number.isFinite(m)) settled = false;
      targets[point] = evaluate(network.pointInputs[point]!, targets);
    });
    if (settled) return targets;
  }
  throw new SculptError('NUMERIC', `SynFlow's rescaling found no exponents that keep every activation finite after ${maxProbes} probes; an op without a scaling rule may overflow (see src/ops/scaling.ts)`);
}
