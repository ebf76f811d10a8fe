/**
 * Object detector over registry models: letterbox → onnxruntime → the model's own decoding →
 * class-aware NMS → boxes in source pixels. The converted graphs have a fixed batch of 1 (their
 * reshapes hard-code it), so a batch runs frame by frame. onnxruntime-node runs a session on the JS
 * thread (in a later macrotask; only its intra-op threads are its own), so inference blocks the caller's
 * thread while it lasts. A frame that a variant of the model (its weights converted for a
 * non-square input, manifest `variantOf`) takes at the same scale runs on that smaller input.
 */
import * as ort from 'onnxruntime-node';
import { VigilError, throwIfAborted, type ProgressFn } from '../errors.js';
import type { Frame } from '../media/frame-reader.js';
import type { OutputMap } from './decoders.js';
import { decodeCenternet, decodeNanodet } from './decoders.js';
import type { EpSetting } from './execution-providers.js';
import type { LetterboxMap } from './letterbox.js';
import { letterbox, toSource, validateFrame } from './letterbox.js';
import type { ModelManifest } from './manifest.js';
import type { ScoredBox } from './nms.js';
import { classAwareNms } from './nms.js';
import type { ModelSession } from './session-manager.js';
import { SessionManager } from './session-manager.js';

export interface Detection {
  /** [x1, y1, x2, y2] in source-frame pixels. */
  box: [number, number, number, number];
  label: string;
  classId: number;
  score: number;
}

/** Per-cell maps of one frame (the manifest's `features` levels), for appearance vectors (see `roiFeature`). */
export interface FeatureMap {
  levels: Array<{ data: Float32Array; height: number; width: number; stride: number }>;
  channels: number;
  layout: 'NCHW' | 'NHWC';
  map: LetterboxMap;
}

export interface DetectOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

export interface Detector {
  readonly name: string;
  /** Execution provider the session runs on. */
  readonly ep: string;
  /** Model input [height, width]. */
  readonly inputSize: [number, number];
  /** Input [height, width] a frame of this size runs at (a variant's, when one fits it better). */
  inputSizeFor(width: number, height: number): [number, number];
  readonly labels: readonly string[];
  detect(frames: Frame[], opts?: DetectOptions): Promise<Detection[][]>;
  /** Detections plus the model's feature map per frame (only for models whose manifest exposes one). */
  detectWithFeatures(frames: Frame[], opts?: DetectOptions): Promise<Array<{ detections: Detection[]; features: FeatureMap }>>;
  dispose(): Promise<void>;
}

export interface DetectorOptions {
  /** Shared session manager; when absent the detector opens (and disposes) its own. */
  manager?: SessionManager;
  ep?: EpSetting;
  requireEp?: boolean;
  threads?: number;
  scoreThreshold?: number;
  iouThreshold?: number;
  maxDetections?: number;
  onWarning?: (message: string) => void;
}

/** Upstream defaults: NanoDet's demo threshold 0.35 and NMS IoU 0.6; CenterNet peak threshold 0.3. */
const DEFAULTS: Record<string, { score: number; iou: number }> = {
  'nanodet-gfl': { score: 0.35, iou: 0.6 },
  centernet: { score: 0.3, iou: 0.6 },
};

export async function createDetector(name: string, opts: DetectorOptions = {}): Promise<Detector> {
  const own = !opts.manager;
  const manager = opts.manager ?? new SessionManager({ ep: opts.ep, requireEp: opts.requireEp, threads: opts.threads, onWarning: opts.onWarning });
  let ms: ModelSession;
  try {
    const manifest = manager.registry.readManifest(name);
    if (manifest.task !== 'detection') {
      throw new VigilError('invalid_input', `Model "${name}" is a ${manifest.task} model, not a detector.`);
    }
    ms = await manager.acquire(name);
  } catch (e) {
    if (own) await manager.dispose();
    throw e;
  }
  return new OnnxDetector(ms, manager.registry.variantsOf(name), manager, own, opts);
}

/** One input size of a detector: its session, opened when a frame first needs it. */
interface Input {
  manifest: ModelManifest;
  size: [number, number];
  session: Promise<ModelSession> | null;
}

/**
 * The input that takes a frame at the largest scale (never less detail than the square input), and of
 * those the smallest: a 16:9 frame fits a 416×256 input at the same scale as a 416×416 one.
 */
export function pickInput<T extends { size: [number, number] }>(inputs: readonly T[], width: number, height: number): T {
  const scale = ({ size: [h, w] }: T) => Math.min(w / width, h / height);
  const area = ({ size: [h, w] }: T) => h * w;
  const top = Math.max(...inputs.map(scale));
  return inputs.filter((i) => scale(i) >= top * (1 - 1e-9)).reduce((a, b) => (area(b) < area(a) ? b : a));
}

