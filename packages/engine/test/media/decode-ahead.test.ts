/**
 * Decoding ahead in a worker thread (decode-ahead.ts): the same frames and errors as reading ffmpeg in
 * the caller's thread, ffmpeg gone as soon as a read stops (break, abort, even while the caller is not
 * pulling), and a read that still works when the thread cannot start. The thread module is the compiled
 * one (dist), as for the job workers: tests run after the build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.js';
import { decodeAheadStatus, decodeFrames } from '../../src/media/decode-ahead.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg-path.js';
import { readFrames, type Frame, type ReadFramesOptions, type YuvFrame } from '../../src/media/frame-reader.js';
import type { FrameStreamSpec, RawFrame } from '../../src/media/frame-stream.js';
import { decodeIndexPattern, makeClip, makeTempDir } from '../helpers/media.js';

let dir: string;
let cleanup: () => Promise<void>;
let clip: string; // 60 frames at 25 fps, GOP 12, B-frames, frames spell their index

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  clip = await makeClip(dir, { name: 'index.mp4', seconds: 2.4, fps: 25, width: 160, height: 96, content: 'indexPattern', gop: 12 });
});
afterAll(() => cleanup());

async function collect<F>(it: AsyncIterable<F>): Promise<F[]> {
  const out: F[] = [];
  for await (const f of it) out.push(f);
  return out;
}

/** ffmpeg processes this process started that still exist (zombies included), from /proc. */
function ffmpegChildren(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid ...": comm may contain spaces, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (ppid === process.pid && comm === 'ffmpeg') out.push(Number(d));
  }
  return out;
}
const hasProc = existsSync('/proc/self/stat');

