/**
 * Playback proxies: an H.264 MP4 that Chromium plays and seeks well, made when the original cannot be
 * played as is (MJPEG AVI, HEVC, 10-bit, ...) or has a variable frame rate.
 *
 * The proxy keeps the source's decoded frames one-to-one at a constant rate: frame k of the original
 * (as numbered by the frame reader) is shown from time k/fps in the proxy, so UI code converts with
 * `proxyTimeForFrame` / `frameForProxyTime` and nothing else. Timestamps are rewritten to N/fps and
 * ffmpeg runs with `-vsync 0`, so no frame is duplicated or dropped to fit the rate. Keyframes come
 * every round(fps) frames (≤ 1 s) with scene-cut keyframes off, so seeking anywhere decodes at most one
 * second. `+faststart` puts the index first so playback starts before the file is fully read.
 *
 * The source is only ever opened for reading by ffmpeg. Output goes to a temporary name in the target
 * folder and is renamed into place only after it has been verified, so a crash or cancel never leaves
 * a half-written proxy under the final name.
 */
import { randomBytes } from 'node:crypto';
import { realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { VigilError, throwIfAborted, type ProgressFn } from '../errors.js';
import { resolveFfmpeg } from './ffmpeg-path.js';
import { probe as probeFile, type ProbeResult } from './probe.js';
import { runTool, shortToolReason } from './run-tool.js';

export interface ProxyOptions {
  /** Probe of the source (probed if omitted). */
  probe?: ProbeResult;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

export interface ProxyResult {
  path: string;
  /** Keyframe interval in frames. */
  gopFrames: number;
  /** Constant frame rate of the proxy: frame k starts at k / fps. */
  fps: number;
  /** Frames in the proxy (= frames ffmpeg decoded from the source). */
  frameCount: number;
  /** E.g. the container declared a different frame count than could be decoded. */
  warnings: string[];
}

/** Longest side of a proxy; larger sources are scaled down (Chromium's H.264 decoders stop near 4K). */
export const PROXY_MAX_SIDE = 3840;

/**
 * Whether evidence needs a proxy: Chromium cannot play it, or its frames are not evenly spaced (then
 * the k/fps rule would not hold for the original).
 */
export function needsProxy(p: ProbeResult): boolean {
  return !p.browserPlayable || p.vfr;
}

/** Start time of frame k in a proxy made at `fps`. */
export function proxyTimeForFrame(k: number, fps: number): number {
  return k / fps;
}

/** Middle of frame k: the time to seek a video element to so it shows frame k despite rounding. */
export function proxySeekTimeForFrame(k: number, fps: number): number {
  return (k + 0.5) / fps;
}

/** Frame shown at time t (seconds) in a proxy made at `fps`. */
export function frameForProxyTime(t: number, fps: number): number {
  return Math.max(0, Math.floor(t * fps + 1e-6));
}

/** fps as an ffmpeg rational with the smallest denominator up to 1001 (30000/1001, 25/2, ...). */
export function fpsRational(fps: number): [number, number] {
  for (let den = 1; den <= 1001; den++) {
    const num = Math.round(fps * den);
    if (num > 0 && Math.abs(num / den - fps) < 1e-9 * fps) return [num, den];
  }
  return [Math.round(fps * 1000), 1000];
}

function scaleFilter(p: ProbeResult): string {
  // Frames arrive display-oriented (ffmpeg applies rotation), so limit the displayed size.
  const w = p.displayWidth;
  const h = p.displayHeight;
  const s = Math.min(1, PROXY_MAX_SIDE / Math.max(w, h));
  const even = (x: number): number => Math.max(2, Math.round((x * s) / 2) * 2);
  return `scale=${even(w)}:${even(h)}`;
}

export async function makeProxy(src: string, outPath: string, opts: ProxyOptions = {}): Promise<ProxyResult> {
  const { signal, onProgress } = opts;
  throwIfAborted(signal);
  const name = path.basename(src);
  const p = opts.probe ?? (await probeFile(src, { signal }));
  const outAbs = path.resolve(outPath);
  const srcReal = await realpath(src).catch(() => path.resolve(src));
  const outReal = await realpath(outAbs).catch(() => outAbs);
  if (srcReal === outReal) throw new VigilError('invalid_input', `Refusing to write the proxy over the source "${name}".`);
  try {
    if (!(await stat(path.dirname(outAbs))).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new VigilError('invalid_input', `Proxy folder does not exist: "${path.dirname(outAbs)}".`);
  }

  const fpsIn = p.fpsAvg > 0 ? p.fpsAvg : p.fpsReal;
  if (!(fpsIn > 0)) throw new VigilError('unsupported_media', `"${name}" has no usable frame rate for a proxy.`);
  const [rn, rd] = fpsRational(fpsIn);
  const fps = rn / rd;
  const gopFrames = Math.max(1, Math.round(fps));
  const tmp = path.join(path.dirname(outAbs), `.${path.basename(outAbs)}.${randomBytes(4).toString('hex')}.partial`);
  const hasAudio = p.audio.length > 0;

  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-y',
    '-i', src,
    '-map', `0:${p.videoStreamIndex}`,
    ...(hasAudio ? ['-map', `0:${p.audio[0].index}`, '-c:a', 'aac', '-b:a', '128k'] : []),
    // Time base 1/fps and pts = N: frame k at exactly k/fps, one output frame per decoded frame.
    // (Integer pts; a float expression like N/fps/TB would be truncated to the tick below.)
    '-vf', `settb=${rd}/${rn},setpts=N,${scaleFilter(p)}`,
    '-vsync', '0',
    '-r', `${rn}/${rd}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-profile:v', 'high',
    '-g', String(gopFrames), '-keyint_min', String(gopFrames), '-sc_threshold', '0',
    '-movflags', '+faststart',
    '-map_metadata', '-1', '-sn', '-dn',
    '-progress', 'pipe:1',
    '-f', 'mp4', tmp,
  ];

  const total = p.frameCount;
  let encoded = 0;
  let lastFrac = -1;
  let buf = '';
  onProgress?.(0, 'proxy');
  const report = (f: number): void => {
    const c = Math.min(0.99, Math.max(0, f));
    if (c - lastFrac >= 0.005) {
      lastFrac = c;
      onProgress?.(c, 'proxy');
    }
  };
  try {
    const run = await runTool(resolveFfmpeg().path, args, {
      signal,
      onStdout: (chunk) => {
        buf += chunk;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) {
          const [k, v] = line.trim().split('=');
          if (k === 'frame') {
            encoded = Number(v) || encoded;
            if (total > 0) report(encoded / total);
          } else if (k === 'out_time_us' || k === 'out_time_ms') {
            // Both are microseconds in ffmpeg; used when the frame count is unknown.
            const t = Number(v) / 1e6;
            if (!(total > 0) && p.durationS > 0 && Number.isFinite(t)) report(t / p.durationS);
          }
        }
      },
    });
    if (run.code !== 0) {
      throw new VigilError('unsupported_media', `Making a playback proxy of "${name}" failed (ffmpeg: ${shortToolReason(run.stderr, src) || `exit code ${run.code}`}).`, { file: name });
    }
    throwIfAborted(signal);
    const made = await probeFile(tmp, { signal });
    const warnings: string[] = [];
    if (made.frameCount !== p.frameCount) {
      warnings.push(`The source reports ${p.frameCount} frames; ${made.frameCount} could be decoded into the proxy.`);
    }
    await rename(tmp, outAbs);
    onProgress?.(1, 'proxy');
    return { path: outAbs, gopFrames, fps, frameCount: made.frameCount, warnings };
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
