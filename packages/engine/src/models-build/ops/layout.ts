/**
 * Ops that move data around without arithmetic. Transpose, Pad, Concat, Split and reductions keep the
 * physical layout (axes are remapped); the rest work on the logical layout with static shapes.
 */
import type { DynValue, Value } from '../graph-context.js';
import { GraphContext, attr, dtypeOf, normPerm, physAxis, shapeOf } from '../graph-context.js';
import type { HostTensor } from '../host-tensor.js';
import {
  allocData,
  concatHost,
  hostTensor,
  planStridedSlice,
  resolveReshape,
  scalarValue,
  sizeOf,
  sliceHost,
  stridesOf,
  toNumbers,
  transposeHost,
} from '../host-tensor.js';
import type { StridedSlicePlan } from '../host-tensor.js';
import type { TfNode } from '../tfjs-model.js';
import { attrBool, attrInt, attrInts, attrString, attrType, dtypeFromTf } from '../tfjs-model.js';
import type { OpContext, OpDef } from './types.js';
import { constInput, opError } from './types.js';

const normAxis = (a: number, rank: number) => (a < 0 ? a + rank : a);

export function reshapeTo(c: OpContext, v: Value, shape: number[], hint = c.hint): Value {
  if (v.kind === 'const') return { kind: 'const', tensor: { ...v.tensor, shape } };
  const [o] = c.g.emit('Reshape', [c.g.plain(v), c.g.int64(shape, 'const/shape')], [], hint);
  return GraphContext.dyn(o, shape, v.dtype);
}

function transposeOp(c: OpContext): Value[] {
  const x = c.inputs[0];
  const t = toNumbers(constInput(c, 1));
  if (x.kind === 'const') return [{ kind: 'const', tensor: transposeHost(x.tensor, t) }];
  // logical_out[i] = logical_in[t[i]] = physical[perm[t[i]]]: no data moves.
  const base = x.perm ?? [...x.shape.keys()];
  const perm = t.map((i) => base[i]);
  const shape = t.map((i) => x.shape[i]);
  return [{ ...x, shape, perm: normPerm(perm) }];
}

function padOp(c: OpContext): Value[] {
  const x = c.inputs[0];
  if (x.kind !== 'dyn') throw opError(c.node, 'padding a constant should have been folded');
  const p = toNumbers(constInput(c, 1));
  const rank = x.shape.length;
  let value = 0;
  let mode = 'constant';
  if (c.node.op === 'PadV2') value = scalarValue(constInput(c, 2));
  if (c.node.op === 'MirrorPad') {
    const m = attrString(c.node, 'mode');
    if (m !== 'REFLECT') throw opError(c.node, `MirrorPad mode ${m} is not supported`);
    mode = 'reflect';
  }
  const pads = new Array<number>(2 * rank).fill(0);
  for (let l = 0; l < rank; l++) {
    const ph = physAxis(x.perm, l);
    pads[ph] = p[2 * l];
    pads[ph + rank] = p[2 * l + 1];
  }
  const inputs = [x.name, c.g.int64(pads, 'const/pads')];
  if (mode === 'constant') inputs.push(c.g.constant({ dtype: x.dtype, shape: [], data: x.dtype === 'float32' ? new Float32Array([value]) : new Int32Array([value]) }, 'const/padvalue'));
  const [o] = c.g.emit('Pad', inputs, [attr.str('mode', mode)], c.hint);
  const shape = x.shape.map((d, l) => d + p[2 * l] + p[2 * l + 1]);
  const out = GraphContext.dyn(o, shape, x.dtype, x.perm);
  if (mode === 'constant') out.padded = { src: x.name, pads, value };
  return [out];
}

function concatOp(c: OpContext): Value[] {
  const parts = c.inputs.slice(0, -1);
  const rank = shapeOf(parts[0]).length;
  const axis = normAxis(scalarValue(constInput(c, c.inputs.length - 1)), rank);
  const dyn = parts.filter((v): v is DynValue => v.kind === 'dyn');
  const perm = dyn.find((d) => d.perm)?.perm ?? null;
  const names = parts.map((v) => c.g.phys(v, perm, `${c.hint}/k`));
  const [o] = c.g.emit('Concat', names, [attr.int('axis', physAxis(perm, axis))], c.hint);
  const shape = [...shapeOf(parts[0])];
  shape[axis] = parts.reduce((s, v) => s + shapeOf(v)[axis], 0);
  return [GraphContext.dyn(o, shape, dtypeOf(parts[0]), perm)];
}

