/**
 * State of one conversion: the ONNX graph being written and what each TF tensor became.
 *
 * Layout: TF graphs are NHWC, ONNX convolutions want NCHW. Rather than wrapping every op in a
 * transpose pair, a dynamic value remembers how its physical ONNX tensor relates to the logical TF
 * tensor (`perm`: logical = Transpose(physical, perm)). Layout-neutral ops (element-wise, concat, pad,
 * reductions, TF Transpose itself) just carry `perm` along; a real ONNX Transpose is written only where
 * an op needs a specific layout. For a graph that is already transpose-heavy (models that went
 * PyTorch → ONNX → TF) this removes almost every transpose.
 */
import type { DType, HostTensor } from './host-tensor.js';
import { sizeOf, transposeHost } from './host-tensor.js';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from './onnx-proto.js';
import { AttributeType, TensorDataType } from './onnx-proto.js';

export interface DynValue {
  kind: 'dyn';
  /** ONNX tensor name of the physical tensor. */
  name: string;
  /** Logical (TF) shape. */
  shape: number[];
  dtype: DType;
  /** logical = Transpose(physical, perm); null means physical is logical. */
  perm: number[] | null;
  /**
   * Set when this physical tensor is a constant-pad of another physical tensor: consumers that pad
   * themselves (Conv, MaxPool) read `src` and absorb `pads` instead of running the Pad.
   */
  padded?: { src: string; pads: number[]; value: number };
}

export interface ConstValue {
  kind: 'const';
  tensor: HostTensor;
}

export type Value = DynValue | ConstValue;

/** NHWC tensor held as NCHW. */
export const NCHW_PHYSICAL = [0, 2, 3, 1];

export function isIdentityPerm(p: readonly number[] | null): boolean {
  return p === null || p.every((v, i) => v === i);
}

export function normPerm(p: number[] | null): number[] | null {
  return isIdentityPerm(p) ? null : p;
}

export function invertPerm(p: readonly number[]): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((v, i) => (inv[v] = i));
  return inv;
}

/** Physical axis that holds logical axis `a`. */
export function physAxis(perm: readonly number[] | null, a: number): number {
  return perm ? perm[a] : a;
}

export function onnxDataType(d: DType): number {
  return d === 'float32' ? TensorDataType.FLOAT : d === 'int32' ? TensorDataType.INT32 : TensorDataType.BOOL;
}

export const attr = {
  int: (name: string, i: number): OnnxAttribute => ({ name, type: AttributeType.INT, i }),
  float: (name: string, f: number): OnnxAttribute => ({ name, type: AttributeType.FLOAT, f }),
  ints: (name: string, ints: number[]): OnnxAttribute => ({ name, type: AttributeType.INTS, ints }),
  str: (name: string, s: string): OnnxAttribute => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(s) }),
};

function tensorBytes(t: HostTensor): Uint8Array {
  const d = t.data;
  return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
}

export class GraphContext {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly usedNames = new Set<string>();
  private readonly constCache = new Map<string, string>();
  private readonly constIdentity = new Map<HostTensor, Map<string, string>>();
  private readonly transposeCache = new Map<string, string>();

  /** A fresh, deterministic tensor/node name derived from `hint`. */
  uniqueName(hint: string): string {
    let name = hint;
    for (let k = 1; this.usedNames.has(name); k++) name = `${hint}__${k}`;
    this.usedNames.add(name);
    return name;
  }

  reserveName(name: string): void {
    if (this.usedNames.has(name)) throw new Error(`duplicate tensor name ${name}`);
    this.usedNames.add(name);
  }

  emit(opType: string, inputs: string[], attributes: OnnxAttribute[], hint: string, outputs = 1): string[] {
    const outNames = Array.from({ length: outputs }, (_, i) => this.uniqueName(outputs === 1 ? hint : `${hint}:${i}`));
    this.nodes.push({ name: this.uniqueName(`node/${hint}`), opType, input: inputs, output: outNames, attribute: attributes });
    return outNames;
  }

