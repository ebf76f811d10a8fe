/**
 * Vector figures for the report (inline SVG: sharp at any zoom, text selectable and searchable):
 *  - the anomaly timeline of one analysis: raw and smoothed frame score, the hysteresis thresholds that
 *    define events, and the reported events as labelled bands;
 *  - the trajectory overview of one exhibit: every tracked object's path in grey, the reported events'
 *    tracks in colour with start dots and arrow heads, over a faded frame of the footage.
 */
import type { FrameScore } from '../analysis/types.js';
import { hex, trackColor } from './colors.js';
import { esc, fmtClock, fmtNum } from './format.js';

export interface TimelineEvent {
  label: string;
  startTime: number;
  endTime: number;
  reviewState: 'unreviewed' | 'confirmed' | 'dismissed';
}

export interface TimelineInput {
  scores: readonly FrameScore[];
  durationS: number;
  enterThreshold: number | null;
  exitThreshold: number | null;
  events: readonly TimelineEvent[];
}

const REVIEW_FILL: Record<TimelineEvent['reviewState'], string> = { confirmed: '#d55e00', unreviewed: '#e69f00', dismissed: '#9a9a9a' };

/** Tick step (seconds) giving 4–10 ticks over `span`. */
function niceStep(span: number, target = 8): number {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];
  return steps.find((s) => span / s <= target) ?? Math.ceil(span / target / 3600) * 3600;
}

/** Keeps the shape of a long series: per pixel column, the first, minimum, maximum and last sample. */
export function decimate(points: readonly [number, number][], columns: number): [number, number][] {
  if (points.length <= columns * 4) return [...points];
  const t0 = points[0][0];
  const t1 = points[points.length - 1][0];
  const width = (t1 - t0) / columns || 1;
  const out: [number, number][] = [];
  let bucket: [number, number][] = [];
  let b = 0;
  const flush = () => {
    if (!bucket.length) return;
    let lo = bucket[0];
    let hi = bucket[0];
    for (const p of bucket) {
      if (p[1] < lo[1]) lo = p;
      if (p[1] > hi[1]) hi = p;
    }
    const keep = [bucket[0], lo, hi, bucket[bucket.length - 1]].sort((x, y) => x[0] - y[0]);
    for (const p of keep) if (out[out.length - 1] !== p) out.push(p);
    bucket = [];
  };
  for (const p of points) {
    const nb = Math.min(columns - 1, Math.floor((p[0] - t0) / width));
    if (nb !== b) {
      flush();
      b = nb;
    }
    bucket.push(p);
  }
  flush();
  return out;
}

