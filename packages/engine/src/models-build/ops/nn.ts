/**
 * Convolutions, pooling and resizing: the ops that need NCHW in ONNX. Their NHWC inputs are asked for
 * in NCHW physical layout and their outputs stay NCHW (logically NHWC), so chains of them never
 * transpose.
 */
import type { DynValue, Value } from '../graph-context.js';
import { GraphContext, NCHW_PHYSICAL, attr } from '../graph-context.js';
import type { HostTensor } from '../host-tensor.js';
import { sizeOf, transposeHost } from '../host-tensor.js';
import type { TfNode } from '../tfjs-model.js';
import { attrBool, attrFloat, attrInts, attrString, attrStrings } from '../tfjs-model.js';
import { relu6 } from './elementwise.js';
import type { OpContext, OpDef } from './types.js';
import { constInput, opError } from './types.js';

interface Spatial {
  /** Physical layout to request for a logical 4-D input (null = as is). */
  perm: number[] | null;
  /** Logical axes of H, W and C. */
  h: number;
  w: number;
  ch: number;
}

function spatialOf(node: TfNode): Spatial {
  const fmt = attrString(node, 'data_format', 'NHWC');
  if (fmt === 'NHWC') return { perm: NCHW_PHYSICAL, h: 1, w: 2, ch: 3 };
  if (fmt === 'NCHW') return { perm: null, h: 2, w: 3, ch: 1 };
  throw opError(node, `data_format ${fmt} is not supported`);
}

/** TF padding → [top, left, bottom, right] and output size. */
function padding2d(
  node: TfNode,
  inH: number,
  inW: number,
  kH: number,
  kW: number,
  sH: number,
  sW: number,
  dH: number,
  dW: number,
  sp: Spatial,
): { pads: number[]; outH: number; outW: number } {
  const mode = attrString(node, 'padding');
  const effH = (kH - 1) * dH + 1;
  const effW = (kW - 1) * dW + 1;
  if (mode === 'VALID') {
    return { pads: [0, 0, 0, 0], outH: Math.floor((inH - effH) / sH) + 1, outW: Math.floor((inW - effW) / sW) + 1 };
  }
  if (mode === 'SAME') {
    const outH = Math.ceil(inH / sH);
    const outW = Math.ceil(inW / sW);
    const tH = Math.max((outH - 1) * sH + effH - inH, 0);
    const tW = Math.max((outW - 1) * sW + effW - inW, 0);
    return { pads: [Math.floor(tH / 2), Math.floor(tW / 2), tH - Math.floor(tH / 2), tW - Math.floor(tW / 2)], outH, outW };
  }
  if (mode === 'EXPLICIT') {
    const e = attrInts(node, 'explicit_paddings');
    const top = e[2 * sp.h];
    const bottom = e[2 * sp.h + 1];
    const left = e[2 * sp.w];
    const right = e[2 * sp.w + 1];
    return {
      pads: [top, left, bottom, right],
      outH: Math.floor((inH + top + bottom - effH) / sH) + 1,
      outW: Math.floor((inW + left + right - effW) / sW) + 1,
    };
  }
  throw opError(node, `padding ${mode} is not supported`);
}

/**
 * Input tensor name for a layer that pads by itself: when the input is a constant-pad (of `value`)
 * over H/W only, the layer reads the unpadded tensor and takes the pads on.
 */
function absorbPad(x: Value, sp: Spatial, c: OpContext, value: number): { name: string; extra: number[] } {
  const name = c.g.phys(x, sp.perm);
  if (x.kind === 'dyn' && x.padded && name === x.name && x.padded.value === value) {
    const p = x.padded.pads;
    const r = 4;
    // Physical NCHW (or logical NCHW): only axes 2 and 3 may carry padding.
    const hAx = 2;
    const wAx = 3;
    const onlySpatial = [0, 1].every((a) => p[a] === 0 && p[a + r] === 0);
    if (onlySpatial) return { name: x.padded.src, extra: [p[hAx], p[wAx], p[hAx + r], p[wAx + r]] };
  }
  return { name, extra: [0, 0, 0, 0] };
}

