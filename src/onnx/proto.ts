import protobuf from 'protobufjs';
import { DetsegInputError } from '../util/errors.js';

/**
 * The subset of ONNX's protobuf schema (`onnx/onnx.proto`, proto2) that detseg writes and reads: the
 * model, graph, node, attribute, tensor and value-info messages with ONNX's published field numbers.
 * Encoding and decoding go through protobufjs; fields left out here are skipped when decoding.
 */

/** ONNX `TensorProto.DataType` values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** ONNX `AttributeProto.AttributeType` values used here. */
export const ATTR_FLOAT = 1;
export const ATTR_INT = 2;
export const ATTR_STRING = 3;
export const ATTR_FLOATS = 6;
export const ATTR_INTS = 7;

const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            floats: { rule: 'repeated', type: 'float', id: 7, options: { packed: true } },
            ints: { rule: 'repeated', type: 'int64', id: 8, options: { packed: true } },
          },
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, docString: { type: 'string', id: 3 } } },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1, options: { packed: true } },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4, options: { packed: true } },
            int64Data: { rule: 'repeated', type: 'int64', id: 7, options: { packed: true } },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            docString: { type: 'string', id: 12 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 }, denotation: { type: 'string', id: 3 } },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { type: 'Tensor', id: 1 }, denotation: { type: 'string', id: 6 } },
          nested: { Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } } },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
      },
    },
  },
};

let modelType: protobuf.Type | undefined;

function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(SCHEMA).lookupType('onnx.ModelProto');
  return modelType;
}

/** One attribute of a node (exactly one value field set, `type` saying which). */
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

/** A node: `opType` applied to the named inputs, giving the named outputs. */
export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain?: string;
  attribute: OnnxAttribute[];
}

/** A tensor (an initializer): `dims`, the element type and little-endian `rawData`. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

/** A graph input or output: name, element type and dims (numbers, or named symbolic dims). */
export interface OnnxValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape?: { dim: Array<{ dimValue?: number; dimParam?: string }> } } };
  docString?: string;
}

/** The graph: nodes in topological order, initializers, inputs and outputs. */
export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}

/** A model: IR version, operator sets, the graph and string metadata. */
export interface OnnxModel {
  irVersion: number;
  opsetImport: Array<{ domain: string; version: number }>;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: OnnxGraph;
  metadataProps: Array<{ key: string; value: string }>;
}

/** The ModelProto bytes of `model`. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const type = modelProtoType();
  return type.encode(type.fromObject(model as unknown as Record<string, unknown>)).finish();
}

/**
 * Decodes ModelProto bytes into plain objects (int64 fields as numbers, bytes as `Uint8Array`); bad bytes
 * raise a {@link DetsegInputError} naming `file`.
 */
export function decodeModel(bytes: Uint8Array, file = 'model.onnx'): OnnxModel {
  const type = modelProtoType();
  let decoded: protobuf.Message;
  try {
    decoded = type.decode(bytes);
  } catch (err) {
    throw new DetsegInputError(`not an ONNX model (${(err as Error).message})`, { file, field: 'ModelProto' });
  }
  const model = type.toObject(decoded, { longs: Number, defaults: false, arrays: true }) as unknown as OnnxModel;
  if (!model.graph) throw new DetsegInputError('has no graph', { file, field: 'ModelProto.graph' });
  model.graph.node ??= [];
  model.graph.initializer ??= [];
  model.graph.input ??= [];
  model.graph.output ??= [];
  model.metadataProps ??= [];
  for (const n of model.graph.node) n.attribute ??= [];
  return model;
}

/** The metadata of `model` as a map. */
export function metadataOf(model: OnnxModel): Map<string, string> {
  return new Map(model.metadataProps.map((p) => [p.key, p.value]));
}
