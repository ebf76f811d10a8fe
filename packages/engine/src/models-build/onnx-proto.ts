/**
 * The subset of onnx.proto (field numbers from the ONNX spec) the converter writes, encoded with
 * protobufjs. Messages are built from plain objects in a fixed order, so encoding is byte-deterministic.
 */
import protobuf from 'protobufjs';

export const TensorDataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: OnnxAttribute[];
}

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: number[];
}

export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: {
    name: string;
    node: OnnxNode[];
    initializer: OnnxTensor[];
    input: OnnxValueInfo[];
    output: OnnxValueInfo[];
  };
  metadata: Array<{ key: string; value: string }>;
}

const schema = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7, options: { packed: false } },
            ints: { rule: 'repeated', type: 'int64', id: 8, options: { packed: false } },
            type: { type: 'int32', id: 20 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
          },
        },
        TypeProto: {
          fields: { tensorType: { type: 'Tensor', id: 1 } },
          nested: {
            Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1, options: { packed: false } },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);
const ModelProto = root.lookupType('onnx.ModelProto');

function valueInfo(v: OnnxValueInfo) {
  return {
    name: v.name,
    type: { tensorType: { elemType: v.elemType, shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } },
  };
}

export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const message = {
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    docString: model.docString ?? '',
    graph: {
      node: model.graph.node.map((n) => ({ ...n, domain: '' })),
      name: model.graph.name,
      initializer: model.graph.initializer,
      input: model.graph.input.map(valueInfo),
      output: model.graph.output.map(valueInfo),
    },
    opsetImport: [{ domain: '', version: model.opsetVersion }],
    metadataProps: model.metadata,
  };
  const err = ModelProto.verify(message);
  if (err) throw new Error(`invalid ONNX model message: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(message)).finish();
}

/** Decoded view used by tests and tooling to inspect a written model. */
export function decodeOnnxModel(bytes: Uint8Array): {
  irVersion: number;
  opsetVersion: number;
  graph: { node: Array<{ opType: string; input: string[]; output: string[]; name: string }>; input: Array<{ name: string }>; output: Array<{ name: string }>; initializer: Array<{ name: string; dims: number[] }> };
  metadata: Record<string, string>;
} {
  const obj = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: true, arrays: true }) as {
    irVersion: number;
    graph: {
      node: Array<{ opType: string; input: string[]; output: string[]; name: string }>;
      input: Array<{ name: string }>;
      output: Array<{ name: string }>;
      initializer: Array<{ name: string; dims: number[] }>;
    };
    opsetImport: Array<{ version: number }>;
    metadataProps: Array<{ key: string; value: string }>;
  };
  return {
    irVersion: obj.irVersion,
    opsetVersion: obj.opsetImport[0]?.version ?? 0,
    graph: obj.graph,
    metadata: Object.fromEntries(obj.metadataProps.map((e) => [e.key, e.value])),
  };
}
