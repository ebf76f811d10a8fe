/**
 * One report still: a decoded source frame with the analysis burnt in — the colour-mapped heatmap, the
 * boxes of the objects seen at that analysed frame (the event's tracks in their colours with id, label
 * and score; other objects in grey) and the event tracks' paths (solid up to this frame, dashed after,
 * a dot where each track starts and an arrow head where it is now).
 *
 * Small sources are enlarged by an integer factor (nearest neighbour) so boxes and labels stay legible
 * in print; large ones are reduced by area averaging. Overlay coordinates are source pixels.
 */
import type { HeatmapFrame, TrackObservation } from '../analysis/types.js';
import { CONTEXT_COLOR, trackColor } from './colors.js';
import { arrowHead, blendHeatmap, drawLabel, fillDisc, resample, strokePolyline, strokeRect, type Rgb, type RgbImage } from './raster.js';

/** Most labelled context (non-event) boxes in one still. */
const MAX_CONTEXT_LABELS = 12;

export interface TrackPath {
  trackId: number;
  label: string;
  /** [frame, centre x, centre y] in source pixels, in frame order. */
  points: readonly (readonly [number, number, number])[];
}

export interface StillOverlay {
  heat: HeatmapFrame | null;
  /** Objects at the analysed frame nearest to the still. */
  observations: readonly TrackObservation[];
  /** Paths of the event's tracks. */
  paths: readonly TrackPath[];
  /** The event's track ids, in the order that assigns their colours. */
  highlight: readonly number[];
  /** Source frame index shown (splits each path into past and future). */
  frame: number;
}

/** Output width for a source width: enlarge small frames by an integer factor, cap large ones. */
export function stillSize(width: number, height: number, target = 960, cap = 1280): { width: number; height: number } {
  let w: number;
  if (width < target) w = width * Math.max(1, Math.round(target / width));
  else if (width > cap) w = cap;
  else w = width;
  return { width: w, height: Math.max(1, Math.round((height * w) / width)) };
}

export function composeStill(source: RgbImage, o: StillOverlay, size = stillSize(source.width, source.height)): RgbImage {
  const img = resample(source, size.width, size.height);
  const sx = size.width / source.width;
  const sy = size.height / source.height;
  const line = Math.max(2, Math.round(size.width / 320));
  const font = Math.max(2, Math.round(size.width / 480));
  if (o.heat) blendHeatmap(img, o.heat);

  const colorOf = (trackId: number): Rgb | null => {
    const i = o.highlight.indexOf(trackId);
    return i < 0 ? null : trackColor(i);
  };

  // Paths under the boxes: the box marks where the object is now.
  for (const p of o.paths) {
    const c = colorOf(p.trackId);
    if (!c || p.points.length === 0) continue;
    const pts = p.points.map(([f, x, y]) => [f, x * sx, y * sy] as const);
    const past = pts.filter(([f]) => f <= o.frame).map(([, x, y]) => [x, y] as const);
    const future = pts.filter(([f]) => f >= o.frame).map(([, x, y]) => [x, y] as const);
    if (past.length && future.length) future.unshift(past[past.length - 1]);
    if (future.length > 1) strokePolyline(img, future, c, { width: Math.max(1, line - 1), dash: [line * 3, line * 3] });
    if (past.length > 1) strokePolyline(img, past, c, { width: line });
    fillDisc(img, pts[0][1], pts[0][2], line * 1.8, c);
    if (past.length > 1) arrowHead(img, past[Math.max(0, past.length - 3)], past[past.length - 1], line * 4, c);
  }

  // Context objects first, so the event's boxes and labels are drawn on top. In crowded frames context
  // labels are left out: they would hide the scene without adding to the event.
  const boxes = [...o.observations].sort((a, b) => Number(colorOf(a.trackId) !== null) - Number(colorOf(b.trackId) !== null));
  const labelContext = boxes.filter((b) => colorOf(b.trackId) === null).length <= MAX_CONTEXT_LABELS;
  for (const ob of boxes) {
    const c = colorOf(ob.trackId);
    const [x1, y1, x2, y2] = [ob.box[0] * sx, ob.box[1] * sy, ob.box[2] * sx, ob.box[3] * sy];
    strokeRect(img, x1, y1, x2, y2, c ?? CONTEXT_COLOR, c ? line : Math.max(1, line - 1));
    if (c) drawLabel(img, x1, y1, `#${ob.trackId} ${ob.label} ${ob.score.toFixed(2)}`, [0, 0, 0], c, font, y2);
    else if (labelContext) drawLabel(img, x1, y1, `#${ob.trackId} ${ob.label}`, [0, 0, 0], CONTEXT_COLOR, font, y2);
  }
  return img;
}
