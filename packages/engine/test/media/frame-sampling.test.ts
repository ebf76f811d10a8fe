/**
 * Subsampling inside ffmpeg (select filter + packet-table indices) must give exactly what decoding every
 * frame and keeping the first frame of each 1/fps cell gives: same indices, times and pixels. The oracle
 * here is that rule applied in the test to a full read (no fps), which never uses the packet table.
 */
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFrames, sampleSelectExpr, type Frame, type ReadFramesOptions, type YuvFrame } from '../../src/media/frame-reader.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg-path.js';
import { probe } from '../../src/media/probe.js';
import { clipFrameTime, decodeIndexPattern, makeClip, makeTempDir, runFfmpeg } from '../helpers/media.js';

let dir: string;
let cleanup: () => Promise<void>;
let bframes: string; // 60 frames at 25 fps, GOP 12, B-frames (pts order differs from decode order)
let vfr: string; // 40 frames at 20 fps with a 0.75 s pause after frame 15

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  bframes = await makeClip(dir, { name: 'bframes.mp4', seconds: 2.4, fps: 25, width: 160, height: 96, content: 'indexPattern', gop: 12, bframes: 3 });
  vfr = await makeClip(dir, { name: 'vfr.mkv', seconds: 2, fps: 20, width: 160, height: 96, content: 'indexPattern', bframes: 0, vfrGap: { atFrame: 15, gapS: 0.75 } });
});
afterAll(() => cleanup());

async function collect<F extends Frame | YuvFrame>(it: AsyncIterable<F>): Promise<F[]> {
  const out: F[] = [];
  for await (const f of it) out.push(f);
  return out;
}

/** The sampling rule applied to every decoded frame, outside the reader. */
function sampleRule<F extends { time: number }>(all: F[], fps: number): F[] {
  const kept: F[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const f of all) {
    const cell = Math.floor(f.time * fps + 1e-6);
    if (cell > last) {
      kept.push(f);
      last = cell;
    }
  }
  return kept;
}

async function expectSameAsFullRead(file: string, fps: number, opts: Omit<ReadFramesOptions, 'fps' | 'onFallback'>): Promise<{ frames: (Frame | YuvFrame)[]; fallbacks: string[] }> {
  const fallbacks: string[] = [];
  const all = await collect(readFrames(file, opts));
  const sampled = await collect(readFrames(file, { ...opts, fps, onFallback: (r) => fallbacks.push(r) }));
  const expected = sampleRule(all, fps);
  expect(sampled.map((f) => [f.index, f.time])).toEqual(expected.map((f) => [f.index, f.time]));
  sampled.forEach((f, i) => expect(Buffer.compare(Buffer.from(f.data), Buffer.from(expected[i].data))).toBe(0));
  return { frames: sampled, fallbacks };
}

/** Times of the frames ffmpeg's select passes with `expr`, straight from showinfo. */
async function selectedTimes(file: string, expr: string): Promise<number[]> {
  const child = spawn(resolveFfmpeg().path, ['-hide_banner', '-nostats', '-copyts', '-i', file, '-vf', `select='${expr}',showinfo`, '-vsync', '0', '-f', 'null', '-']);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  await new Promise((r) => child.on('close', r));
  return [...err.matchAll(/showinfo.*?pts_time:\s*(\S+)/g)].map((m) => Number(m[1]));
}

