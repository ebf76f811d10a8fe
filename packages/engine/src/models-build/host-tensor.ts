/**
 * Tensors held in memory at build time: weights, and values the converter folds instead of emitting.
 * TF.js has no int64 (its converter stores int64 constants as int32), so neither do we.
 */
export type DType = 'float32' | 'int32' | 'bool';
export type TypedData = Float32Array | Int32Array | Uint8Array;

export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: TypedData;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocData(dtype: DType, n: number): TypedData {
  if (dtype === 'float32') return new Float32Array(n);
  if (dtype === 'int32') return new Int32Array(n);
  return new Uint8Array(n);
}

export function hostTensor(dtype: DType, shape: number[], values: ArrayLike<number>): HostTensor {
  const data = allocData(dtype, sizeOf(shape));
  if (values.length !== data.length) {
    throw new Error(`tensor of shape [${shape}] needs ${data.length} values, got ${values.length}`);
  }
  for (let i = 0; i < data.length; i++) data[i] = dtype === 'bool' ? (values[i] ? 1 : 0) : values[i];
  return { dtype, shape: [...shape], data };
}

export function scalarValue(t: HostTensor): number {
  if (t.data.length !== 1) throw new Error(`expected a scalar, got shape [${t.shape}]`);
  return t.data[0];
}

