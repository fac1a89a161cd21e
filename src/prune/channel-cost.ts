/**
 * The cost of a channel cut without doing it: parameters, MACs and kept channels of the model
 * that removing some group indices would leave. The channel pruner searches over cuts with it,
 * so it must be cheap and exact:
 *
 * - Parameters: every parameter input a rule declares (`parameterInputs`) shrinks along the axes
 *   its channel rule slices, so its size is the product of its kept counts along those axes and
 *   its other dims.
 * - MACs: every op's MAC count is linear in the channel count of each of its ports, and ports the
 *   op links (a depthwise conv's input and output, Flatten's blocks) shrink together, so a node's
 *   MACs are its full MACs times the kept fraction of each set of linked ports.
 *
 * Both are checked against inferModel + layerCosts of the surgically pruned model in the tests.
 */
import type { Node } from '../ir/graph.js';
import { sizeOf } from '../ir/tensor.js';
import { layerCosts, totalCost } from '../ops/cost.js';
import { costContext, ruleFor } from '../ops/infer.js';
import type { DependencyGraph } from '../deps/groups.js';

/** What a model costs: parameters, MACs per sample, and kept channels of its prunable groups. */
export interface ChannelCost {
  readonly params: number;
  readonly macs: number;
  /** Group indices kept over all prunable groups. */
  readonly channels: number;
}

/** Removed group indices by group id. */
export type RemovedChannels = ReadonlyMap<number, readonly number[]>;

interface ParameterSlot {
  readonly dims: readonly number[];
  /** For each axis, the index of the tensor whose channels it follows, or -1. */
  readonly axisTensor: readonly number[];
}

interface MacTerm {
  readonly macs: number;
  /** One tensor per set of linked channel ports of the node. */
  readonly tensors: readonly number[];
}

/** The cost model of one dependency graph (see the file comment). */
export class ChannelCostModel {
  private readonly tensorIndex = new Map<string, number>();
  private readonly widths: Int32Array;
  /** entries[g][i]: [tensor, count] pairs that removing index i of group g takes away. */
  private readonly entries: (readonly (readonly [number, number])[])[][];
  private readonly slots: ParameterSlot[] = [];
  private readonly terms: MacTerm[] = [];
  private readonly fixedParams: number;
  private readonly fixedMacs: number;
  private readonly prunableChannels: number;

  constructor(readonly deps: DependencyGraph) {
    const spaces = [...deps.spaces.values()];
    spaces.forEach((space, i) => this.tensorIndex.set(space.tensor, i));
    this.widths = Int32Array.from(spaces, (s) => s.width);
    this.entries = deps.groups.map((group) =>
      Array.from({ length: group.width }, (_, i) => group.members.filter((m) => m.channels[i]!.length > 0).map((m) => [this.tensorIndex.get(m.tensor)!, m.channels[i]!.length] as const)),
    );
    this.prunableChannels = deps.groups.reduce((n, g) => n + (g.prunable ? g.width : 0), 0);
    const typed = deps.typed;
    const nodeIndex = new Map<Node, number>(typed.graph.nodes.map((node, i) => [node, i]));
    const slicedAxes = new Map<string, Map<number, number>>();
    for (const use of deps.parameters) {
      const key = `${use.nodeIndex}:${use.input}`;
      let axes = slicedAxes.get(key);
      if (!axes) slicedAxes.set(key, (axes = new Map()));
      axes.set(use.axis, this.tensorIndex.get(use.tensor)!);
    }
    let fixedParams = 0;
    let fixedMacs = 0;
    for (const node of typed.order) {
      const index = nodeIndex.get(node)!;
      const rule = ruleFor(node);
      const ctx = costContext(typed, node);
      for (const input of rule.parameterInputs) {
        const value = ctx.constant(input);
        if (!value) continue;
        const axes = slicedAxes.get(`${index}:${input}`);
        if (axes) this.slots.push({ dims: value.dims, axisTensor: value.dims.map((_, a) => axes.get(a) ?? -1) });
        else fixedParams += sizeOf(value.dims);
      }
      const macs = rule.macs(ctx);
      if (macs === 0) continue;
      const tensors = this.linkedPortTensors(node, index);
      if (tensors.length > 0) this.terms.push({ macs, tensors });
      else fixedMacs += macs;
    }
    this.fixedParams = fixedParams;
    this.fixedMacs = fixedMacs;
  }

  /** One channel tensor per set of the node's ports that its channel links tie together. */
  private linkedPortTensors(node: Node, index: number): number[] {
    const resolved = this.deps.nodeChannels[index];
    const names = [...node.inputs, ...node.outputs];
    const parent = names.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
    if (resolved && 'links' in resolved) {
      for (const link of resolved.links) {
        const at = (p: { side: 'input' | 'output'; index: number }): number => (p.side === 'input' ? p.index : node.inputs.length + p.index);
        parent[find(at(link.from))] = find(at(link.to));
      }
    }
    const chosen = new Map<number, number>();
    names.forEach((name, i) => {
      const tensor = name ? this.tensorIndex.get(name) : undefined;
      if (tensor !== undefined && !chosen.has(find(i))) chosen.set(find(i), tensor);
    });
    return [...new Set(chosen.values())];
  }

  /** Kept channels of every channel tensor (in `deps.spaces` order) after removing `removed`. */
  keptWidths(removed: RemovedChannels): Int32Array {
    const kept = Int32Array.from(this.widths);
    for (const [group, indices] of removed) for (const i of indices) for (const [t, n] of this.entries[group]![i]!) kept[t]! -= n;
    return kept;
  }

  /** Kept channels of one tensor, by name, given kept widths from `keptWidths`. */
  keptOf(kept: Int32Array, tensor: string): number | undefined {
    const i = this.tensorIndex.get(tensor);
    return i === undefined ? undefined : kept[i];
  }

  /** The [tensor, count] pairs that removing index `i` of `group` takes away. */
  entriesOf(group: number, i: number): readonly (readonly [number, number])[] {
    return this.entries[group]![i]!;
  }

  /** The model's cost after removing `removed` (the current model's cost for an empty map). */
  cost(removed: RemovedChannels = new Map()): ChannelCost {
    const kept = this.keptWidths(removed);
    let params = this.fixedParams;
    for (const slot of this.slots) {
      let size = 1;
      slot.dims.forEach((d, a) => (size *= slot.axisTensor[a]! >= 0 ? kept[slot.axisTensor[a]!]! : d));
      params += size;
    }
    let macs = this.fixedMacs;
    for (const term of this.terms) {
      let m = term.macs;
      for (const t of term.tensors) m *= kept[t]! / this.widths[t]!;
      macs += m;
    }
    let channels = this.prunableChannels;
    for (const [group, indices] of removed) if (this.deps.groups[group]!.prunable) channels -= indices.length;
    return { params, macs: Math.round(macs), channels };
  }
}

/** Parameters and MACs as inferModel + layerCosts count them (for checks and reports). */
export function measuredCost(deps: DependencyGraph): { params: number; macs: number } {
  return totalCost(layerCosts(deps.typed));
}
