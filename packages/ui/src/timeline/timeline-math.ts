/**
 * Timeline geometry: a visible window [start, end] (seconds) over the footage, mapped to pixels; zoom
 * around a point; tick spacing that keeps labels apart; the score curve as an SVG path.
 */

export interface View {
  start: number;
  end: number;
}

/** Shortest window one can zoom in to, seconds (a few frames at usual rates). */
export const MIN_SPAN_S = 0.5;

export function fullView(durationS: number): View {
  return { start: 0, end: Math.max(durationS, 1e-3) };
}

export function clampView(v: View, durationS: number): View {
  const d = Math.max(durationS, 1e-3);
  const span = Math.min(d, Math.max(Math.min(MIN_SPAN_S, d), v.end - v.start));
  let start = Math.max(0, Math.min(v.start, d - span));
  if (!Number.isFinite(start)) start = 0;
  return { start, end: start + span };
}

/** Zoom by `factor` (< 1 zooms in) keeping time `at` where it is on screen. */
export function zoomView(v: View, factor: number, at: number, durationS: number): View {
  const span = v.end - v.start;
  const next = span * factor;
  const ratio = span > 0 ? (at - v.start) / span : 0.5;
  return clampView({ start: at - ratio * next, end: at - ratio * next + next }, durationS);
}

export function panView(v: View, deltaS: number, durationS: number): View {
  return clampView({ start: v.start + deltaS, end: v.end + deltaS }, durationS);
}

/** Moves the window the least so that `t` is visible (with a margin), for following the playhead. */
export function follow(v: View, t: number, durationS: number, margin = 0.05): View {
  const span = v.end - v.start;
  if (t >= v.start + span * margin && t <= v.end - span * margin) return v;
  return clampView({ start: t - span * 0.25, end: t - span * 0.25 + span }, durationS);
}

export const xOf = (t: number, v: View, width: number) => ((t - v.start) / Math.max(1e-9, v.end - v.start)) * width;
export const tOf = (x: number, v: View, width: number) => v.start + (x / Math.max(1e-9, width)) * (v.end - v.start);

const STEPS = [0.04, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** Tick interval (seconds) leaving at least `minPx` between ticks. */
export function tickStep(v: View, width: number, minPx = 72): number {
  const span = v.end - v.start;
  for (const s of STEPS) if ((s / Math.max(1e-9, span)) * width >= minPx) return s;
  return STEPS[STEPS.length - 1];
}

export function ticks(v: View, width: number, minPx = 72): { step: number; times: number[] } {
  const step = tickStep(v, width, minPx);
  const times: number[] = [];
  const first = Math.ceil(v.start / step - 1e-9) * step;
  for (let t = first; t <= v.end + 1e-9 && times.length < 500; t += step) times.push(Math.round(t * 1000) / 1000 || 0);
  return { step, times };
}

/** Short ruler label: "m:ss", or "m:ss.s" / "m:ss.ss" when ticks are under a second apart. */
export function tickLabel(t: number, step: number): string {
  const decimals = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
  const m = Math.floor(t / 60);
  const s = t - m * 60;
  const sText = s.toFixed(decimals).padStart(decimals ? 3 + decimals : 2, '0');
  return `${m}:${sText}`;
}

/**
 * SVG path of a curve over the window: `line` through the visible points (plus one either side so the
 * curve reaches the edges), `area` the same closed down to the baseline. Null when nothing is visible.
 */
export function curvePath(times: readonly number[], values: readonly number[], v: View, width: number, height: number, yMax: number): { line: string; area: string } | null {
  const n = Math.min(times.length, values.length);
  if (n === 0) return null;
  let lo = 0;
  while (lo < n - 1 && times[lo + 1] < v.start) lo++;
  let hi = n - 1;
  while (hi > 0 && times[hi - 1] > v.end) hi--;
  if (hi < lo) return null;
  const y = (val: number) => height - (Math.min(Math.max(val, 0), yMax) / yMax) * height;
  // Decimate to about one point per pixel column, keeping each column's maximum (peaks must stay visible).
  const pts: [number, number][] = [];
  let col = -Infinity;
  for (let i = lo; i <= hi; i++) {
    const x = xOf(times[i], v, width);
    const c = Math.round(x);
    const yy = y(values[i]);
    if (c === col && pts.length) {
      if (yy < pts[pts.length - 1][1]) pts[pts.length - 1][1] = yy;
    } else {
      pts.push([x, yy]);
      col = c;
    }
  }
  const f = (n: number) => n.toFixed(1);
  const line = pts.map(([x, yy], i) => `${i === 0 ? 'M' : 'L'}${f(x)} ${f(yy)}`).join('');
  const area = `${line}L${f(pts[pts.length - 1][0])} ${f(height)}L${f(pts[0][0])} ${f(height)}Z`;
  return { line, area };
}
