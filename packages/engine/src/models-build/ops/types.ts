import type { GraphContext, Value } from '../graph-context.js';
import type { HostTensor } from '../host-tensor.js';
import type { TfNode } from '../tfjs-model.js';

export interface OpContext {
  g: GraphContext;
  node: TfNode;
  /** Resolved data inputs (control inputs dropped). */
  inputs: Value[];
  /** Base name for the ONNX tensors this op writes. */
  hint: string;
  /** See ConvertSpec.inputScale. */
  inputScale: [number, number];
}

/** Writes ONNX for one TF node and returns its outputs in TF output order. */
export type OpEmitter = (c: OpContext) => Value[];

/** Computes a TF node at build time when every input is a constant. */
export type OpFolder = (node: TfNode, inputs: HostTensor[]) => HostTensor[];

export interface OpDef {
  emit?: OpEmitter;
  fold?: OpFolder;
}

export function opError(node: TfNode, msg: string): Error {
  return new Error(`${node.op} "${node.name}": ${msg}`);
}

export function constInput(c: OpContext, i: number): HostTensor {
  const v = c.inputs[i];
  if (!v) throw opError(c.node, `missing input ${i}`);
  if (v.kind !== 'const') throw opError(c.node, `input ${i} must be a constant (dynamic values are not supported here)`);
  return v.tensor;
}
