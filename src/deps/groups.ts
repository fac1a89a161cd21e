/**
 * Channel dependency groups. Every channel of every activation tensor is a position; each node's
 * resolved channel rule (src/ops/channels.ts) links positions that must be removed together
 * (Conv → BN → ReLU, both sides of a residual Add, a concat input and its block of the output, a
 * depthwise conv's input and output group, a channel and its Flatten columns). Linked positions
 * form atoms, the units of removal. A group is the set of atoms reached from one root cut: atoms
 * that touch the same root tensor (a tensor whose channels some node creates, such as a Conv
 * output) share a group, and group index i is one atom. Barriers and graph inputs/outputs mark
 * the tensors they touch as fixed; a group touching a fixed tensor is not prunable.
 *
 * @example
 * const deps = buildDependencyGraph(inferModel(model));
 * const prunable = deps.groups.filter((g) => g.prunable);
 */
import type { Node } from '../ir/graph.js';
import { describeNode } from '../ir/topology.js';
import { resolveChannels, type ChannelLink, type ChannelRewrite, type Port, type ResolvedChannels } from '../ops/channels.js';
import { costContext, ruleFor, type TypedGraph } from '../ops/infer.js';
import { UnionFind } from './union-find.js';

/** An activation tensor's channel space: its width and where its positions start. */
export interface ChannelSpace {
  readonly tensor: string;
  readonly width: number;
  /** Index of channel 0 among all positions. */
  readonly base: number;
  /** Rank in production order (graph inputs first, then node outputs in topological order). */
  readonly order: number;
}

/** A tensor of a group and, for each group index, its channels that go with that index. */
export interface GroupMember {
  readonly tensor: string;
  /** `channels[i]`: this tensor's channels removed with group index i (usually one; a block for Flatten). */
  readonly channels: readonly (readonly number[])[];
}

/** A node of a group, by name (or `#index`) and position in `graph.nodes`. */
export interface GroupNode {
  readonly node: string;
  readonly nodeIndex: number;
  readonly opType: string;
  /** The tensor through which the node touches the group. */
  readonly tensor: string;
}

/** A constant sliced with the group: `indices[i]` are its indices along `axis` removed with group index i. */
export interface GroupParameter {
  readonly node: string;
  readonly nodeIndex: number;
  /** The node's input position that holds the constant. */
  readonly input: number;
  /** The constant's value name (an initialiser, or a folded constant such as an Identity output). */
  readonly value: string;
  readonly axis: number;
  /** 'output' when the slice follows the node's output channels (filters, biases), 'input' for its input channels. */
  readonly side: Port['side'];
  /** True when the node's input channels end here (the node has no link from this input to an output): zeroing its slice silences the channel. */
  readonly absorbs: boolean;
  readonly indices: readonly (readonly number[])[];
}

/** Channels that must be removed together. */
export interface ChannelGroup {
  readonly id: number;
  /** Number of removable units (group indices). */
  readonly width: number;
  /** False when a barrier, a graph input or a graph output touches the group. */
  readonly prunable: boolean;
  /** Why the group is not prunable (empty when it is). */
  readonly barriers: readonly string[];
  readonly members: readonly GroupMember[];
  /** Nodes whose output channels the group removes (the root cut). */
  readonly producers: readonly GroupNode[];
  /** Nodes whose input channels the group removes (weights sliced on their input side). */
  readonly consumers: readonly GroupNode[];
  readonly parameters: readonly GroupParameter[];
}

/** A reason some tensors' channels are fixed. */
export interface Barrier {
  /** The node responsible, when a node is (not for graph inputs/outputs). */
  readonly node?: string;
  readonly tensor: string;
  readonly reason: string;
}

/** A node's channel rewrite with its port resolved to a tensor. */
export interface TensorRewrite {
  readonly nodeIndex: number;
  readonly rewrite: ChannelRewrite;
  readonly tensor: string;
}