class OnnxDetector implements Detector {
  readonly name: string;
  readonly ep: string;
  readonly inputSize: [number, number];
  readonly labels: readonly string[];
  private readonly manifest: ModelManifest;
  private readonly score: number;
  private readonly iou: number;
  private readonly maxDet: number;
  private readonly inputs: Input[];
  private readonly onWarning: (m: string) => void;
  private disposed = false;

  constructor(
    ms: ModelSession,
    variants: ModelManifest[],
    private readonly manager: SessionManager,
    private readonly ownsManager: boolean,
    opts: DetectorOptions,
  ) {
    this.manifest = ms.manifest;
    this.name = ms.name;
    this.ep = ms.ep;
    this.inputSize = [...ms.manifest.input.size];
    this.onWarning = opts.onWarning ?? ((m) => process.emitWarning(m, 'VigilInference'));
    // A variant stands in for the model only if it is fed and read the same way.
    const reading = ({ input: i, outputs, decoder, labels, features }: ModelManifest) =>
      JSON.stringify([i.name, i.dtype, i.layout, i.channelOrder, i.mean, i.std, i.padValue, outputs.map((o) => o.name), decoder, labels, features]);
    this.inputs = [
      { manifest: ms.manifest, size: [...ms.manifest.input.size], session: Promise.resolve(ms) },
      ...variants.filter((m) => reading(m) === reading(ms.manifest)).map((m): Input => ({ manifest: m, size: [...m.input.size], session: null })),
    ];
    this.labels = ms.manifest.labels;
    const d = DEFAULTS[ms.manifest.decoder.kind] ?? { score: 0.3, iou: 0.6 };
    this.score = opts.scoreThreshold ?? d.score;
    this.iou = opts.iouThreshold ?? d.iou;
    this.maxDet = opts.maxDetections ?? 100;
    for (const [k, v] of [['scoreThreshold', this.score], ['iouThreshold', this.iou]] as const) {
      if (!(v >= 0 && v <= 1)) throw new VigilError('invalid_input', `${k} must be between 0 and 1, got ${v}.`);
    }
  }

  async detect(frames: Frame[], opts: DetectOptions = {}): Promise<Detection[][]> {
    return (await this.runAll(frames, false, opts)).map((r) => r.detections);
  }

  async detectWithFeatures(frames: Frame[], opts: DetectOptions = {}): Promise<Array<{ detections: Detection[]; features: FeatureMap }>> {
    if (!this.manifest.features) throw new VigilError('invalid_input', `Model "${this.name}" exposes no feature map.`);
    return (await this.runAll(frames, true, opts)) as Array<{ detections: Detection[]; features: FeatureMap }>;
  }

  inputSizeFor(width: number, height: number): [number, number] {
    return [...pickInput(this.inputs, width, height).size];
  }

  /** The session for a frame's input; a variant that cannot open leaves its frames to the base model. */
  private async sessionFor(frame: Frame): Promise<ModelSession> {
    const inp = pickInput(this.inputs, frame.width, frame.height);
    if (!inp.session) {
      inp.session = this.manager.acquire(inp.manifest.name).catch((e: unknown) => {
        this.onWarning(`Model "${inp.manifest.name}" could not open (${e instanceof Error ? e.message : String(e)}); "${this.name}" runs its frames.`);
        inp.size = [0, 0]; // never picked again
        return this.inputs[0].session!;
      });
    }
    return inp.session;
  }

  private prepare(frame: Frame, ms: ModelSession): { ms: ModelSession; feeds: Record<string, ort.Tensor>; map: LetterboxMap } {
    const spec = ms.manifest.input;
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    const map = letterbox(frame, spec, data);
    return { ms, feeds: { [spec.name]: new ort.Tensor(spec.dtype, data, spec.shape) }, map };
  }

  private async runAll(frames: Frame[], withFeatures: boolean, opts: DetectOptions): Promise<Array<{ detections: Detection[]; features?: FeatureMap }>> {
    if (this.disposed) throw new VigilError('conflict', `Detector "${this.name}" has been disposed.`);
    if (!Array.isArray(frames) || frames.length === 0) {
      throw new VigilError('invalid_input', 'detect() needs a non-empty array of frames.');
    }
    frames.forEach((f, i) => validateFrame(f, `frame ${i}`));
    const sessions = await Promise.all(frames.map((f) => this.sessionFor(f)));
    const fetches = this.manifest.outputs.map((o) => o.name);
    const results: Array<{ detections: Detection[]; features?: FeatureMap }> = [];
    let next = this.prepare(frames[0], sessions[0]);
    for (let i = 0; i < frames.length; i++) {
      throwIfAborted(opts.signal);
      const cur = next;
      const pending = cur.ms.session.run(cur.feeds, fetches);
      if (i + 1 < frames.length) next = this.prepare(frames[i + 1], sessions[i + 1]);
      const out = await pending;
      const size = cur.ms.manifest.input.size;
      results.push({ detections: this.decode(out, cur.map, size), features: withFeatures ? this.featureMap(out, cur.map, size) : undefined });
      opts.onProgress?.((i + 1) / frames.length, 'detect');
    }
    return results;
  }

