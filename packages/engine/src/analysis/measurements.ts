/**
 * Turns one analysed frame's evidence into tracker measurements: detector boxes (COCO labels) where the
 * detector ran, plus every motion blob the detections do not explain (label 'unknown'), each with the flow
 * measured inside its box and a small appearance histogram for re-identification.
 */
import type { FlowField } from './block-flow.js';
import type { Blob } from './motion.js';
import type { Measurement } from './tracker.js';
import type { FeatureMap } from '../inference/detector.js';
import type { Box } from './types.js';

/** What the pipeline needs from a detector (the inference module's Detector satisfies it). */
export interface FrameLike {
  index: number;
  time: number;
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

export interface DetectionLike {
  box: [number, number, number, number];
  label: string;
  classId: number;
  score: number;
}

/** A per-cell feature map of one frame (the inference module's FeatureMap). */
export type FeatureMapLike = FeatureMap;

export interface DetectorLike {
  detect(frames: FrameLike[]): Promise<DetectionLike[][]>;
  /** Detections plus a feature map per frame, for appearance vectors (models that expose one). */
  detectWithFeatures?(frames: FrameLike[]): Promise<Array<{ detections: DetectionLike[]; features: FeatureMapLike }>>;
  dispose(): void | Promise<void>;
  /** Model name, recorded in the analysis parameters. */
  name?: string;
  /** Model input [height, width] a frame of this size runs at (recorded in the analysis statistics). */
  inputSizeFor?(width: number, height: number): [number, number];
}

/**
 * Median flow of the estimated blocks whose centre lies inside `box` (pixels per analysed frame), leaving out
 * blocks whose centre lies inside any of the `exclude` boxes; null unless at least half of the blocks lie
 * within max(1 px, a quarter of its length) of it.
 */
export function boxFlow(flow: FlowField | null, box: Box, exclude: readonly Box[] = [], minBlocks = 2): { vx: number; vy: number } | null {
  if (!flow) return null;
  const b = flow.block;
  const x0 = Math.max(0, Math.floor(box[0] / b));
  const x1 = Math.min(flow.cols - 1, Math.floor((box[2] - 1) / b));
  const y0 = Math.max(0, Math.floor(box[1] / b));
  const y1 = Math.min(flow.rows - 1, Math.floor((box[3] - 1) / b));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const cx = (x + 0.5) * b;
      const cy = (y + 0.5) * b;
      if (cx < box[0] || cx > box[2] || cy < box[1] || cy > box[3]) continue;
      if (exclude.some((e) => cx >= e[0] && cx <= e[2] && cy >= e[1] && cy <= e[3])) continue;
      const i = y * flow.cols + x;
      if (Number.isNaN(flow.vx[i])) continue;
      xs.push(flow.vx[i]);
      ys.push(flow.vy[i]);
    }
  }
  if (xs.length < minBlocks) return null;
  const bx = xs.slice();
  const by = ys.slice();
  xs.sort((a, c) => a - c);
  ys.sort((a, c) => a - c);
  const mid = xs.length >> 1;
  const med = (v: number[]): number => (v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2);
  const vx = med(xs);
  const vy = med(ys);
  // The object's motion is what most of its blocks agree on: a median over few blocks that disagree (some
  // matched a repeated texture or an outline elsewhere) is no reading, and the tracker's filter carries on.
  const tol = Math.max(1, 0.25 * Math.hypot(vx, vy));
  let agree = 0;
  for (let i = 0; i < bx.length; i++) if (Math.hypot(bx[i] - vx, by[i] - vy) <= tol) agree++;
  if (2 * agree < bx.length) return null;
  return { vx, vy };
}

/** 16-bin gray histogram of the box (L1-normalised), sampled on a sparse grid to stay cheap. */
export function appearanceHistogram(gray: Uint8Array, width: number, height: number, box: Box): Float32Array {
  const h = new Float32Array(16);
  const x0 = Math.max(0, Math.floor(box[0]));
  const y0 = Math.max(0, Math.floor(box[1]));
  const x1 = Math.min(width, Math.ceil(box[2]));
  const y1 = Math.min(height, Math.ceil(box[3]));
  const step = Math.max(1, Math.floor(Math.sqrt(((x1 - x0) * (y1 - y0)) / 256)));
  let n = 0;
  for (let y = y0; y < y1; y += step) {
    for (let x = x0; x < x1; x += step) {
      h[gray[y * width + x] >> 4]++;
      n++;
    }
  }
  if (n > 0) for (let i = 0; i < 16; i++) h[i] /= n;
  return h;
}

