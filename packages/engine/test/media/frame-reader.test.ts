import path from 'node:path';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.js';
import { readFrameAt, readFrames, type Frame } from '../../src/media/frame-reader.js';
import { probe } from '../../src/media/probe.js';
import { sha256File } from '../../src/media/hash.js';
import { clipFrameTime, decodeIndexPattern, makeClip, makeMovingBoxClip, makeTempDir, runFfmpeg } from '../helpers/media.js';

let dir: string;
let cleanup: () => Promise<void>;
let cfr: string; // 60 frames at 25 fps, GOP 12, with B-frames
const CFR = { fps: 25 };
let vfr: string;
const VFR = { fps: 20, vfrGap: { atFrame: 15, gapS: 0.75 } };

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  cfr = await makeClip(dir, { name: 'index.mp4', seconds: 2.4, fps: 25, width: 160, height: 96, content: 'indexPattern', gop: 12 });
  vfr = await makeClip(dir, { name: 'vfr.mkv', seconds: 2, fps: 20, width: 160, height: 96, content: 'indexPattern', bframes: 0, vfrGap: VFR.vfrGap });
});
afterAll(() => cleanup());

async function collect(it: AsyncIterable<Frame>): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

function expectSelfConsistent(f: Frame, timing: Parameters<typeof clipFrameTime>[0]): void {
  expect(decodeIndexPattern(f.data, f.width, f.height, f.channels)).toBe(f.index);
  expect(f.time).toBeCloseTo(clipFrameTime(timing, f.index), 9);
}