  /** Initializer for a host tensor (small ones de-duplicated by content). */
  constant(t: HostTensor, hint: string): string {
    const small = t.data.length <= 64;
    const key = small ? `${t.dtype}|${t.shape.join(',')}|${Array.from(t.data).join(',')}` : '';
    if (small) {
      const hit = this.constCache.get(key);
      if (hit) return hit;
    }
    const name = this.uniqueName(hint);
    this.initializers.push({ name, dims: [...t.shape], dataType: onnxDataType(t.dtype), rawData: tensorBytes(t) });
    if (small) this.constCache.set(key, name);
    return name;
  }

  int64(values: number[], hint: string, shape: number[] = [values.length]): string {
    const key = `i64|${shape.join(',')}|${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.uniqueName(hint);
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: shape, dataType: TensorDataType.INT64, rawData: new Uint8Array(data.buffer) });
    this.constCache.set(key, name);
    return name;
  }

  floatScalar(v: number, hint: string): string {
    return this.constant({ dtype: 'float32', shape: [], data: new Float32Array([v]) }, hint);
  }

  /**
   * Name of a tensor holding `v` in the physical layout `perm` (logical = Transpose(physical, perm)),
   * writing a Transpose (or a re-laid-out initializer) only when the layout differs.
   */
  phys(v: Value, perm: number[] | null, hint = 'value'): string {
    const want = normPerm(perm);
    if (v.kind === 'const') {
      const t = want ? transposeHost(v.tensor, invertPerm(want)) : v.tensor;
      const key = want ? want.join(',') : 'id';
      let byPerm = this.constIdentity.get(v.tensor);
      if (!byPerm) this.constIdentity.set(v.tensor, (byPerm = new Map()));
      const hit = byPerm.get(key);
      if (hit) return hit;
      const name = this.constant(t, want ? `${hint}/nchw` : hint);
      byPerm.set(key, name);
      return name;
    }
    const have = v.perm;
    const rank = v.shape.length;
    const wantFull = want ?? [...Array(rank).keys()];
    const haveFull = have ?? [...Array(rank).keys()];
    const winv = invertPerm(wantFull);
    // physical_want = Transpose(physical_have, t) with t[j] = have[wantInv[j]]
    const t = winv.map((w) => haveFull[w]);
    if (isIdentityPerm(t)) return v.name;
    const key = `${v.name}|${t.join(',')}`;
    const hit = this.transposeCache.get(key);
    if (hit) return hit;
    const [out] = this.emit('Transpose', [v.name], [attr.ints('perm', t)], `${v.name}/transpose`);
    this.transposeCache.set(key, out);
    return out;
  }

  /** Logical (TF) layout. */
  plain(v: Value, hint?: string): string {
    return this.phys(v, null, hint);
  }

  /** Physical shape of a value stored with `perm`. */
  static physShape(shape: readonly number[], perm: readonly number[] | null): number[] {
    if (!perm) return [...shape];
    const inv = invertPerm(perm);
    return inv.map((l) => shape[l]);
  }

  static dyn(name: string, shape: number[], dtype: DType, perm: number[] | null = null): DynValue {
    return { kind: 'dyn', name, shape, dtype, perm: normPerm(perm) };
  }

  static size(v: Value): number {
    return sizeOf(v.kind === 'const' ? v.tensor.shape : v.shape);
  }

  /** Remove nodes whose outputs nobody reads, then initializers nobody reads. */
  prune(graphOutputs: string[]): void {
    const needed = new Set(graphOutputs);
    const keep = new Array<boolean>(this.nodes.length).fill(false);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i];
      if (n.output.some((o) => needed.has(o))) {
        keep[i] = true;
        for (const inp of n.input) if (inp) needed.add(inp);
      }
    }
    const kept = this.nodes.filter((_, i) => keep[i]);
    this.nodes.length = 0;
    this.nodes.push(...kept);
    const inits = this.initializers.filter((t) => needed.has(t.name));
    this.initializers.length = 0;
    this.initializers.push(...inits);
  }
}

export function shapeOf(v: Value): number[] {
  return v.kind === 'const' ? v.tensor.shape : v.shape;
}

export function dtypeOf(v: Value): DType {
  return v.kind === 'const' ? v.tensor.dtype : v.dtype;
}
