/**
 * Geometry of the picture on screen: where the frame sits inside the stage ("contain" fit), the zoom and
 * pan applied to it, and the mapping between pointer positions and source pixels (the engine's box and
 * zone coordinates). Pure functions, so the overlay, hit tests and zone drawing agree by construction.
 */

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Zoom `scale` (>= 1) and pan (tx, ty) in stage pixels, applied as translate(tx, ty) scale(scale) with origin top-left of the fitted frame. */
export interface ZoomPan {
  scale: number;
  tx: number;
  ty: number;
}

export const IDENTITY: ZoomPan = { scale: 1, tx: 0, ty: 0 };
export const MAX_ZOOM = 8;

/** The largest rectangle of the source's aspect that fits the stage, centred. */
export function containRect(stageW: number, stageH: number, srcW: number, srcH: number): Rect {
  if (!(stageW > 0 && stageH > 0 && srcW > 0 && srcH > 0)) return { x: 0, y: 0, w: Math.max(0, stageW), h: Math.max(0, stageH) };
  const s = Math.min(stageW / srcW, stageH / srcH);
  const w = srcW * s;
  const h = srcH * s;
  return { x: (stageW - w) / 2, y: (stageH - h) / 2, w, h };
}

/** Keeps the zoomed frame covering its own fitted rectangle: no panning the picture out of view. */
export function clampPan(z: ZoomPan, frame: Rect): ZoomPan {
  const scale = Math.min(MAX_ZOOM, Math.max(1, z.scale));
  const minX = frame.w * (1 - scale);
  const minY = frame.h * (1 - scale);
  return { scale, tx: Math.min(0, Math.max(minX, z.tx)), ty: Math.min(0, Math.max(minY, z.ty)) };
}

/**
 * Zoom by `factor` keeping the point under the pointer fixed. (px, py) is the pointer relative to the
 * fitted frame's untransformed top-left corner, in stage pixels.
 */
export function zoomAt(z: ZoomPan, factor: number, px: number, py: number, frame: Rect): ZoomPan {
  const scale = Math.min(MAX_ZOOM, Math.max(1, z.scale * factor));
  const ux = (px - z.tx) / z.scale;
  const uy = (py - z.ty) / z.scale;
  return clampPan({ scale, tx: px - ux * scale, ty: py - uy * scale }, frame);
}

/**
 * Source pixel under a pointer. `shown` is the frame element's on-screen rectangle (getBoundingClientRect,
 * which already includes zoom and pan).
 */
export function clientToSource(clientX: number, clientY: number, shown: Rect, srcW: number, srcH: number): [number, number] {
  return [((clientX - shown.x) / Math.max(1e-9, shown.w)) * srcW, ((clientY - shown.y) / Math.max(1e-9, shown.h)) * srcH];
}

/** Index of the box (source pixels [x1, y1, x2, y2]) under a point; the smallest wins where boxes overlap. */
export function hitBox(boxes: readonly (readonly [number, number, number, number])[], x: number, y: number, slack = 0): number {
  let best = -1;
  let bestArea = Infinity;
  boxes.forEach((b, i) => {
    if (x >= b[0] - slack && x <= b[2] + slack && y >= b[1] - slack && y <= b[3] + slack) {
      const area = (b[2] - b[0]) * (b[3] - b[1]);
      if (area < bestArea) {
        bestArea = area;
        best = i;
      }
    }
  });
  return best;
}