/** Everything the pruning code needs to know about channels of one typed graph. */
export interface DependencyGraph {
  readonly typed: TypedGraph;
  readonly groups: readonly ChannelGroup[];
  readonly spaces: ReadonlyMap<string, ChannelSpace>;
  /** For each position: its group id and its index in the group. */
  readonly positionGroup: Int32Array;
  readonly positionIndex: Int32Array;
  readonly barriers: readonly Barrier[];
  /** Resolved channel behaviour per node, by index in `typed.graph.nodes`. */
  readonly nodeChannels: readonly ResolvedChannels[];
  readonly rewrites: readonly TensorRewrite[];
  /** Every constant slice, by node input and axis, with the tensor whose channels index it. */
  readonly parameters: readonly ParameterUse[];
}

/** One use of a constant that follows the channels of an activation tensor (the raw form of GroupParameter). */
export interface ParameterUse {
  readonly nodeIndex: number;
  readonly input: number;
  readonly value: string;
  readonly axis: number;
  readonly tensor: string;
  readonly side: Port['side'];
  readonly absorbs: boolean;
}

/** Builds the channel dependency groups of a typed graph (see the file comment). */
export function buildDependencyGraph(typed: TypedGraph): DependencyGraph {
  const { graph } = typed;
  const nodeIndex = new Map<Node, number>(graph.nodes.map((node, i) => [node, i]));
  const spaces = collectSpaces(typed);
  let total = 0;
  for (const space of spaces.values()) total = Math.max(total, space.base + space.width);
  const uf = new UnionFind(total);
  const blocked = new Map<string, Set<string>>();
  const barriers: Barrier[] = [];
  const block = (tensor: string, reason: string, node?: string): void => {
    if (!spaces.has(tensor) && !unknownWidth(typed, tensor)) return;
    let reasons = blocked.get(tensor);
    if (!reasons) blocked.set(tensor, (reasons = new Set()));
    const text = node ? `${node}: ${reason}` : reason;
    if (!reasons.has(text)) {
      reasons.add(text);
      barriers.push(node ? { node, tensor, reason } : { tensor, reason });
    }
  };
  const roots = new Set<string>();
  const slices: ParameterUse[] = [];
  const rewrites: TensorRewrite[] = [];
  const nodeChannels: ResolvedChannels[] = new Array(graph.nodes.length);

  for (const input of graph.inputs) {
    if (!spaces.has(input.name) && !unknownWidth(typed, input.name)) continue;
    roots.add(input.name);
    block(input.name, `graph input '${input.name}' (its channels are fixed by the caller)`);
  }
  for (const node of typed.order) {
    const index = nodeIndex.get(node)!;
    const label = describeNode(node, index);
    const resolved = resolveChannels(ruleFor(node).channels, costContext(typed, node));
    nodeChannels[index] = resolved;
    const portTensor = (port: Port): string => (port.side === 'input' ? node.inputs[port.index] : node.outputs[port.index]) ?? '';
    const allPorts: Port[] = [...node.inputs.map((_, i) => ({ side: 'input' as const, index: i })), ...node.outputs.map((_, i) => ({ side: 'output' as const, index: i }))];
    if ('barrier' in resolved) {
      for (const port of allPorts) block(portTensor(port), resolved.barrier, label);
      for (const name of node.outputs) if (name) roots.add(name);
      continue;
    }
    const covered = new Set<string>();
    const key = (port: Port): string => `${port.side}${port.index}`;
    const linkedOutputs = new Set<number>();
    const linkedInputs = new Set<number>();
    for (const link of resolved.links) {
      covered.add(key(link.from)).add(key(link.to));
      for (const port of [link.from, link.to]) (port.side === 'output' ? linkedOutputs : linkedInputs).add(port.index);
      applyLink(link, portTensor(link.from), portTensor(link.to), { spaces, uf, block: (t, r) => block(t, r, label), typed });
    }
    for (const p of resolved.parameters) {
      covered.add(key(p.port));
      const tensor = portTensor(p.port);
      const value = node.inputs[p.input]!;
      const constant = typed.constants.get(value);
      const space = spaces.get(tensor);
      if (!space) {
        block(tensor, `input ${p.input} slices a tensor whose channel count is unknown`, label);
        continue;
      }
      if (!constant || constant.dims[p.axis] !== space.width) {
        block(tensor, `parameter '${value}' has ${constant?.dims[p.axis] ?? 'no'} entries on axis ${p.axis} for ${space.width} channels`, label);
        continue;
      }
      const absorbs = p.port.side === 'input' && !linkedInputs.has(p.port.index);
      slices.push({ nodeIndex: index, input: p.input, value, axis: p.axis, tensor, side: p.port.side, absorbs });
    }
    for (const rewrite of resolved.rewrites) {
      covered.add(key(rewrite.port));
      rewrites.push({ nodeIndex: index, rewrite, tensor: portTensor(rewrite.port) });
    }
    for (const port of resolved.free) covered.add(key(port));
    for (const port of allPorts) {
      if (covered.has(key(port))) continue;
      block(portTensor(port), `${node.opType} does not relate the channels of its ${port.side} ${port.index}`, label);
    }
    node.outputs.forEach((name, i) => {
      if (name && !linkedOutputs.has(i)) roots.add(name);
    });
  }
  for (const output of graph.outputs) block(output.name, `reaches graph output '${output.name}'`);

  return assemble({ typed, spaces, uf, blocked, roots, slices, barriers, nodeChannels, rewrites, total, nodeIndex });
}

