/**
 * Generated surveillance-like scenes for the analysis tests: a static textured background with textured
 * person-sized boxes that walk, run, turn back or stop, encoded with the real ffmpeg. Every object's box at
 * any time is known exactly, so tests can check *when* and *where* an event is found.
 */
import path from 'node:path';
import { defaultParams } from '../../src/analysis/params.js';
import { analyzeVideo, type AnalysisResult } from '../../src/analysis/pipeline.js';
import type { AnalysisSink, TrackObservation } from '../../src/analysis/types.js';
import { runFfmpeg, type MovingObject } from '../helpers/media.js';

/** A textured moving object (block matching needs texture, so a gray shade instead of a flat colour). */
export interface SceneObject extends Omit<MovingObject, 'color'> {
  /** Visible from this time (s); default 0. */
  startS?: number;
  /** Stops moving at this time (s) and stays. */
  stopAtS?: number;
  /** Gray level of the texture's bright squares (default 220). */
  shade?: number;
}

export interface SceneOptions {
  name: string;
  seconds: number;
  fps: number;
  width: number;
  height: number;
  objects: SceneObject[];
  /** Frames at or after `atFrame` are delayed by `gapS` (variable frame rate: a pause in recording). */
  vfrGap?: { atFrame: number; gapS: number };
  /**
   * Camera shake of up to this many pixels each way: the scene is drawn on a larger canvas and the frame
   * cut from it at an offset that wobbles (two sines per axis, like a pole camera in gusts).
   */
  shake?: number;
  /**
   * The camera pans: between startS and endS the frame is cut from a larger scene at a place that moves by
   * dx pixels (dx > 0: the view turns right, the scene slides left) and dy (> 0: it tilts down), then
   * stays; steadily, or `eased` like a pan-tilt head (speeding up from rest to half again the steady
   * speed mid-way, then slowing to a stop).
   */
  pan?: { startS: number; endS: number; dx: number; dy?: number; eased?: boolean };
  /** The ground: gentle waves (default), or rough like worn pavement (a random 3-pixel grain, not periodic). */
  ground?: 'smooth' | 'rough';
  /** H.264 B-frames in a row (default 0), in x264's default pyramid (the middle of three is a reference). */
  bframes?: number;
  /**
   * A clock burnt into the picture, as a DVR draws it: "MM:SS" in white seven-segment digits on a dark
   * box whose top left corner is at (x, y) in the frame, reading `startS` seconds at t = 0. It stays put in
   * the frame when the camera shakes or turns.
   */
  clock?: { x: number; y: number; startS?: number };
  /**
   * The picture changes only this many times a second, each repeated until the next, as a recorder that
   * stores few pictures in a faster stream (the stream keeps `fps`).
   */
  contentFps?: number;
  /** A lamp switched on at `atS`: from then the box [x, y, w, h] of the frame is lit (white at `alpha`). */
  light?: { x: number; y: number; w: number; h: number; atS: number; alpha: number };
}

/** The clock's box in the frame (x1, y1, x2, y2): four digits of 10×18 px, 14 px apart, a colon, a margin. */
export function clockBox(clock: NonNullable<SceneOptions['clock']>): [number, number, number, number] {
  return [clock.x, clock.y, clock.x + 68, clock.y + 26];
}

/** Digits (0–9) each segment of a seven-segment digit is lit for, and its place [x, y, w, h] in the digit. */
const SEGMENTS: [number[], [number, number, number, number]][] = [
  [[0, 2, 3, 5, 6, 7, 8, 9], [2, 0, 6, 2]], // top
  [[0, 1, 2, 3, 4, 7, 8, 9], [8, 2, 2, 6]], // upper right
  [[0, 1, 3, 4, 5, 6, 7, 8, 9], [8, 10, 2, 6]], // lower right
  [[0, 2, 3, 5, 6, 8, 9], [2, 16, 6, 2]], // bottom
  [[0, 2, 6, 8], [0, 10, 2, 6]], // lower left
  [[0, 4, 5, 6, 8, 9], [0, 2, 2, 6]], // upper left
  [[2, 3, 4, 5, 6, 8, 9], [2, 8, 6, 2]], // middle
];

/** ffmpeg drawbox filters that draw the clock (enable expressions of t pick the lit segments). */
function clockFilters(clock: NonNullable<SceneOptions['clock']>): string[] {
  const [x1, y1, x2, y2] = clockBox(clock);
  const secs = `(floor(t)+${clock.startS ?? 0})`;
  // Minutes tens and units, then seconds tens and units.
  const digits = [`mod(floor(${secs}/600)\,6)`, `mod(floor(${secs}/60)\,10)`, `mod(floor(${secs}/10)\,6)`, `mod(${secs}\,10)`];
  const box = (x: number, y: number, w: number, h: number, color: string, enable?: string) =>
    `drawbox=x=${x}:y=${y}:w=${w}:h=${h}:color=${color}:t=fill${enable ? `:enable='${enable}'` : ''}`;
  const out = [box(x1, y1, x2 - x1, y2 - y1, 'black@0.7')];
  digits.forEach((d, k) => {
    const dx = x1 + 4 + k * 14 + (k >= 2 ? 4 : 0);
    for (const [on, [sx, sy, w, h]] of SEGMENTS) out.push(box(dx + sx, y1 + 4 + sy, w, h, 'white', on.map((v) => `eq(${d}\,${v})`).join('+')));
  });
  // The colon between minutes and seconds.
  out.push(box(x1 + 33, y1 + 9, 2, 2, 'white'), box(x1 + 33, y1 + 15, 2, 2, 'white'));
  return out;
}

