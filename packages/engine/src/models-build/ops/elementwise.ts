/**
 * Element-wise TF ops. They are layout-neutral: all operands are brought to the layout of the first
 * dynamic operand (constants are re-laid-out at build time), so NCHW-held tensors stay NCHW.
 */
import type { DynValue, Value } from '../graph-context.js';
import { GraphContext, attr, dtypeOf, onnxDataType, shapeOf } from '../graph-context.js';
import type { DType, HostTensor } from '../host-tensor.js';
import { broadcastMap, broadcastShapes, castHost } from '../host-tensor.js';
import { dtypeFromTf, attrFloat, attrType } from '../tfjs-model.js';
import type { OpContext, OpDef } from './types.js';
import { opError } from './types.js';

/** Write `opType` over operands sharing one layout; returns the dynamic result. */
export function elementwise(
  c: OpContext,
  opType: string,
  operands: Value[],
  outDtype: DType,
  attributes = [] as ReturnType<typeof attr.int>[],
  hint = c.hint,
): DynValue {
  const shapes = operands.map(shapeOf);
  const outShape = shapes.reduce<number[]>((s, x) => broadcastShapes(s, x), []);
  const dyn = operands.filter((v): v is DynValue => v.kind === 'dyn');
  let perm: number[] | null = null;
  const rank = outShape.length;
  const lead = dyn.find((d) => d.perm !== null) ?? dyn[0];
  if (lead && lead.perm && dyn.every((d) => d.shape.length === rank)) {
    const constsFit = operands.every((v) => v.kind === 'dyn' || shapeOf(v).length <= rank);
    if (constsFit) perm = lead.perm;
  }
  const names = operands.map((v) => {
    if (v.kind === 'const') {
      // Scalars broadcast in any layout; other constants are padded to full rank and re-laid-out.
      if (v.tensor.data.length === 1 && perm) {
        return c.g.phys({ kind: 'const', tensor: { ...v.tensor, shape: [] } }, null, `${hint}/k`);
      }
      if (perm) {
        const padded: HostTensor = { ...v.tensor, shape: [...new Array<number>(rank - v.tensor.shape.length).fill(1), ...v.tensor.shape] };
        return c.g.phys({ kind: 'const', tensor: padded }, perm, `${hint}/k`);
      }
      return c.g.phys(v, null, `${hint}/k`);
    }
    return c.g.phys(v, perm);
  });
  const [out] = c.g.emit(opType, names, attributes, hint);
  return GraphContext.dyn(out, outShape, outDtype, perm);
}

export function unary(c: OpContext, opType: string, v: Value, attributes = [] as ReturnType<typeof attr.int>[], outDtype?: DType, hint = c.hint): DynValue {
  if (v.kind === 'const') return elementwise(c, opType, [v], outDtype ?? v.tensor.dtype, attributes, hint);
  const [out] = c.g.emit(opType, [v.name], attributes, hint);
  return GraphContext.dyn(out, [...v.shape], outDtype ?? v.dtype, v.perm);
}

const f32 = Math.fround;

function binaryDef(opType: string, fn: (a: number, b: number, dtype: DType) => number, boolOut = false): OpDef {
  return {
    emit: (c) => {
      const [a, b] = c.inputs;
      return [elementwise(c, opType, [a, b], boolOut ? 'bool' : dtypeOf(a))];
    },
    fold: (_n, [a, b]) => [broadcastMap([a, b], boolOut ? 'bool' : a.dtype, (x, y) => fn(x, y, a.dtype))],
  };
}

function unaryDef(opType: string, fn: (x: number) => number, attrs: (c: OpContext) => ReturnType<typeof attr.int>[] = () => []): OpDef {
  return {
    emit: (c) => [unary(c, opType, c.inputs[0], attrs(c))],
    fold: (_n, [a]) => [broadcastMap([a], a.dtype, fn)],
  };
}

const intOr = (i: (a: number, b: number) => number, f: (a: number, b: number) => number) => (a: number, b: number, d: DType) =>
  d === 'int32' ? i(a, b) : f(a, b);

