/**
 * The converter on its own: deterministic bytes, layout tracking (few transposes left), unknown ops
 * refused by name, the build's skip-if-up-to-date, and ops the three shipped models do not use,
 * checked against TF.js on a small hand-written graph.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModels, locateSourcePackage } from '../../src/models-build/build.js';
import { convertSpecFor, findDefinition } from '../../src/models-build/catalog.js';
import { UnsupportedOpError, convertTfGraph } from '../../src/models-build/convert.js';
import type { DType, HostTensor } from '../../src/models-build/host-tensor.js';
import { decodeOnnxModel } from '../../src/models-build/onnx-proto.js';
import type { TfAttrValue, TfGraphModel, TfNode } from '../../src/models-build/tfjs-model.js';
import { loadTfGraphModel } from '../../src/models-build/tfjs-model.js';
import { seeded, tfWasm } from './reference.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'vigil-converter-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const nanodetJson = () => path.join(locateSourcePackage().dir, 'models', 'nanodet.json');

describe('converter', () => {
  it('writes the same bytes twice and keeps almost none of the TF graph transposes', () => {
    const def = findDefinition('nanodet')!;
    const model = loadTfGraphModel(nanodetJson());
    const a = convertTfGraph(model, convertSpecFor(def, 'test'));
    const b = convertTfGraph(loadTfGraphModel(nanodetJson()), convertSpecFor(def, 'test'));
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    const decoded = decodeOnnxModel(a.bytes);
    expect(decoded.opsetVersion).toBe(13);
    expect(decoded.irVersion).toBe(7);
    expect(decoded.graph.input.map((i) => i.name)).toEqual(['input']);
    expect(decoded.graph.output.map((o) => o.name)).toEqual(def.outputs.map((o) => o.onnx));
    const tfTransposes = model.nodes.filter((n) => n.op === 'Transpose').length;
    const onnxTransposes = decoded.graph.node.filter((n) => n.opType === 'Transpose').length;
    expect(tfTransposes).toBeGreaterThan(80);
    expect(onnxTransposes).toBeLessThanOrEqual(8);
    // Explicit zero pads before VALID convolutions are absorbed into the convolutions.
    expect(decoded.graph.node.filter((n) => n.opType === 'Pad').length).toBe(0);
    expect(a.tfOpsUsed).toEqual(expect.arrayContaining(['Conv2D', 'SplitV', 'ResizeBilinear', 'SparseToDense', 'LeakyRelu']));
  });

  it('fails on an unknown op with its name and node, never silently', () => {
    const model: TfGraphModel = {
      nodes: [
        { name: 'x', op: 'Placeholder', input: [], attr: {} },
        { name: 'weird', op: 'FancyOp', input: ['x'], attr: {} },
        { name: 'y', op: 'Relu', input: ['weird'], attr: {} },
      ],
      weights: new Map(),
      inputs: [],
      outputs: new Map(),
    };
    const spec = { graphName: 'g', producerVersion: 't', inputs: [{ tf: 'x', onnx: 'x', shape: [1, 4], dtype: 'float32' as const }], outputs: [{ tf: 'y', onnx: 'y' }] };
    expect(() => convertTfGraph(model, spec)).toThrow(UnsupportedOpError);
    expect(() => convertTfGraph(model, spec)).toThrow(/FancyOp \(node "weird"\)/);
  });

  it('builds once, then skips while up to date, and rebuilds a damaged or stale model', async () => {
    const root = path.join(tmp, 'build');
    const [first] = await buildModels({ outDir: root, models: ['movenet-multipose'] });
    expect(first.status).toBe('built');
    const [again] = await buildModels({ outDir: root, models: ['movenet-multipose'] });
    expect(again).toMatchObject({ status: 'up-to-date', sha256: first.sha256 });
    const onnx = path.join(root, 'movenet-multipose', 'model.onnx');
    const bytes = readFileSync(onnx);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(onnx, bytes);
    const [repaired] = await buildModels({ outDir: root, models: ['movenet-multipose'] });
    expect(repaired).toMatchObject({ status: 'built', sha256: first.sha256 });
    const mf = path.join(root, 'movenet-multipose', 'manifest.json');
    const m = JSON.parse(readFileSync(mf, 'utf8'));
    m.converter.version = '0.0.1';
    writeFileSync(mf, JSON.stringify(m));
    expect((await buildModels({ outDir: root, models: ['movenet-multipose'] }))[0].status).toBe('built');
    await expect(buildModels({ outDir: root, models: ['nope'] })).rejects.toThrow(/Unknown model "nope"/);
  });
});

// ---- a small graph of ops the shipped models do not use, TF.js vs ONNX --------------------------------

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ints = (v: number[]): TfAttrValue => ({ list: { i: v.map(String) } });
const TF_TYPES: Record<DType, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' };

class GraphSpec {
  readonly nodes: TfNode[] = [];
  readonly weights = new Map<string, HostTensor>();
  constant(name: string, dtype: DType, shape: number[], values: number[]): string {
    const data = dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values);
    this.weights.set(name, { dtype, shape, data });
    this.nodes.push({ name, op: 'Const', input: [], attr: { dtype: { type: TF_TYPES[dtype] }, value: { tensor: { dtype: TF_TYPES[dtype], tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } as TfAttrValue } });
    return name;
  }
  op(name: string, op: string, input: string[], attr: Record<string, TfAttrValue> = {}, T: DType = 'float32'): string {
    this.nodes.push({ name, op, input, attr: { T: { type: TF_TYPES[T] }, ...attr } });
    return name;
  }
}

function smallGraph(): { g: GraphSpec; outputs: string[] } {
  const g = new GraphSpec();
  const rnd = seeded(7);
  const r = (n: number, scale = 1) => Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
  g.nodes.push({ name: 'x', op: 'Placeholder', input: [], attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [1, 9, 11, 4].map((d) => ({ size: String(d) })) } } as TfAttrValue } });
  // Convolution with explicit padding and dilation, then depthwise with channel multiplier 2.
  const w1 = g.constant('w1', 'float32', [3, 3, 4, 6], r(216, 0.3));
  const c1 = g.op('conv1', 'Conv2D', ['x', w1], { strides: ints([1, 1, 1, 1]), dilations: ints([1, 2, 2, 1]), padding: { s: b64('EXPLICIT') }, explicit_paddings: ints([0, 0, 2, 1, 1, 2, 0, 0]), data_format: { s: b64('NHWC') } });
  const t1 = g.op('tanh', 'Tanh', [c1]);
  const w2 = g.constant('w2', 'float32', [3, 3, 6, 2], r(108, 0.3));
  const dw = g.op('dw', 'DepthwiseConv2dNative', [t1, w2], { strides: ints([1, 2, 2, 1]), dilations: ints([1, 1, 1, 1]), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') } });
  const elu = g.op('elu', 'Elu', [dw]);
  const ap = g.op('avg', 'AvgPool', [elu], { ksize: ints([1, 3, 3, 1]), strides: ints([1, 1, 1, 1]), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') } });
  const mp = g.op('mirror', 'MirrorPad', [ap, g.constant('mp', 'int32', [4, 2], [0, 0, 1, 2, 2, 1, 0, 0])], { mode: { s: b64('REFLECT') } });
  const rs = g.op('resize', 'ResizeBilinear', [mp, g.constant('rsz', 'int32', [2], [13, 7])], { align_corners: { b: true }, half_pixel_centers: { b: false } });
  const rn = g.op('nearest', 'ResizeNearestNeighbor', [rs, g.constant('nsz', 'int32', [2], [20, 15])], { align_corners: { b: false }, half_pixel_centers: { b: true } });
  // Reductions over an NCHW-held tensor, a softmax and a reversed strided slice.
  const sum = g.op('sum', 'Sum', [rn, g.constant('ax12', 'int32', [2], [1, 2])], { keep_dims: { b: false } });
  const sm = g.op('softmax', 'Softmax', [sum]);
  const mx = g.op('max', 'Max', [rn, g.constant('ax3', 'int32', [1], [3])], { keep_dims: { b: true } });
  const sq = g.op('square', 'Square', [mx]);
  const rsq = g.op('rsqrt', 'Rsqrt', [g.op('sqadd', 'AddV2', [sq, g.constant('one', 'float32', [], [1])])]);
  const sl = g.op('slice', 'StridedSlice', [rsq, g.constant('b', 'int32', [3], [0, -1, 0]), g.constant('e', 'int32', [3], [0, 0, 0]), g.constant('s', 'int32', [3], [1, -2, 1])], {
    begin_mask: { i: '5' },
    end_mask: { i: '5' },
    ellipsis_mask: { i: '0' },
    new_axis_mask: { i: '0' },
    shrink_axis_mask: { i: '0' },
  });
  const fm = g.op('floormod', 'FloorMod', [g.op('scaled', 'Mul', [sl, g.constant('k7', 'float32', [], [-7.5])]), g.constant('k3', 'float32', [], [3])]);
  const am = g.op('argmax', 'ArgMax', [rn, g.constant('ax3b', 'int32', [], [3])], { output_type: { type: 'DT_INT32' } });
  const amf = g.op('argmaxf', 'Cast', [am], { SrcT: { type: 'DT_INT32' }, DstT: { type: 'DT_FLOAT' } }, 'int32');
  const tile = g.op('tile', 'Tile', [sm, g.constant('reps', 'int32', [2], [2, 3])]);
  const ne = g.op('ne', 'NotEqual', [amf, g.constant('z', 'float32', [], [0])]);
  const sel = g.op('select', 'SelectV2', [ne, amf, g.op('neg', 'Neg', [amf])]);
  const up = g.op('unpack', 'Unpack', [tile], { num: { i: '2' }, axis: { i: '0' } });
  const pk = g.op('pack', 'Pack', [`${up}:1`, up], { N: { i: '2' }, axis: { i: '1' } });
  return { g, outputs: [fm, sel, pk] };
}

describe('converter on ops outside the shipped models', () => {
  it('matches TF.js for explicit/dilated conv, depthwise ×2, avg-pool, mirror pad, resizes, reductions, slices', async () => {
    await tfWasm();
    const { g, outputs } = smallGraph();
    const model: TfGraphModel = { nodes: g.nodes, weights: g.weights, inputs: [], outputs: new Map() };
    const conv = convertTfGraph(model, {
      graphName: 'small',
      producerVersion: 't',
      inputs: [{ tf: 'x', onnx: 'x', shape: [1, 9, 11, 4], dtype: 'float32' }],
      outputs: outputs.map((o) => ({ tf: o, onnx: o })),
    });
    const weightSpecs = [...g.weights].map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype as 'float32' | 'int32' }));
    const weightData = Buffer.concat([...g.weights.values()].map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)));
    const reference = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: { node: g.nodes.map((n) => ({ name: n.name, op: n.op, input: n.input, attr: n.attr })), library: {}, versions: {} },
        weightSpecs,
        weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
      }),
    );
    const rnd = seeded(11);
    const x = Float32Array.from({ length: 9 * 11 * 4 }, () => rnd() * 4 - 2);
    const ref = tf.tidy(() => (reference.execute(tf.tensor(x, [1, 9, 11, 4]), outputs) as tf.Tensor[]).map((t) => ({ shape: t.shape, data: Float32Array.from(t.dataSync() as ArrayLike<number>) })));
    const session = await ort.InferenceSession.create(conv.bytes);
    const got = await session.run({ x: new ort.Tensor('float32', x, [1, 9, 11, 4]) });
    outputs.forEach((o, k) => {
      expect(got[o].dims, o).toEqual(ref[k].shape);
      const d = Float32Array.from(got[o].data as ArrayLike<number>);
      let worst = 0;
      d.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref[k].data[i]))));
      expect(worst, `${o} max |diff|`).toBeLessThanOrEqual(1e-4);
      // Guard against comparing nothing: every output carries varied values.
      expect(new Set(ref[k].data).size, `${o} is not constant`).toBeGreaterThan(3);
    });
    await session.release();
    reference.dispose();
  });

  it('carries resize sizes fixed at export to another input size, and refuses a size that cannot follow', () => {
    const { g } = smallGraph();
    const model: TfGraphModel = { nodes: g.nodes, weights: g.weights, inputs: [], outputs: new Map() };
    const spec = (inputScale: [number, number]) => ({
      graphName: 'small',
      producerVersion: 't',
      inputs: [{ tf: 'x', onnx: 'x', shape: [1, 9, 11, 4], dtype: 'float32' as const }],
      outputs: [{ tf: 'nearest', onnx: 'nearest' }],
      inputScale,
    });
    // The graph resizes to 13×7, then 20×15: twice the input gives 26×14 and 40×30 (the input shape
    // itself stays what the spec says; only the resize targets follow the scale).
    const doubled = convertTfGraph(model, spec([2, 2]));
    expect(doubled.outputs[0].shape).toEqual([1, 40, 30, 12]);
    expect(() => convertTfGraph(model, spec([0.5, 1]))).toThrow(/ResizeBilinear "resize": output size 13 cannot follow the input by ×0.5/);
  });
});