describe('subsampling inside ffmpeg', () => {
  it('the select expression passes exactly the first frame of each cell on a CFR clip', async () => {
    const p = await probe(bframes);
    for (const fps of [10, 5, 7]) {
      const times = await selectedTimes(bframes, sampleSelectExpr(fps, p.startTimeS));
      const expected = sampleRule(Array.from({ length: 60 }, (_, k) => ({ time: clipFrameTime({ fps: 25 }, k) })), fps).map((f) => f.time);
      expect(times.map((t) => t - p.startTimeS)).toEqual(expected.map((t) => expect.closeTo(t, 9)));
    }
  });

  it('gives the same indices, times and pixels as the full read on a clip with B-frames', async () => {
    for (const fps of [10, 5, 7, 30]) {
      const { frames, fallbacks } = await expectSameAsFullRead(bframes, fps, { format: 'gray' });
      expect(fallbacks).toEqual([]);
      for (const f of frames) expect(decodeIndexPattern(f.data, f.width, f.height)).toBe(f.index);
    }
    const scaled = await expectSameAsFullRead(bframes, 10, { format: 'rgb24', width: 80 });
    expect(scaled.fallbacks).toEqual([]);
    expect(scaled.frames.map((f) => f.index)).toEqual([0, 3, 5, 8, 10, 13, 15, 18, 20, 23, 25, 28, 30, 33, 35, 38, 40, 43, 45, 48, 50, 53, 55, 58]);
    const yuv = await expectSameAsFullRead(bframes, 10, { format: 'yuv420p', width: 80, endFrame: 30 });
    expect(yuv.fallbacks).toEqual([]);
    expect(yuv.frames.at(-1)!.index).toBe(30);
  });

  it('follows real timestamps on a VFR clip', async () => {
    const p = await probe(vfr);
    for (const fps of [4, 3, 10]) {
      const { frames, fallbacks } = await expectSameAsFullRead(vfr, fps, { format: 'gray', probe: p });
      expect(fallbacks).toEqual([]);
      for (const f of frames) expect(decodeIndexPattern(f.data, f.width, f.height)).toBe(f.index);
    }
  });

  it('falls back before the first frame when the decoder drops leading frames', async () => {
    // Stream copy from 0.84 s keeping the non-keyframes before the next keyframe: ffmpeg's H.264 decoder
    // drops them, so decoded frame 0 is packet 3 and the packet table cannot number frames.
    const src = await makeClip(dir, { name: 'cut-src.mp4', seconds: 2.4, fps: 25, width: 160, height: 96, content: 'indexPattern', gop: 24, bframes: 0 });
    const cut = path.join(dir, 'cut.mkv');
    await runFfmpeg(['-i', src, '-ss', '0.84', '-c', 'copy', '-copyinkf', cut]);
    const { frames, fallbacks } = await expectSameAsFullRead(cut, 5, { format: 'gray' });
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatch(/packet \d+ but decoded frame 0/);
    expect(frames[0].index).toBe(0);
  });

  it('falls back mid-stream (a repeated timestamp) and continues after the last frame delivered', async () => {
    // Lossless, intra-only, frames 20 and 21 share a pts: the table cannot tell them apart.
    const dup = path.join(dir, 'dup.mkv');
    await runFfmpeg([
      '-f', 'lavfi', '-i', "color=c=black:size=160x96:rate=10,format=gray,geq=lum='if(bitand(floor(N/pow(2,floor(X*16/W))),1),235,16)'",
      '-vf', "setpts='N-eq(N,21)'", '-frames:v', '40', '-vsync', '0', '-c:v', 'ffv1', '-pix_fmt', 'yuv420p', dup,
    ]);
    const { frames, fallbacks } = await expectSameAsFullRead(dup, 5, { format: 'gray' });
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatch(/not exactly one packet/);
    expect(frames.map((f) => f.index)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38]);
    for (const f of frames) expect(decodeIndexPattern(f.data, f.width, f.height)).toBe(f.index);
  });

  it('samples raw elementary streams (no timestamps) by index / fps, without the packet table', async () => {
    const raw = await makeClip(dir, { name: 'raw.264', seconds: 2, fps: 25, content: 'indexPattern', width: 160, height: 96 });
    const p = await probe(raw);
    const { frames, fallbacks } = await expectSameAsFullRead(raw, 10, { format: 'gray', probe: p });
    expect(fallbacks).toEqual([]);
    expect(frames.map((f) => f.index)).toEqual([0, 3, 5, 8, 10, 13, 15, 18, 20, 23, 25, 28, 30, 33, 35, 38, 40, 43, 45, 48]);
  });
});

