/**
 * Draws one frame's overlay onto a canvas that covers the picture exactly: heatmap, user zones,
 * trajectories, boxes with labels, and what a citation asked to highlight. Everything arrives in source
 * pixels and is scaled here, so the canvas can be any size.
 */
import type { Citation, Observation, Zone } from '@vigil/engine/contract';
import type { OverlaySettings } from '../review/overlay-settings';

export type Path = { trackId: number; label: string; points: [number, number, number][] };

export interface OverlayScene {
  srcW: number;
  srcH: number;
  /** Analysed frame the observations and paths belong to. */
  frame: number | null;
  fps: number;
  observations: readonly Observation[];
  paths: readonly Path[];
  /** Heat grid already coloured (see colormap.ts), drawn stretched over the whole frame. */
  heat: CanvasImageSource | null;
  zones: readonly Zone[];
  settings: OverlaySettings;
  /** Score from which an object counts as anomalous (the analysis's event threshold). */
  threshold: number;
  selectedTrackId: number | null;
  /** Citation being shown, and the source frame on screen (its boxes are drawn on the cited frame only). */
  citation: Citation | null;
  shownFrame: number;
  zoneDraft: { points: readonly [number, number][]; closed: boolean; hover: [number, number] | null } | null;
}

/** Seconds of path drawn behind a moving object. */
export const TAIL_S = 3;

export const BOX_COLOURS = { normal: '#3ed6c0', elevated: '#f0b429', anomalous: '#ff4d4d', cited: '#ffe14d' } as const;

export function boxColour(score: number, threshold: number): string {
  const t = threshold > 0 ? threshold : 0.5;
  if (score >= t) return BOX_COLOURS.anomalous;
  if (score >= t * 0.5) return BOX_COLOURS.elevated;
  return BOX_COLOURS.normal;
}

const TRACK_PALETTE = ['#5fb3ff', '#b48cff', '#62d99c', '#ff9f5a', '#ff6fae', '#4fd6e0', '#d4c85a', '#9aa7ff'];
export function trackColour(trackId: number): string {
  return TRACK_PALETTE[((trackId % TRACK_PALETTE.length) + TRACK_PALETTE.length) % TRACK_PALETTE.length];
}

function withAlpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a.toFixed(3)})`;
}

export function drawOverlay(g: CanvasRenderingContext2D, width: number, height: number, s: OverlayScene, dpr = 1): void {
  g.clearRect(0, 0, width, height);
  if (!(s.srcW > 0 && s.srcH > 0)) return;
  const sx = width / s.srcW;
  const sy = height / s.srcH;
  const X = (x: number) => x * sx;
  const Y = (y: number) => y * sy;

  if (s.settings.heatmap && s.heat) {
    g.save();
    g.imageSmoothingEnabled = true;
    g.imageSmoothingQuality = 'high';
    g.drawImage(s.heat, 0, 0, width, height);
    g.restore();
  }

  if (s.settings.zones) for (const z of s.zones) drawZone(g, z, X, Y, dpr);

  const citedTracks = new Set(s.citation?.trackIds ?? []);
  const inCitation = s.citation !== null && s.frame !== null && s.fps > 0 && s.frame / s.fps >= s.citation.startTime - 0.5 / s.fps && s.frame / s.fps <= s.citation.endTime + 0.5 / s.fps;

  if (s.settings.trajectories && s.frame !== null) {
    for (const p of s.paths) {
      const emphasis = p.trackId === s.selectedTrackId || (inCitation && citedTracks.has(p.trackId));
      drawPath(g, p, s.frame, s.fps, s.settings.fullPaths || emphasis, emphasis, X, Y, dpr);
    }
  }

  if (s.settings.boxes) {
    for (const o of s.observations) {
      const selected = o.trackId === s.selectedTrackId;
      const cited = inCitation && citedTracks.has(o.trackId);
      drawBox(g, o, boxColour(o.score, s.threshold), selected, cited, X, Y, width, dpr);
    }
  }

  if (s.citation?.boxes && s.citation.frame !== undefined && s.citation.frame === s.shownFrame) {
    g.save();
    g.setLineDash([6 * dpr, 4 * dpr]);
    g.lineWidth = 2 * dpr;
    g.strokeStyle = BOX_COLOURS.cited;
    for (const { box: b } of s.citation.boxes) {
      const pad = 4 * dpr;
      g.strokeRect(X(b[0]) - pad, Y(b[1]) - pad, X(b[2]) - X(b[0]) + 2 * pad, Y(b[3]) - Y(b[1]) + 2 * pad);
    }
    g.restore();
  }

  if (s.zoneDraft) drawDraft(g, s.zoneDraft, X, Y, dpr);
}

function drawZone(g: CanvasRenderingContext2D, z: Zone, X: (v: number) => number, Y: (v: number) => number, dpr: number) {
  if (z.polygon.length < 3) return;
  g.save();
  g.beginPath();
  z.polygon.forEach(([x, y], i) => (i === 0 ? g.moveTo(X(x), Y(y)) : g.lineTo(X(x), Y(y))));
  g.closePath();
  g.fillStyle = 'rgba(120, 170, 255, 0.10)';
  g.fill();
  g.setLineDash([5 * dpr, 3 * dpr]);
  g.lineWidth = 1.5 * dpr;
  g.strokeStyle = 'rgba(140, 185, 255, 0.9)';
  g.stroke();
  // Name at the top-most vertex, inside the frame.
  const top = z.polygon.reduce((a, b) => (b[1] < a[1] ? b : a));
  label(g, z.name, X(top[0]), Y(top[1]) - 2 * dpr, 'rgba(140, 185, 255, 0.95)', '#0b1020', dpr, 'above');
  g.restore();
}

function drawPath(
  g: CanvasRenderingContext2D,
  p: Path,
  frame: number,
  fps: number,
  full: boolean,
  emphasis: boolean,
  X: (v: number) => number,
  Y: (v: number) => number,
  dpr: number,
) {
  const pts = p.points;
  if (pts.length < 2) return;
  const colour = emphasis ? '#ffffff' : trackColour(p.trackId);
  const tailFrames = TAIL_S * (fps > 0 ? fps : 10);
  g.save();
  g.lineCap = 'round';
  g.lineJoin = 'round';
  const width = (emphasis ? 2.5 : 1.75) * dpr;
  for (let i = 1; i < pts.length; i++) {
    const [f0, x0, y0] = pts[i - 1];
    const [f1, x1, y1] = pts[i];
    let alpha: number;
    if (f1 <= frame) {
      const age = frame - f1;
      if (age <= tailFrames) alpha = 0.25 + 0.75 * (1 - age / tailFrames);
      else if (full) alpha = 0.22;
      else continue;
      g.setLineDash([]);
    } else {
      if (!full) break;
      alpha = 0.35;
      g.setLineDash([3 * dpr, 4 * dpr]);
    }
    if (f0 > f1) continue;
    g.strokeStyle = withAlpha(colour, alpha);
    g.lineWidth = width;
    g.beginPath();
    g.moveTo(X(x0), Y(y0));
    g.lineTo(X(x1), Y(y1));
    g.stroke();
  }
  g.restore();
}

function drawBox(
  g: CanvasRenderingContext2D,
  o: Observation,
  colour: string,
  selected: boolean,
  cited: boolean,
  X: (v: number) => number,
  Y: (v: number) => number,
  canvasW: number,
  dpr: number,
) {
  const [x1, y1, x2, y2] = o.box;
  const x = X(x1);
  const y = Y(y1);
  const w = X(x2) - x;
  const h = Y(y2) - y;
  g.save();
  if (o.interpolated) g.setLineDash([4 * dpr, 3 * dpr]);
  if (selected || cited) {
    g.lineWidth = 5 * dpr;
    g.strokeStyle = cited ? 'rgba(255, 225, 77, 0.45)' : 'rgba(255, 255, 255, 0.35)';
    g.strokeRect(x, y, w, h);
  }
  g.lineWidth = (selected ? 2.5 : 2) * dpr;
  g.strokeStyle = cited ? BOX_COLOURS.cited : colour;
  g.strokeRect(x, y, w, h);
  g.restore();
  // Normal objects get just their track number; the full tag (label, score) is kept for what matters.
  const full = selected || cited || colour !== BOX_COLOURS.normal;
  const text = full ? `#${o.trackId} ${o.label === 'unknown' ? 'object' : o.label} ${o.score.toFixed(2)}` : `#${o.trackId}`;
  label(g, text, Math.min(x, canvasW - 4 * dpr), y - 2 * dpr, cited ? BOX_COLOURS.cited : colour, '#05070a', dpr, 'above', y + h + 2 * dpr);
}