export function timelineSvg(t: TimelineInput): string {
  const W = 700;
  const H = 190;
  const m = { l: 38, r: 10, t: 18, b: 30 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const lastT = t.scores.length ? t.scores[t.scores.length - 1].time : 0;
  const span = Math.max(t.durationS || 0, lastT, 1e-3);
  const maxScore = Math.max(1, ...t.scores.map((s) => Math.max(s.raw, s.smoothed)));
  const yMax = Math.ceil(maxScore * 4) / 4;
  const X = (s: number) => m.l + (s / span) * pw;
  const Y = (v: number) => m.t + ph - (Math.max(0, v) / yMax) * ph;
  const parts: string[] = [];
  parts.push(`<svg class="figure-svg" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Anomaly score over time">`);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="#fbfbfc" stroke="#c8ccd2" stroke-width="0.6"/>`);

  // Event labels above the plot; when neighbours would overlap, a label moves into the plot's top row
  // or, with no room left, is left out (the band itself stays, and every event is listed in the tables).
  const rowEnd = [-Infinity, -Infinity];
  for (const e of [...t.events].sort((a, b) => a.startTime - b.startTime)) {
    const x1 = X(e.startTime);
    const x2 = Math.max(X(e.endTime), x1 + 1.5);
    parts.push(`<rect x="${x1.toFixed(2)}" y="${m.t}" width="${(x2 - x1).toFixed(2)}" height="${ph}" fill="${REVIEW_FILL[e.reviewState]}" fill-opacity="0.22" stroke="${REVIEW_FILL[e.reviewState]}" stroke-width="0.6"/>`);
    const cx = (x1 + x2) / 2;
    const half = (e.label.length * 5.4) / 2 + 2;
    const row = rowEnd.findIndex((end) => cx - half > end);
    if (row < 0) continue;
    rowEnd[row] = cx + half;
    parts.push(`<text x="${cx.toFixed(2)}" y="${row === 0 ? m.t - 4 : m.t + 9}" text-anchor="middle" font-size="9" font-weight="700" fill="#333">${esc(e.label)}</text>`);
  }

  // Y grid and labels.
  for (let v = 0; v <= yMax + 1e-9; v += yMax > 1.5 ? 0.5 : 0.25) {
    const y = Y(v);
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y.toFixed(2)}" y2="${y.toFixed(2)}" stroke="#e3e6ea" stroke-width="0.5"/>`);
    parts.push(`<text x="${m.l - 4}" y="${(y + 3).toFixed(2)}" text-anchor="end" font-size="8" fill="#555">${fmtNum(v, 2)}</text>`);
  }
  // X ticks.
  const step = niceStep(span);
  for (let s = 0; s <= span + 1e-9; s += step) {
    const x = X(s);
    parts.push(`<line x1="${x.toFixed(2)}" x2="${x.toFixed(2)}" y1="${m.t + ph}" y2="${m.t + ph + 3}" stroke="#777" stroke-width="0.6"/>`);
    parts.push(`<text x="${x.toFixed(2)}" y="${m.t + ph + 12}" text-anchor="middle" font-size="8" fill="#555">${step < 1 ? fmtNum(s, 1) + ' s' : fmtClock(s)}</text>`);
  }
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 3}" text-anchor="middle" font-size="8" fill="#555">time in footage</text>`);
  parts.push(`<text x="10" y="${m.t + ph / 2}" text-anchor="middle" font-size="8" fill="#555" transform="rotate(-90 10 ${m.t + ph / 2})">anomaly score</text>`);

  const line = (vals: [number, number][], color: string, width: number, extra = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round" ${extra} points="${vals.map(([s, v]) => `${X(s).toFixed(2)},${Y(v).toFixed(2)}`).join(' ')}"/>`;
  if (t.scores.length) {
    parts.push(line(decimate(t.scores.map((s) => [s.time, s.raw]), pw), '#9fb3c8', 0.6));
    parts.push(line(decimate(t.scores.map((s) => [s.time, s.smoothed]), pw), '#1f3a5f', 1.3));
  }
  const threshold = (v: number | null, color: string, name: string) => {
    if (v === null || !Number.isFinite(v)) return;
    const y = Y(v);
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y.toFixed(2)}" y2="${y.toFixed(2)}" stroke="${color}" stroke-width="0.8" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${m.l + 3}" y="${(y - 2).toFixed(2)}" font-size="7.5" fill="${color}">${esc(name)} ${fmtNum(v, 2)}</text>`);
  };
  threshold(t.enterThreshold, '#b0302a', 'event threshold');
  if (t.exitThreshold !== t.enterThreshold) threshold(t.exitThreshold, '#7a7a7a', 'exit threshold');
  parts.push('</svg>');
  return parts.join('');
}

export interface TrajectoryPathInput {
  trackId: number;
  label: string;
  /** [x, y] centres in source pixels, in time order. */
  points: readonly (readonly [number, number])[];
  /** Event label when the track belongs to a reported event; null = context track. */
  event: string | null;
  /** Colour index among the highlighted tracks. */
  colorIndex: number;
}

export interface TrajectoryInput {
  width: number;
  height: number;
  /** Faded background frame (PNG data URI) or null. */
  background: string | null;
  /** Width the figure is printed at, so strokes and labels have a fixed printed size. */
  printWidthMm: number;
  paths: readonly TrajectoryPathInput[];
}

/** At most `n` points, evenly spaced along the list (first and last kept). */
function thin<T>(pts: readonly T[], n: number): T[] {
  if (pts.length <= n) return [...pts];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(pts[Math.round((i * (pts.length - 1)) / (n - 1))]);
  return out;
}

export function trajectorySvg(t: TrajectoryInput): string {
  const W = t.width;
  const H = t.height;
  // One printed point in viewBox units.
  const u = W / (t.printWidthMm * (72 / 25.4));
  const parts: string[] = [];
  parts.push(`<svg class="figure-svg" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Trajectories">`);
  if (t.background) parts.push(`<image href="${t.background}" x="0" y="0" width="${W}" height="${H}" preserveAspectRatio="none"/>`);
  else parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#f2f3f5"/>`);
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="none" stroke="#8a9099" stroke-width="${u}"/>`);
  parts.push(`<defs>${t.paths.filter((p) => p.event).map((p) => `<marker id="arrow-${p.trackId}" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="4" markerHeight="4" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${hex(trackColor(p.colorIndex))}"/></marker>`).join('')}</defs>`);
  const pointsAttr = (pts: readonly (readonly [number, number])[]) => pts.map(([x, y]) => `${fmtNum(x, 1)},${fmtNum(y, 1)}`).join(' ');
  for (const p of t.paths) {
    if (p.event || p.points.length < 2) continue;
    parts.push(`<polyline fill="none" stroke="#ffffff" stroke-opacity="0.75" stroke-width="${(u * 1.2).toFixed(2)}" points="${pointsAttr(thin(p.points, 80))}"/>`);
  }
  for (const p of t.paths) {
    if (!p.event || p.points.length === 0) continue;
    const c = hex(trackColor(p.colorIndex));
    const pts = thin(p.points, 300);
    parts.push(`<polyline fill="none" stroke="#000" stroke-opacity="0.55" stroke-width="${(u * 4).toFixed(2)}" stroke-linejoin="round" stroke-linecap="round" points="${pointsAttr(pts)}"/>`);
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="${(u * 2.4).toFixed(2)}" stroke-linejoin="round" stroke-linecap="round" marker-end="url(#arrow-${p.trackId})" points="${pointsAttr(pts)}"/>`);
    const [sx, sy] = pts[0];
    parts.push(`<circle cx="${fmtNum(sx, 1)}" cy="${fmtNum(sy, 1)}" r="${(u * 3.2).toFixed(2)}" fill="${c}" stroke="#000" stroke-width="${(u * 0.8).toFixed(2)}"/>`);
    const fs = u * 8.5;
    const lx = Math.min(Math.max(sx + u * 5, 2), W - fs * 6);
    const ly = Math.min(Math.max(sy - u * 5, fs), H - 2);
    parts.push(`<text x="${fmtNum(lx, 1)}" y="${fmtNum(ly, 1)}" font-size="${fs.toFixed(1)}" font-weight="700" fill="#fff" stroke="#000" stroke-width="${(u * 0.9).toFixed(2)}" paint-order="stroke">${esc(`${p.event} #${p.trackId}`)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