const rawSpec = (file: string): FrameStreamSpec => ({
  ffmpeg: resolveFfmpeg().path,
  args: ['-hide_banner', '-nostats', '-nostdin', '-loglevel', 'info', '-i', file, '-vf', 'format=gray,showinfo', '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
  format: 'gray',
  filePath: file,
});

describe('decoding ahead in a thread', () => {
  it('is available from the build', () => {
    expect(decodeAheadStatus()).toEqual({ available: true, reason: null });
  });

  it('gives the same frames (index, time, pixels) as reading in the caller thread', async () => {
    const cases: ReadFramesOptions[] = [
      { format: 'gray' },
      { format: 'rgb24', width: 80, fps: 5 },
      { format: 'yuv420p', startFrame: 31 },
      { format: 'gray', startFrame: 5, endFrame: 9 },
    ];
    for (const o of cases) {
      const ahead = await collect<Frame | YuvFrame>(readFrames(clip, { ...o, decodeAhead: true }));
      const inline = await collect<Frame | YuvFrame>(readFrames(clip, { ...o, decodeAhead: false }));
      expect(ahead.length, JSON.stringify(o)).toBeGreaterThan(0);
      expect(ahead.map((f) => [f.index, f.time, f.width, f.height])).toEqual(inline.map((f) => [f.index, f.time, f.width, f.height]));
      ahead.forEach((f, i) => expect(Buffer.compare(Buffer.from(f.data), Buffer.from(inline[i].data))).toBe(0));
      // Each frame owns its bytes (transferred whole from the thread).
      for (const f of ahead) expect(f.data.byteLength).toBe(f.data.buffer.byteLength);
    }
  });

  it('reports a failed decode with the same error as the caller thread does', async () => {
    // A file ffmpeg opens and then fails on (the probe would refuse a fake file before any decoding).
    const truncated = path.join(dir, 'truncated.mp4');
    await writeFile(truncated, readFileSync(clip).subarray(0, 2000));
    const spec = rawSpec(truncated);
    const ahead = await collect(decodeFrames(spec, { thread: true })).catch((e: unknown) => e);
    const inline = await collect(decodeFrames(spec, { thread: false })).catch((e: unknown) => e);
    expect(inline).toBeInstanceOf(VigilError);
    expect(ahead).toBeInstanceOf(VigilError);
    expect((ahead as VigilError).code).toBe('unsupported_media');
    expect([(ahead as VigilError).code, (ahead as VigilError).message, (ahead as VigilError).details]).toEqual([
      (inline as VigilError).code,
      (inline as VigilError).message,
      (inline as VigilError).details,
    ]);
  });

  it.skipIf(!hasProc)('leaves no ffmpeg behind after break or abort, in the thread or not', async () => {
    for (const decodeAhead of [true, false]) {
      expect(ffmpegChildren()).toEqual([]);
      let seen = 0;
      for await (const f of readFrames(clip, { format: 'gray', decodeAhead })) {
        if (f.index === 3) {
          seen = ffmpegChildren().length;
          break;
        }
      }
      expect(seen, `ffmpeg runs during the read (decodeAhead ${decodeAhead})`).toBe(1);
      expect(ffmpegChildren(), `after break (decodeAhead ${decodeAhead})`).toEqual([]);

      const ac = new AbortController();
      const err = await (async () => {
        for await (const f of readFrames(clip, { format: 'gray', decodeAhead, signal: ac.signal })) if (f.index === 2) ac.abort();
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VigilError);
      expect((err as VigilError).code).toBe('cancelled');
      expect(ffmpegChildren(), `after abort (decodeAhead ${decodeAhead})`).toEqual([]);
    }
  });

  it.skipIf(!hasProc)('kills ffmpeg on abort while the caller is not pulling', async () => {
    const ac = new AbortController();
    const it = readFrames(clip, { format: 'gray', decodeAhead: true, signal: ac.signal });
    expect((await it.next()).value?.index).toBe(0);
    expect(ffmpegChildren()).toHaveLength(1);
    ac.abort();
    // The thread kills ffmpeg on its own; the caller has not asked for another frame.
    for (let k = 0; k < 100 && ffmpegChildren().length > 0; k++) await new Promise((r) => setTimeout(r, 50));
    expect(ffmpegChildren()).toEqual([]);
    await expect(it.next()).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('reads in the caller thread when the thread module cannot load', async () => {
    const broken = path.join(dir, 'broken-thread.mjs');
    await writeFile(broken, 'throw new Error("cannot load");\n');
    for (const script of [pathToFileURL(broken), pathToFileURL(path.join(dir, 'missing-thread.js'))]) {
      const frames: RawFrame[] = await collect(decodeFrames(rawSpec(clip), { script }));
      expect(frames.map((f) => decodeIndexPattern(f.data, f.width, f.height))).toEqual(Array.from({ length: 60 }, (_, i) => i));
    }
  });

  it.skipIf(!hasProc)('keeps at most the budget in flight while the caller is stalled', async () => {
    const big = await makeClip(dir, { name: 'big.mp4', seconds: 4, fps: 25, width: 320, height: 240, content: 'gray' });
    const spec: FrameStreamSpec = { ...rawSpec(big), format: 'rgb24', args: rawSpec(big).args.map((a) => (a === 'gray' ? 'rgb24' : a === 'format=gray,showinfo' ? 'showinfo,format=rgb24' : a)) };
    const frameBytes = 320 * 240 * 3;
    /**
     * Frames ffmpeg has written while the caller stalls after the first frame (its bytes written, from
     * /proc; the caller's own memory does not show frames transferred from the thread). Infinity when
     * ffmpeg has already written everything and exited.
     */
    const writtenDuringStall = async (maxFrames: number): Promise<number> => {
      let written = NaN;
      let n = 0;
      for await (const f of decodeFrames(spec, { maxFrames, maxBytes: 2 ** 40 })) {
        expect(f.data.length).toBe(frameBytes);
        if (n++ === 0) {
          await new Promise((r) => setTimeout(r, 1500));
          const [pid] = ffmpegChildren();
          written = pid === undefined ? Infinity : Number(/wchar:\s*(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]) / frameBytes;
        }
      }
      expect(n).toBe(100);
      return written;
    };
    // Control: with no limit the thread reads on for as long as the caller stalls.
    expect(await writtenDuringStall(1000)).toBeGreaterThan(50);
    // 3 in flight, plus what the pipe, the stream's read-ahead and a write in progress hold (about 2
    // frames of this size).
    expect(await writtenDuringStall(3)).toBeLessThan(8);
  });
});