/** COCO classes people ride: a rider and what carries them move as one object. */
export const RIDDEN_LABELS: readonly string[] = ['bicycle', 'motorcycle', 'skateboard', 'horse'];

const area = (b: readonly number[]): number => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);

/**
 * A person detected on a ridden vehicle (their boxes overlap and the vehicle is not above the rider) and the
 * vehicle are one moving object: one detection with the union box, named by the vehicle. Otherwise the rider's
 * box, which the detector finds more reliably, would carry the track and its label ("person"), and a cyclist
 * would read as a pedestrian. Each vehicle takes the person it overlaps most.
 */
export function mergeRiders(dets: readonly DetectionLike[]): DetectionLike[] {
  const used = new Set<number>();
  const merged = new Map<number, DetectionLike>();
  dets.forEach((v, vi) => {
    if (!RIDDEN_LABELS.includes(v.label)) return;
    let best = -1;
    let bestShare = 0.25;
    dets.forEach((p, pi) => {
      if (p.label !== 'person' || used.has(pi)) return;
      const ix = Math.min(p.box[2], v.box[2]) - Math.max(p.box[0], v.box[0]);
      const iy = Math.min(p.box[3], v.box[3]) - Math.max(p.box[1], v.box[1]);
      if (ix <= 0 || iy <= 0) return;
      // The vehicle's centre must be below the rider's (a person under a bicycle is not riding it).
      if ((v.box[1] + v.box[3]) / 2 < (p.box[1] + p.box[3]) / 2) return;
      const share = (ix * iy) / Math.min(area(p.box), area(v.box));
      if (share > bestShare) {
        bestShare = share;
        best = pi;
      }
    });
    if (best < 0) return;
    used.add(best);
    const p = dets[best];
    merged.set(vi, {
      box: [Math.min(p.box[0], v.box[0]), Math.min(p.box[1], v.box[1]), Math.max(p.box[2], v.box[2]), Math.max(p.box[3], v.box[3])],
      label: v.label,
      classId: v.classId,
      score: Math.max(p.score, v.score),
    });
  });
  return dets.flatMap((d, i) => (used.has(i) ? [] : [merged.get(i) ?? d]));
}

/**
 * Blobs whose area is mostly inside detector boxes are explained by them; the rest stay as 'unknown'
 * objects. Detector boxes are kept whether or not they move (a standing person is still a person).
 */
export function buildMeasurements(
  blobs: readonly Blob[],
  detections: readonly DetectionLike[] | null,
  flow: FlowField | null,
  gray: Uint8Array,
  width: number,
  height: number,
): Measurement[] {
  const out: Measurement[] = [];
  const dets = mergeRiders(detections ?? []);
  for (const d of dets) {
    const box: Box = [d.box[0], d.box[1], d.box[2], d.box[3]];
    out.push({ box, score: d.score, label: d.label, source: 'detector', flow: boxFlow(flow, box), appearance: appearanceHistogram(gray, width, height, box) });
  }
  for (const b of blobs) {
    if (dets.length > 0 && coveredByAny(b.box, dets) >= 0.5) continue;
    out.push({
      box: b.box,
      score: b.confidence,
      label: 'unknown',
      source: 'motion',
      flow: boxFlow(flow, b.box),
      appearance: appearanceHistogram(gray, width, height, b.box),
    });
  }
  return out;
}

/** Share of `box` inside the union of the detections' boxes (sampled on an 8×8 grid: a merged blob of a group is explained by its members). */
function coveredByAny(box: Box, dets: readonly DetectionLike[]): number {
  let inside = 0;
  const n = 8;
  for (let j = 0; j < n; j++) {
    const y = box[1] + ((j + 0.5) * (box[3] - box[1])) / n;
    for (let i = 0; i < n; i++) {
      const x = box[0] + ((i + 0.5) * (box[2] - box[0])) / n;
      for (const d of dets) {
        if (x >= d.box[0] && x <= d.box[2] && y >= d.box[1] && y <= d.box[3]) {
          inside++;
          break;
        }
      }
    }
  }
  return inside / (n * n);
}
