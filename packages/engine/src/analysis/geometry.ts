/**
 * Axis-aligned box helpers, the one implementation for the whole engine (tracker, detector NMS, metrics,
 * reasoning). Boxes are [x1, y1, x2, y2].
 */
import type { Box } from './types.js';

type BoxLike = Box | readonly [number, number, number, number];

export function boxArea(b: BoxLike): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

export function intersectionArea(a: BoxLike, b: BoxLike): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

export function iou(a: BoxLike, b: BoxLike): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/**
 * Distance-IoU: IoU minus the squared centre distance over the squared diagonal of the enclosing box, in
 * (-1, 1]. Unlike IoU it still ranks boxes that do not overlap (a small object that moved further than its
 * own width between analysed frames), which matters at low analysis rates.
 */
export function diou(a: Box, b: Box): number {
  const dx = (a[0] + a[2] - b[0] - b[2]) / 2;
  const dy = (a[1] + a[3] - b[1] - b[3]) / 2;
  const ex = Math.max(a[2], b[2]) - Math.min(a[0], b[0]);
  const ey = Math.max(a[3], b[3]) - Math.min(a[1], b[1]);
  const diag = ex * ex + ey * ey;
  return iou(a, b) - (diag > 0 ? (dx * dx + dy * dy) / diag : 0);
}

/** Share of `a`'s area covered by `b`. */
export function coverage(a: Box, b: Box): number {
  const area = boxArea(a);
  return area > 0 ? intersectionArea(a, b) / area : 0;
}

export function boxCentre(b: Box): [number, number] {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}

export function scaleBox(b: Box, sx: number, sy: number): Box {
  return [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy];
}

export function clipBox(b: Box, width: number, height: number): Box {
  return [
    Math.min(width, Math.max(0, b[0])),
    Math.min(height, Math.max(0, b[1])),
    Math.min(width, Math.max(0, b[2])),
    Math.min(height, Math.max(0, b[3])),
  ];
}

export function unionBox(a: Box, b: Box): Box {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}
