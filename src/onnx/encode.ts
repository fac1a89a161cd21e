/**
 * Model → ONNX bytes. Tensors are always written to raw_data (little-endian), which every
 * runtime reads and which decodes back to the same Model.
 */
import type { Attribute, Graph, Model, Node, ValueInfo } from '../ir/graph.js';
import { bytesOf, ONNX_DATA_TYPE, type Tensor } from '../ir/tensor.js';
import { numberToInt64, onnxTypes } from './proto.js';

const textEncoder = new TextEncoder();

/**
 * Encodes a model to ONNX bytes.
 * @example const bytes = encodeModel(model); // write them to an .onnx file
 */
export function encodeModel(model: Model): Uint8Array {
  const { ModelProto, GraphProto, TensorProto } = onnxTypes();
  const head = ModelProto.encode({
    ir_version: model.irVersion,
    opset_import: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producer_name: model.producerName,
    producer_version: model.producerVersion,
    domain: model.domain,
    model_version: model.modelVersion,
    doc_string: model.docString,
    metadata_props: model.metadata.map((p) => ({ key: p.key, value: p.value })),
  }).finish();
  // Weights dominate the size, so they are copied once, straight into the output buffer:
  // protobufjs writes everything else, and each initialiser's raw_data is framed by hand.
  // (Protobuf allows a message's fields in any order, so the graph can follow the header.)
  const graph = model.graph;
  const graphHead = GraphProto.encode(encodeGraphWithoutInitializers(graph)).finish();
  const tensors = [...graph.initializers].map(([name, t]) => {
    const meta = TensorProto.encode({ dims: t.dims, data_type: ONNX_DATA_TYPE[t.dtype], name }).finish();
    const raw = bytesOf(t.data);
    const body = meta.byteLength + fieldSize(FIELD.rawData, raw.byteLength);
    return { meta, raw, body };
  });
  let graphSize = graphHead.byteLength;
  for (const t of tensors) graphSize += fieldSize(FIELD.initializer, t.body);
  const out = new Uint8Array(head.byteLength + fieldSize(FIELD.graph, graphSize));
  let at = 0;
  const put = (bytes: Uint8Array): void => {
    out.set(bytes, at);
    at += bytes.byteLength;
  };
  const putHeader = (tag: number, length: number): void => {
    at = writeVarint(out, at, tag);
    at = writeVarint(out, at, length);
  };
  put(head);
  putHeader(FIELD.graph, graphSize);
  put(graphHead);
  for (const t of tensors) {
    putHeader(FIELD.initializer, t.body);
    put(t.meta);
    putHeader(FIELD.rawData, t.raw.byteLength);
    put(t.raw);
  }
  return out;
}

/** Length-delimited field tags (field number << 3 | wire type 2) of the fields framed by hand. */
const FIELD = { graph: (7 << 3) | 2, initializer: (5 << 3) | 2, rawData: (9 << 3) | 2 } as const;

function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function fieldSize(tag: number, length: number): number {
  return varintSize(tag) + varintSize(length) + length;
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

function encodeGraphWithoutInitializers(graph: Graph): object {
  return {
    node: graph.nodes.map(encodeNode),
    name: graph.name,
    doc_string: graph.docString ?? '',
    input: graph.inputs.map(encodeValueInfo),
    output: graph.outputs.map(encodeValueInfo),
    value_info: graph.valueInfo.map(encodeValueInfo),
  };
}

function encodeNode(node: Node): object {
  return {
    input: node.inputs,
    output: node.outputs,
    name: node.name,
    op_type: node.opType,
    domain: node.domain,
    attribute: Object.entries(node.attributes).map(([name, a]) => encodeAttribute(name, a)),
    doc_string: node.docString ?? '',
  };
}

function encodeAttribute(name: string, a: Attribute): object {
  switch (a.type) {
    case 'float':
      return { name, type: 1, f: a.value };
    case 'int':
      return { name, type: 2, i: numberToInt64(a.value) };
    case 'string':
      return { name, type: 3, s: textEncoder.encode(a.value) };
    case 'tensor':
      return { name, type: 4, t: encodeTensor(a.value, '') };
    case 'floats':
      return { name, type: 6, floats: a.value };
    case 'ints':
      return { name, type: 7, ints: a.value.map(numberToInt64) };
    case 'strings':
      return { name, type: 8, strings: a.value.map((s) => textEncoder.encode(s)) };
  }
}

/** A TensorProto message object for protobufjs. */
export function encodeTensor(t: Tensor, name: string): object {
  return {
    dims: t.dims,
    data_type: ONNX_DATA_TYPE[t.dtype],
    name,
    raw_data: bytesOf(t.data),
  };
}

function encodeValueInfo(v: ValueInfo): object {
  const tensorType: { elem_type: number; shape?: object } = { elem_type: ONNX_DATA_TYPE[v.dtype] };
  if (v.shape) {
    tensorType.shape = {
      dim: v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : d === '' ? {} : { dim_param: d })),
    };
  }
  return { name: v.name, type: { tensor_type: tensorType } };
}
