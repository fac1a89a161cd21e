/**
 * ONNX bytes → Model. Accepts initialisers in raw_data and in the typed fields, every dtype in
 * ../ir/tensor.ts, and external-data tensors through a caller-supplied reader (the core never
 * touches the file system).
 */
import { SculptError } from '../errors.js';
import type { Attribute, Dim, Graph, Model, Node, ValueInfo } from '../ir/graph.js';
import { allocate, dtypeFromOnnx, sizeOf, typedArrayFromBytes, type DType, type Tensor } from '../ir/tensor.js';
import { int64ToBigInt, int64ToNumber, onnxTypes, type Int64Like } from './proto.js';

/** Reads `length` bytes at `offset` of an external-data file named relative to the model (length undefined: to the end). */
export type ExternalDataReader = (location: string, offset: number, length: number | undefined) => Uint8Array;

export interface DecodeOptions {
  /** Resolves tensors stored outside the model file; without it such tensors are an error. */
  readonly readExternal?: ExternalDataReader;
}

// Shapes of the protobufjs messages we read (all fields optional on the wire).
interface TensorMessage {
  dims?: Int64Like[];
  data_type?: number;
  segment?: unknown;
  float_data?: number[];
  int32_data?: number[];
  string_data?: Uint8Array[];
  int64_data?: Int64Like[];
  name?: string;
  raw_data?: Uint8Array;
  double_data?: number[];
  uint64_data?: Int64Like[];
  data_location?: number;
  external_data?: { key?: string; value?: string }[];
}
interface AttributeMessage {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64Like;
  s?: Uint8Array;
  t?: TensorMessage;
  g?: unknown;
  floats?: number[];
  ints?: Int64Like[];
  strings?: Uint8Array[];
  graphs?: unknown[];
  ref_attr_name?: string;
}
interface NodeMessage {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeMessage[];
  doc_string?: string;
}
interface ValueInfoMessage {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: Int64Like; dim_param?: string }[] } } };
}
interface GraphMessage {
  node?: NodeMessage[];
  name?: string;
  initializer?: TensorMessage[];
  sparse_initializer?: unknown[];
  doc_string?: string;
  input?: ValueInfoMessage[];
  output?: ValueInfoMessage[];
  value_info?: ValueInfoMessage[];
}
interface ModelMessage {
  ir_version?: Int64Like;
  opset_import?: { domain?: string; version?: Int64Like }[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64Like;
  doc_string?: string;
  graph?: GraphMessage;
  metadata_props?: { key?: string; value?: string }[];
  functions?: unknown[];
}

const textDecoder = new TextDecoder();

/**
 * Decodes ONNX model bytes.
 * @example const model = decodeModel(new Uint8Array(await (await fetch('m.onnx')).arrayBuffer()));
 */
export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): Model {
  if (bytes.byteLength === 0) throw new SculptError('BAD_MODEL', 'the model file is empty (0 bytes)');
  let message: ModelMessage;
  try {
    message = onnxTypes().ModelProto.decode(bytes) as unknown as ModelMessage;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SculptError('BAD_MODEL', `not a valid ONNX model: the protobuf could not be decoded (${reason}); is the file truncated or not an .onnx file?`);
  }
  if (!message.graph) {
    throw new SculptError('BAD_MODEL', 'not a valid ONNX model: it has no graph (is this an .onnx file?)');
  }
  if (message.functions && message.functions.length > 0) {
    throw new SculptError('BAD_MODEL', `the model defines ${message.functions.length} local function(s); ONNX functions are not supported — export with them inlined`);
  }
  return {
    irVersion: int64ToNumber(message.ir_version),
    opsetImports: (message.opset_import ?? []).map((o) => ({ domain: o.domain ?? '', version: int64ToNumber(o.version) })),
    producerName: message.producer_name ?? '',
    producerVersion: message.producer_version ?? '',
    domain: message.domain ?? '',
    modelVersion: int64ToNumber(message.model_version),
    docString: message.doc_string ?? '',
    metadata: (message.metadata_props ?? []).map((p) => ({ key: p.key ?? '', value: p.value ?? '' })),
    graph: decodeGraph(message.graph, options),
  };
}

