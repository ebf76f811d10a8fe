/**
 * Pixel heatmap of one analysed frame at heat-cell resolution (a quarter of the analysis size): each object's
 * calibrated score is painted into its box, at full strength where the box holds foreground (the object's own
 * pixels) and weaker on the box's background, and the motion term's per-block score on the foreground of
 * blocks moving unusually fast. Values are uint8, 255 = score 1.
 */
import type { Box } from './types.js';

export interface HeatObject {
  /** Box in analysis pixels. */
  box: Box;
  score: number;
}

export interface HeatmapInput {
  cols: number;
  rows: number;
  /** Analysis pixels per heat cell. */
  cell: number;
  /** Foreground share per cell (0..255). */
  foreground: Uint8Array;
  objects: readonly HeatObject[];
  /** Motion-term score (0..1) per flow block (blockCols × blockRows), painted on the block's foreground cells. */
  motion?: { scores: Float32Array; cols: number; rows: number; block: number } | null;
  /** Weight of a box's background cells relative to its foreground cells. */
  backgroundWeight?: number;
}

/** Foreground share (0..255) at which a cell counts as the object's own pixels. */
const FG_CELL = 26;

export function renderHeatmap(input: HeatmapInput): Uint8Array {
  const { cols, rows, cell, foreground, objects } = input;
  const bgw = input.backgroundWeight ?? 0.35;
  const out = new Float32Array(cols * rows);
  for (const o of objects) {
    if (!(o.score > 0)) continue;
    const x0 = Math.max(0, Math.floor(o.box[0] / cell));
    const y0 = Math.max(0, Math.floor(o.box[1] / cell));
    const x1 = Math.min(cols - 1, Math.ceil(o.box[2] / cell) - 1);
    const y1 = Math.min(rows - 1, Math.ceil(o.box[3] / cell) - 1);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * cols + x;
        const v = o.score * (foreground[i] >= FG_CELL ? 1 : bgw);
        if (v > out[i]) out[i] = v;
      }
    }
  }
  const m = input.motion;
  if (m) {
    for (let br = 0; br < m.rows; br++) {
      for (let bc = 0; bc < m.cols; bc++) {
        const v = m.scores[br * m.cols + bc];
        if (!(v > 0)) continue;
        const x0 = Math.floor((bc * m.block) / cell);
        const y0 = Math.floor((br * m.block) / cell);
        const x1 = Math.min(cols - 1, Math.ceil(((bc + 1) * m.block) / cell) - 1);
        const y1 = Math.min(rows - 1, Math.ceil(((br + 1) * m.block) / cell) - 1);
        for (let y = y0; y <= y1; y++) {
          for (let x = x0; x <= x1; x++) {
            const i = y * cols + x;
            if (foreground[i] >= FG_CELL && v > out[i]) out[i] = v;
          }
        }
      }
    }
  }
  const bytes = new Uint8Array(cols * rows);
  for (let i = 0; i < out.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(out[i] * 255)));
  return bytes;
}