  private decode(out: ort.InferenceSession.OnnxValueMapType, map: LetterboxMap, inputSize: [number, number]): Detection[] {
    const dec = this.manifest.decoder;
    const outputs = out as unknown as OutputMap;
    let raw: ScoredBox[];
    if (dec.kind === 'nanodet-gfl') raw = decodeNanodet(dec, outputs, inputSize, this.labels.length, this.score);
    else if (dec.kind === 'centernet') raw = decodeCenternet(dec, outputs, this.labels.length, this.score);
    else throw new VigilError('invalid_input', `Model "${this.name}" has no detection decoder.`);
    const kept = classAwareNms(raw, this.iou, this.maxDet);
    const dets: Detection[] = [];
    for (const k of kept) {
      const [x1, y1] = toSource(map, k.box[0], k.box[1]);
      const [x2, y2] = toSource(map, k.box[2], k.box[3]);
      if (x2 - x1 < 1e-3 || y2 - y1 < 1e-3) continue; // entirely inside the letterbox border
      dets.push({ box: [x1, y1, x2, y2], label: this.labels[k.classId], classId: k.classId, score: k.score });
    }
    return dets;
  }

  private featureMap(out: ort.InferenceSession.OnnxValueMapType, map: LetterboxMap, inputSize: [number, number]): FeatureMap {
    const f = this.manifest.features!;
    let channels = 0;
    const levels = f.levels.map(({ output, stride }) => {
      const t = out[output] as ort.Tensor;
      const dims = t.dims as number[];
      let [c, height, width] = f.layout === 'NCHW' ? [dims[1], dims[2], dims[3]] : [dims[3], dims[1], dims[2]];
      if (dims.length === 3) {
        // A cell list in row-major order over the input grid at this stride.
        [c, height, width] = [dims[2], Math.ceil(inputSize[0] / stride), Math.ceil(inputSize[1] / stride)];
        if (height * width !== dims[1]) throw new VigilError('internal', `Feature output ${output} has ${dims[1]} cells, not ${height}×${width}.`);
      }
      if (channels && c !== channels) throw new VigilError('internal', `Feature output ${output} has ${c} channels, not ${channels}.`);
      channels = c;
      return { data: t.data as Float32Array, height, width, stride };
    });
    return { levels, channels, layout: f.layout, map };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.ownsManager) await this.manager.dispose();
  }
}

/**
 * Appearance vector of a box: each channel's strongest value over the cells the box covers (in source
 * pixels) on every level, L2-normalised. For class scores that is the strongest evidence of each class
 * anywhere on the object, at whichever scale the model sees it (a bicycle under a rider shows in a few
 * cells only). Boxes smaller than a cell use the cell under their centre. Channels are non-negative
 * (class scores).
 */
export function roiFeature(fm: FeatureMap, box: [number, number, number, number]): Float32Array {
  const v = new Float32Array(fm.channels);
  const { scaleX, scaleY, padX, padY } = fm.map;
  for (const level of fm.levels) {
    const clampX = (c: number) => Math.min(Math.max(c, 0), level.width - 1);
    const clampY = (c: number) => Math.min(Math.max(c, 0), level.height - 1);
    const ax = (box[0] * scaleX + padX) / level.stride;
    const ay = (box[1] * scaleY + padY) / level.stride;
    const bx = (box[2] * scaleX + padX) / level.stride;
    const by = (box[3] * scaleY + padY) / level.stride;
    let x0 = clampX(Math.floor(ax));
    let x1 = clampX(Math.ceil(bx) - 1);
    let y0 = clampY(Math.floor(ay));
    let y1 = clampY(Math.ceil(by) - 1);
    if (x1 < x0) x0 = x1 = clampX(Math.floor((ax + bx) / 2));
    if (y1 < y0) y0 = y1 = clampY(Math.floor((ay + by) / 2));
    const plane = level.height * level.width;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        for (let c = 0; c < fm.channels; c++) {
          const val = fm.layout === 'NCHW' ? level.data[c * plane + y * level.width + x] : level.data[(y * level.width + x) * fm.channels + c];
          if (val > v[c]) v[c] = val;
        }
      }
    }
  }
  let norm = 0;
  for (let c = 0; c < v.length; c++) norm += v[c] * v[c];
  norm = Math.sqrt(norm) || 1;
  for (let c = 0; c < v.length; c++) v[c] /= norm;
  return v;
}
