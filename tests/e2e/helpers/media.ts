/**
 * Test footage for the end-to-end specs, made with the engine's own ffmpeg resolver: a testsrc2 picture
 * with a strip along the bottom that spells the frame number in binary (16 bars, bar b white when bit b
 * of N is set). Reading the strip back from the <video> element proves which frame is on screen,
 * independently of what the UI claims.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths';

const execFileP = promisify(execFile);

export interface TestClip {
  path: string;
  fps: number;
  frameCount: number;
  width: number;
  height: number;
  /** Rows [stripTop, height) hold the frame-number bars. */
  stripTop: number;
  bars: number;
}

async function ffmpegPath(): Promise<string> {
  const mod = (await import(path.join(REPO_ROOT, 'packages/engine/dist/media/ffmpeg-path.js'))) as { resolveFfmpeg(): { path: string } };
  return mod.resolveFfmpeg().path;
}

export interface NumberedClipOptions {
  name: string;
  fps?: number; // default 25
  seconds?: number; // default 3
  width?: number; // default 320
  height?: number; // default 240
  /** 'h264' → MP4 Chromium plays as is (B-frames on, default GOP); 'mjpeg' → AVI that needs a playback proxy. */
  codec?: 'h264' | 'mjpeg';
  /** Shift every timestamp so the stream starts here instead of 0 (what some recorders write). */
  startOffsetS?: number;
}

export async function makeNumberedClip(dir: string, o: NumberedClipOptions): Promise<TestClip> {
  const fps = o.fps ?? 25;
  const width = o.width ?? 320;
  const height = o.height ?? 240;
  const strip = 16;
  const bars = 16;
  const out = path.join(dir, o.name);
  const frameCount = Math.round(fps * (o.seconds ?? 3));
  const graph = [
    `testsrc2=size=${width}x${height}:rate=${fps},format=yuv420p[bg]`,
    `color=c=black:size=${width}x${strip}:rate=${fps},format=gray,geq=lum='if(bitand(floor(N/pow(2,floor(X*${bars}/W))),1),235,16)',format=yuv420p[bits]`,
    `[bg][bits]overlay=x=0:y=${height - strip}:shortest=1[out]`,
  ].join(';');
  const codec =
    (o.codec ?? 'h264') === 'h264'
      ? ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-pix_fmt', 'yuv420p', '-movflags', '+faststart']
      : ['-c:v', 'mjpeg', '-q:v', '3', '-pix_fmt', 'yuvj420p'];
  const offset = o.startOffsetS ? ['-output_ts_offset', String(o.startOffsetS)] : [];
  await execFileP(
    await ffmpegPath(),
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-filter_complex', graph, '-map', '[out]', '-frames:v', String(frameCount), ...codec, ...offset, out],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return { path: out, fps, frameCount, width, height, stripTop: height - strip, bars };
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
