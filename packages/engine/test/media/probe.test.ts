import { copyFile, mkdir, readFile, truncate, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.js';
import { sha256File } from '../../src/media/hash.js';
import { probe } from '../../src/media/probe.js';
import { makeClip, makeTempDir, runFfmpeg } from '../helpers/media.js';

let dir: string;
let cleanup: () => Promise<void>;
let mp4: string;
let avi: string;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
  mp4 = await makeClip(dir, { name: 'clip.mp4', seconds: 2, fps: 25, width: 160, height: 120, audio: true });
  avi = await makeClip(dir, { name: 'clip.avi', seconds: 2, fps: 10, codec: 'mjpeg' });
});
afterAll(() => cleanup());

async function probeError(p: string): Promise<VigilError> {
  try {
    await probe(p);
  } catch (e) {
    expect(e).toBeInstanceOf(VigilError);
    return e as VigilError;
  }
  throw new Error(`probe(${p}) did not fail`);
}

describe('probe', () => {
  it('describes an H.264 MP4 with audio', async () => {
    const before = await sha256File(mp4);
    const r = await probe(mp4);
    expect(r.container).toContain('mp4');
    expect(r.codec).toBe('h264');
    expect(r.pixFmt).toBe('yuv420p');
    expect([r.width, r.height, r.displayWidth, r.displayHeight, r.rotation]).toEqual([160, 120, 160, 120, 0]);
    expect(r.fpsAvg).toBe(25);
    expect(r.fpsReal).toBe(25);
    expect(r.frameCount).toBe(50);
    expect(r.frameCountSource).toBe('nb_frames');
    expect(r.durationS).toBeCloseTo(2, 2);
    expect(r.startTimeS).toBe(0);
    expect(r.vfr).toBe(false);
    expect(r.audio).toHaveLength(1);
    expect(r.audio[0]).toMatchObject({ codec: 'aac', channels: 1, sampleRate: 44100 });
    expect(r.videoStreamCount).toBe(1);
    expect(r.browserPlayable).toBe(true);
    expect(r.timingSource).toMatch(/container pts/);
    expect(r.hasTimestamps).toBe(true);
    expect(r.sizeBytes).toBe((await stat(mp4)).size);
    expect(r.warnings).toEqual([]);
    expect(await sha256File(mp4)).toBe(before);
  });

  it('MJPEG AVI is analysable but not browser-playable', async () => {
    const r = await probe(avi);
    expect(r.container).toBe('avi');
    expect(r.codec).toBe('mjpeg');
    expect(r.frameCount).toBe(20);
    expect(r.fpsAvg).toBe(10);
    expect(r.browserPlayable).toBe(false);
  });

  it('counts packets when the container has no frame count (Matroska)', async () => {
    const mkv = await makeClip(dir, { name: 'clip.mkv', seconds: 1.2, fps: 25 });
    const r = await probe(mkv);
    expect(r.frameCount).toBe(30);
    expect(r.frameCountSource).toBe('packets');
    const decoded = await probe(mkv, { countFrames: 'decode' });
    expect(decoded.frameCount).toBe(30);
    expect(decoded.frameCountSource).toBe('decoded');
    const header = await probe(mkv, { countFrames: 'header' });
    expect(header.frameCountSource).toBe('estimated');
    expect(header.frameCount).toBe(30);
  });

  it('detects variable frame rate from real timestamps', async () => {
    const vfr = await makeClip(dir, { name: 'vfr.mp4', seconds: 2, fps: 25, bframes: 0, vfrGap: { atFrame: 25, gapS: 0.4 } });
    const r = await probe(vfr);
    expect(r.vfr).toBe(true);
    expect(r.frameCount).toBe(50);
    expect(r.durationS).toBeCloseTo(2.4, 1);
    const cfr = await probe(mp4);
    expect(cfr.vfr).toBe(false);
  });

  it('reports rotation and display size', async () => {
    const rot = await makeClip(dir, { name: 'rot.mp4', seconds: 0.4, width: 160, height: 96 });
    const tagged = path.join(dir, 'rotated.mp4');
    await runFfmpeg(['-i', rot, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', tagged]);
    const r = await probe(tagged);
    expect([90, 270]).toContain(r.rotation);
    expect([r.width, r.height]).toEqual([160, 96]);
    expect([r.displayWidth, r.displayHeight]).toEqual([96, 160]);
  });

  it('flags codecs and pixel formats Chromium cannot play', async () => {
    const hevc = await probe(await makeClip(dir, { name: 'hevc.mp4', seconds: 0.4, codec: 'hevc' }));
    expect(hevc.codec).toBe('hevc');
    expect(hevc.browserPlayable).toBe(false);
    const tenBit = await probe(await makeClip(dir, { name: 'ten.mp4', seconds: 0.4, pixFmt: 'yuv444p' }));
    expect(tenBit.pixFmt).toBe('yuv444p');
    expect(tenBit.browserPlayable).toBe(false);
    const raw = await probe(await makeClip(dir, { name: 'raw.264', seconds: 0.4 }));
    expect(raw.container).toBe('h264');
    expect(raw.browserPlayable).toBe(false);
    expect(raw.frameCount).toBe(10);
    expect(raw.timingSource).toMatch(/raw/);
    expect(raw.hasTimestamps).toBe(false);
    const webm = await probe(await makeClip(dir, { name: 'clip.webm', seconds: 0.4 }));
    expect(webm.codec).toBe('vp9');
    expect(webm.browserPlayable).toBe(true);
  });

  it('works with spaces, unicode and quotes in the path', async () => {
    const sub = path.join(dir, `dossier "é" l'été ✓`);
    await mkdir(sub);
    const p = path.join(sub, `caméra 1 "nord".mp4`);
    await copyFile(mp4, p);
    const r = await probe(p);
    expect(r.frameCount).toBe(50);
    expect(r.path).toBe(p);
  });

  describe('bad input', () => {
    it('missing file → not_found', async () => {
      const e = await probeError(path.join(dir, 'nope.mp4'));
      expect(e.code).toBe('not_found');
      expect(e.message).toContain('nope.mp4');
    });

    it('directory → invalid_input', async () => {
      const e = await probeError(dir);
      expect(e.code).toBe('invalid_input');
      expect(e.message).toMatch(/folder/);
    });

    it('zero-byte file → unsupported_media', async () => {
      const p = path.join(dir, 'empty.mp4');
      await writeFile(p, '');
      const e = await probeError(p);
      expect(e.code).toBe('unsupported_media');
      expect(e.message).toMatch(/"empty\.mp4" is empty/);
    });

    it('text renamed .mp4 → unsupported_media naming the file, with a short reason', async () => {
      const p = path.join(dir, 'notes.mp4');
      await writeFile(p, 'These are my case notes, not a video.\n'.repeat(20));
      const e = await probeError(p);
      expect(e.code).toBe('unsupported_media');
      expect(e.message).toMatch(/^"notes\.mp4" is not a readable video file \(ffprobe: .+\)\.$/);
      expect(e.message).not.toContain(dir);
      expect(e.message.length).toBeLessThan(300);
    });

    it('truncated MP4 (cut at half, index at the end) → unsupported_media', async () => {
      const p = path.join(dir, 'cut.mp4');
      await copyFile(mp4, p);
      await truncate(p, Math.floor((await stat(p)).size / 2));
      const e = await probeError(p);
      expect(e.code).toBe('unsupported_media');
      expect(e.message).toContain('cut.mp4');
    });

    it('truncated fast-start MP4 keeps what can be read and warns', async () => {
      const fs = await makeClip(dir, { name: 'fast.mp4', seconds: 2, extraArgs: ['-movflags', '+faststart'] });
      const p = path.join(dir, 'fastcut.mp4');
      await copyFile(fs, p);
      await truncate(p, Math.floor((await stat(p)).size / 2));
      const r = await probe(p);
      expect(r.frameCount).toBeGreaterThan(0);
      expect(r.frameCount).toBeLessThan(50);
      expect(r.frameCountSource).toBe('packets');
      expect(r.warnings.join(' ')).toMatch(/declares 50 frames/);
    });

    it('audio-only file → unsupported_media', async () => {
      const p = path.join(dir, 'voice.m4a');
      await runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=300:duration=1', '-c:a', 'aac', p]);
      const e = await probeError(p);
      expect(e.code).toBe('unsupported_media');
      expect(e.message).toMatch(/"voice\.m4a" contains only audio/);
    });

    it('absurd dimensions → unsupported_media', async () => {
      const p = path.join(dir, 'huge.mkv');
      await runFfmpeg(['-f', 'lavfi', '-i', 'color=c=black:size=16400x16:rate=1', '-frames:v', '1', '-c:v', 'ffv1', p]);
      const e = await probeError(p);
      expect(e.code).toBe('unsupported_media');
      expect(e.message).toMatch(/16400×16.*16384/);
    });

    it('the source file is never modified', async () => {
      const bytes = await readFile(avi);
      await probe(avi);
      await probe(avi, { countFrames: 'decode' });
      expect(Buffer.compare(await readFile(avi), bytes)).toBe(0);
    });
  });
});
