/**
 * TF.js graph model → ONNX (opset 13). Walks the nodes needed for the requested outputs in dependency
 * order, folds everything computable at build time (shapes are static), and writes the rest through
 * the op table. An op missing from the table fails the conversion with its name; nothing is skipped.
 */
import type { Value } from './graph-context.js';
import { GraphContext, dtypeOf, onnxDataType, shapeOf } from './graph-context.js';
import type { DType, HostTensor } from './host-tensor.js';
import type { OnnxModel } from './onnx-proto.js';
import { encodeOnnxModel } from './onnx-proto.js';
import { elementwiseOps } from './ops/elementwise.js';
import { layoutOps } from './ops/layout.js';
import { nnOps } from './ops/nn.js';
import { selectOps } from './ops/select.js';
import type { OpDef } from './ops/types.js';
import type { TfGraphModel, TfNode } from './tfjs-model.js';

export const OPSET = 13;
export const IR_VERSION = 7;

export const OP_TABLE: Record<string, OpDef> = { ...elementwiseOps, ...layoutOps, ...nnOps, ...selectOps };

export interface ConvertSpec {
  graphName: string;
  inputs: Array<{ tf: string; onnx: string; shape: number[]; dtype: DType }>;
  /** `tf` is a tensor reference: "node" or "node:k". */
  outputs: Array<{ tf: string; onnx: string }>;
  producerVersion: string;
  metadata?: Record<string, string>;
  /**
   * Input size converted ÷ input size the TF graph was exported for, (height, width). Resize ops carry
   * their output size as a constant computed at export; these factors carry it to the converted input.
   */
  inputScale?: [number, number];
}

export interface ConvertedTensor {
  name: string;
  shape: number[];
  dtype: DType;
}

export interface ConvertResult {
  bytes: Uint8Array;
  inputs: ConvertedTensor[];
  outputs: ConvertedTensor[];
  nodeCount: number;
  tfOpsUsed: string[];
}

export class UnsupportedOpError extends Error {
  constructor(readonly ops: Array<{ op: string; node: string }>) {
    super(`unsupported TF op(s): ${ops.map((o) => `${o.op} (node "${o.node}")`).join(', ')}`);
    this.name = 'UnsupportedOpError';
  }
}

function parseRef(ref: string): [string, number] {
  const m = /^(.*?)(?::(\d+))?$/.exec(ref);
  if (!m) throw new Error(`bad tensor reference ${ref}`);
  return [m[1], m[2] ? Number(m[2]) : 0];
}

function topoOrder(model: TfGraphModel, roots: string[]): TfNode[] {
  const byName = new Map(model.nodes.map((n) => [n.name, n]));
  const state = new Map<string, 1 | 2>();
  const order: TfNode[] = [];
  for (const root of roots) {
    const stack: Array<{ node: TfNode; next: number }> = [];
    const start = byName.get(root);
    if (!start) throw new Error(`tensor "${root}" does not exist in the graph`);
    if (state.get(root)) continue;
    stack.push({ node: start, next: 0 });
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const inputs = top.node.input.filter((i) => !i.startsWith('^'));
      if (top.next < inputs.length) {
        const [dep] = parseRef(inputs[top.next++]);
        const s = state.get(dep);
        if (s === 1) throw new Error(`cycle through node "${dep}"`);
        if (s === 2) continue;
        const n = byName.get(dep);
        if (!n) throw new Error(`node "${top.node.name}" reads missing node "${dep}"`);
        state.set(dep, 1);
        stack.push({ node: n, next: 0 });
      } else {
        state.set(top.node.name, 2);
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}

export function convertTfGraph(model: TfGraphModel, spec: ConvertSpec): ConvertResult {
  const order = topoOrder(
    model,
    spec.outputs.map((o) => parseRef(o.tf)[0]),
  );
  const missing = order
    .filter((n) => n.op !== 'Const' && n.op !== 'Placeholder' && !OP_TABLE[n.op])
    .map((n) => ({ op: n.op, node: n.name }));
  if (missing.length) throw new UnsupportedOpError(missing);

  const g = new GraphContext();
  for (const inp of spec.inputs) g.reserveName(inp.onnx);
  for (const out of spec.outputs) g.reserveName(out.onnx);
  const values = new Map<string, Value>();
  const inputInfo: ConvertedTensor[] = [];

  for (const node of order) {
    if (node.op === 'Const') {
      const w = model.weights.get(node.name);
      if (!w) throw new Error(`Const "${node.name}" has no weight data`);
      values.set(`${node.name}:0`, { kind: 'const', tensor: w });
      continue;
    }
    if (node.op === 'Placeholder') {
      const inp = spec.inputs.find((i) => i.tf === node.name);
      if (!inp) throw new Error(`graph input "${node.name}" is not described by the model definition`);
      values.set(`${node.name}:0`, GraphContext.dyn(inp.onnx, inp.shape, inp.dtype));
      inputInfo.push({ name: inp.onnx, shape: inp.shape, dtype: inp.dtype });
      continue;
    }
    const inputs = node.input
      .filter((i) => !i.startsWith('^'))
      .map((ref) => {
        const [n, k] = parseRef(ref);
        const v = values.get(`${n}:${k}`);
        if (!v) throw new Error(`${node.op} "${node.name}": input ${ref} was not produced`);
        return v;
      });
    const def = OP_TABLE[node.op];
    let outs: Value[];
    try {
      if (def.fold && inputs.every((v) => v.kind === 'const')) {
        outs = def.fold(node, inputs.map((v) => (v as { tensor: HostTensor }).tensor)).map((tensor) => ({ kind: 'const', tensor }));
      } else if (def.emit) {
        outs = def.emit({ g, node, inputs, hint: node.name, inputScale: spec.inputScale ?? [1, 1] });
      } else {
        throw new Error(`${node.op} "${node.name}": only constant inputs are supported`);
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(msg.includes(node.name) ? msg : `${node.op} "${node.name}": ${msg}`);
    }
    outs.forEach((v, k) => values.set(`${node.name}:${k}`, v));
  }

  const outputInfo: ConvertedTensor[] = [];
  for (const out of spec.outputs) {
    const [n, k] = parseRef(out.tf);
    const v = values.get(`${n}:${k}`);
    if (!v) throw new Error(`output ${out.tf} was not produced`);
    const src = g.plain(v, `${out.onnx}/value`);
    g.nodes.push({ name: g.uniqueName(`node/${out.onnx}/output`), opType: 'Identity', input: [src], output: [out.onnx], attribute: [] });
    outputInfo.push({ name: out.onnx, shape: [...shapeOf(v)], dtype: dtypeOf(v) });
  }
  g.prune(spec.outputs.map((o) => o.onnx));

  const onnx: OnnxModel = {
    irVersion: IR_VERSION,
    opsetVersion: OPSET,
    producerName: 'vigil-tfjs2onnx',
    producerVersion: spec.producerVersion,
    graph: {
      name: spec.graphName,
      node: g.nodes,
      initializer: g.initializers,
      input: inputInfo.map((i) => ({ name: i.name, elemType: onnxDataType(i.dtype), shape: i.shape })),
      output: outputInfo.map((o) => ({ name: o.name, elemType: onnxDataType(o.dtype), shape: o.shape })),
    },
    metadata: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  return {
    bytes: encodeOnnxModel(onnx),
    inputs: inputInfo,
    outputs: outputInfo,
    nodeCount: g.nodes.length,
    tfOpsUsed: [...new Set(order.map((n) => n.op))].sort(),
  };
}