/** Non-constant tensors of rank >= 2 with a known channel count, in production order. */
function collectSpaces(typed: TypedGraph): Map<string, ChannelSpace> {
  const spaces = new Map<string, ChannelSpace>();
  let base = 0;
  const add = (name: string): void => {
    if (!name || spaces.has(name) || typed.constants.has(name)) return;
    const type = typed.types.get(name);
    const width = type && type.shape.length >= 2 ? type.shape[1] : undefined;
    if (typeof width !== 'number' || width < 1) return;
    spaces.set(name, { tensor: name, width, base, order: spaces.size });
    base += width;
  };
  for (const input of typed.graph.inputs) add(input.name);
  for (const node of typed.order) for (const name of node.outputs) add(name);
  return spaces;
}

/** A non-constant tensor of rank >= 2 whose channel count is symbolic: it can never be cut. */
function unknownWidth(typed: TypedGraph, name: string): boolean {
  if (!name || typed.constants.has(name)) return false;
  const type = typed.types.get(name);
  return Boolean(type && type.shape.length >= 2 && typeof type.shape[1] !== 'number');
}

interface LinkContext {
  readonly spaces: ReadonlyMap<string, ChannelSpace>;
  readonly uf: UnionFind;
  readonly typed: TypedGraph;
  block(tensor: string, reason: string): void;
}

function applyLink(link: ChannelLink, fromName: string, toName: string, ctx: LinkContext): void {
  const from = ctx.spaces.get(fromName);
  const to = ctx.spaces.get(toName);
  if (!from || !to) {
    const missing = from ? toName : fromName;
    const why = ctx.typed.constants.has(missing) ? 'is a constant' : 'has no known channel count';
    ctx.block(fromName, `linked to '${missing}', which ${why}`);
    ctx.block(toName, `linked to '${missing}', which ${why}`);
    return;
  }
  const map = link.map;
  const fits =
    map.kind === 'offset'
      ? map.offset >= 0 && map.offset + from.width <= to.width
      : map.kind === 'block'
        ? from.width * map.size === to.width
        : from.width % map.groups === 0 && to.width % map.groups === 0;
  if (!fits) {
    const reason = `channel link ${map.kind} does not fit '${fromName}' (${from.width}) and '${toName}' (${to.width})`;
    ctx.block(fromName, reason);
    ctx.block(toName, reason);
    return;
  }
  const uf = ctx.uf;
  if (map.kind === 'offset') {
    for (let c = 0; c < from.width; c++) uf.union(from.base + c, to.base + map.offset + c);
  } else if (map.kind === 'block') {
    for (let c = 0; c < from.width; c++) for (let j = 0; j < map.size; j++) uf.union(from.base + c, to.base + c * map.size + j);
  } else {
    const fromPer = from.width / map.groups;
    const toPer = to.width / map.groups;
    for (let k = 0; k < map.groups; k++) {
      const anchor = from.base + k * fromPer;
      for (let j = 1; j < fromPer; j++) uf.union(anchor, anchor + j);
      for (let j = 0; j < toPer; j++) uf.union(anchor, to.base + k * toPer + j);
    }
  }
}