/** The shaking camera's wobble per axis: weights (summing to 1) and angular frequencies (rad/s) of its sines. */
const WOBBLE: { x: [number, number][]; y: [number, number][] } = {
  x: [[0.6, 9], [0.4, 23]],
  y: [[0.7, 11], [0.3, 29]],
};

/** The shaking camera's offset (pixels, within ±amplitude) at time t: where the frame is cut from the scene. */
function shakeOffset(amplitude: number, t: number): [number, number] {
  const at = (terms: [number, number][]) => amplitude * terms.reduce((s, [w, f]) => s + w * Math.sin(f * t), 0);
  return [at(WOBBLE.x), at(WOBBLE.y)];
}

/** How far a panning camera has turned at time t (pixels, x and y). */
function panOffset(pan: SceneOptions['pan'], t: number): [number, number] {
  if (!pan) return [0, 0];
  const u = Math.min(1, Math.max(0, (t - pan.startS) / (pan.endS - pan.startS)));
  const f = pan.eased ? u * u * (3 - 2 * u) : u;
  return [pan.dx * f, (pan.dy ?? 0) * f];
}

/** The same offset as an ffmpeg expression of t, plus `base`. */
function shakeExpr(base: number, amplitude: number, terms: [number, number][]): string {
  return `${base}+${amplitude}*(${terms.map(([w, f]) => `${w}*sin(${f}*t)`).join('+')})`;
}

export interface Scene {
  path: string;
  fps: number;
  frameCount: number;
  width: number;
  height: number;
  objects: SceneObject[];
  /** Box [x1, y1, x2, y2] of object `i` at scene time t (s), clipped to the frame, or null if not visible. */
  boxAt(i: number, t: number): [number, number, number, number] | null;
}

const ROUGH = '60+mod(floor(abs(1e4*sin(floor(X/3)*12.9898+floor(Y/3)*78.233)))\\,50)';