describe('readFrames', () => {
  it('delivers every frame once with its exact index and time (gray, native size)', async () => {
    const frames = await collect(readFrames(cfr, { format: 'gray' }));
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const f of frames) {
      expect([f.width, f.height, f.channels, f.data.length]).toEqual([160, 96, 1, 160 * 96]);
      expectSelfConsistent(f, CFR);
    }
  });

  it('scales (one side keeps aspect, rounded to even) and converts to rgb24', async () => {
    const frames = await collect(readFrames(cfr, { format: 'rgb24', width: 80, endFrame: 4 }));
    expect(frames).toHaveLength(5);
    for (const f of frames) {
      expect([f.width, f.height, f.channels, f.data.length]).toEqual([80, 48, 3, 80 * 48 * 3]);
      expectSelfConsistent(f, CFR);
    }
    const odd = await collect(readFrames(cfr, { format: 'gray', height: 50, endFrame: 0 }));
    expect([odd[0].width, odd[0].height]).toEqual([84, 50]);
  });

  it('subsamples by time while keeping source indices', async () => {
    const frames = await collect(readFrames(cfr, { format: 'gray', fps: 5 }));
    expect(frames.map((f) => f.index)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
    frames.forEach((f) => expectSelfConsistent(f, CFR));
    const odd = await collect(readFrames(cfr, { format: 'gray', fps: 10, endFrame: 12 }));
    // 2.5 source frames per step: the first frame at or after each 0.1 s boundary.
    expect(odd.map((f) => f.index)).toEqual([0, 3, 5, 8, 10]);
  });

  it('honours start/end frame ranges, seeking past keyframes exactly', async () => {
    const frames = await collect(readFrames(cfr, { format: 'gray', startFrame: 31, endFrame: 40 }));
    expect(frames.map((f) => f.index)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
    frames.forEach((f) => expectSelfConsistent(f, CFR));
    const tail = await collect(readFrames(cfr, { format: 'gray', startFrame: 57 }));
    expect(tail.map((f) => f.index)).toEqual([57, 58, 59]);
  });

  it('reports real timestamps on a VFR clip', async () => {
    const p = await probe(vfr);
    expect(p.vfr).toBe(true);
    const frames = await collect(readFrames(vfr, { format: 'gray', probe: p }));
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    frames.forEach((f) => expectSelfConsistent(f, VFR));
    expect(frames[15].time - frames[14].time).toBeCloseTo(0.8, 9);
    // Sampling at 4 fps follows time, so the gap yields fewer samples than the index count suggests.
    const sampled = await collect(readFrames(vfr, { format: 'gray', fps: 4, probe: p }));
    const expected: number[] = [];
    let last = -Infinity;
    for (let k = 0; k < 40; k++) {
      const cell = Math.floor(clipFrameTime(VFR, k) * 4 + 1e-6);
      if (cell > last) {
        expected.push(k);
        last = cell;
      }
    }
    expect(sampled.map((f) => f.index)).toEqual(expected);
    sampled.forEach((f) => expectSelfConsistent(f, VFR));
    const late = await collect(readFrames(vfr, { format: 'gray', startFrame: 20, endFrame: 22, probe: p }));
    expect(late.map((f) => f.index)).toEqual([20, 21, 22]);
    late.forEach((f) => expectSelfConsistent(f, VFR));
  });

  it('reads an MJPEG AVI and a path with spaces, unicode and quotes', async () => {
    const sub = path.join(dir, `cas "A" — l'été`);
    await mkdir(sub);
    const avi = await makeClip(sub, { name: `cam 2 «nord».avi`, seconds: 1, fps: 10, content: 'indexPattern', width: 160, height: 96 });
    const frames = await collect(readFrames(avi, { format: 'gray' }));
    expect(frames).toHaveLength(10);
    frames.forEach((f) => expectSelfConsistent(f, { fps: 10 }));
  });

  it('times raw elementary streams by index / fps (their timestamps are invented)', async () => {
    const raw = await makeClip(dir, { name: 'raw.264', seconds: 1, fps: 10, content: 'indexPattern', width: 160, height: 96 });
    const p = await probe(raw);
    expect(p.hasTimestamps).toBe(false);
    const frames = await collect(readFrames(raw, { format: 'gray', probe: p }));
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    for (const f of frames) {
      expect(decodeIndexPattern(f.data, f.width, f.height)).toBe(f.index);
      expect(f.time).toBe(f.index / p.fpsAvg);
    }
  });

  it('delivers rotated footage display-side up', async () => {
    const plain = await makeClip(dir, { name: 'plain.mp4', seconds: 0.2, width: 160, height: 96 });
    const rot = path.join(dir, 'rot.mp4');
    await runFfmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rot]);
    const p = await probe(rot);
    const frames = await collect(readFrames(rot, { format: 'gray', probe: p }));
    expect(frames).toHaveLength(5);
    for (const f of frames) expect([f.width, f.height]).toEqual([p.displayWidth, p.displayHeight]);
    expect([p.displayWidth, p.displayHeight]).toEqual([96, 160]);
  });

  it('refuses a text file renamed .mp4 and leaves sources untouched', async () => {
    const fake = path.join(dir, 'fake.mp4');
    await writeFile(fake, 'not a video at all\n');
    await expect(collect(readFrames(fake, { format: 'gray' }))).rejects.toMatchObject({ code: 'unsupported_media' });
    const before = await sha256File(cfr);
    await collect(readFrames(cfr, { format: 'rgb24', startFrame: 20, endFrame: 30 }));
    await readFrameAt(cfr, 44, { format: 'gray' });
    expect(await sha256File(cfr)).toBe(before);
  });

  it('sees the moving box where the helper says it is', async () => {
    const clip = await makeMovingBoxClip(dir, {
      name: 'box.mp4', seconds: 1, fps: 10, width: 160, height: 120,
      objects: [{ w: 20, h: 20, x0: 10, y0: 50, vx: 100 }],
    });
    const frames = await collect(readFrames(clip.path, { format: 'gray' }));
    expect(frames).toHaveLength(clip.frameCount);
    for (const f of frames) {
      const [b] = clip.boxesAt(f.index);
      expect(b).not.toBeNull();
      const px = (x: number, y: number) => f.data[y * f.width + x];
      expect(px(b!.x + 10, b!.y + 10)).toBeGreaterThan(200); // inside
      expect(px(b!.x + 10, b!.y - 6)).toBeLessThan(40); // above
      if (b!.x >= 6) expect(px(b!.x - 6, b!.y + 10)).toBeLessThan(40); // left
    }
  });

  it('stops ffmpeg on early exit and on abort', async () => {
    let n = 0;
    for await (const f of readFrames(cfr, { format: 'gray' })) {
      n++;
      if (f.index === 3) break;
    }
    expect(n).toBe(4);
    const ac = new AbortController();
    let err: unknown;
    try {
      for await (const f of readFrames(cfr, { format: 'gray', signal: ac.signal })) {
        if (f.index === 2) ac.abort();
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('cancelled');
  });

  it('keeps memory bounded when the consumer is slow (backpressure)', async () => {
    const big = await makeClip(dir, { name: 'big.mp4', seconds: 4, fps: 25, width: 320, height: 240, content: 'gray' });
    const frameBytes = 320 * 240 * 3; // 100 frames = 23 MB
    const before = process.memoryUsage().arrayBuffers;
    let n = 0;
    let stalledExtra = 0;
    for await (const f of readFrames(big, { format: 'rgb24' })) {
      n++;
      expect(f.data.length).toBe(frameBytes);
      if (n === 1) {
        // Stall long enough for ffmpeg to decode the whole clip if nothing held it back. Whatever it
        // pushed meanwhile would be live (unconsumed) memory, so it cannot hide from the measurement.
        await new Promise((r) => setTimeout(r, 1500));
        stalledExtra = process.memoryUsage().arrayBuffers - before;
      }
    }
    expect(n).toBe(100);
    expect(stalledExtra).toBeLessThan(10 * frameBytes);
  });

  it('rejects bad options and missing files clearly', async () => {
    await expect(collect(readFrames(cfr, { format: 'bgr' as 'gray' }))).rejects.toThrow(/Unknown frame format/);
    await expect(collect(readFrames(cfr, { format: 'gray', startFrame: 5, endFrame: 2 }))).rejects.toThrow(/before startFrame/);
    await expect(collect(readFrames(path.join(dir, 'missing.mp4'), { format: 'gray' }))).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('readFrameAt', () => {
  it('returns exactly the requested frame', async () => {
    const p = await probe(cfr);
    for (const k of [0, 1, 11, 12, 13, 29, 47, 59]) {
      const f = await readFrameAt(cfr, k, { format: 'gray', probe: p });
      expect(f.index).toBe(k);
      expectSelfConsistent(f, CFR);
    }
  });

  it('rejects an index past the end', async () => {
    await expect(readFrameAt(cfr, 60, { format: 'gray' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('matches sequential reading on a copy (no state shared between files)', async () => {
    const copy = path.join(dir, 'copy.mp4');
    await copyFile(cfr, copy);
    const seq = await collect(readFrames(copy, { format: 'gray', endFrame: 30 }));
    const one = await readFrameAt(copy, 30, { format: 'gray' });
    expect(Buffer.compare(Buffer.from(one.data), Buffer.from(seq[30].data))).toBe(0);
    expect(one.time).toBe(seq[30].time);
  });
});
