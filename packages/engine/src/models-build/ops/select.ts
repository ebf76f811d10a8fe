/**
 * Index-producing and index-consuming ops (post-processing tails of detectors): TopK, Gather,
 * GatherNd, ArgMax, Softmax. ONNX returns int64 indices where TF.js has int32, so results are cast.
 */
import type { Value } from '../graph-context.js';
import { GraphContext, attr, dtypeOf, shapeOf } from '../graph-context.js';
import { TensorDataType } from '../onnx-proto.js';
import { scalarValue } from '../host-tensor.js';
import { attrInt, attrType } from '../tfjs-model.js';
import type { OpContext, OpDef } from './types.js';
import { constInput, opError } from './types.js';

function castToInt32(c: OpContext, name: string, shape: number[], hint: string): Value {
  const [o] = c.g.emit('Cast', [name], [attr.int('to', TensorDataType.INT32)], hint);
  return GraphContext.dyn(o, shape, 'int32');
}

function int64Indices(c: OpContext, v: Value): string {
  const [o] = c.g.emit('Cast', [c.g.plain(v)], [attr.int('to', TensorDataType.INT64)], `${c.hint}/indices64`);
  return o;
}

export const selectOps: Record<string, OpDef> = {
  TopKV2: {
    emit: (c) => {
      const x = c.inputs[0];
      const k = scalarValue(constInput(c, 1));
      const shape = [...shapeOf(x)];
      shape[shape.length - 1] = k;
      const [vals, idx] = c.g.emit('TopK', [c.g.plain(x), c.g.int64([k], 'const/k')], [attr.int('axis', -1), attr.int('largest', 1), attr.int('sorted', 1)], c.hint, 2);
      return [GraphContext.dyn(vals, shape, dtypeOf(x)), castToInt32(c, idx, shape, `${c.hint}:1`)];
    },
  },
  GatherV2: {
    emit: (c) => {
      const [params, indices] = c.inputs;
      const pShape = shapeOf(params);
      const axisRaw = scalarValue(constInput(c, 2));
      const axis = axisRaw < 0 ? axisRaw + pShape.length : axisRaw;
      if (attrInt(c.node, 'batch_dims', 0) !== 0) throw opError(c.node, 'batch_dims other than 0 is not supported');
      const [o] = c.g.emit('Gather', [c.g.plain(params), c.g.plain(indices)], [attr.int('axis', axis)], c.hint);
      const shape = [...pShape.slice(0, axis), ...shapeOf(indices), ...pShape.slice(axis + 1)];
      return [GraphContext.dyn(o, shape, dtypeOf(params))];
    },
  },
  GatherNd: {
    emit: (c) => {
      const [params, indices] = c.inputs;
      const iShape = shapeOf(indices);
      const depth = iShape[iShape.length - 1];
      const [o] = c.g.emit('GatherND', [c.g.plain(params), int64Indices(c, indices)], [], c.hint);
      const shape = [...iShape.slice(0, -1), ...shapeOf(params).slice(depth)];
      return [GraphContext.dyn(o, shape, dtypeOf(params))];
    },
  },
  ArgMax: { emit: (c) => argReduce(c, 'ArgMax') },
  ArgMin: { emit: (c) => argReduce(c, 'ArgMin') },
  Softmax: {
    emit: (c) => {
      const x = c.inputs[0];
      const [o] = c.g.emit('Softmax', [c.g.plain(x)], [attr.int('axis', -1)], c.hint);
      return [GraphContext.dyn(o, shapeOf(x), dtypeOf(x))];
    },
  },
};

function argReduce(c: OpContext, op: 'ArgMax' | 'ArgMin'): Value[] {
  const x = c.inputs[0];
  const shape = shapeOf(x);
  const raw = scalarValue(constInput(c, 1));
  const axis = raw < 0 ? raw + shape.length : raw;
  const outType = attrType(c.node, 'output_type') ?? 'DT_INT64';
  if (outType !== 'DT_INT32' && outType !== 'DT_INT64') throw opError(c.node, `output_type ${outType} is not supported`);
  // TF and ONNX (select_last_index=0) both return the first extreme index on ties.
  const [o] = c.g.emit(op, [c.g.plain(x)], [attr.int('axis', axis), attr.int('keepdims', 0)], `${c.hint}/i64`);
  const outShape = shape.filter((_, i) => i !== axis);
  return [castToInt32(c, o, outShape, c.hint)];
}