/** A small text tag with a solid background; above the anchor unless there is no room (then at `below`). */
function label(g: CanvasRenderingContext2D, text: string, x: number, y: number, bg: string, fg: string, dpr: number, where: 'above', below?: number) {
  g.save();
  const size = 10 * dpr;
  g.font = `600 ${size}px ui-monospace, 'DejaVu Sans Mono', monospace`;
  const padX = 3 * dpr;
  const h = size + 4 * dpr;
  const w = g.measureText(text).width + 2 * padX;
  let top = where === 'above' ? y - h : y;
  if (top < 0 && below !== undefined) top = below;
  if (top < 0) top = 0;
  const left = Math.max(0, Math.min(x, g.canvas.width - w));
  g.fillStyle = bg;
  g.fillRect(left, top, w, h);
  g.fillStyle = fg;
  g.textBaseline = 'middle';
  g.fillText(text, left + padX, top + h / 2 + 0.5 * dpr);
  g.restore();
}

function drawDraft(g: CanvasRenderingContext2D, d: NonNullable<OverlayScene['zoneDraft']>, X: (v: number) => number, Y: (v: number) => number, dpr: number) {
  const pts = d.points;
  if (pts.length === 0 && !d.hover) return;
  g.save();
  g.strokeStyle = '#ffe14d';
  g.fillStyle = 'rgba(255, 225, 77, 0.12)';
  g.lineWidth = 2 * dpr;
  g.beginPath();
  pts.forEach(([x, y], i) => (i === 0 ? g.moveTo(X(x), Y(y)) : g.lineTo(X(x), Y(y))));
  if (d.closed) {
    g.closePath();
    g.fill();
  }
  g.stroke();
  if (!d.closed && d.hover && pts.length > 0) {
    g.setLineDash([4 * dpr, 4 * dpr]);
    g.beginPath();
    g.moveTo(X(pts[pts.length - 1][0]), Y(pts[pts.length - 1][1]));
    g.lineTo(X(d.hover[0]), Y(d.hover[1]));
    if (pts.length >= 2) g.lineTo(X(pts[0][0]), Y(pts[0][1]));
    g.stroke();
  }
  g.setLineDash([]);
  for (const [x, y] of pts) {
    g.beginPath();
    g.arc(X(x), Y(y), 3.5 * dpr, 0, Math.PI * 2);
    g.fillStyle = '#ffe14d';
    g.fill();
  }
  g.restore();
}
