/**
 * Reads a TF.js graph model (`model.json` + binary weight shards): its node list, attributes and
 * weights, with quantised weights (float16 / uint8 / uint16 affine) expanded back to float32 exactly
 * as TF.js itself expands them, so converted models match the TF.js reference.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DType, HostTensor } from './host-tensor.js';
import { sizeOf } from './host-tensor.js';

export interface TfAttrValue {
  i?: string | number;
  f?: number;
  b?: boolean;
  s?: string;
  type?: string;
  shape?: { dim?: Array<{ size?: string | number }>; unknownRank?: boolean };
  list?: { i?: Array<string | number>; f?: number[]; s?: string[]; type?: string[] };
  tensor?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, TfAttrValue>;
}

export interface TfSignatureEntry {
  name: string;
  dtype: string;
  shape: number[];
}

export interface TfGraphModel {
  nodes: TfNode[];
  weights: Map<string, HostTensor>;
  inputs: TfSignatureEntry[];
  outputs: Map<string, TfSignatureEntry>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

interface ModelJson {
  format?: string;
  modelTopology: { node: Array<{ name: string; op: string; input?: string[]; attr?: Record<string, TfAttrValue> }> };
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  signature?: {
    inputs?: Record<string, { name: string; dtype: string; tensorShape?: { dim?: Array<{ size?: string }> } }>;
    outputs?: Record<string, { name: string; dtype: string; tensorShape?: { dim?: Array<{ size?: string }> } }>;
  };
}

/** All the files a model is made of, in the order they are hashed. */
export function modelSourceFiles(modelJsonPath: string): string[] {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
  const dir = dirname(modelJsonPath);
  return [modelJsonPath, ...json.weightsManifest.flatMap((g) => g.paths.map((p) => join(dir, p)))];
}

export function loadTfGraphModel(modelJsonPath: string): TfGraphModel {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
  if (json.format !== undefined && json.format !== 'graph-model') {
    throw new Error(`${modelJsonPath}: format "${json.format}" is not a TF.js graph model`);
  }
  const dir = dirname(modelJsonPath);
  const weights = new Map<string, HostTensor>();
  for (const group of json.weightsManifest) {
    const buf = Buffer.concat(group.paths.map((p) => readFileSync(join(dir, p))));
    let offset = 0;
    for (const spec of group.weights) {
      const { tensor, bytes } = decodeWeight(spec, buf, offset);
      offset += bytes;
      weights.set(spec.name, tensor);
    }
    if (offset !== buf.length) {
      throw new Error(`${modelJsonPath}: weight shards hold ${buf.length} bytes, manifest describes ${offset}`);
    }
  }
  const nodes: TfNode[] = json.modelTopology.node.map((n) => ({
    name: n.name,
    op: n.op,
    input: n.input ?? [],
    attr: n.attr ?? {},
  }));
  const sigShape = (t?: { dim?: Array<{ size?: string }> }) => (t?.dim ?? []).map((d) => Number(d.size ?? -1));
  const inputs = Object.values(json.signature?.inputs ?? {}).map((e) => ({
    name: e.name.replace(/:0$/, ''),
    dtype: e.dtype,
    shape: sigShape(e.tensorShape),
  }));
  const outputs = new Map<string, TfSignatureEntry>();
  for (const [key, e] of Object.entries(json.signature?.outputs ?? {})) {
    outputs.set(key, { name: e.name, dtype: e.dtype, shape: sigShape(e.tensorShape) });
  }
  return { nodes, weights, inputs, outputs };
}

function decodeWeight(spec: WeightSpec, buf: Buffer, offset: number): { tensor: HostTensor; bytes: number } {
  const n = sizeOf(spec.shape);
  const q = spec.quantization;
  const dtype = tfjsDtype(spec.dtype, spec.name);
  if (q) {
    const width = q.dtype === 'float16' || q.dtype === 'uint16' ? 2 : q.dtype === 'uint8' ? 1 : 0;
    if (!width) throw new Error(`weight ${spec.name}: unsupported quantization dtype ${q.dtype}`);
    const bytes = n * width;
    const raw = buf.subarray(offset, offset + bytes);
    const out = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
    if (q.dtype === 'float16') {
      for (let i = 0; i < n; i++) out[i] = halfToFloat(raw[2 * i] | (raw[2 * i + 1] << 8));
    } else {
      const scale = q.scale ?? 1;
      const min = q.min ?? 0;
      for (let i = 0; i < n; i++) {
        const v = width === 1 ? raw[i] : raw[2 * i] | (raw[2 * i + 1] << 8);
        // Same arithmetic as TF.js (double, then one rounding to float32 on store).
        out[i] = v * scale + min;
      }
    }
    return { tensor: { dtype, shape: spec.shape, data: out }, bytes };
  }
  const width = dtype === 'bool' ? 1 : 4;
  const bytes = n * width;
  const copy = new Uint8Array(buf.subarray(offset, offset + bytes));
  const data =
    dtype === 'float32'
      ? new Float32Array(copy.buffer, 0, n)
      : dtype === 'int32'
        ? new Int32Array(copy.buffer, 0, n)
        : new Uint8Array(copy.buffer, 0, n);
  return { tensor: { dtype, shape: spec.shape, data }, bytes };
}

function tfjsDtype(d: string, name: string): DType {
  if (d === 'float32') return 'float32';
  if (d === 'int32') return 'int32';
  if (d === 'bool') return 'bool';
  throw new Error(`weight ${name}: unsupported dtype ${d}`);
}

/** IEEE 754 binary16 → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

// ---- attribute readers ------------------------------------------------------------------------------

export function attrInt(node: TfNode, key: string, fallback?: number): number {
  const v = node.attr[key]?.i;
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${node.op} ${node.name}: missing attribute ${key}`);
  }
  return Number(v);
}

export function attrFloat(node: TfNode, key: string, fallback?: number): number {
  const v = node.attr[key]?.f;
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${node.op} ${node.name}: missing attribute ${key}`);
  }
  return Number(v);
}

export function attrBool(node: TfNode, key: string, fallback = false): boolean {
  return node.attr[key]?.b ?? fallback;
}

export function attrString(node: TfNode, key: string, fallback?: string): string {
  const v = node.attr[key]?.s;
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${node.op} ${node.name}: missing attribute ${key}`);
  }
  return Buffer.from(v, 'base64').toString('utf8');
}

export function attrInts(node: TfNode, key: string, fallback?: number[]): number[] {
  const v = node.attr[key]?.list?.i;
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${node.op} ${node.name}: missing attribute ${key}`);
  }
  return v.map(Number);
}

export function attrStrings(node: TfNode, key: string): string[] {
  return (node.attr[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

export function attrType(node: TfNode, key: string): string | undefined {
  return node.attr[key]?.type;
}

/** TF DataType enum name → our dtype (int64 collapses to int32, as in TF.js). */
export function dtypeFromTf(t: string | undefined, where: string): DType {
  switch (t) {
    case 'DT_FLOAT':
      return 'float32';
    case 'DT_INT32':
    case 'DT_INT64':
    case 'DT_INT16':
    case 'DT_INT8':
    case 'DT_UINT8':
      return 'int32';
    case 'DT_BOOL':
      return 'bool';
    default:
      throw new Error(`${where}: unsupported data type ${t}`);
  }
}