function floorDiv(a: number, b: number, d: DType): number {
  return d === 'int32' ? Math.floor(a / b) : Math.floor(f32(a / b));
}
function floorMod(a: number, b: number, d: DType): number {
  if (d === 'int32') return a - Math.floor(a / b) * b;
  const m = a % b;
  return m !== 0 && m < 0 !== b < 0 ? m + b : m;
}

export const elementwiseOps: Record<string, OpDef> = {
  Add: binaryDef('Add', (a, b) => a + b),
  AddV2: binaryDef('Add', (a, b) => a + b),
  BiasAdd: binaryDef('Add', (a, b) => a + b),
  Sub: binaryDef('Sub', (a, b) => a - b),
  Mul: binaryDef('Mul', intOr((a, b) => Math.imul(a, b), (a, b) => a * b)),
  RealDiv: binaryDef('Div', (a, b) => a / b),
  Maximum: binaryDef('Max', (a, b) => Math.max(a, b)),
  Minimum: binaryDef('Min', (a, b) => Math.min(a, b)),
  Pow: binaryDef('Pow', (a, b) => a ** b),
  Equal: binaryDef('Equal', (a, b) => (a === b ? 1 : 0), true),
  Less: binaryDef('Less', (a, b) => (a < b ? 1 : 0), true),
  LessEqual: binaryDef('LessOrEqual', (a, b) => (a <= b ? 1 : 0), true),
  Greater: binaryDef('Greater', (a, b) => (a > b ? 1 : 0), true),
  GreaterEqual: binaryDef('GreaterOrEqual', (a, b) => (a >= b ? 1 : 0), true),
  LogicalAnd: binaryDef('And', (a, b) => (a && b ? 1 : 0), true),
  LogicalOr: binaryDef('Or', (a, b) => (a || b ? 1 : 0), true),
  NotEqual: {
    emit: (c) => {
      const eq = elementwise(c, 'Equal', c.inputs, 'bool', [], `${c.hint}/eq`);
      return [unary(c, 'Not', eq)];
    },
    fold: (_n, [a, b]) => [broadcastMap([a, b], 'bool', (x, y) => (x !== y ? 1 : 0))],
  },
  SquaredDifference: {
    emit: (c) => {
      const d = elementwise(c, 'Sub', c.inputs, dtypeOf(c.inputs[0]), [], `${c.hint}/diff`);
      return [elementwise(c, 'Mul', [d, d], d.dtype)];
    },
    fold: (_n, [a, b]) => [broadcastMap([a, b], a.dtype, (x, y) => (x - y) * (x - y))],
  },
  FloorDiv: {
    emit: (c) => {
      const [a, b] = c.inputs;
      const dt = dtypeOf(a);
      if (dt === 'int32') {
        // Integer Div in ONNX truncates; a - mod(a, b) (floor-mod) is an exact multiple of b.
        const m = elementwise(c, 'Mod', [a, b], dt, [attr.int('fmod', 0)], `${c.hint}/mod`);
        const s = elementwise(c, 'Sub', [a, m], dt, [], `${c.hint}/sub`);
        return [elementwise(c, 'Div', [s, b], dt)];
      }
      const q = elementwise(c, 'Div', [a, b], dt, [], `${c.hint}/div`);
      return [unary(c, 'Floor', q)];
    },
    fold: (_n, [a, b]) => [broadcastMap([a, b], a.dtype, (x, y) => floorDiv(x, y, a.dtype))],
  },
  FloorMod: {
    emit: (c) => {
      const [a, b] = c.inputs;
      const dt = dtypeOf(a);
      if (dt === 'int32') return [elementwise(c, 'Mod', [a, b], dt, [attr.int('fmod', 0)])];
      const q = elementwise(c, 'Div', [a, b], dt, [], `${c.hint}/div`);
      const fq = unary(c, 'Floor', q, [], dt, `${c.hint}/floor`);
      const p = elementwise(c, 'Mul', [fq, b], dt, [], `${c.hint}/mul`);
      return [elementwise(c, 'Sub', [a, p], dt)];
    },
    fold: (_n, [a, b]) => [broadcastMap([a, b], a.dtype, (x, y) => floorMod(x, y, a.dtype))],
  },
  AddN: {
    emit: (c) => [elementwise(c, 'Sum', c.inputs, dtypeOf(c.inputs[0]))],
    fold: (_n, ins) => [broadcastMap(ins, ins[0].dtype, (...v) => v.reduce((s, x) => s + x, 0))],
  },
  Select: { emit: (c) => [selectOp(c)] },
  SelectV2: { emit: (c) => [selectOp(c)] },

  Relu: unaryDef('Relu', (x) => Math.max(0, x)),
  Sigmoid: unaryDef('Sigmoid', (x) => 1 / (1 + Math.exp(-x))),
  Tanh: unaryDef('Tanh', Math.tanh),
  Exp: unaryDef('Exp', Math.exp),
  Log: unaryDef('Log', Math.log),
  Abs: unaryDef('Abs', Math.abs),
  Neg: unaryDef('Neg', (x) => -x),
  Sqrt: unaryDef('Sqrt', Math.sqrt),
  Floor: unaryDef('Floor', Math.floor),
  Ceil: unaryDef('Ceil', Math.ceil),
  Reciprocal: unaryDef('Reciprocal', (x) => 1 / x),
  Elu: unaryDef('Elu', (x) => (x > 0 ? x : Math.expm1(x))),
  LogicalNot: unaryDef('Not', (x) => (x ? 0 : 1)),
  LeakyRelu: {
    emit: (c) => [unary(c, 'LeakyRelu', c.inputs[0], [attr.float('alpha', attrFloat(c.node, 'alpha', 0.2))])],
    fold: (n, [a]) => {
      const alpha = attrFloat(n, 'alpha', 0.2);
      return [broadcastMap([a], a.dtype, (x) => (x < 0 ? alpha * x : x))];
    },
  },
  Relu6: {
    emit: (c) => [relu6(c, c.inputs[0])],
    fold: (_n, [a]) => [broadcastMap([a], a.dtype, (x) => Math.min(Math.max(x, 0), 6))],
  },
  Rsqrt: {
    emit: (c) => [unary(c, 'Reciprocal', unary(c, 'Sqrt', c.inputs[0], [], undefined, `${c.hint}/sqrt`))],
    fold: (_n, [a]) => [broadcastMap([a], a.dtype, (x) => 1 / Math.sqrt(x))],
  },
  Square: {
    emit: (c) => [elementwise(c, 'Mul', [c.inputs[0], c.inputs[0]], dtypeOf(c.inputs[0]))],
    fold: (_n, [a]) => [broadcastMap([a], a.dtype, (x) => x * x)],
  },
  Cast: {
    emit: (c) => {
      const to = dtypeFromTf(attrType(c.node, 'DstT'), c.node.name);
      return [unary(c, 'Cast', c.inputs[0], [attr.int('to', onnxDataType(to))], to)];
    },
    fold: (n, [a]) => [castHost(a, dtypeFromTf(attrType(n, 'DstT'), n.name))],
  },
};

