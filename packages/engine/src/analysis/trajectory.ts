/**
 * Plain-language summary of a track's path: where it enters, which way it heads, where it turns, whether it
 * stops, and where it leaves, e.g. "enters from the right → heads left → turns toward the upper-left → exits
 * at the top". Headings use image directions (up = toward the top of the picture).
 */
import type { Box, TrajectorySummary } from './types.js';

export interface TrajectoryPoint {
  time: number;
  box: Box;
}

export interface TrajectoryContext {
  width: number;
  height: number;
  /** The track is seen from the footage's first analysed frames (it was already in view: entry 'inside'). */
  startsWithFootage: boolean;
  /** The track is seen until the footage's last analysed frames (it is still in view: exit 'inside'). */
  endsWithFootage: boolean;
  /** Staying put at the end for at least this long reads as "stops". */
  stopS?: number;
}

const HEADINGS = ['right', 'lower-right', 'down', 'lower-left', 'left', 'upper-left', 'up', 'upper-right'] as const;
const TOWARD = ['the right', 'the lower-right', 'the bottom', 'the lower-left', 'the left', 'the upper-left', 'the top', 'the upper-right'];

function heading(dx: number, dy: number): number {
  const deg = (Math.atan2(dy, dx) * 180) / Math.PI;
  return Math.round((((deg % 360) + 360) % 360) / 45) % 8;
}

/** Side of the frame a box touches (nearest one if several), or 'inside'. */
export function borderSide(b: Box, width: number, height: number): 'left' | 'right' | 'top' | 'bottom' | 'inside' {
  const mx = Math.max(2, 0.02 * width);
  const my = Math.max(2, 0.02 * height);
  const d = [
    ['left', b[0] / mx],
    ['right', (width - b[2]) / mx],
    ['top', b[1] / my],
    ['bottom', (height - b[3]) / my],
  ] as const;
  let best: (typeof d)[number] | null = null;
  for (const e of d) if (e[1] <= 1 && (!best || e[1] < best[1])) best = e;
  return best ? best[0] : 'inside';
}

export function summarizeTrajectory(points: readonly TrajectoryPoint[], ctx: TrajectoryContext): TrajectorySummary {
  if (points.length === 0) return { entry: 'inside', exit: 'inside', turns: [], text: 'no observations' };
  const entry = ctx.startsWithFootage ? 'inside' : borderSide(points[0].box, ctx.width, ctx.height);
  const exit = ctx.endsWithFootage ? 'inside' : borderSide(points[points.length - 1].box, ctx.width, ctx.height);

  // Smoothed centres (moving average over ±2 points) remove box jitter before reading directions.
  const cx = points.map((p) => (p.box[0] + p.box[2]) / 2);
  const cy = points.map((p) => (p.box[1] + p.box[3]) / 2);
  const sx: number[] = [];
  const sy: number[] = [];
  for (let i = 0; i < points.length; i++) {
    let ax = 0;
    let ay = 0;
    let n = 0;
    for (let j = Math.max(0, i - 2); j <= Math.min(points.length - 1, i + 2); j++) {
      ax += cx[j];
      ay += cy[j];
      n++;
    }
    sx.push(ax / n);
    sy.push(ay / n);
  }
  const heights = points.map((p) => p.box[3] - p.box[1]).sort((a, b) => a - b);
  const h = Math.max(1, heights[Math.floor(heights.length / 2)]);
  // Direction is read over steps of half an object height (or 2 % of the frame diagonal if larger).
  const step = Math.max(0.5 * h, 0.02 * Math.hypot(ctx.width, ctx.height));

  // Resample by arc length and quantise headings.
  const dirs: number[] = [];
  let lx = sx[0];
  let ly = sy[0];
  for (let i = 1; i < points.length; i++) {
    const dx = sx[i] - lx;
    const dy = sy[i] - ly;
    if (Math.hypot(dx, dy) >= step) {
      dirs.push(heading(dx, dy));
      lx = sx[i];
      ly = sy[i];
    }
  }
  // Runs of one heading; a heading must hold for two steps to count (one-step wobbles are noise).
  const runs: { dir: number; len: number }[] = [];
  for (const d of dirs) {
    const last = runs[runs.length - 1];
    if (last && last.dir === d) last.len++;
    else runs.push({ dir: d, len: 1 });
  }
  const solid = runs.filter((r, i) => r.len >= 2 || runs.length === 1 || (i === 0 && runs.length <= 2));
  const seq: number[] = [];
  for (const r of solid) if (seq[seq.length - 1] !== r.dir) seq.push(r.dir);

  // Stopping at the end: since when the object has been within a step of where it finally is. Away for
  // less than stopS does not end the stay: a box that jumps for a moment (someone passing merges with it)
  // has not moved the object.
  const stopS = ctx.stopS ?? 2;
  const endX = sx[sx.length - 1];
  const endY = sy[sy.length - 1];
  let stayFrom = points.length - 1;
  for (let k = points.length - 2; k >= 0; k--) {
    if (Math.hypot(sx[k] - endX, sy[k] - endY) < step) stayFrom = k;
    else if (points[stayFrom].time - points[k].time >= stopS) break;
  }
  const stayS = points[points.length - 1].time - points[stayFrom].time;

  const parts: string[] = [];
  if (entry !== 'inside') parts.push(`enters from the ${entry}`);
  else parts.push(ctx.startsWithFootage ? 'is in view from the start' : 'appears inside the view');
  if (seq.length === 0) {
    parts.push('stays in place');
  } else {
    parts.push(`heads ${HEADINGS[seq[0]]}`);
    for (const d of seq.slice(1)) parts.push(`turns toward ${TOWARD[d]}`);
    if (stayS >= stopS) parts.push(`stops and stays ${Math.round(stayS)} s`);
  }
  if (exit !== 'inside') parts.push(`exits at the ${exit}`);
  else parts.push(ctx.endsWithFootage ? 'is still in view at the end' : 'is lost from view');
  return {
    entry,
    exit,
    turns: seq.slice(1).map((d) => HEADINGS[d]),
    text: parts.join(' → '),
  };
}
