/**
 * `vigil detect` on a real video made from a real photograph (5 frames, H.264): output shape, source
 * frame indices and times, `--fps` subsampling, boxes in source pixels; plus letterbox and NMS basics.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDetect } from '../../src/cli/commands/detect.js';
import { letterbox, letterboxMap, toSource } from '../../src/inference/letterbox.js';
import type { InputSpec } from '../../src/inference/manifest.js';
import { MODELS_DIR_ENV } from '../../src/inference/model-root.js';
import { classAwareNms, iou } from '../../src/inference/nms.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg-path.js';
import { buildModels } from '../../src/models-build/build.js';

const execFileP = promisify(execFile);
const tmp = mkdtempSync(path.join(tmpdir(), 'vigil-detect-cli-'));
const video = path.join(tmp, 'group.mp4');
const savedEnv = process.env[MODELS_DIR_ENV];

beforeAll(async () => {
  process.env[MODELS_DIR_ENV] = path.join(tmp, 'models');
  await buildModels({ outDir: path.join(tmp, 'models'), models: ['nanodet', 'centernet'] });
  const jpg = (await import('node:module')).createRequire(import.meta.url).resolve.paths('@vladmandic/human')!
    .map((d) => path.join(d, '@vladmandic', 'human', 'assets', 'samples.jpg'))
    .find((f) => existsSync(f))!;
  // 5 frames at 5 fps of the group photo, cropped to 600 px wide.
  await execFileP(resolveFfmpeg().path, [
    '-v', 'error', '-loop', '1', '-framerate', '5', '-i', jpg,
    '-vf', 'crop=iw:ih*0.82:0:ih*0.18,scale=640:-2,crop=600:ih:20:0',
    '-frames:v', '5', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18', video,
  ]);
}, 300_000);

afterAll(() => {
  if (savedEnv === undefined) delete process.env[MODELS_DIR_ENV];
  else process.env[MODELS_DIR_ENV] = savedEnv;
  rmSync(tmp, { recursive: true, force: true });
});

describe('vigil detect', () => {
  it('returns every decoded frame with people boxed in source pixels', async () => {
    const progress: number[] = [];
    const out = await runDetect({ positionals: [video], flags: { json: true } }, { onProgress: (f) => progress.push(f) });
    expect(out.model).toBe('nanodet');
    expect(out.ep).toBe('cpu');
    expect(out.frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    out.frames.forEach((f, i) => expect(f.time).toBeCloseTo(i * 0.2, 5));
    for (const f of out.frames) {
      expect(f.detections.filter((d) => d.label === 'person').length).toBeGreaterThanOrEqual(2);
      for (const d of f.detections) {
        expect(Object.keys(d).sort()).toEqual(['box', 'label', 'score']);
        expect(d.box[0]).toBeGreaterThanOrEqual(0);
        expect(d.box[2]).toBeLessThanOrEqual(600);
        expect(d.box[3]).toBeLessThanOrEqual(476);
      }
    }
    // A still scene: the strongest person of the first frame is found again in the last one.
    const persons = (i: number) => out.frames[i].detections.filter((d) => d.label === 'person');
    const first = persons(0).sort((a, b) => b.score - a.score)[0].box;
    expect(Math.max(...persons(4).map((d) => iou(d.box, first)))).toBeGreaterThan(0.7);
    expect(progress.at(-1)).toBe(1);
  });

  it('subsamples with --fps and runs centernet with --model', async () => {
    const out = await runDetect({ positionals: [video], flags: { fps: '2', model: 'centernet' } });
    expect(out.model).toBe('centernet');
    expect(out.frames.map((f) => f.index)).toEqual([0, 3]);
    expect(out.frames[0].detections.some((d) => d.label === 'person')).toBe(true);
  });

  it('refuses a missing file, an unknown model and a bad --fps', async () => {
    await expect(runDetect({ positionals: [path.join(tmp, 'none.mp4')], flags: {} })).rejects.toMatchObject({ code: 'not_found' });
    await expect(runDetect({ positionals: [video], flags: { model: 'yolo' } })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(runDetect({ positionals: [video], flags: { fps: '-1' } })).rejects.toThrow(/--fps must be a positive number/);
    await expect(runDetect({ positionals: [], flags: {} })).rejects.toThrow(/Give the video/);
  });
});

describe('letterbox and NMS', () => {
  const spec: InputSpec = {
    name: 'x', shape: [1, 3, 8, 8], dtype: 'float32', layout: 'NCHW', size: [8, 8], channelOrder: 'BGR',
    mean: [10, 20, 30], std: [2, 4, 5], resize: 'letterbox', padValue: 0,
  };

  it('centres the frame, swaps channels, normalises and maps coordinates back', () => {
    // 4×2 RGB frame: left half red (200,0,0), right half blue (0,0,100).
    const data = new Uint8Array(4 * 2 * 3);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) data.set(x < 2 ? [200, 0, 0] : [0, 0, 100], (y * 4 + x) * 3);
    const out = new Float32Array(3 * 64);
    const map = letterbox({ index: 0, time: 0, width: 4, height: 2, channels: 3, data }, spec, out);
    expect(map).toEqual(letterboxMap(4, 2, spec));
    expect(map).toMatchObject({ scaleX: 2, scaleY: 2, padX: 0, padY: 2 });
    const at = (c: number, y: number, x: number) => out[c * 64 + y * 8 + x];
    // Border rows hold the normalised pad value; channel 0 is blue (BGR).
    expect(at(0, 0, 0)).toBeCloseTo((0 - 10) / 2);
    expect(at(2, 7, 7)).toBeCloseTo((0 - 30) / 5);
    expect(at(2, 3, 0)).toBeCloseTo((200 - 30) / 5); // red in channel 2
    expect(at(0, 3, 7)).toBeCloseTo((100 - 10) / 2); // blue in channel 0
    expect(toSource(map, 4, 4)).toEqual([2, 1]);
    expect(toSource(map, 8, 0)).toEqual([4, 0]); // clamped to the frame
  });

  it('suppresses overlaps within a class only, keeps the best first', () => {
    const kept = classAwareNms(
      [
        { box: [0, 0, 10, 10], score: 0.9, classId: 0 },
        { box: [1, 1, 10, 10], score: 0.8, classId: 0 },
        { box: [1, 1, 10, 10], score: 0.7, classId: 2 },
        { box: [20, 20, 30, 30], score: 0.6, classId: 0 },
      ],
      0.5,
    );
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.7, 0.6]);
    expect(classAwareNms(kept, 0.5, 1)).toHaveLength(1);
  });
});
