/**
 * BN folding: a node that is a per-channel affine map at inference (BatchNormalization in eval
 * mode) right after a node whose output channels own weight slices and bias entries (Conv,
 * ConvTranspose, Gemm) becomes part of that node: W'[c] = W[c] * scale[c], B'[c] = B[c] * scale[c]
 * + shift[c] / biasMultiplier. Only rule fields are read (`perChannelAffine`,
 * `outputChannelWeights`), never op names.
 */
import type { Model, Node } from '../ir/graph.js';
import { allocate, type Tensor } from '../ir/tensor.js';
import type { OutputChannelWeights, PerChannelAffine } from '../ops/affine.js';
import { producers } from '../ir/topology.js';
import { inferModel, nodeContext, ruleFor, type InferOptions, type TypedGraph } from '../ops/infer.js';
import { removeDeadNodes } from './dead-nodes.js';
import { NameSource, readerCounts } from './edit.js';

/** A producer and the affine node that follows it, ready to fold. */
interface FoldSite {
  readonly producer: Node;
  readonly affineNode: Node;
  readonly affine: PerChannelAffine;
  readonly form: OutputChannelWeights;
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
}

/**
 * Folds every eval-mode BatchNormalization into the Conv, ConvTranspose or Gemm before it, when
 * that node's output feeds nothing else; the parameters left unread are dropped.
 * @example const deploy = foldBatchNorm(model); // no BN nodes, same outputs
 */
export function foldBatchNorm(model: Model, options: InferOptions = {}): Model {
  const typed = inferModel(model, options);
  const graph = model.graph;
  const readers = readerCounts(graph);
  const producedBy = producers(graph);
  const names = new NameSource(graph);
  const initializers = new Map(graph.initializers);
  const replaced = new Map<Node, Node | undefined>();
  for (const node of typed.order) {
    const site = foldSite(typed, node, readers, producedBy);
    if (!site || replaced.has(site.producer)) continue;
    const { producer, form } = site;
    const channels = site.affine.scale.length;
    const weightName = producer.inputs[form.weight]!;
    const biasName = producer.inputs[form.bias] || '';
    const inputs = [...producer.inputs];
    while (inputs.length <= form.bias) inputs.push('');
    inputs[form.weight] = ownName(weightName, `${weightName}_folded`);
    inputs[form.bias] = ownName(biasName, biasBase(weightName, producer));
    initializers.set(inputs[form.weight]!, scaledWeight(site.weight, form, site.affine.scale));
    initializers.set(inputs[form.bias]!, foldedBias(site, channels));
    replaced.set(producer, { ...producer, inputs, outputs: [site.affineNode.outputs[0]!, ...producer.outputs.slice(1)] });
    replaced.set(site.affineNode, undefined);
  }
  const nodes = graph.nodes.flatMap((node) => {
    if (!replaced.has(node)) return [node];
    const replacement = replaced.get(node);
    return replacement ? [replacement] : [];
  });
  return removeDeadNodes({ ...model, graph: { ...graph, nodes, initializers } });

  // An initialiser only this node reads may be overwritten in place (keeping PyTorch's names).
  function ownName(name: string, fallback: string): string {
    const own = name !== '' && graph.initializers.has(name) && readers.get(name) === 1 && !graph.outputs.some((o) => o.name === name);
    return own ? name : names.fresh(fallback);
  }
}

/** The fold site ending at `node`, when `node` is an affine map whose input comes from a foldable producer. */
function foldSite(typed: TypedGraph, node: Node, readers: ReadonlyMap<string, number>, producedBy: ReadonlyMap<string, Node>): FoldSite | undefined {
  const affine = ruleFor(node).perChannelAffine?.(nodeContext(typed, node));
  if (!affine) return undefined;
  const value = node.inputs[affine.input]!;
  const producer = producedBy.get(value);
  if (!producer || producer.outputs[0] !== value || readers.get(value) !== 1 || typed.graph.outputs.some((o) => o.name === value)) return undefined;
  const ctx = nodeContext(typed, producer);
  const form = ruleFor(producer).outputChannelWeights?.(ctx);
  if (!form || form.outputAxis !== affine.axis || form.biasMultiplier === 0) return undefined;
  const weight = ctx.constant(form.weight);
  const bias = producer.inputs[form.bias] ? ctx.constant(form.bias) : undefined;
  if (!weight || (producer.inputs[form.bias] && !bias)) return undefined;
  if (!isFloat(weight) || (bias && !isFloat(bias))) return undefined;
  const channels = affine.scale.length;
  if (form.groups * weight.dims[form.weightAxis]! !== channels) return undefined;
  if (bias && bias.data.length !== 1 && bias.data.length !== channels) return undefined;
  return { producer, affineNode: node, affine, form, weight, bias };
}

function isFloat(t: Tensor): boolean {
  return t.dtype === 'float32' || t.dtype === 'float64';
}

/** A bias name after PyTorch's convention when the weight has one ('conv.weight' -> 'conv.bias'). */
function biasBase(weightName: string, producer: Node): string {
  return weightName.endsWith('weight') ? `${weightName.slice(0, -'weight'.length)}bias` : `${producer.name || producer.outputs[0]}.bias`;
}

/** W with every entry of output channel c multiplied by scale[c]. */
function scaledWeight(weight: Tensor, form: OutputChannelWeights, scale: Float64Array): Tensor {
  const dims = weight.dims;
  const inner = dims.slice(form.weightAxis + 1).reduce((a, b) => a * b, 1);
  const perGroup = dims[form.weightAxis]!;
  // Elements are laid out [outer..., weightAxis, inner...]; the group is the block of axis 0.
  const outer = dims.slice(0, form.weightAxis).reduce((a, b) => a * b, 1);
  const groupSpan = outer / form.groups;
  const source = weight.data as Float32Array | Float64Array;
  const out = allocate(weight.dtype, source.length) as Float32Array | Float64Array;
  for (let o = 0; o < outer; o++) {
    const group = form.weightAxis === 0 ? 0 : Math.floor(o / groupSpan);
    for (let j = 0; j < perGroup; j++) {
      const s = scale[group * perGroup + j]!;
      const base = (o * perGroup + j) * inner;
      for (let i = 0; i < inner; i++) out[base + i] = source[base + i]! * s;
    }
  }
  return { dtype: weight.dtype, dims: [...dims], data: out };
}

/** B'[c] = B[c] * scale[c] + shift[c] / biasMultiplier, as a [channels] tensor of the weight's dtype. */
function foldedBias(site: FoldSite, channels: number): Tensor {
  const { scale, shift } = site.affine;
  const bias = site.bias?.data as Float32Array | Float64Array | undefined;
  const out = allocate(site.weight.dtype, channels) as Float32Array | Float64Array;
  for (let c = 0; c < channels; c++) {
    const b = bias ? bias[bias.length === 1 ? 0 : c]! : 0;
    out[c] = b * scale[c]! + shift[c]! / site.form.biasMultiplier;
  }
  return { dtype: site.weight.dtype, dims: [channels], data: out };
}