describe('skipping unreferenced frames while subsampling', () => {
  /** Cell of each frame under the sampling rule. */
  const cells = (frames: { time: number }[], fps: number): number[] => frames.map((f) => Math.floor(f.time * fps + 1e-6));

  /**
   * With skipping, every cell the full read has gets exactly one frame of that cell, and each frame is
   * exactly the full read's frame of that index (pixels and time). Returns the sampled frames.
   */
  async function expectEveryCellOnce(file: string, fps: number, opts: Omit<ReadFramesOptions, 'fps' | 'onFallback' | 'skipUnreferenced'>) {
    const fallbacks: string[] = [];
    const all = await collect(readFrames(file, opts));
    const skipped = await collect(readFrames(file, { ...opts, fps, skipUnreferenced: true, onFallback: (r) => fallbacks.push(r) }));
    const rule = sampleRule(all, fps);
    expect(cells(skipped, fps)).toEqual(cells(rule, fps));
    const byIndex = new Map(all.map((f) => [f.index, f]));
    for (const f of skipped) {
      const full = byIndex.get(f.index)!;
      expect(f.time).toBe(full.time);
      expect(Buffer.compare(Buffer.from(f.data), Buffer.from(full.data))).toBe(0);
      expect(decodeIndexPattern(f.data, f.width, f.height)).toBe(f.index);
    }
    return { skipped, rule, fallbacks };
  }

  it('leaves out non-reference B-frames and still gives every 1/fps step one of its own frames', async () => {
    // x264's default B-pyramid: of three B-frames in a row the middle one is a reference, so no two
    // frames in a row are left out and every 2.5-frame step keeps a decodable frame.
    const pyramid = await makeClip(dir, { name: 'pyramid.mp4', seconds: 4, fps: 25, width: 160, height: 96, content: 'indexPattern', gop: 50, bframes: 3, extraArgs: ['-x264-params', 'b-adapt=0'] });
    const { skipped, rule, fallbacks } = await expectEveryCellOnce(pyramid, 10, { format: 'gray' });
    expect(fallbacks).toEqual([]);
    // Skipping happened: some steps are represented by a later frame than their first.
    expect(skipped.filter((f, i) => f.index !== rule[i].index).length).toBeGreaterThan(5);
  });

  it('reads again without skipping when a step would lose all its frames, and continues after the last one delivered', async () => {
    // Without a pyramid, three B-frames in a row are all unreferenced: some 2.5-frame steps hold only them.
    const flat = await makeClip(dir, { name: 'flat-b.mp4', seconds: 4, fps: 25, width: 160, height: 96, content: 'indexPattern', gop: 50, bframes: 3, extraArgs: ['-x264-params', 'b-adapt=0:b-pyramid=none'] });
    const { skipped, fallbacks } = await expectEveryCellOnce(flat, 10, { format: 'gray', width: 80 });
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatch(/frame \d+ was left out by the decoder and no other frame of its 1\/10 s step was decoded; reading again without skipping from the beginning$/);
    expect(skipped).toHaveLength(40);
    // Steps of five frames always keep the P-frame: no fallback.
    const five = await expectEveryCellOnce(flat, 5, { format: 'gray' });
    expect(five.fallbacks).toEqual([]);
  });

  it('reads again from the keyframe before a late gap, not from the beginning', async () => {
    // x264's adaptive B-frames without a pyramid, one thread (deterministic): on this content the first run
    // of unreferenced B-frames that swallows a whole step comes after the second keyframe (every 25 frames).
    const late = path.join(dir, 'late-gap.mp4');
    await runFfmpeg([
      '-f', 'lavfi', '-i', `color=c=black:size=160x96:rate=25,format=gray,geq=lum='if(bitand(floor(N/pow(2,floor(X*16/W))),1),235,16)'`,
      '-frames:v', '100', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '25', '-bf', '3',
      '-x264-params', 'b-adapt=1:b-pyramid=none:threads=1', '-pix_fmt', 'yuv420p', late,
    ]);
    const { skipped, fallbacks } = await expectEveryCellOnce(late, 10, { format: 'gray' });
    expect(skipped).toHaveLength(40);
    expect(fallbacks).toHaveLength(1);
    const m = /^frame (\d+) was left out by the decoder .*; reading again without skipping from (\d+\.\d+) s$/.exec(fallbacks[0]);
    expect(m, fallbacks[0]).not.toBeNull();
    const [gap, from] = [Number(m![1]), Number(m![2])];
    expect(gap).toBeGreaterThanOrEqual(25);
    // From a keyframe at or before the gap, past the first.
    expect(from).toBeGreaterThan(0);
    expect(from * 25).toBeLessThanOrEqual(gap);
  });

  it('does not skip when sampling keeps more than every second frame', async () => {
    const fallbacks: string[] = [];
    const all = await collect(readFrames(bframes, { format: 'gray' }));
    const sampled = await collect(readFrames(bframes, { format: 'gray', fps: 15, skipUnreferenced: true, onFallback: (r) => fallbacks.push(r) }));
    expect(sampled.map((f) => f.index)).toEqual(sampleRule(all, 15).map((f) => f.index));
    expect(fallbacks).toEqual([]);
  });
});