interface AssembleInput {
  readonly typed: TypedGraph;
  readonly spaces: Map<string, ChannelSpace>;
  readonly uf: UnionFind;
  readonly blocked: Map<string, Set<string>>;
  readonly roots: Set<string>;
  readonly slices: readonly ParameterUse[];
  readonly barriers: readonly Barrier[];
  readonly nodeChannels: readonly ResolvedChannels[];
  readonly rewrites: readonly TensorRewrite[];
  readonly total: number;
  readonly nodeIndex: ReadonlyMap<Node, number>;
}

/** Turns atoms into groups (merged through shared root tensors) and lists each group's members. */
function assemble(input: AssembleInput): DependencyGraph {
  const { typed, spaces, uf, blocked, roots, slices, total } = input;
  const ordered = [...spaces.values()];
  // Second level: atoms that touch the same root tensor belong to one group.
  const byRoot = new UnionFind(total);
  for (const space of ordered) {
    if (!roots.has(space.tensor)) continue;
    const first = uf.find(space.base);
    for (let c = 1; c < space.width; c++) byRoot.union(first, uf.find(space.base + c));
  }
  const positionGroup = new Int32Array(total).fill(-1);
  const positionIndex = new Int32Array(total).fill(-1);
  const groupOfKey = new Map<number, number>();
  const indexOfAtom = new Map<number, number>();
  const widths: number[] = [];
  for (const space of ordered) {
    for (let c = 0; c < space.width; c++) {
      const p = space.base + c;
      const atom = uf.find(p);
      const groupKey = byRoot.find(atom);
      let group = groupOfKey.get(groupKey);
      if (group === undefined) {
        group = widths.length;
        groupOfKey.set(groupKey, group);
        widths.push(0);
      }
      let index = indexOfAtom.get(atom);
      if (index === undefined) {
        index = widths[group]!;
        widths[group] = index + 1;
        indexOfAtom.set(atom, index);
      }
      positionGroup[p] = group;
      positionIndex[p] = index;
    }
  }
  const members: Map<string, number[][]>[] = widths.map(() => new Map());
  const reasons: Set<string>[] = widths.map(() => new Set());
  for (const space of ordered) {
    const why = blocked.get(space.tensor);
    for (let c = 0; c < space.width; c++) {
      const g = positionGroup[space.base + c]!;
      let channels = members[g]!.get(space.tensor);
      if (!channels) members[g]!.set(space.tensor, (channels = Array.from({ length: widths[g]! }, () => [])));
      channels[positionIndex[space.base + c]!]!.push(c);
      if (why) for (const r of why) reasons[g]!.add(r);
    }
  }
  const nodes = typed.graph.nodes;
  const label = (i: number): string => nodes[i]!.name || `#${i}`;
  const producerOf = new Map<string, number>();
  nodes.forEach((node, i) => node.outputs.forEach((name) => name && producerOf.set(name, i)));
  const groups: ChannelGroup[] = widths.map((width, id) => {
    const tensors = members[id]!;
    const producers: GroupNode[] = [];
    for (const tensor of tensors.keys()) {
      const i = producerOf.get(tensor);
      if (roots.has(tensor) && i !== undefined) producers.push({ node: label(i), nodeIndex: i, opType: nodes[i]!.opType, tensor });
    }
    const parameters: GroupParameter[] = [];
    const consumers: GroupNode[] = [];
    for (const s of slices) {
      const channels = tensors.get(s.tensor);
      if (!channels) continue;
      parameters.push({ node: label(s.nodeIndex), nodeIndex: s.nodeIndex, input: s.input, value: s.value, axis: s.axis, side: s.side, absorbs: s.absorbs, indices: channels });
      if (s.absorbs && !consumers.some((c) => c.nodeIndex === s.nodeIndex && c.tensor === s.tensor)) {
        consumers.push({ node: label(s.nodeIndex), nodeIndex: s.nodeIndex, opType: nodes[s.nodeIndex]!.opType, tensor: s.tensor });
      }
    }
    const barriers = [...reasons[id]!];
    return {
      id,
      width,
      prunable: barriers.length === 0,
      barriers,
      members: [...tensors].map(([tensor, channels]) => ({ tensor, channels })),
      producers,
      consumers,
      parameters,
    };
  });
  return {
    typed,
    groups,
    spaces,
    positionGroup,
    positionIndex,
    barriers: input.barriers,
    nodeChannels: input.nodeChannels,
    rewrites: input.rewrites,
    parameters: slices,
  };
}
