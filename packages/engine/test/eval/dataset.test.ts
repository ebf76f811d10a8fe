import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGroundTruth, readMaskFrames } from '../../src/eval/dataset.js';
import { microAuc } from '../../src/eval/frame-auc.js';
import { PixelAucAccumulator } from '../../src/eval/pixel-auc.js';
import { rbdcTbdc } from '../../src/eval/rbdc.js';
import { resolveFfmpeg } from '../../src/media/ffmpeg-path.js';
import { expectVigil, expectVigilAsync } from './helpers.js';

const W = 32;
const H = 24;
let root: string;

/** A valid schema-v1 document for the fixture dataset (fresh copy each call, so tests can break it). */
function baseDoc(videoPrefix = ''): Record<string, any> {
  return {
    dataset: 'fixture',
    schema_version: 1,
    frame_index_base: 0,
    totals: { train_clips: 1, train_frames: 5, test_clips: 1, test_frames: 5, test_anomalous_frames: 2 },
    clips: {
      Test001: {
        split: 'test',
        video: `${videoPrefix}test/Test001.mp4`,
        fps: 10,
        frame_count: 5,
        width: W,
        height: H,
        labels: [0, 0, 1, 1, 0],
        intervals: [[2, 3]],
        mask_video: `${videoPrefix}masks/Test001.mkv`,
        mask_frames: [2, 3],
        boxes: { '2': [[4, 4, 8, 8, 64]], '3': [[6, 4, 8, 8, 64]] },
      },
      Train001: {
        split: 'train',
        video: `${videoPrefix}train/Train001.mp4`,
        fps: 10,
        frame_count: 5,
        width: W,
        height: H,
        labels: [0, 0, 0, 0, 0],
        intervals: [],
      },
    },
  };
}

