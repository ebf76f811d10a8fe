/**
 * The frame's motion-map term: how fast the fastest moving pixels are, in object heights per second, from
 * the block flow of the foreground. It does not depend on segmentation, so a fast object that merges with
 * slower neighbours into one blob (a cyclist passing a group) still shows. Block speeds are first
 * median-filtered over their 3×3 neighbourhood (a moving object is a patch of blocks that agree; a lone
 * mismatched block is not), then the statistic is the K-th fastest block, calibrated like the object scores
 * against normal frames, and painted into the heatmap where the fast blocks are.
 *
 * Flow is stored per block as two int8 values in eighths of a pixel per analysed frame (±15.9 px), so the
 * spool holds it compactly between the first pass and scoring.
 */
import type { FlowField } from './block-flow.js';
import { expectedHeight, type PerspectiveModel } from './perspective.js';

/** Blocks that must move at least this fast for the frame statistic to reach it. */
export const FAST_BLOCKS = 2;

const INVALID = -128;
const STEP = 8; // int8 units per pixel

export function flowRecordBytes(cols: number, rows: number): number {
  return cols * rows * 2;
}

/** Writes the flow (or "no flow" for the first frame) into `out` (2 bytes per block). */
export function encodeFlow(flow: FlowField | null, cols: number, rows: number, out: Uint8Array): void {
  const v = new Int8Array(out.buffer, out.byteOffset, cols * rows * 2);
  for (let i = 0; i < cols * rows; i++) {
    const x = flow ? flow.vx[i] : NaN;
    const y = flow ? flow.vy[i] : NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      v[2 * i] = INVALID;
      v[2 * i + 1] = INVALID;
      continue;
    }
    v[2 * i] = Math.max(-127, Math.min(127, Math.round(x * STEP)));
    v[2 * i + 1] = Math.max(-127, Math.min(127, Math.round(y * STEP)));
  }
}

export interface BlockGeometry {
  cols: number;
  rows: number;
  block: number;
  analysisHeight: number;
}

/**
 * Normalised speed (object heights per second) of every block with flow, NaN elsewhere. `perS` converts
 * pixels per analysed frame to pixels per second for this frame.
 */
export function blockSpeeds(record: Uint8Array, g: BlockGeometry, perspective: PerspectiveModel, perS: number, out?: Float32Array): Float32Array {
  const n = g.cols * g.rows;
  const speeds = out ?? new Float32Array(n);
  const v = new Int8Array(record.buffer, record.byteOffset, n * 2);
  for (let r = 0; r < g.rows; r++) {
    // Height an object standing about here would have (the block is on its body, its feet a bit lower).
    const y = ((r + 0.5) * g.block) / g.analysisHeight;
    const h = expectedHeight(perspective, y + 0.5 * expectedHeight(perspective, y)) * g.analysisHeight;
    for (let c = 0; c < g.cols; c++) {
      const i = r * g.cols + c;
      if (v[2 * i] === INVALID) {
        speeds[i] = NaN;
        continue;
      }
      speeds[i] = (Math.hypot(v[2 * i], v[2 * i + 1]) / STEP) * perS / h;
    }
  }
  return speeds;
}

/**
 * 3×3 median of the valid block speeds around each valid block (NaN where the block has no flow or fewer
 * than 3 valid blocks in its neighbourhood).
 */
export function filterSpeeds(speeds: Float32Array, cols: number, rows: number, out: Float32Array = new Float32Array(speeds.length)): Float32Array {
  const v: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      out[i] = NaN;
      if (Number.isNaN(speeds[i])) continue;
      v.length = 0;
      for (let rr = Math.max(0, r - 1); rr <= Math.min(rows - 1, r + 1); rr++) {
        for (let cc = Math.max(0, c - 1); cc <= Math.min(cols - 1, c + 1); cc++) {
          const s = speeds[rr * cols + cc];
          if (!Number.isNaN(s)) v.push(s);
        }
      }
      if (v.length < 3) continue;
      v.sort((a, b) => a - b);
      out[i] = v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
  }
  return out;
}

/** The FAST_BLOCKS-th largest speed (0 when fewer blocks moved). */
export function fastMotionStat(speeds: Float32Array): number {
  const top = new Float64Array(FAST_BLOCKS);
  for (let i = 0; i < speeds.length; i++) {
    const s = speeds[i];
    if (!(s > top[FAST_BLOCKS - 1])) continue;
    let j = FAST_BLOCKS - 1;
    while (j > 0 && top[j - 1] < s) {
      top[j] = top[j - 1];
      j--;
    }
    top[j] = s;
  }
  return top[FAST_BLOCKS - 1];
}

export interface MotionCalibration {
  median: number;
  high: number;
}

export function motionZ(c: MotionCalibration, v: number): number {
  return Math.max(0, (v - c.median) / Math.max(1e-9, c.high - c.median));
}