function convLike(c: OpContext, depthwise: boolean): Value[] {
  const { node } = c;
  const sp = spatialOf(node);
  const x = c.inputs[0];
  const filter = constInput(c, 1);
  const xShape = x.kind === 'const' ? x.tensor.shape : x.shape;
  const [kH, kW, cIn, cOutOrMult] = filter.shape;
  const strides = attrInts(node, 'strides', [1, 1, 1, 1]);
  const dil = attrInts(node, 'dilations', [1, 1, 1, 1]);
  const sH = strides[sp.h];
  const sW = strides[sp.w];
  const dH = dil[sp.h];
  const dW = dil[sp.w];
  const inH = xShape[sp.h];
  const inW = xShape[sp.w];
  const inC = xShape[sp.ch];
  const { pads, outH, outW } = padding2d(node, inH, inW, kH, kW, sH, sW, dH, dW, sp);
  let weight: HostTensor;
  let group = 1;
  let cOut: number;
  if (depthwise) {
    if (cIn !== inC) throw opError(node, `filter has ${cIn} input channels, input has ${inC}`);
    cOut = cIn * cOutOrMult;
    // TF [kh, kw, cin, mult] → ONNX [cin*mult, 1, kh, kw]; output channel c*mult+m in both.
    const t = transposeHost(filter, [2, 3, 0, 1]);
    weight = { ...t, shape: [cOut, 1, kH, kW] };
    group = cIn;
  } else {
    if (inC % cIn !== 0) throw opError(node, `input has ${inC} channels, filter expects ${cIn}`);
    group = inC / cIn;
    cOut = cOutOrMult;
    weight = transposeHost(filter, [3, 2, 0, 1]);
  }
  const fused = node.op.startsWith('_Fused') || node.op.startsWith('Fused') ? attrStrings(node, 'fused_ops') : [];
  const inputs: string[] = [];
  const src = absorbPad(x, sp, c, 0);
  const allPads = pads.map((p, i) => p + src.extra[i]);
  inputs.push(src.name, c.g.constant(weight, `${node.name}/weight`));
  let act: string | null = null;
  for (const f of fused) {
    if (f === 'BiasAdd') {
      const bias = constInput(c, 2);
      if (sizeOf(bias.shape) !== cOut) throw opError(node, `bias has ${sizeOf(bias.shape)} values for ${cOut} channels`);
      inputs.push(c.g.constant({ ...bias, shape: [cOut] }, `${node.name}/bias`));
    } else if (['Relu', 'Relu6', 'LeakyRelu', 'Elu', 'Sigmoid', 'Tanh'].includes(f)) {
      act = f;
    } else {
      throw opError(node, `fused op ${f} is not supported`);
    }
  }
  const outShape = sp.perm ? [xShape[0], outH, outW, cOut] : [xShape[0], cOut, outH, outW];
  const attrs = [
    attr.ints('kernel_shape', [kH, kW]),
    attr.ints('strides', [sH, sW]),
    attr.ints('dilations', [dH, dW]),
    attr.ints('pads', allPads),
    attr.int('group', group),
  ];
  const convHint = act ? `${c.hint}/conv` : c.hint;
  const [conv] = c.g.emit('Conv', inputs, attrs, convHint);
  const y = GraphContext.dyn(conv, outShape, 'float32', sp.perm);
  return [act ? activation(c, act, y) : y];
}

function activation(c: OpContext, act: string, y: DynValue): DynValue {
  const emit1 = (op: string, attrs: ReturnType<typeof attr.int>[] = []) => {
    const [o] = c.g.emit(op, [y.name], attrs, c.hint);
    return GraphContext.dyn(o, y.shape, y.dtype, y.perm);
  };
  switch (act) {
    case 'Relu6':
      return relu6(c, y);
    case 'LeakyRelu':
      return emit1('LeakyRelu', [attr.float('alpha', attrFloat(c.node, 'leakyrelu_alpha', 0.2))]);
    default:
      return emit1(act);
  }
}