export function relu6(c: OpContext, v: Value, hint = c.hint): DynValue {
  const lo = c.g.floatScalar(0, 'const/zero');
  const hi = c.g.floatScalar(6, 'const/six');
  if (v.kind === 'const') throw opError(c.node, 'Relu6 of a constant should have been folded');
  const [out] = c.g.emit('Clip', [v.name, lo, hi], [], hint);
  return GraphContext.dyn(out, [...v.shape], v.dtype, v.perm);
}

/** TF Select (v1) picks whole rows when the condition is a vector; SelectV2 broadcasts like Where. */
function selectOp(c: OpContext): DynValue {
  let [cond, t, e] = c.inputs;
  const tShape = shapeOf(t);
  const cShape = shapeOf(cond);
  if (c.node.op === 'Select' && cShape.length === 1 && tShape.length > 1) {
    const target = [cShape[0], ...new Array<number>(tShape.length - 1).fill(1)];
    if (cond.kind === 'const') cond = { kind: 'const', tensor: { ...cond.tensor, shape: target } };
    else {
      const [r] = c.g.emit('Reshape', [c.g.plain(cond), c.g.int64(target, 'const/shape')], [], `${c.hint}/cond`);
      cond = GraphContext.dyn(r, target, 'bool');
    }
  }
  return elementwise(c, 'Where', [cond, t, e], dtypeOf(t));
}
