import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.js';
import { readFrames, type Frame } from '../../src/media/frame-reader.js';
import { sha256File } from '../../src/media/hash.js';
import { readPacketIndex } from '../../src/media/packet-index.js';
import { probe } from '../../src/media/probe.js';
import {
  fpsRational,
  frameForProxyTime,
  makeProxy,
  needsProxy,
  proxySeekTimeForFrame,
  proxyTimeForFrame,
} from '../../src/media/proxy.js';
import { clipFrameTime, decodeIndexPattern, makeClip, makeTempDir, runFfmpeg } from '../helpers/media.js';

let dir: string;
let cleanup: () => Promise<void>;
let avi: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  avi = await makeClip(dir, { name: 'cam 1 «été».avi', seconds: 3, fps: 25, width: 160, height: 96, content: 'indexPattern', audio: true });
});
afterAll(() => cleanup());

async function collect(it: AsyncIterable<Frame>): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

describe('makeProxy', () => {
  it('turns an MJPEG AVI into a seekable H.264 MP4 with the same frames at k/fps', async () => {
    const src = await probe(avi);
    expect(needsProxy(src)).toBe(true);
    const hashBefore = await sha256File(avi);
    const progress: number[] = [];
    const out = path.join(dir, 'proxy.mp4');
    const r = await makeProxy(avi, out, { probe: src, onProgress: (f) => progress.push(f) });
    expect(r).toEqual({ path: out, gopFrames: 25, fps: 25, frameCount: 75, warnings: [] });
    expect(await sha256File(avi)).toBe(hashBefore);

    const px = await probe(out);
    expect(px.codec).toBe('h264');
    expect(px.pixFmt).toBe('yuv420p');
    expect(px.browserPlayable).toBe(true);
    expect(needsProxy(px)).toBe(false);
    expect(px.frameCount).toBe(75);
    expect(px.vfr).toBe(false);
    expect(px.audio.map((a) => a.codec)).toEqual(['aac']);

    // Keyframes exactly every 25 frames (≤ 1 s).
    const idx = await readPacketIndex(out, px.videoStreamIndex);
    const [num, den] = idx.timeBase;
    expect(Array.from(idx.keyframePts, (t) => frameForProxyTime((t * num) / den - px.startTimeS, r.fps))).toEqual([0, 25, 50]);

    // Proxy frame k shows source frame k, at k/fps.
    const frames = await collect(readFrames(out, { format: 'gray', probe: px }));
    expect(frames).toHaveLength(75);
    for (const f of frames) {
      expect(decodeIndexPattern(f.data, f.width, f.height)).toBe(f.index);
      expect(f.time).toBeCloseTo(proxyTimeForFrame(f.index, r.fps), 9);
      expect(frameForProxyTime(f.time, r.fps)).toBe(f.index);
    }

    // Progress rises to 1; no temporary file is left behind.
    expect(progress[progress.length - 1]).toBe(1);
    expect(progress.every((v, i) => i === 0 || v >= progress[i - 1])).toBe(true);
    expect(progress.length).toBeGreaterThan(2);
    expect((await readdir(dir)).filter((n) => n.includes('partial'))).toEqual([]);
  });

  it('evens out a VFR source one-to-one (frame k at k/fpsAvg)', async () => {
    const timing = { fps: 20, vfrGap: { atFrame: 10, gapS: 1 } };
    const vfr = await makeClip(dir, { name: 'vfr.mp4', seconds: 2, width: 160, height: 96, content: 'indexPattern', bframes: 0, ...timing });
    const src = await probe(vfr);
    expect(src.vfr).toBe(true);
    expect(needsProxy(src)).toBe(true);
    const srcFrames = await collect(readFrames(vfr, { format: 'gray', probe: src }));
    expect(srcFrames[10].time).toBeCloseTo(clipFrameTime(timing, 10), 9);

    const r = await makeProxy(vfr, path.join(dir, 'vfr-proxy.mp4'), { probe: src });
    expect(r.frameCount).toBe(40);
    expect(r.fps).toBeCloseTo(src.fpsAvg, 3);
    const frames = await collect(readFrames(r.path, { format: 'gray' }));
    expect(frames.map((f) => decodeIndexPattern(f.data, f.width, f.height))).toEqual(frames.map((f) => f.index));
    frames.forEach((f) => expect(f.time).toBeCloseTo(proxyTimeForFrame(f.index, r.fps), 6));
    expect((await probe(r.path)).vfr).toBe(false);
  });

  it('plays rotated footage upright', async () => {
    const plain = await makeClip(dir, { name: 'plain.mp4', seconds: 0.4, width: 160, height: 96, codec: 'hevc' });
    const rotated = path.join(dir, 'rotated.mp4');
    await runFfmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const src = await probe(rotated);
    expect([90, 270]).toContain(src.rotation);
    const r = await makeProxy(rotated, path.join(dir, 'rot-proxy.mp4'), { probe: src });
    const px = await probe(r.path);
    expect([px.width, px.height]).toEqual([96, 160]);
    expect(px.rotation).toBe(0);
  });

  it('cancel kills ffmpeg and leaves no file', async () => {
    const longer = await makeClip(dir, { name: 'long.avi', seconds: 20, fps: 25, width: 320, height: 240 });
    const hashBefore = await sha256File(longer);
    const ac = new AbortController();
    const out = path.join(dir, 'cancelled.mp4');
    let err: unknown;
    try {
      await makeProxy(longer, out, {
        signal: ac.signal,
        onProgress: (f) => {
          if (f > 0) ac.abort();
        },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('cancelled');
    const left = await readdir(dir);
    expect(left).not.toContain('cancelled.mp4');
    expect(left.filter((n) => n.includes('partial'))).toEqual([]);
    expect(await sha256File(longer)).toBe(hashBefore);
  });

  it('refuses to overwrite the source or write into a missing folder', async () => {
    await expect(makeProxy(avi, avi)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(makeProxy(avi, path.join(dir, 'no', 'such', 'p.mp4'))).rejects.toMatchObject({ code: 'invalid_input' });
    const bogus = path.join(dir, 'bogus.avi');
    await writeFile(bogus, 'not a video');
    await expect(makeProxy(bogus, path.join(dir, 'b.mp4'))).rejects.toMatchObject({ code: 'unsupported_media' });
  });
});

describe('proxy time mapping', () => {
  it('round-trips frame ↔ time at NTSC and integer rates', () => {
    expect(fpsRational(30000 / 1001)).toEqual([30000, 1001]);
    expect(fpsRational(25)).toEqual([25, 1]);
    expect(fpsRational(12.5)).toEqual([25, 2]);
    expect(fpsRational(2997 / 100)).toEqual([2997, 100]);
    for (const fps of [25, 30000 / 1001, 12.5, 60]) {
      for (let k = 0; k < 5000; k += 7) {
        expect(frameForProxyTime(proxyTimeForFrame(k, fps), fps)).toBe(k);
        expect(frameForProxyTime(proxySeekTimeForFrame(k, fps), fps)).toBe(k);
      }
    }
  });

  it('needsProxy is false for CFR H.264 MP4', async () => {
    const mp4 = await makeClip(dir, { name: 'ok.mp4', seconds: 0.4 });
    expect(needsProxy(await probe(mp4))).toBe(false);
  });
});