function pool(c: OpContext, kind: 'MaxPool' | 'AveragePool'): Value[] {
  const { node } = c;
  const sp = spatialOf(node);
  const x = c.inputs[0];
  if (x.kind !== 'dyn') throw opError(node, 'pooling a constant is not supported');
  const k = attrInts(node, 'ksize');
  const s = attrInts(node, 'strides');
  const { pads, outH, outW } = padding2d(node, x.shape[sp.h], x.shape[sp.w], k[sp.h], k[sp.w], s[sp.h], s[sp.w], 1, 1, sp);
  // Max pooling ignores padded cells, exactly like a -inf pad; average pooling must not count them (TF).
  const src = kind === 'MaxPool' ? absorbPad(x, sp, c, -Infinity) : { name: c.g.phys(x, sp.perm), extra: [0, 0, 0, 0] };
  const attrs = [
    attr.ints('kernel_shape', [k[sp.h], k[sp.w]]),
    attr.ints('strides', [s[sp.h], s[sp.w]]),
    attr.ints('pads', pads.map((p, i) => p + src.extra[i])),
  ];
  if (kind === 'AveragePool') attrs.push(attr.int('count_include_pad', 0));
  const [o] = c.g.emit(kind, [src.name], attrs, c.hint);
  const shape = [...x.shape];
  shape[sp.h] = outH;
  shape[sp.w] = outW;
  return [GraphContext.dyn(o, shape, x.dtype, sp.perm)];
}

function resize(c: OpContext, mode: 'linear' | 'nearest'): Value[] {
  const { node } = c;
  const x = c.inputs[0];
  if (x.kind !== 'dyn') throw opError(node, 'resizing a constant is not supported');
  const size = Array.from(constInput(c, 1).data, (v, i) => {
    const scaled = Math.round(v * c.inputScale[i]);
    if (Math.abs(scaled - v * c.inputScale[i]) > 1e-6) throw opError(node, `output size ${v} cannot follow the input by ×${c.inputScale[i]}`);
    return scaled;
  });
  const alignCorners = attrBool(node, 'align_corners');
  const halfPixel = attrBool(node, 'half_pixel_centers');
  if (alignCorners && halfPixel) throw opError(node, 'align_corners with half_pixel_centers is not valid');
  const attrs = [attr.str('mode', mode)];
  if (mode === 'linear') {
    attrs.push(attr.str('coordinate_transformation_mode', alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric'));
  } else {
    // TF half-pixel nearest picks floor((out + 0.5) · in/out) = round_prefer_ceil of the half_pixel
    // coordinate; align_corners rounds; legacy floors the asymmetric coordinate.
    attrs.push(attr.str('coordinate_transformation_mode', alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric'));
    attrs.push(attr.str('nearest_mode', alignCorners || halfPixel ? 'round_prefer_ceil' : 'floor'));
  }
  const name = c.g.phys(x, NCHW_PHYSICAL);
  const [n, , , ch] = x.shape;
  const sizes = c.g.int64([n, ch, size[0], size[1]], 'const/sizes');
  const [o] = c.g.emit('Resize', [name, '', '', sizes], attrs, c.hint);
  return [GraphContext.dyn(o, [n, size[0], size[1], ch], x.dtype, NCHW_PHYSICAL)];
}

export const nnOps: Record<string, OpDef> = {
  Conv2D: { emit: (c) => convLike(c, false) },
  _FusedConv2D: { emit: (c) => convLike(c, false) },
  DepthwiseConv2dNative: { emit: (c) => convLike(c, true) },
  FusedDepthwiseConv2dNative: { emit: (c) => convLike(c, true) },
  MaxPool: { emit: (c) => pool(c, 'MaxPool') },
  AvgPool: { emit: (c) => pool(c, 'AveragePool') },
  ResizeBilinear: { emit: (c) => resize(c, 'linear') },
  ResizeNearestNeighbor: { emit: (c) => resize(c, 'nearest') },
};
