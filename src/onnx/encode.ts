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
  const message = {
    ir_version: model.irVersion,
    opset_import: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producer_name: model.producerName,
    producer_version: model.producerVersion,
    domain: model.domain,
    model_version: model.modelVersion,
    doc_string: model.docString,
    graph: encodeGraph(model.graph),
    metadata_props: model.metadata.map((p) => ({ key: p.key, value: p.value })),
  };
  return onnxTypes().ModelProto.encode(message).finish();
}

function encodeGraph(graph: Graph): object {
  return {
    node: graph.nodes.map(encodeNode),
    name: graph.name,
    initializer: [...graph.initializers].map(([name, t]) => encodeTensor(t, name)),
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
