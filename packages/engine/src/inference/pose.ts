/**
 * Multi-person pose (MoveNet MultiPose): up to 6 people × 17 COCO keypoints per frame, in source pixels.
 * The model's own output already holds its decoded people (centre peaks, keypoint regression snapped
 * to heat-map maxima); here it is only mapped back through the letterbox and thresholded.
 */
import * as ort from 'onnxruntime-node';
import { VigilError } from '../errors.js';
import type { Frame } from '../media/frame-reader.js';
import type { EpSetting } from './execution-providers.js';
import { letterbox, toSource, validateFrame } from './letterbox.js';
import { SessionManager } from './session-manager.js';

export interface Keypoint {
  name: string;
  x: number;
  y: number;
  score: number;
}

export interface Person {
  /** [x1, y1, x2, y2] in source pixels. */
  box: [number, number, number, number];
  score: number;
  keypoints: Keypoint[];
}

export interface PoseEstimator {
  readonly name: string;
  readonly ep: string;
  readonly inputSize: [number, number];
  pose(frame: Frame): Promise<Person[]>;
  dispose(): Promise<void>;
}

export interface PoseOptions {
  manager?: SessionManager;
  ep?: EpSetting;
  requireEp?: boolean;
  threads?: number;
  /** Minimum person score (default 0.2, the MoveNet demo value). */
  scoreThreshold?: number;
}

export async function createPoseEstimator(name = 'movenet-multipose', opts: PoseOptions = {}): Promise<PoseEstimator> {
  const own = !opts.manager;
  const manager = opts.manager ?? new SessionManager({ ep: opts.ep, requireEp: opts.requireEp, threads: opts.threads });
  try {
    const ms = await manager.acquire(name);
    const dec = ms.manifest.decoder;
    if (dec.kind !== 'movenet-multipose') throw new VigilError('invalid_input', `Model "${name}" is not a pose model.`);
    const spec = ms.manifest.input;
    const threshold = opts.scoreThreshold ?? 0.2;
    let disposed = false;
    return {
      name,
      ep: ms.ep,
      inputSize: [...spec.size],
      async pose(frame: Frame): Promise<Person[]> {
        if (disposed) throw new VigilError('conflict', `Pose estimator "${name}" has been disposed.`);
        validateFrame(frame);
        const n = spec.shape.reduce((a, b) => a * b, 1);
        const data = spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
        const map = letterbox(frame, spec, data);
        const out = await ms.session.run({ [spec.name]: new ort.Tensor(spec.dtype, data, spec.shape) });
        const t = out[dec.output];
        const [, people, stride] = t.dims as number[];
        const d = t.data as Float32Array;
        const [inH, inW] = spec.size;
        const kpCount = dec.keypoints.length;
        const result: Person[] = [];
        for (let p = 0; p < people; p++) {
          const o = p * stride;
          const score = d[o + kpCount * 3 + 4];
          if (!(score >= threshold)) continue;
          const keypoints = dec.keypoints.map((kp, k) => {
            const [x, y] = toSource(map, d[o + 3 * k + 1] * inW, d[o + 3 * k] * inH);
            return { name: kp, x, y, score: d[o + 3 * k + 2] };
          });
          const b = o + kpCount * 3;
          const [x1, y1] = toSource(map, d[b + 1] * inW, d[b] * inH);
          const [x2, y2] = toSource(map, d[b + 3] * inW, d[b + 2] * inH);
          result.push({ box: [x1, y1, x2, y2], score, keypoints });
        }
        return result.sort((a, b) => b.score - a.score);
      },
      async dispose() {
        if (disposed) return;
        disposed = true;
        if (own) await manager.dispose();
      },
    };
  } catch (e) {
    if (own) await manager.dispose();
    throw e;
  }
}
