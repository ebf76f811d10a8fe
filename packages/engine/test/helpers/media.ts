/**
 * Test media made on the spot with the resolved ffmpeg (lavfi sources, no files checked in).
 *
 *  - makeClip:          generic clip (testsrc2 pattern, or frames that encode their own index).
 *  - makeMovingBoxClip: bright boxes moving across a dark background, with exact ground-truth positions.
 *  - decodeIndexPattern: reads back the frame number from an `indexPattern` frame.
 *  - makeTempDir:       temp folder for a test, removed by the returned cleanup.
 *
 * All helpers run ffmpeg synchronously-to-completion and return absolute file paths. Keep clips small
 * (a few seconds, ≤ 320×240): the machine is shared.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpeg } from '../../src/media/ffmpeg-path.js';

const execFileP = promisify(execFile);

export type ClipCodec = 'h264' | 'mjpeg' | 'ffv1' | 'vp9' | 'hevc';

export interface ClipOptions {
  /** File name inside `dir`; the extension picks the container (.mp4, .avi, .mkv, .mov, .webm, .264). */
  name: string;
  seconds?: number; // default 2
  fps?: number; // default 25
  width?: number; // default 160
  height?: number; // default 120
  codec?: ClipCodec; // default h264 (mjpeg for .avi)
  /**
   * Picture content. 'testsrc2' (default): lavfi test pattern. 'indexPattern': 16 vertical bars that
   * spell the frame number in binary (bar b is white when bit b of N is set; read back with
   * decodeIndexPattern). 'gray': flat mid-gray.
   */
  content?: 'testsrc2' | 'indexPattern' | 'gray';
  /** H.264/HEVC pixel format (default yuv420p), e.g. 'yuv420p10le' or 'yuv444p' for non-playable cases. */
  pixFmt?: string;
  /** Keyframe interval in frames (default: encoder default). */
  gop?: number;
  /** H.264 B-frames (default: encoder default). Use 0 for VFR clips so pts == dts. */
  bframes?: number;
  /**
   * Variable frame rate: frames at or after `atFrame` are delayed by `gapS` seconds (a pause in
   * recording), rounded to whole frame periods. Frame k's time is clipFrameTime(opts, k).
   */
  vfrGap?: { atFrame: number; gapS: number };
  /** Rotation metadata (clockwise display degrees), written as the legacy `rotate` tag. */
  rotate?: 90 | 180 | 270;
  /** Add a sine tone audio track. */
  audio?: boolean;
  /** Extra ffmpeg output arguments, placed before the output path. */
  extraArgs?: string[];
}

/** Frame k's presentation time for a clip made with these options (seconds from stream start). */
export function clipFrameTime(opts: Pick<ClipOptions, 'fps' | 'vfrGap'>, k: number): number {
  const fps = opts.fps ?? 25;
  const gapFrames = opts.vfrGap && k >= opts.vfrGap.atFrame ? Math.round(opts.vfrGap.gapS * fps) : 0;
  return (k + gapFrames) / fps;
}