/** Logical perm of what remains after removing logical axes `removed` from a tensor with `perm`. */
function permAfterRemoving(perm: number[] | null, removed: number[]): number[] | null {
  if (!perm) return null;
  const keptLogical = perm.map((_, l) => l).filter((l) => !removed.includes(l));
  const keptPhys = keptLogical.map((l) => perm[l]);
  const sorted = [...keptPhys].sort((a, b) => a - b);
  return normPerm(keptPhys.map((p) => sorted.indexOf(p)));
}

function reduceOp(onnxOp: string, fn: (vals: number[]) => number): OpDef {
  return {
    emit: (c) => {
      const x = c.inputs[0];
      if (x.kind !== 'dyn') throw opError(c.node, 'reduction of a constant should have been folded');
      const rank = x.shape.length;
      const axes = [...new Set(toNumbers(constInput(c, 1)).map((a) => normAxis(a, rank)))].sort((a, b) => a - b);
      const keep = attrBool(c.node, 'keep_dims');
      const phys = axes.map((a) => physAxis(x.perm, a)).sort((a, b) => a - b);
      const inputs = [x.name];
      const attrs = [attr.int('keepdims', keep ? 1 : 0)];
      // Opset 13: ReduceSum takes axes as an input, the others as an attribute.
      if (onnxOp === 'ReduceSum') inputs.push(c.g.int64(phys, 'const/axes'));
      else attrs.push(attr.ints('axes', phys));
      const [o] = c.g.emit(onnxOp, inputs, attrs, c.hint);
      const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
      return [GraphContext.dyn(o, shape, x.dtype, keep ? x.perm : permAfterRemoving(x.perm, axes))];
    },
    fold: (n, [x, ax]) => {
      const rank = x.shape.length;
      const axes = toNumbers(ax).map((a) => normAxis(a, rank));
      const keep = attrBool(n, 'keep_dims');
      const outShapeKeep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const out = allocData(x.dtype, sizeOf(outShapeKeep));
      const groups: number[][] = Array.from({ length: out.length }, () => []);
      const st = stridesOf(x.shape);
      const ost = stridesOf(outShapeKeep);
      for (let i = 0; i < x.data.length; i++) {
        let o = 0;
        for (let d = 0; d < rank; d++) {
          const coord = Math.floor(i / st[d]) % x.shape[d];
          if (!axes.includes(d)) o += coord * ost[d];
        }
        groups[o].push(x.data[i]);
      }
      groups.forEach((g, i) => (out[i] = fn(g)));
      return [{ dtype: x.dtype, shape: keep ? outShapeKeep : x.shape.filter((_, i) => !axes.includes(i)), data: out }];
    },
  };
}

function splitOp(c: OpContext, x: Value, axis: number, sizes: number[]): DynValue[] {
  if (x.kind !== 'dyn') throw opError(c.node, 'splitting a constant should have been folded');
  const [o0, ...rest] = c.g.emit('Split', [x.name, c.g.int64(sizes, 'const/split')], [attr.int('axis', physAxis(x.perm, axis))], c.hint, sizes.length);
  return [o0, ...rest].map((name, i) => {
    const shape = [...x.shape];
    shape[axis] = sizes[i];
    return GraphContext.dyn(name, shape, x.dtype, x.perm);
  });
}

function splitSizes(total: number, raw: number[], node: TfNode): number[] {
  const known = raw.filter((s) => s >= 0).reduce((a, b) => a + b, 0);
  const out = raw.map((s) => (s < 0 ? total - known : s));
  if (out.reduce((a, b) => a + b, 0) !== total) throw opError(node, `split sizes [${raw}] do not add up to ${total}`);
  return out;
}