let variant = 0;
/** Writes `content` as ground_truth.json in a new folder beside the fixture media; returns the folder. */
function writeVariant(content: string | object): string {
  const dir = path.join(root, `variant${variant++}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'ground_truth.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'vigil-eval-ds-'));
  for (const d of ['test', 'train', 'masks']) mkdirSync(path.join(root, d));
  const ffmpeg = resolveFfmpeg().path;
  const ff = (args: string[]): void => {
    execFileSync(ffmpeg, ['-hide_banner', '-v', 'error', '-y', ...args]);
  };
  for (const v of ['test/Test001.mp4', 'train/Train001.mp4']) {
    ff(['-f', 'lavfi', '-i', `testsrc=s=${W}x${H}:r=10:d=0.5`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', path.join(root, v)]);
  }
  // Lossless gray mask: an 8×8 white square at x = 2N (N = frame number) in frames 2 and 3 only.
  const lum = "if(between(N\\,2\\,3)*between(X\\,2*N\\,2*N+7)*between(Y\\,4\\,11)\\,255\\,0)";
  ff(['-f', 'lavfi', '-i', `color=black:s=${W}x${H}:r=10:d=0.5,format=gray,geq=lum='${lum}'`, '-c:v', 'ffv1', '-pix_fmt', 'gray', path.join(root, 'masks/Test001.mkv')]);
  writeFileSync(path.join(root, 'ground_truth.json'), JSON.stringify(baseDoc()));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('loadGroundTruth', () => {
  it('loads a valid schema-v1 dataset with absolute paths and converted boxes', () => {
    const gt = loadGroundTruth(root);
    expect(gt.schemaVersion).toBe(1);
    expect(gt.clips.map((c) => c.name)).toEqual(['Test001', 'Train001']);
    const t = gt.clips[0];
    expect(t.split).toBe('test');
    expect(t.videoPath).toBe(path.join(root, 'test/Test001.mp4'));
    expect(t.maskVideoPath).toBe(path.join(root, 'masks/Test001.mkv'));
    expect(Array.from(t.labels)).toEqual([0, 0, 1, 1, 0]);
    expect(t.intervals).toEqual([[2, 3]]);
    expect(t.boxes.get(2)).toEqual([[4, 4, 12, 12]]);
    expect(t.maskFrames).toEqual([2, 3]);
    expect(gt.clips[1].maskVideoPath).toBeNull();
    expect(gt.totals).toEqual({ trainClips: 1, trainFrames: 5, testClips: 1, testFrames: 5, testAnomalousFrames: 2 });
  });

  it('resolves video paths relative to the dataset folder', () => {
    const gt = loadGroundTruth(writeVariant(baseDoc('../')));
    expect(gt.clips[0].videoPath).toBe(path.join(root, 'test/Test001.mp4'));
  });

  it('reports a missing file or folder as not_found', () => {
    expectVigil(() => loadGroundTruth(path.join(root, 'nowhere')), 'not_found', /Ground truth not found: .*nowhere/);
  });

  it('reports malformed JSON', () => {
    expectVigil(() => loadGroundTruth(writeVariant('{"schema_version": 1, "clips": {')), 'invalid_input', /not valid JSON/);
    expectVigil(() => loadGroundTruth(writeVariant('[1, 2]')), 'invalid_input', /top level must be a JSON object/);
  });

  it('refuses another schema_version', () => {
    const doc = baseDoc('../');
    doc.schema_version = 2;
    expectVigil(() => loadGroundTruth(writeVariant(doc)), 'invalid_input', /schema_version is 2; only schema_version 1/);
    delete doc.schema_version;
    expectVigil(() => loadGroundTruth(writeVariant(doc)), 'invalid_input', /schema_version is undefined/);
  });

  it('refuses labels whose length differs from frame_count', () => {
    const doc = baseDoc('../');
    doc.clips.Test001.labels.push(0);
    expectVigil(() => loadGroundTruth(writeVariant(doc)), 'invalid_input', /clip Test001: labels has 6 entries but frame_count is 5/);
  });

  it('names the field of a type error', () => {
    const doc = baseDoc('../');
    doc.clips.Test001.labels[1] = 2;
    expectVigil(() => loadGroundTruth(writeVariant(doc)), 'invalid_input', /clips\.Test001\.labels\.1: must be 0 or 1/);
    const doc2 = baseDoc('../');
    doc2.clips.Train001.fps = 'ten';
    expectVigil(() => loadGroundTruth(writeVariant(doc2)), 'invalid_input', /clips\.Train001\.fps/);
  });

  it('refuses intervals that disagree with labels, frames out of range and wrong totals', () => {
    const doc = baseDoc('../');
    doc.clips.Test001.intervals = [[2, 4]];
    expectVigil(() => loadGroundTruth(writeVariant(doc)), 'invalid_input', /intervals \[\[2,4\]\] disagree/);
    const doc2 = baseDoc('../');
    doc2.clips.Test001.boxes['9'] = [[0, 0, 2, 2, 4]];
    expectVigil(() => loadGroundTruth(writeVariant(doc2)), 'invalid_input', /boxes names frame 9, but the clip has 5 frames/);
    const doc3 = baseDoc('../');
    doc3.totals.test_anomalous_frames = 3;
    expectVigil(() => loadGroundTruth(writeVariant(doc3)), 'invalid_input', /totals.test_anomalous_frames is 3, but the clips add up to 2/);
  });

  it('reports missing video and mask files as not_found', () => {
    const doc = baseDoc('../');
    doc.clips.Train001.video = '../train/Train999.mp4';
    expectVigil(() => loadGroundTruth(writeVariant(doc)), 'not_found', /Video of clip Train001 not found: .*Train999\.mp4/);
    const doc2 = baseDoc('../');
    doc2.clips.Test001.mask_video = '../masks/missing.mkv';
    expectVigil(() => loadGroundTruth(writeVariant(doc2)), 'not_found', /Mask video of clip Test001 not found/);
  });
});

describe('readMaskFrames', () => {
  it('decodes every frame losslessly as width × height gray bytes', async () => {
    const frames: Uint8Array[] = [];
    for await (const f of readMaskFrames(path.join(root, 'masks/Test001.mkv'), W, H, { expectedFrames: 5 })) frames.push(f);
    expect(frames).toHaveLength(5);
    const nonzero = frames.map((f) => f.reduce((a, v) => a + (v ? 1 : 0), 0));
    expect(nonzero).toEqual([0, 0, 64, 64, 0]);
    const at = (f: Uint8Array, x: number, y: number): number => f[y * W + x];
    expect([at(frames[2], 4, 4), at(frames[2], 11, 11), at(frames[2], 3, 4), at(frames[2], 12, 4)]).toEqual([255, 255, 0, 0]);
    expect([at(frames[3], 6, 4), at(frames[3], 5, 4)]).toEqual([255, 0]);
  });

  it('agrees with the ground-truth boxes (pixel AUC of the mask itself is 1)', async () => {
    const gt = loadGroundTruth(root);
    const clip = gt.clips[0];
    const acc = new PixelAucAccumulator({ bins: 256, min: 0, max: 255 });
    let i = 0;
    for await (const mask of readMaskFrames(clip.maskVideoPath!, clip.width, clip.height)) {
      acc.addFrame({ data: mask, width: clip.width, height: clip.height }, mask, clip.width, clip.height);
      const expected = clip.boxes.get(i)?.[0];
      if (expected) expect(mask[expected[1] * W + expected[0]]).toBe(255);
      i++;
    }
    expect(acc.auc()).toBe(1);
    expect(acc.positives).toBe(128);
  });

  it('refuses a size mismatch, a wrong frame count and a missing file', async () => {
    const mkv = path.join(root, 'masks/Test001.mkv');
    const drain = async (it: AsyncIterable<Uint8Array>): Promise<number> => {
      let n = 0;
      for await (const _ of it) n++;
      return n;
    };
    await expectVigilAsync(() => drain(readMaskFrames(mkv, 64, 48)), 'invalid_input', /is 32×24, expected 64×48/);
    await expectVigilAsync(() => drain(readMaskFrames(mkv, W, H, { expectedFrames: 6 })), 'unsupported_media', /decoded to 5 frames, expected 6/);
    await expectVigilAsync(() => drain(readMaskFrames(path.join(root, 'masks/none.mkv'), W, H)), 'not_found', /Mask video not found/);
    await expectVigilAsync(() => drain(readMaskFrames(path.join(root, 'ground_truth.json'), W, H)), 'unsupported_media', /Cannot read mask video/);
  });

  it('stops cleanly when the consumer breaks early or aborts', async () => {
    const mkv = path.join(root, 'masks/Test001.mkv');
    let n = 0;
    for await (const _ of readMaskFrames(mkv, W, H)) {
      if (++n === 2) break;
    }
    expect(n).toBe(2);
    const ac = new AbortController();
    await expectVigilAsync(
      async () => {
        for await (const _ of readMaskFrames(mkv, W, H, { signal: ac.signal })) ac.abort();
      },
      'cancelled',
      /cancelled/,
    );
  });
});

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const ped2Dir = process.env.VIGIL_PED2_DIR ?? path.resolve(repoRoot, '../shared/datasets/ucsd_ped2');
const havePed2 = existsSync(path.join(ped2Dir, 'ground_truth.json'));
if (!havePed2) console.warn(`Skipping the UCSD Ped2 ground-truth test: no ground_truth.json in ${ped2Dir} (set VIGIL_PED2_DIR).`);

describe.skipIf(!havePed2)('UCSD Ped2 ground truth (real data)', () => {
  it('loads with the published totals; the labels score a micro AUC of 1', () => {
    const gt = loadGroundTruth(ped2Dir);
    const test = gt.clips.filter((c) => c.split === 'test');
    expect(gt.totals).toEqual({ trainClips: 16, trainFrames: 2550, testClips: 12, testFrames: 2010, testAnomalousFrames: 1648 });
    expect(test.map((c) => c.frameCount)).toEqual([180, 180, 150, 180, 150, 180, 180, 180, 120, 150, 180, 180]);
    expect(microAuc(test.map((c) => ({ name: c.name, scores: c.labels, labels: c.labels })))).toBe(1);
  });

  it('GT boxes used as predictions give RBDC = TBDC = 1', () => {
    const gt = loadGroundTruth(ped2Dir);
    const test = gt.clips.filter((c) => c.split === 'test');
    const predictions = test.flatMap((c) => [...c.boxes].flatMap(([frame, boxes]) => boxes.map((box) => ({ clip: c.name, frame, box, score: 1 }))));
    const r = rbdcTbdc({ clips: test.map((c) => ({ clip: c.name, frameCount: c.frameCount, regions: c.boxes })), predictions });
    expect(r.frames).toBe(2010);
    expect(r.regions).toBe(predictions.length);
    expect(r.rbdc).toBe(1);
    expect(r.tbdc).toBe(1);
    console.log(`Ped2 GT: ${r.regions} regions in ${r.tracks} linked tracks over ${r.frames} test frames`);
  });

  it('Test001 mask video decodes to frame_count frames, non-empty exactly on mask_frames', async () => {
    const clip = loadGroundTruth(ped2Dir).clips.find((c) => c.name === 'Test001')!;
    const nonEmpty: number[] = [];
    let i = 0;
    for await (const m of readMaskFrames(clip.maskVideoPath!, clip.width, clip.height, { expectedFrames: clip.frameCount })) {
      if (m.some((v) => v !== 0)) nonEmpty.push(i);
      i++;
    }
    expect(nonEmpty).toEqual(clip.maskFrames);
  });
});