export async function makeScene(dir: string, o: SceneOptions): Promise<Scene> {
  const { width: W, height: H, fps } = o;
  const a = Math.ceil(o.shake ?? 0);
  const panW = Math.abs(o.pan?.dx ?? 0);
  const panH = Math.abs(o.pan?.dy ?? 0);
  // Where the view starts on the canvas: a pan to the left starts at the canvas' right end, a tilt up at its bottom.
  const panX0 = o.pan && o.pan.dx < 0 ? panW : 0;
  const panY0 = o.pan?.dy && o.pan.dy < 0 ? panH : 0;
  const graph: string[] = [
    // Static texture so the background is not flat (like pavement), drawn once per frame by geq.
    `color=c=black:size=${W + 2 * a + panW}x${H + 2 * a + panH}:rate=${fps},format=gray,geq=lum='${o.ground === 'rough' ? ROUGH : '70+18*sin(X/9)*sin(Y/7)'}',format=yuv444p[bg0]`,
  ];
  o.objects.forEach((ob, i) => {
    const hi = ob.shade ?? 220;
    const lo = Math.max(0, hi - 80);
    graph.push(
      // Static pseudo-random 2×2-pixel texture (a hash of the position): matchable, not periodic.
      `color=c=black:size=${ob.w}x${ob.h}:rate=${fps},format=gray,geq=lum='${lo}+mod(floor(abs(1e4*sin(floor(X/2)*12.9898+floor(Y/2)*78.233)))\\,${hi - lo + 1})',format=yuv444p[o${i}]`,
    );
    const tt = ob.stopAtS !== undefined ? `min(t\\,${ob.stopAtS})` : 't';
    const enable = ob.startS ? `:enable='gte(t,${ob.startS})'` : '';
    graph.push(`[bg${i}][o${i}]overlay=x='${a + panX0}+${ob.x0}+${ob.vx}*${tt}':y='${a + panY0}+${ob.y0}+${ob.vy ?? 0}*${tt}':format=yuv444:shortest=1${enable}[bg${i + 1}]`);
  });
  const post: string[] = [];
  if (a > 0 || o.pan) {
    const amp = o.shake ?? 0;
    // The same as panOffset, with u = clip((t − startS) / (endS − startS), 0, 1).
    const u = o.pan ? `clip((t-${o.pan.startS})/${o.pan.endS - o.pan.startS}\\,0\\,1)` : '';
    const f = o.pan?.eased ? `pow(${u}\\,2)*(3-2*${u})` : u;
    const panX = o.pan ? `+${o.pan.dx}*${f}` : '';
    const panY = o.pan?.dy ? `+${o.pan.dy}*${f}` : '';
    post.push(`crop=${W}:${H}:'${shakeExpr(a + panX0, amp, WOBBLE.x)}${panX}':'${shakeExpr(a + panY0, amp, WOBBLE.y)}${panY}'`);
  }
  if (o.clock) post.push(...clockFilters(o.clock));
  if (o.contentFps) post.push(`fps=${o.contentFps}`, `fps=${fps}`);
  if (o.light) {
    const l = o.light;
    post.push(`drawbox=x=${l.x}:y=${l.y}:w=${l.w}:h=${l.h}:color=white@${l.alpha}:t=fill:enable='gte(t,${l.atS})'`);
  }
  post.push('format=yuv420p');
  if (o.vfrGap) post.push(`settb=1/${fps}`, `setpts='N+if(gte(N,${o.vfrGap.atFrame}),${Math.round(o.vfrGap.gapS * fps)},0)'`);
  graph.push(`[bg${o.objects.length}]${post.join(',')}`);
  const out = path.join(dir, o.name);
  const frameCount = Math.round(o.seconds * fps);
  await runFfmpeg([
    '-f', 'lavfi', '-i', graph.join(';'),
    '-frames:v', String(frameCount),
    ...(o.vfrGap ? ['-vsync', '0'] : []),
    '-c:v', 'libx264', '-preset', 'veryfast', '-qp', '12', '-bf', String(o.bframes ?? 0), '-pix_fmt', 'yuv420p',
    out,
  ]);
  const boxAt = (i: number, t: number): [number, number, number, number] | null => {
    const ob = o.objects[i];
    if (t < (ob.startS ?? 0)) return null;
    const tm = ob.stopAtS !== undefined ? Math.min(t, ob.stopAtS) : t;
    const [ox, oy] = shakeOffset(o.shake ?? 0, t);
    const [px, py] = panOffset(o.pan, t);
    const x = ob.x0 + ob.vx * tm - ox - px;
    const y = ob.y0 + (ob.vy ?? 0) * tm - oy - py;
    const x1 = Math.max(0, x);
    const y1 = Math.max(0, y);
    const x2 = Math.min(W, x + ob.w);
    const y2 = Math.min(H, y + ob.h);
    return x2 > x1 && y2 > y1 ? [x1, y1, x2, y2] : null;
  };
  return { path: out, fps, frameCount, width: W, height: H, objects: o.objects, boxAt };
}

/**
 * Walkers in three lanes moving right at `speed` body heights per second (bodies 12×30 px), staggered so
 * the scene is never empty. `extra` objects are added after them.
 */
export function walkers(opts: { width: number; seconds: number; speedHeightsPerS?: number; lanes?: number[]; extra?: SceneObject[] }): SceneObject[] {
  const h = 30;
  const v = (opts.speedHeightsPerS ?? 0.6) * h;
  const lanes = opts.lanes ?? [20, 75, 130, 185];
  const objs: SceneObject[] = [];
  // Spacing along a lane so that 3–4 walkers per lane are in view at any time.
  const spacing = opts.width / 3.5;
  lanes.forEach((y, li) => {
    const count = Math.ceil((opts.width + v * opts.seconds) / spacing) + 1;
    for (let k = 0; k < count; k++) {
      objs.push({ w: 12, h, x0: -k * spacing + li * 37 + 10, y0: y, vx: v, shade: 200 + ((k + li) % 3) * 20 });
    }
  });
  return [...objs, ...(opts.extra ?? [])];
}

/**
 * Self-referenced, motion-only analysis of a scene with its observations; `maxShakeShare` replaces the
 * camera-shift reach (0 turns shake and pan correction off), `fps` the analysis rate.
 */
export async function analyseScene(
  scene: Scene,
  opts: { maxShakeShare?: number; fps?: number; onProgress?: (fraction: number) => void } = {},
): Promise<{ r: AnalysisResult; obs: TrackObservation[] }> {
  const obs: TrackObservation[] = [];
  const sink: AnalysisSink = { observations: (b) => void obs.push(...b), heatmap() {}, finish() {} };
  const geometry = { width: scene.width, height: scene.height, fpsAvg: scene.fps };
  const motion = { ...defaultParams(geometry).motion, ...(opts.maxShakeShare === undefined ? {} : { maxShakeShare: opts.maxShakeShare }) };
  const r = await analyzeVideo(scene.path, { sink, reference: 'self', params: { motion, ...(opts.fps ? { fps: opts.fps } : {}) }, onProgress: opts.onProgress });
  return { r, obs };
}