function splitFold(x: HostTensor, axis: number, sizes: number[]): HostTensor[] {
  let start = 0;
  return sizes.map((sz) => {
    const plan = planStridedSlice(
      x.shape,
      x.shape.map((_, i) => (i === axis ? start : 0)),
      x.shape.map((d, i) => (i === axis ? start + sz : d)),
      x.shape.map(() => 1),
      { begin: 0, end: 0, ellipsis: 0, newAxis: 0, shrink: 0 },
    );
    start += sz;
    return sliceHost(x, plan);
  });
}

function applySlicePlan(c: OpContext, x: Value, plan: StridedSlicePlan): Value {
  if (x.kind === 'const') return { kind: 'const', tensor: sliceHost(x.tensor, plan) };
  const full = plan.starts.every((s, i) => s === 0 && plan.steps[i] === 1 && plan.sliceShape[i] === x.shape[i]);
  let cur: Value = x;
  if (!full) {
    const axes = plan.starts.map((_, i) => i);
    const [o] = c.g.emit(
      'Slice',
      [c.g.plain(x), c.g.int64(plan.starts, 'const/starts'), c.g.int64(plan.ends, 'const/ends'), c.g.int64(axes, 'const/axes'), c.g.int64(plan.steps, 'const/steps')],
      [],
      plan.outShape.join(',') === plan.sliceShape.join(',') ? c.hint : `${c.hint}/slice`,
    );
    cur = GraphContext.dyn(o, plan.sliceShape, x.dtype);
  }
  if (plan.outShape.join(',') !== plan.sliceShape.join(',') || cur === x) {
    if (cur === x && plan.outShape.join(',') === x.shape.join(',')) return x;
    return reshapeTo(c, cur, plan.outShape);
  }
  return cur;
}

function stridedPlan(node: TfNode, shape: number[], b: HostTensor, e: HostTensor, s: HostTensor): StridedSlicePlan {
  return planStridedSlice(shape, toNumbers(b), toNumbers(e), toNumbers(s), {
    begin: attrInt(node, 'begin_mask', 0),
    end: attrInt(node, 'end_mask', 0),
    ellipsis: attrInt(node, 'ellipsis_mask', 0),
    newAxis: attrInt(node, 'new_axis_mask', 0),
    shrink: attrInt(node, 'shrink_axis_mask', 0),
  });
}

function slicePlan(shape: number[], begin: number[], size: number[]): StridedSlicePlan {
  return planStridedSlice(
    shape,
    begin,
    size.map((s, i) => (s < 0 ? shape[i] : begin[i] + s)),
    shape.map(() => 1),
    { begin: 0, end: 0, ellipsis: 0, newAxis: 0, shrink: 0 },
  );
}

function squeezeShape(node: TfNode, shape: number[]): number[] {
  const dims = attrInts(node, 'squeeze_dims', attrInts(node, 'axis', [])).map((a) => normAxis(a, shape.length));
  return shape.filter((d, i) => (dims.length ? !dims.includes(i) : d !== 1));
}

function expandShape(shape: number[], dim: number): number[] {
  const a = dim < 0 ? dim + shape.length + 1 : dim;
  const out = [...shape];
  out.splice(a, 0, 1);
  return out;
}

function tileHost(x: HostTensor, reps: number[]): HostTensor {
  const shape = x.shape.map((d, i) => d * reps[i]);
  const out = allocData(x.dtype, sizeOf(shape));
  const ost = stridesOf(shape);
  const ist = stridesOf(x.shape);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += (Math.floor(o / ost[d]) % shape[d] % x.shape[d]) * ist[d];
    out[o] = x.data[src];
  }
  return { dtype: x.dtype, shape, data: out };
}

function packShape(shapes: number[][], axis: number): number[] {
  return expandShape(shapes[0], axis);
}

