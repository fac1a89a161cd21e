// Seeded mutations of ONNX bytes for the fuzz test: byte flips, insertions, deletions and
// truncations, aimed mostly at the protobuf structure (outside the large raw_data payloads, where
// a flip only changes a weight).
import { onnxTypes } from '../../src/onnx/proto.js';
import { Random } from '../../src/util/random.js';

/** Byte ranges [start, end) of the model that are protobuf structure, not tensor payload. */
export function structureRanges(bytes: Uint8Array): [number, number][] {
  const message = onnxTypes().ModelProto.decode(bytes) as unknown as { graph?: { initializer?: { raw_data?: Uint8Array }[] } };
  const payloads = (message.graph?.initializer ?? [])
    .map((t) => t.raw_data)
    .filter((d): d is Uint8Array => d !== undefined && d.byteLength > 0 && d.buffer === bytes.buffer)
    .map((d) => [d.byteOffset - bytes.byteOffset, d.byteOffset - bytes.byteOffset + d.byteLength] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const ranges: [number, number][] = [];
  let at = 0;
  for (const [start, end] of payloads) {
    if (start > at) ranges.push([at, start]);
    at = Math.max(at, end);
  }
  if (at < bytes.byteLength) ranges.push([at, bytes.byteLength]);
  return ranges;
}

export type MutationKind = 'flip' | 'insert' | 'delete' | 'truncate';
export const MUTATION_KINDS: readonly MutationKind[] = ['flip', 'insert', 'delete', 'truncate'];

/** One mutated copy of `bytes` (at most 8 bytes longer); 80% of edits land in `structure`. */
export function mutate(bytes: Uint8Array, structure: readonly [number, number][], kind: MutationKind, random: Random): Uint8Array {
  const structureSize = structure.reduce((n, [s, e]) => n + e - s, 0);
  const position = (): number => {
    if (structureSize === 0 || random.uniform() < 0.2) return random.int(bytes.byteLength);
    let k = random.int(structureSize);
    for (const [s, e] of structure) {
      if (k < e - s) return s + k;
      k -= e - s;
    }
    return 0;
  };
  const count = 1 + random.int(8);
  switch (kind) {
    case 'flip': {
      const out = new Uint8Array(bytes);
      for (let i = 0; i < count; i++) {
        const at = position();
        // Half the flips set a varint continuation bit pattern, the rest a random byte.
        out[at] = random.uniform() < 0.5 ? out[at]! ^ (1 << random.int(8)) : random.int(256);
      }
      return out;
    }
    case 'insert': {
      const at = position();
      const inserted = Uint8Array.from({ length: count }, () => random.int(256));
      const out = new Uint8Array(bytes.byteLength + count);
      out.set(bytes.subarray(0, at));
      out.set(inserted, at);
      out.set(bytes.subarray(at), at + count);
      return out;
    }
    case 'delete': {
      const at = position();
      const removed = Math.min(count, bytes.byteLength - at);
      const out = new Uint8Array(bytes.byteLength - removed);
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(at + removed), at);
      return out;
    }
    case 'truncate':
      return new Uint8Array(bytes.subarray(0, random.uniform() < 0.5 ? position() : random.int(bytes.byteLength)));
  }
}

/** Values that break assumptions: zero, negatives, huge, and off-by-one sizes. */
const NASTY_INTS = [0, -1, 1, 2, 3, 7, -2147483648, 2147483647, 1 << 20, 2 ** 40, -(2 ** 40)];

interface NodeMessage {
  input?: string[];
  output?: string[];
  op_type?: string;
  attribute?: { name?: string; type?: number; i?: number; ints?: number[]; f?: number; floats?: number[] }[];
}
interface ValueInfoMessage {
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number; dim_param?: string }[] } } };
}

/**
 * A structure-aware mutation: decodes the protobuf, changes one field a byte flip rarely reaches
 * intact (an attribute value, a node input, an op type, a declared dim, an initialiser's dims), and
 * re-encodes. These reach the shape rules rather than the protobuf decoder.
 */
export function mutateFields(bytes: Uint8Array, random: Random): Uint8Array {
  const { ModelProto } = onnxTypes();
  const message = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Uint8Array }) as {
    graph?: { node?: NodeMessage[]; input?: ValueInfoMessage[]; initializer?: { dims?: number[] }[] };
  };
  const graph = message.graph ?? {};
  const nodes = graph.node ?? [];
  const pick = <T>(list: readonly T[]): T | undefined => (list.length > 0 ? list[random.int(list.length)] : undefined);
  const nasty = (): number => NASTY_INTS[random.int(NASTY_INTS.length)]!;
  switch (random.int(6)) {
    case 0: {
      const attribute = pick(nodes.flatMap((n) => n.attribute ?? []));
      if (attribute?.ints && attribute.ints.length > 0) attribute.ints[random.int(attribute.ints.length)] = nasty();
      else if (attribute && attribute.i !== undefined) attribute.i = nasty();
      else if (attribute?.floats && attribute.floats.length > 0) attribute.floats[random.int(attribute.floats.length)] = nasty();
      else if (attribute) attribute.f = nasty();
      break;
    }
    case 1: {
      const node = pick(nodes);
      if (node?.input && node.input.length > 0) {
        if (random.uniform() < 0.5) node.input.splice(random.int(node.input.length), 1);
        else node.input[random.int(node.input.length)] = pick(nodes.flatMap((n) => n.output ?? [])) ?? '';
      }
      break;
    }
    case 2: {
      const node = pick(nodes);
      if (node) node.op_type = pick(nodes.map((n) => n.op_type ?? '')) ?? 'Relu';
      break;
    }
    case 3: {
      const dims = pick(graph.input ?? [])?.type?.tensor_type?.shape?.dim ?? [];
      const dim = pick(dims);
      if (dim) {
        delete dim.dim_param;
        dim.dim_value = nasty();
      } else if (dims.length > 0) dims.pop();
      break;
    }
    case 4: {
      const initializer = pick(graph.initializer ?? []);
      if (initializer?.dims && initializer.dims.length > 0) initializer.dims[random.int(initializer.dims.length)] = nasty();
      break;
    }
    default: {
      // Delete a node: its outputs become dangling inputs of their consumers.
      if (nodes.length > 0) nodes.splice(random.int(nodes.length), 1);
    }
  }
  return ModelProto.encode(ModelProto.fromObject(message)).finish();
}