function decodeGraph(message: GraphMessage, options: DecodeOptions): Graph {
  if (message.sparse_initializer && message.sparse_initializer.length > 0) {
    throw new SculptError('BAD_MODEL', 'the model has sparse initialisers, which are not supported; export dense tensors');
  }
  const initializers = new Map<string, Tensor>();
  for (const t of message.initializer ?? []) {
    const name = t.name ?? '';
    if (initializers.has(name)) throw new SculptError('BAD_MODEL', `initialiser '${name}' is defined twice`);
    initializers.set(name, decodeTensor(t, `initialiser '${name}'`, options));
  }
  const nodes = (message.node ?? []).map((n, index) => decodeNode(n, index, options));
  const graph: Graph = {
    name: message.name ?? '',
    nodes,
    inputs: (message.input ?? []).map((v) => decodeValueInfo(v, 'graph input')),
    outputs: (message.output ?? []).map((v) => decodeValueInfo(v, 'graph output')),
    initializers,
    valueInfo: (message.value_info ?? []).map((v) => decodeValueInfo(v, 'value_info')),
  };
  return message.doc_string ? { ...graph, docString: message.doc_string } : graph;
}

function decodeNode(message: NodeMessage, index: number, options: DecodeOptions): Node {
  const opType = message.op_type ?? '';
  const name = message.name ?? '';
  const where = `node ${name ? `'${name}'` : `#${index}`} (${opType || 'no op_type'})`;
  const attributes: Record<string, Attribute> = {};
  for (const a of message.attribute ?? []) {
    const key = a.name ?? '';
    attributes[key] = decodeAttribute(a, `${where} attribute '${key}'`, options);
  }
  const node: Node = {
    name,
    opType,
    domain: message.domain ?? '',
    inputs: message.input ?? [],
    outputs: message.output ?? [],
    attributes,
  };
  return message.doc_string ? { ...node, docString: message.doc_string } : node;
}

// AttributeProto.AttributeType numbers.
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

function decodeAttribute(a: AttributeMessage, where: string, options: DecodeOptions): Attribute {
  if (a.ref_attr_name) throw new SculptError('BAD_MODEL', `${where}: attribute references (ref_attr_name) are only valid inside functions`);
  switch (a.type ?? inferAttributeType(a)) {
    case ATTRIBUTE_TYPE.FLOAT:
      return { type: 'float', value: a.f ?? 0 };
    case ATTRIBUTE_TYPE.INT:
      return { type: 'int', value: int64ToNumber(a.i) };
    case ATTRIBUTE_TYPE.STRING:
      return { type: 'string', value: textDecoder.decode(a.s ?? new Uint8Array()) };
    case ATTRIBUTE_TYPE.TENSOR:
      return { type: 'tensor', value: decodeTensor(a.t ?? {}, where, options) };
    case ATTRIBUTE_TYPE.FLOATS:
      return { type: 'floats', value: a.floats ?? [] };
    case ATTRIBUTE_TYPE.INTS:
      return { type: 'ints', value: (a.ints ?? []).map(int64ToNumber) };
    case ATTRIBUTE_TYPE.STRINGS:
      return { type: 'strings', value: (a.strings ?? []).map((s) => textDecoder.decode(s)) };
    case ATTRIBUTE_TYPE.GRAPH:
      throw new SculptError('BAD_MODEL', `${where}: sub-graph attributes (If/Loop/Scan) are not supported`);
    default:
      throw new SculptError('BAD_MODEL', `${where}: attribute type ${a.type} is not supported`);
  }
}

/** IR version 1 files may omit AttributeProto.type; infer it from the field that is set. */
function inferAttributeType(a: AttributeMessage): number {
  if (a.f !== undefined && a.f !== 0) return ATTRIBUTE_TYPE.FLOAT;
  if (a.i !== undefined) return ATTRIBUTE_TYPE.INT;
  if (a.s !== undefined && a.s.length > 0) return ATTRIBUTE_TYPE.STRING;
  if (a.t !== undefined) return ATTRIBUTE_TYPE.TENSOR;
  if (a.floats && a.floats.length > 0) return ATTRIBUTE_TYPE.FLOATS;
  if (a.ints && a.ints.length > 0) return ATTRIBUTE_TYPE.INTS;
  if (a.strings && a.strings.length > 0) return ATTRIBUTE_TYPE.STRINGS;
  return 0;
}