export const layoutOps: Record<string, OpDef> = {
  Identity: { emit: (c) => [c.inputs[0]], fold: (_n, [x]) => [x] },
  StopGradient: { emit: (c) => [c.inputs[0]], fold: (_n, [x]) => [x] },
  Snapshot: { emit: (c) => [c.inputs[0]], fold: (_n, [x]) => [x] },
  Transpose: { emit: transposeOp },
  Pad: { emit: padOp },
  PadV2: { emit: padOp },
  MirrorPad: { emit: padOp },
  ConcatV2: {
    emit: concatOp,
    fold: (_n, ins) => {
      const parts = ins.slice(0, -1);
      return [concatHost(parts, normAxis(scalarValue(ins[ins.length - 1]), parts[0].shape.length))];
    },
  },
  Mean: reduceOp('ReduceMean', (v) => v.reduce((a, b) => a + b, 0) / v.length),
  Sum: reduceOp('ReduceSum', (v) => v.reduce((a, b) => a + b, 0)),
  Max: reduceOp('ReduceMax', (v) => Math.max(...v)),
  Min: reduceOp('ReduceMin', (v) => Math.min(...v)),
  Prod: reduceOp('ReduceProd', (v) => v.reduce((a, b) => a * b, 1)),
  SplitV: {
    emit: (c) => {
      const x = c.inputs[0];
      const rank = shapeOf(x).length;
      const axis = normAxis(scalarValue(constInput(c, 2)), rank);
      return splitOp(c, x, axis, splitSizes(shapeOf(x)[axis], toNumbers(constInput(c, 1)), c.node));
    },
    fold: (n, [x, s, a]) => {
      const axis = normAxis(scalarValue(a), x.shape.length);
      return splitFold(x, axis, splitSizes(x.shape[axis], toNumbers(s), n));
    },
  },
  Split: {
    emit: (c) => {
      const x = c.inputs[1];
      const rank = shapeOf(x).length;
      const axis = normAxis(scalarValue(constInput(c, 0)), rank);
      const n = attrInt(c.node, 'num_split');
      return splitOp(c, x, axis, new Array<number>(n).fill(shapeOf(x)[axis] / n));
    },
    fold: (node, [a, x]) => {
      const axis = normAxis(scalarValue(a), x.shape.length);
      const n = attrInt(node, 'num_split');
      return splitFold(x, axis, new Array<number>(n).fill(x.shape[axis] / n));
    },
  },
  Unpack: {
    emit: (c) => {
      const x = c.inputs[0];
      const shape = shapeOf(x);
      const axis = normAxis(attrInt(c.node, 'axis', 0), shape.length);
      const parts = splitOp(c, x, axis, new Array<number>(shape[axis]).fill(1));
      const outShape = shape.filter((_, i) => i !== axis);
      return parts.map((p, i) => reshapeTo(c, p, outShape, `${c.hint}:${i}/squeeze`));
    },
    fold: (n, [x]) => {
      const axis = normAxis(attrInt(n, 'axis', 0), x.shape.length);
      const outShape = x.shape.filter((_, i) => i !== axis);
      return splitFold(x, axis, new Array<number>(x.shape[axis]).fill(1)).map((t) => ({ ...t, shape: outShape }));
    },
  },
  Reshape: {
    emit: (c) => {
      const x = c.inputs[0];
      return [reshapeTo(c, x, resolveReshape(toNumbers(constInput(c, 1)), sizeOf(shapeOf(x))))];
    },
    fold: (_n, [x, s]) => [{ ...x, shape: resolveReshape(toNumbers(s), x.data.length) }],
  },
  Squeeze: {
    emit: (c) => [reshapeTo(c, c.inputs[0], squeezeShape(c.node, shapeOf(c.inputs[0])))],
    fold: (n, [x]) => [{ ...x, shape: squeezeShape(n, x.shape) }],
  },
  ExpandDims: {
    emit: (c) => [reshapeTo(c, c.inputs[0], expandShape(shapeOf(c.inputs[0]), scalarValue(constInput(c, 1))))],
    fold: (_n, [x, d]) => [{ ...x, shape: expandShape(x.shape, scalarValue(d)) }],
  },
  Pack: {
    emit: (c) => {
      const shapes = c.inputs.map(shapeOf);
      const axis = normAxis(attrInt(c.node, 'axis', 0), shapes[0].length + 1);
      const target = packShape(shapes, axis);
      const parts = c.inputs.map((v, i) => c.g.plain(reshapeTo(c, v, target, `${c.hint}/in${i}`), `${c.hint}/k`));
      const [o] = c.g.emit('Concat', parts, [attr.int('axis', axis)], c.hint);
      const shape = [...target];
      shape[axis] = c.inputs.length;
      return [GraphContext.dyn(o, shape, dtypeOf(c.inputs[0]))];
    },
    fold: (n, ins) => {
      const axis = normAxis(attrInt(n, 'axis', 0), ins[0].shape.length + 1);
      const target = expandShape(ins[0].shape, axis);
      return [concatHost(ins.map((t) => ({ ...t, shape: target })), axis)];
    },
  },
  StridedSlice: {
    emit: (c) => {
      const x = c.inputs[0];
      const plan = stridedPlan(c.node, shapeOf(x), constInput(c, 1), constInput(c, 2), constInput(c, 3));
      return [applySlicePlan(c, x, plan)];
    },
    fold: (n, [x, b, e, s]) => [sliceHost(x, stridedPlan(n, x.shape, b, e, s))],
  },
  Slice: {
    emit: (c) => {
      const x = c.inputs[0];
      return [applySlicePlan(c, x, slicePlan(shapeOf(x), toNumbers(constInput(c, 1)), toNumbers(constInput(c, 2))))];
    },
    fold: (_n, [x, b, s]) => [sliceHost(x, slicePlan(x.shape, toNumbers(b), toNumbers(s)))],
  },
  Tile: {
    emit: (c) => {
      const x = c.inputs[0];
      const reps = toNumbers(constInput(c, 1));
      const [o] = c.g.emit('Tile', [c.g.plain(x), c.g.int64(reps, 'const/repeats')], [], c.hint);
      return [GraphContext.dyn(o, shapeOf(x).map((d, i) => d * reps[i]), dtypeOf(x))];
    },
    fold: (_n, [x, r]) => [tileHost(x, toNumbers(r))],
  },
  // Static shapes make these constants even when their input is computed at run time.
  Shape: { emit: (c) => [{ kind: 'const', tensor: hostTensor('int32', [shapeOf(c.inputs[0]).length], shapeOf(c.inputs[0])) }] },
  Size: { emit: (c) => [{ kind: 'const', tensor: hostTensor('int32', [], [sizeOf(shapeOf(c.inputs[0]))]) }] },
  Rank: { emit: (c) => [{ kind: 'const', tensor: hostTensor('int32', [], [shapeOf(c.inputs[0]).length]) }] },
  ZerosLike: { emit: (c) => [{ kind: 'const', tensor: hostTensor(dtypeOf(c.inputs[0]), shapeOf(c.inputs[0]), new Array<number>(sizeOf(shapeOf(c.inputs[0]))).fill(0)) }] },
  OnesLike: { emit: (c) => [{ kind: 'const', tensor: hostTensor(dtypeOf(c.inputs[0]), shapeOf(c.inputs[0]), new Array<number>(sizeOf(shapeOf(c.inputs[0]))).fill(1)) }] },
  Fill: {
    fold: (_n, [dims, v]) => {
      const shape = toNumbers(dims);
      return [hostTensor(v.dtype, shape, new Array<number>(sizeOf(shape)).fill(scalarValue(v)))];
    },
  },
  Range: {
    fold: (n, [start, limit, delta]) => {
      const s = scalarValue(start);
      const l = scalarValue(limit);
      const d = scalarValue(delta);
      const count = Math.max(0, Math.ceil((l - s) / d));
      const dt = dtypeFromTf(attrType(n, 'Tidx') ?? 'DT_INT32', n.name);
      return [hostTensor(dt, [count], Array.from({ length: count }, (_, i) => s + i * d))];
    },
  },
  SparseToDense: {
    fold: (_n, [indices, outShape, values, dflt]) => {
      const shape = toNumbers(outShape);
      const out = hostTensor(values.dtype, shape, new Array<number>(sizeOf(shape)).fill(scalarValue(dflt)));
      const rank = shape.length;
      const nIdx = indices.shape.length === 0 ? 1 : indices.shape[0];
      const st = stridesOf(shape);
      for (let k = 0; k < nIdx; k++) {
        let flat = 0;
        for (let d = 0; d < rank; d++) flat += indices.data[k * rank + d] * st[d];
        out.data[flat] = values.data.length === 1 ? values.data[0] : values.data[k];
      }
      return [out];
    },
  },
};
