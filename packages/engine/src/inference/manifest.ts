/**
 * `resources/models/<name>/manifest.json`: what a built model is, where its weights came from and how to
 * feed and read it. Written by the model build, validated by the registry before any session opens.
 */
import { z } from 'zod';

export const MANIFEST_SCHEMA_VERSION = 1;

const tensorSpec = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32', 'bool']),
});

export const inputSpecSchema = tensorSpec.extend({
  layout: z.enum(['NCHW', 'NHWC']),
  /** Model input height and width in pixels. */
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  channelOrder: z.enum(['RGB', 'BGR']),
  /** value = (pixel - mean[c]) / std[c], pixel in 0..255, c in the model's channel order. */
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number(), z.number(), z.number()]),
  /** How a frame of another size is fitted: aspect-preserving letterbox. */
  resize: z.literal('letterbox'),
  /** Raw pixel value (0..255) of the letterbox border, before normalisation. */
  padValue: z.number(),
});

export const outputSpecSchema = tensorSpec.extend({
  /** What the tensor means, e.g. "class scores, stride 8". */
  description: z.string(),
});

export const decoderSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('nanodet-gfl'),
    /** Per stride: scores output [1, H*W, classes] (already sigmoid) and box distribution [1, H*W, 4*(regMax+1)]. */
    levels: z.array(z.object({ stride: z.number().int().positive(), scores: z.string(), boxes: z.string() })),
    regMax: z.number().int().positive(),
    /** Anchor point of cell (col, row) is ((col + offset) × stride, (row + offset) × stride). */
    centerOffset: z.number(),
  }),
  z.object({
    kind: z.literal('centernet'),
    /** [1, K, 6]: x1, y1, x2, y2 (input pixels), score, class id; heat-map peaks picked in the graph. */
    detections: z.string(),
  }),
  z.object({
    kind: z.literal('movenet-multipose'),
    /** [1, people, 56]: 17 × (y, x, score) normalised, then ymin, xmin, ymax, xmax, score. */
    output: z.string(),
    keypoints: z.array(z.string()),
  }),
]);

export const manifestSchema = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  name: z.string().min(1),
  task: z.enum(['detection', 'pose']),
  description: z.string(),
  source: z.object({
    package: z.string(),
    version: z.string(),
    files: z.array(z.string()),
    upstream: z.string(),
  }),
  licence: z.string(),
  converter: z.object({ name: z.string(), version: z.string(), opset: z.number().int() }),
  /** SHA-256 over the source files (model.json then weight shards, in order): drives rebuild-if-changed. */
  sourceSha256: z.string().regex(/^[0-9a-f]{64}$/),
  onnx: z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().positive() }),
  input: inputSpecSchema,
  outputs: z.array(outputSpecSchema).min(1),
  decoder: decoderSchema,
  labels: z.array(z.string()),
  /**
   * Optional outputs (one per pyramid level) whose cells, pooled in a box, are the box's appearance vector:
   * [1, C, H, W], [1, H, W, C], or a cell list [1, H·W, C] over the input grid at `stride` (layout NHWC).
   */
  features: z
    .object({ levels: z.array(z.object({ output: z.string(), stride: z.number().int().positive() })).min(1), layout: z.enum(['NCHW', 'NHWC']) })
    .optional(),
  /**
   * The registry model whose weights these are, converted for another input size: that model's detector
   * runs this one on frames it fits with less border (detector.ts).
   */
  variantOf: z.string().min(1).optional(),
}).refine((m) => !m.features || m.features.levels.every((l) => m.outputs.some((o) => o.name === l.output)), {
  message: 'features name an output the model does not have',
  path: ['features'],
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type InputSpec = z.infer<typeof inputSpecSchema>;
export type DecoderSpec = z.infer<typeof decoderSchema>;