function decodeValueInfo(v: ValueInfoMessage, where: string): ValueInfo {
  const name = v.name ?? '';
  const tensorType = v.type?.tensor_type;
  if (!tensorType) throw new SculptError('BAD_MODEL', `${where} '${name}' is not a tensor (sequences and maps are not supported)`);
  const dtype = dtypeFromOnnx(tensorType.elem_type ?? 0, `${where} '${name}'`);
  if (!tensorType.shape) return { name, dtype };
  const shape: Dim[] = (tensorType.shape.dim ?? []).map((d) =>
    d.dim_param ? d.dim_param : d.dim_value !== undefined && d.dim_value !== null ? int64ToNumber(d.dim_value) : '',
  );
  return { name, dtype, shape };
}

/** Decodes one TensorProto, from raw_data, the typed fields, or external data. */
export function decodeTensor(t: TensorMessage, where: string, options: DecodeOptions = {}): Tensor {
  if (t.segment) throw new SculptError('BAD_MODEL', `${where}: segmented tensors are not supported`);
  const dtype = dtypeFromOnnx(t.data_type ?? 0, where);
  const dims = (t.dims ?? []).map(int64ToNumber);
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new SculptError('BAD_MODEL', `${where}: invalid dimension ${d} in dims [${dims.join(', ')}]`);
  }
  const count = sizeOf(dims);
  if (!Number.isSafeInteger(count)) throw new SculptError('BAD_MODEL', `${where}: dims [${dims.join(', ')}] are too large`);
  let bytes: Uint8Array | undefined;
  if (t.data_location === 1) bytes = readExternal(t, where, options);
  else if (t.raw_data && t.raw_data.byteLength > 0) bytes = t.raw_data;
  if (bytes !== undefined) {
    const expected = count * bytesPerElement(dtype);
    if (bytes.byteLength !== expected) {
      throw new SculptError('BAD_MODEL', `${where}: holds ${bytes.byteLength} bytes but dims [${dims.join(', ')}] of ${dtype} need ${expected}`);
    }
    return { dtype, dims, data: typedArrayFromBytes(dtype, bytes) };
  }
  const data = fromTypedFields(t, dtype, count, where);
  return { dtype, dims, data };
}

function bytesPerElement(dtype: DType): number {
  return allocate(dtype, 0).BYTES_PER_ELEMENT;
}

function fromTypedFields(t: TensorMessage, dtype: DType, count: number, where: string): Tensor['data'] {
  const source = typedFieldFor(t, dtype);
  // Check before allocating: corrupted dims must not allocate gigabytes (or throw a RangeError).
  if (source.length !== count) {
    if (count === 0 || source.length === 0) {
      if (count !== 0) throw new SculptError('BAD_MODEL', `${where}: has no data but its dims need ${count} elements`);
      return allocate(dtype, 0);
    }
    throw new SculptError('BAD_MODEL', `${where}: holds ${source.length} values but its dims need ${count}`);
  }
  const data = allocate(dtype, count);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < count; i++) data[i] = dtype === 'uint64' ? BigInt.asUintN(64, int64ToBigInt(source[i] as Int64Like)) : int64ToBigInt(source[i] as Int64Like);
  } else {
    for (let i = 0; i < count; i++) data[i] = source[i] as number;
  }
  return data;
}

/** Which TensorProto field holds each dtype when raw_data is not used (onnx.proto's comments). */
function typedFieldFor(t: TensorMessage, dtype: DType): readonly (number | Int64Like)[] {
  switch (dtype) {
    case 'float32':
      return t.float_data ?? [];
    case 'float64':
      return t.double_data ?? [];
    case 'int64':
      return t.int64_data ?? [];
    case 'uint32':
    case 'uint64':
      return t.uint64_data ?? [];
    default:
      // int32, int16, int8, uint16, uint8, bool, float16 (as bit patterns) all live in int32_data.
      return t.int32_data ?? [];
  }
}

function readExternal(t: TensorMessage, where: string, options: DecodeOptions): Uint8Array {
  const entries = new Map((t.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new SculptError('BAD_MODEL', `${where}: external data without a 'location'`);
  if (!options.readExternal) {
    throw new SculptError('BAD_MODEL', `${where}: data is stored in the external file '${location}'; load the model from its path so that file can be read`);
  }
  const offset = entries.has('offset') ? Number(entries.get('offset')) : 0;
  const length = entries.has('length') ? Number(entries.get('length')) : undefined;
  return options.readExternal(location, offset, length);
}