export function toNumbers(t: HostTensor): number[] {
  return Array.from(t.data);
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** out[i] = in[perm[i]] in shape terms, as ONNX/TF Transpose. */
export function transposeHost(t: HostTensor, perm: readonly number[]): HostTensor {
  const rank = t.shape.length;
  if (perm.length !== rank) throw new Error(`perm [${perm}] does not fit rank ${rank}`);
  const outShape = perm.map((p) => t.shape[p]);
  const inStrides = stridesOf(t.shape);
  const out = allocData(t.dtype, t.data.length);
  const idx = new Array<number>(rank).fill(0);
  const stepStrides = perm.map((p) => inStrides[p]);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = t.data[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += stepStrides[d];
      if (idx[d] < outShape[d]) break;
      src -= stepStrides[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return { dtype: t.dtype, shape: outShape, data: out };
}

/** NumPy/TF broadcasting of two shapes; throws when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Element-wise op over any number of broadcast inputs. */
export function broadcastMap(
  inputs: HostTensor[],
  outDtype: DType,
  fn: (...v: number[]) => number,
): HostTensor {
  const shape = inputs.reduce<number[]>((s, t) => broadcastShapes(s, t.shape), []);
  const rank = shape.length;
  const n = sizeOf(shape);
  const out = allocData(outDtype, n);
  const views = inputs.map((t) => {
    const padded = [...new Array<number>(rank - t.shape.length).fill(1), ...t.shape];
    const st = stridesOf(padded);
    return padded.map((d, i) => (d === 1 ? 0 : st[i]));
  });
  const outStrides = stridesOf(shape);
  const args = new Array<number>(inputs.length);
  for (let o = 0; o < n; o++) {
    let rem = o;
    for (let k = 0; k < inputs.length; k++) args[k] = 0;
    for (let d = 0; d < rank; d++) {
      const c = Math.floor(rem / outStrides[d]);
      rem -= c * outStrides[d];
      for (let k = 0; k < inputs.length; k++) args[k] += c * views[k][d];
    }
    const vals = inputs.map((t, k) => t.data[args[k]]);
    out[o] = fn(...vals);
  }
  return { dtype: outDtype, shape, data: out };
}

/** Resolve TF's -1 in a reshape target against a known element count. */
export function resolveReshape(target: readonly number[], count: number): number[] {
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const unknown = target.filter((d) => d === -1).length;
  if (unknown > 1) throw new Error(`reshape target [${target}] has more than one -1`);
  const out = target.map((d) => (d === -1 ? count / known : d));
  if (sizeOf(out) !== count || out.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`cannot reshape ${count} elements to [${target}]`);
  }
  return out;
}

/**
 * TF StridedSlice reduced to a plain per-axis slice of the input plus the output shape (new axes
 * inserted, shrunk axes removed). Works for the static shapes every converted graph has.
 */
export interface StridedSlicePlan {
  starts: number[];
  ends: number[];
  steps: number[];
  sliceShape: number[];
  outShape: number[];
}

export function planStridedSlice(
  inShape: readonly number[],
  begin: readonly number[],
  end: readonly number[],
  strides: readonly number[],
  masks: { begin: number; end: number; ellipsis: number; newAxis: number; shrink: number },
): StridedSlicePlan {
  // Expand the sparse spec (with ellipsis and new axes) to one entry per input axis.
  type Spec = { kind: 'dim'; b: number; e: number; s: number; bm: boolean; em: boolean; shrink: boolean } | { kind: 'new' };
  const specs: Spec[] = [];
  const n = begin.length;
  const newCountAfterEllipsis = (from: number): number => {
    let c = 0;
    for (let i = from; i < n; i++) if (masks.newAxis & (1 << i)) c++;
    return c;
  };
  let consumed = 0;
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    if (masks.ellipsis & bit) {
      const remainingDims = n - i - 1 - newCountAfterEllipsis(i + 1);
      const fill = inShape.length - consumed - remainingDims;
      for (let k = 0; k < fill; k++) specs.push({ kind: 'dim', b: 0, e: 0, s: 1, bm: true, em: true, shrink: false });
      consumed += fill;
    } else if (masks.newAxis & bit) {
      specs.push({ kind: 'new' });
    } else {
      specs.push({
        kind: 'dim',
        b: begin[i],
        e: end[i],
        s: strides[i],
        bm: (masks.begin & bit) !== 0,
        em: (masks.end & bit) !== 0,
        shrink: (masks.shrink & bit) !== 0,
      });
      consumed++;
    }
  }
  while (consumed < inShape.length) {
    specs.push({ kind: 'dim', b: 0, e: 0, s: 1, bm: true, em: true, shrink: false });
    consumed++;
  }
  const starts: number[] = [];
  const ends: number[] = [];
  const steps: number[] = [];
  const sliceShape: number[] = [];
  const outShape: number[] = [];
  let axis = 0;
  for (const sp of specs) {
    if (sp.kind === 'new') {
      outShape.push(1);
      continue;
    }
    const dim = inShape[axis++];
    if (sp.s === 0) throw new Error('StridedSlice stride 0');
    let b: number;
    let e: number;
    if (sp.shrink) {
      b = sp.b < 0 ? sp.b + dim : sp.b;
      e = b + 1;
      if (b < 0 || b >= dim) throw new Error(`StridedSlice index ${sp.b} out of range for dim ${dim}`);
      starts.push(b);
      ends.push(e);
      steps.push(1);
      sliceShape.push(1);
      continue;
    }
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    if (sp.s > 0) {
      b = sp.bm ? 0 : clamp(sp.b < 0 ? sp.b + dim : sp.b, 0, dim);
      e = sp.em ? dim : clamp(sp.e < 0 ? sp.e + dim : sp.e, 0, dim);
    } else {
      b = sp.bm ? dim - 1 : clamp(sp.b < 0 ? sp.b + dim : sp.b, -1, dim - 1);
      e = sp.em ? -1 : clamp(sp.e < 0 ? sp.e + dim : sp.e, -1, dim - 1);
    }
    const len = sp.s > 0 ? Math.max(0, Math.ceil((e - b) / sp.s)) : Math.max(0, Math.ceil((b - e) / -sp.s));
    starts.push(b);
    // ONNX Slice: a negative end means "from the back", so use a sentinel for "before index 0".
    ends.push(sp.s < 0 && e === -1 ? -dim - 1 : e);
    steps.push(sp.s);
    sliceShape.push(len);
    outShape.push(len);
  }
  return { starts, ends, steps, sliceShape, outShape };
}

/** Apply a slice plan to a host tensor (used for folding). */
export function sliceHost(t: HostTensor, plan: StridedSlicePlan): HostTensor {
  const rank = t.shape.length;
  const inStrides = stridesOf(t.shape);
  const n = sizeOf(plan.sliceShape);
  const out = allocData(t.dtype, n);
  const outStrides = stridesOf(plan.sliceShape);
  for (let o = 0; o < n; o++) {
    let rem = o;
    let src = 0;
    for (let d = 0; d < rank; d++) {
      const c = Math.floor(rem / outStrides[d]);
      rem -= c * outStrides[d];
      src += (plan.starts[d] + c * plan.steps[d]) * inStrides[d];
    }
    out[o] = t.data[src];
  }
  return { dtype: t.dtype, shape: [...plan.outShape], data: out };
}

/** Concatenate host tensors along an axis. */
export function concatHost(parts: HostTensor[], axis: number): HostTensor {
  const first = parts[0];
  const rank = first.shape.length;
  const outShape = [...first.shape];
  outShape[axis] = parts.reduce((s, p) => s + p.shape[axis], 0);
  const outer = sizeOf(first.shape.slice(0, axis));
  const out = allocData(first.dtype, sizeOf(outShape));
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = sizeOf(p.shape.slice(axis, rank));
      out.set(p.data.subarray(o * chunk, (o + 1) * chunk) as never, pos);
      pos += chunk;
    }
  }
  return { dtype: first.dtype, shape: outShape, data: out };
}

export function castHost(t: HostTensor, dtype: DType): HostTensor {
  const out = allocData(dtype, t.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = t.data[i];
    out[i] = dtype === 'bool' ? (v !== 0 ? 1 : 0) : dtype === 'int32' ? Math.trunc(v) : v;
  }
  return { dtype, shape: [...t.shape], data: out };
}
