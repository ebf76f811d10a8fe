/**
 * A small scene with a planted anomaly, drawn by ffmpeg: several "walkers" (upright boxes) cross a
 * static background at walking pace for the whole clip, and one runner crosses much faster during a
 * known window. Analysed against reference footage of the same scene without the runner, the runner
 * and that window should stand out.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths';

const execFileP = promisify(execFile);

export interface WalkersClip {
  path: string;
  fps: number;
  frameCount: number;
  width: number;
  height: number;
  /** Seconds during which the fast mover is in view. */
  anomaly: { startS: number; endS: number };
}

interface Mover {
  colour: string;
  w: number;
  h: number;
  /** ffmpeg expressions of t (seconds) for the top-left corner. */
  x: string;
  y: string;
  enable?: string;
}

export interface WalkersClipOptions {
  name: string;
  fps?: number; // default 15
  seconds?: number; // default 12
  /** false = walkers only (normal reference footage of the same scene). Default true. */
  runner?: boolean;
  /** Shifts where the walkers are at t = 0 (px), so reference clips are not copies of the target. */
  phase?: number;
  /** Runner speed in px/s (walkers do 14–20). Default 120: about 4 body heights per second, a sprint. */
  runnerSpeed?: number;
  /** Runner size and lane (top y), px. Default 12×28 at y 146 (a person in the free band between the walkers' lanes). */
  runnerBox?: { w: number; h: number; y: number };
}

export async function makeWalkersClip(dir: string, o: WalkersClipOptions): Promise<WalkersClip> {
  const fps = o.fps ?? 15;
  const seconds = o.seconds ?? 12;
  const width = 320;
  const height = 240;
  const frameCount = Math.round(fps * seconds);
  // The runner enters on the left at startS and is in view until it leaves on the right (340 px).
  const runnerSpeed = o.runnerSpeed ?? 120;
  const rb = o.runnerBox ?? { w: 12, h: 28, y: 146 };
  const startS = 5;
  const anomaly = { startS, endS: Math.min(seconds, startS + (width + rb.w + 8) / runnerSpeed) };
  const phase = o.phase ?? 0;
  // Walking pace, 14–20 px/s (a person ~28 px tall covers about half a height per second). Each lane
  // carries three walkers a third of the frame apart, wrapping around: normal footage is many people
  // doing much the same thing, so every walker has look-alikes and only the runner is unlike the rest.
  const lanes: [v: number, y: number, colour: string][] = [
    [18, 20, '0xd8d2c4'],
    [-16, 62, '0xb8c8d8'],
    [20, 104, '0xc8b8a8'],
    [-14, 190, '0xd0d0b0'],
  ];
  const span = width + 40;
  const walkers: Mover[] = lanes.flatMap(([v, y, colour], lane) =>
    [0, 1, 2].map((k) => {
      const offset = Math.round(phase + lane * 37 + (k * span) / 3);
      const pos = `mod(t*${Math.abs(v)}+${offset},${span})`;
      return { colour, w: 12, h: 28, x: v > 0 ? `${pos}-20` : `${width}-${pos}`, y: String(y) };
    }),
  );
  const runner: Mover = {
    colour: '0xe8d8c8',
    w: rb.w,
    h: rb.h,
    x: `(t-${anomaly.startS})*${runnerSpeed}-${rb.w + 8}`,
    y: String(rb.y),
    enable: `between(t,${anomaly.startS},${anomaly.endS})`,
  };
  const movers = o.runner === false ? walkers : [...walkers, runner];
  const parts: string[] = [
    // A dim textured ground so the scene is not a flat field (and compresses like footage).
    `color=c=0x3a4048:size=${width}x${height}:rate=${fps},geq=lum='80+8*sin(X/9)*sin(Y/7)':cb=128:cr=128,format=yuv420p[bg0]`,
  ];
  movers.forEach((m, i) => parts.push(`color=c=${m.colour}:size=${m.w}x${m.h}:rate=${fps},format=yuv420p[m${i}]`));
  let last = 'bg0';
  movers.forEach((m, i) => {
    const out = i === movers.length - 1 ? 'out' : `bg${i + 1}`;
    const enable = m.enable ? `:enable='${m.enable}'` : '';
    parts.push(`[${last}][m${i}]overlay=x='${m.x}':y='${m.y}':shortest=1${enable}[${out}]`);
    last = out;
  });
  const out = path.join(dir, o.name);
  const mod = (await import(path.join(REPO_ROOT, 'packages/engine/dist/media/ffmpeg-path.js'))) as { resolveFfmpeg(): { path: string } };
  await execFileP(
    mod.resolveFfmpeg().path,
    [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
      '-filter_complex', parts.join(';'), '-map', '[out]', '-frames:v', String(frameCount),
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-g', String(fps), '-movflags', '+faststart',
      out,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return { path: out, fps, frameCount, width, height, anomaly };
}