export async function runFfmpeg(args: string[]): Promise<void> {
  try {
    await execFileP(resolveFfmpeg().path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ffmpeg failed: ${err.stderr || err.message}\nargs: ${args.join(' ')}`);
  }
}

function codecArgs(codec: ClipCodec, o: ClipOptions): string[] {
  switch (codec) {
    case 'h264':
      return [
        '-c:v', 'libx264', '-preset', 'veryfast', '-qp', '8',
        '-pix_fmt', o.pixFmt ?? 'yuv420p',
        ...(o.gop ? ['-g', String(o.gop)] : []),
        ...(o.bframes !== undefined ? ['-bf', String(o.bframes)] : []),
      ];
    case 'hevc':
      return ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-pix_fmt', o.pixFmt ?? 'yuv420p'];
    case 'mjpeg':
      return ['-c:v', 'mjpeg', '-q:v', '2', '-pix_fmt', 'yuvj420p'];
    case 'ffv1':
      return ['-c:v', 'ffv1', '-pix_fmt', o.pixFmt ?? 'yuv420p'];
    case 'vp9':
      return ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-pix_fmt', 'yuv420p'];
  }
}

/** Generates a clip into `dir` and returns its path. */
export async function makeClip(dir: string, o: ClipOptions): Promise<string> {
  const seconds = o.seconds ?? 2;
  const fps = o.fps ?? 25;
  const w = o.width ?? 160;
  const h = o.height ?? 120;
  const out = path.join(dir, o.name);
  const ext = path.extname(o.name).toLowerCase();
  const codec = o.codec ?? (ext === '.avi' ? 'mjpeg' : ext === '.webm' ? 'vp9' : 'h264');
  const frames = Math.round(seconds * fps);
  let src: string;
  switch (o.content ?? 'testsrc2') {
    case 'testsrc2':
      src = `testsrc2=size=${w}x${h}:rate=${fps}`;
      break;
    case 'gray':
      src = `color=c=0x808080:size=${w}x${h}:rate=${fps}`;
      break;
    case 'indexPattern':
      src = `color=c=black:size=${w}x${h}:rate=${fps},format=gray,geq=lum='if(bitand(floor(N/pow(2,floor(X*16/W))),1),235,16)'`;
      break;
  }
  const filters: string[] = [];
  if (o.vfrGap) {
    const g = o.vfrGap;
    // Whole frame periods in the source time base (1/fps), in integers: setpts truncates fractional ticks.
    filters.push(`setpts='N+if(gte(N,${g.atFrame}),${Math.round(g.gapS * fps)},0)'`);
  }
  const args = ['-f', 'lavfi', '-i', src];
  if (o.audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100`);
  args.push('-map', '0:v');
  if (o.audio) args.push('-map', '1:a', '-c:a', ext === '.avi' ? 'pcm_s16le' : 'aac', '-shortest');
  if (filters.length) args.push('-vf', filters.join(','));
  args.push('-frames:v', String(frames));
  if (o.vfrGap) args.push('-vsync', '0');
  args.push(...codecArgs(codec, o));
  if (o.rotate) args.push('-metadata:s:v:0', `rotate=${o.rotate}`);
  if (ext === '.264') args.push('-f', 'h264');
  args.push(...(o.extraArgs ?? []), out);
  await runFfmpeg(args);
  return out;
}

/**
 * Reads the frame number from a decoded `indexPattern` frame (gray, any size that keeps 16 bars
 * resolvable): samples the middle of each bar on the middle row.
 */
export function decodeIndexPattern(data: Uint8Array, width: number, height: number, channels: 1 | 3 = 1): number {
  let n = 0;
  const row = Math.floor(height / 2);
  for (let b = 0; b < 16; b++) {
    const x = Math.floor(((b + 0.5) * width) / 16);
    const v = data[(row * width + x) * channels];
    if (v > 128) n |= 1 << b;
  }
  return n;
}

export interface MovingObject {
  /** Box size in pixels. */
  w: number;
  h: number;
  /** Position of the top-left corner at t = 0, pixels. */
  x0: number;
  y0: number;
  /** Velocity in pixels per second. */
  vx: number;
  vy?: number;
  /** ffmpeg colour (default white). */
  color?: string;
}

export interface MovingBoxOptions {
  name: string;
  seconds?: number; // default 4
  fps?: number; // default 25
  width?: number; // default 160
  height?: number; // default 120
  codec?: ClipCodec; // default h264 (mjpeg for .avi)
  /** Background colour (default near-black 0x101010). */
  background?: string;
  /** The objects; default one 16×16 white box crossing the frame left→right in `seconds`. */
  objects?: MovingObject[];
  /** Objects only appear from this time on (s), e.g. a normal-then-anomalous clip. Default 0. */
  appearAtS?: number;
}

export interface MovingBoxClip {
  path: string;
  fps: number;
  frameCount: number;
  width: number;
  height: number;
  objects: MovingObject[];
  /** Ground-truth box of each object at frame k (integer pixels, clipped to the frame), null when absent. */
  boxesAt(k: number): ({ x: number; y: number; w: number; h: number } | null)[];
}

/**
 * A dark background with bright boxes moving at constant velocity. Positions follow overlay's rule:
 * x(k) = trunc(x0 + vx·t) with t = k/fps (same for y), so tests know exactly where each box is
 * (up to codec blur at the box edges).
 */
export async function makeMovingBoxClip(dir: string, o: MovingBoxOptions): Promise<MovingBoxClip> {
  const seconds = o.seconds ?? 4;
  const fps = o.fps ?? 25;
  const W = o.width ?? 160;
  const H = o.height ?? 120;
  const appear = o.appearAtS ?? 0;
  const objects: MovingObject[] = o.objects ?? [{ w: 16, h: 16, x0: 0, y0: Math.round(H / 2 - 8), vx: (W - 16) / seconds }];
  const out = path.join(dir, o.name);
  const ext = path.extname(o.name).toLowerCase();
  const codec = o.codec ?? (ext === '.avi' ? 'mjpeg' : 'h264');
  const frameCount = Math.round(seconds * fps);

  const graph: string[] = [`color=c=${o.background ?? '0x101010'}:size=${W}x${H}:rate=${fps},format=yuv444p[bg0]`];
  objects.forEach((ob, i) => {
    graph.push(`color=c=${ob.color ?? 'white'}:size=${ob.w}x${ob.h}:rate=${fps},format=yuv444p[o${i}]`);
    const enable = appear > 0 ? `:enable='gte(t,${appear})'` : '';
    graph.push(
      `[bg${i}][o${i}]overlay=x='${ob.x0}+${ob.vx}*t':y='${ob.y0}+${ob.vy ?? 0}*t':format=yuv444:shortest=1${enable}[bg${i + 1}]`,
    );
  });
  // 4:4:4 while compositing: in 4:2:0 overlay rounds positions down to even pixels.
  graph.push(`[bg${objects.length}]format=yuv420p`);
  await runFfmpeg([
    '-f', 'lavfi', '-i', graph.join(';'),
    '-frames:v', String(frameCount),
    ...codecArgs(codec, { name: o.name }),
    out,
  ]);
  const boxesAt = (k: number) => {
    const t = k / fps;
    return objects.map((ob) => {
      if (t < appear) return null;
      const x = Math.trunc(ob.x0 + ob.vx * t);
      const y = Math.trunc(ob.y0 + (ob.vy ?? 0) * t);
      const x1 = Math.max(0, x);
      const y1 = Math.max(0, y);
      const x2 = Math.min(W, x + ob.w);
      const y2 = Math.min(H, y + ob.h);
      return x2 > x1 && y2 > y1 ? { x: x1, y: y1, w: x2 - x1, h: y2 - y1 } : null;
    });
  };
  return { path: out, fps, frameCount, width: W, height: H, objects, boxesAt };
}

/** A fresh temp folder (under the OS temp dir) and a function that removes it. */
export async function makeTempDir(prefix = 'vigil-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
