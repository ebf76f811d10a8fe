/**
 * The command modules of `vigil analyze FILE` and `vigil eval` on footage and a small dataset generated
 * here (ground_truth.json schema v1 with a lossless mask video), with the real pipeline and metrics.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { runAnalyzeFile } from '../../src/cli/commands/analyze-file.js';
import { runEval } from '../../src/cli/commands/eval.js';
import { isVigilError } from '../../src/errors.js';
import { makeTempDir, runFfmpeg } from '../helpers/media.js';
import { makeScene, walkers, type Scene, type SceneObject } from './scenes.js';

const W = 320;
const H = 240;
const SECONDS = 12;
const FPS = 10;
const runner: SceneObject = { w: 12, h: 30, x0: -450, y0: 102, vx: 90, shade: 230 };

let dir: string;
let cleanup: () => Promise<void>;
let dataset: string;
let test: Scene;

/** Writes a dataset folder: one normal training clip, one test clip with the runner, labels, boxes, masks. */
async function buildDataset(root: string): Promise<void> {
  await mkdir(path.join(root, 'train'), { recursive: true });
  await mkdir(path.join(root, 'test'), { recursive: true });
  await mkdir(path.join(root, 'masks'), { recursive: true });
  const train = await makeScene(path.join(root, 'train'), {
    name: 'Train001.mp4', seconds: SECONDS, fps: FPS, width: W, height: H,
    objects: walkers({ width: W, seconds: SECONDS, lanes: [10, 55, 100, 145, 195] }),
  });
  test = await makeScene(path.join(root, 'test'), {
    name: 'Test001.mp4', seconds: SECONDS, fps: FPS, width: W, height: H,
    objects: walkers({ width: W, seconds: SECONDS, lanes: [10, 55, 145, 195], extra: [runner] }),
  });
  const ri = test.objects.length - 1;
  const labels: number[] = [];
  const boxes: Record<string, number[][]> = {};
  for (let k = 0; k < test.frameCount; k++) {
    const b = test.boxAt(ri, k / FPS);
    const w = b ? Math.floor(b[2]) - Math.floor(b[0]) : 0;
    if (b && w > 0) {
      labels.push(1);
      boxes[String(k)] = [[Math.floor(b[0]), Math.floor(b[1]), w, 30, w * 30]];
    } else labels.push(0);
  }
  // The mask video: the runner's box in white on black, lossless gray, same timing as the clip.
  await runFfmpeg([
    '-f', 'lavfi', '-i', `color=c=black:size=${W}x${H}:rate=${FPS}[bg];color=c=white:size=12x30:rate=${FPS}[o];[bg][o]overlay=x='${runner.x0}+${runner.vx}*t':y=${runner.y0}:shortest=1,format=gray`,
    '-frames:v', String(test.frameCount), '-c:v', 'ffv1', path.join(root, 'masks', 'Test001.mkv'),
  ]);
  const intervals: [number, number][] = [];
  labels.forEach((v, k) => {
    if (v && (k === 0 || !labels[k - 1])) intervals.push([k, k]);
    if (v) intervals[intervals.length - 1][1] = k;
  });
  const gt = {
    dataset: 'generated runner',
    schema_version: 1,
    frame_index_base: 0,
    clips: {
      Train001: { split: 'train', video: 'train/Train001.mp4', fps: FPS, frame_count: train.frameCount, width: W, height: H, labels: new Array(train.frameCount).fill(0), intervals: [] },
      Test001: {
        split: 'test', video: 'test/Test001.mp4', fps: FPS, frame_count: test.frameCount, width: W, height: H, labels, intervals,
        mask_video: 'masks/Test001.mkv', mask_frames: labels.flatMap((v, k) => (v ? [k] : [])), boxes,
      },
    },
  };
  await writeFile(path.join(root, 'ground_truth.json'), JSON.stringify(gt));
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vigil-analysis-cli-'));
  dataset = path.join(dir, 'dataset');
  await buildDataset(dataset);
}, 120_000);

afterAll(async () => {
  await cleanup?.();
});

describe('vigil analyze FILE', () => {
  it('writes the full result to --out and returns the events', async () => {
    const out = path.join(dir, 'result.json');
    const stages: string[] = [];
    const r = await runAnalyzeFile(parseArgs([test.path, '--out', out, '--detector', 'none', '--heatmaps=true']), {
      onProgress: (_f, s) => s && stages.push(s),
    });
    expect(r.out).toBe(out);
    expect(r.events.length).toBeGreaterThan(0);
    expect(stages).toContain('decode+track');
    const doc = JSON.parse(await readFile(out, 'utf8'));
    expect(doc.file).toBe(test.path);
    expect(doc.params.detector).toBe('none');
    expect(doc.frames).toHaveLength(test.frameCount);
    expect(doc.events).toEqual(r.events);
    expect(doc.observations.length).toBeGreaterThan(100);
    expect(doc.heatmaps).toHaveLength(test.frameCount);
    const h = doc.heatmaps[0];
    expect(Buffer.from(h.data, 'base64').length).toBe(h.width * h.height);
  }, 60_000);

  it('repeats a recorded run from its params (--params FILE) and refuses malformed --params', async () => {
    const first = path.join(dir, 'first.json');
    await runAnalyzeFile(parseArgs([test.path, '--out', first, '--detector', 'none', '--params', '{"sigmaS":0.6,"minEventS":0.5}']));
    const doc = JSON.parse(await readFile(first, 'utf8'));
    expect(doc.params.sigmaS).toBe(0.6);
    expect(doc.params.minEventS).toBe(0.5);
    const paramsFile = path.join(dir, 'params.json');
    await writeFile(paramsFile, JSON.stringify(doc.params));
    const again = path.join(dir, 'again.json');
    await runAnalyzeFile(parseArgs([test.path, '--out', again, '--detector', 'none', '--params', paramsFile]));
    const doc2 = JSON.parse(await readFile(again, 'utf8'));
    expect(doc2.frames).toEqual(doc.frames);
    expect(doc2.events).toEqual(doc.events);
    for (const bad of ['{"sigmaS":', '[1,2]', '{"fps":-1}', path.join(dir, 'no-such-params.json')]) {
      const e = await runAnalyzeFile(parseArgs([test.path, '--out', path.join(dir, 'z.json'), '--params', bad])).catch((x: unknown) => x);
      expect(isVigilError(e) && /params|fps/.test(e.message)).toBe(true);
    }
  }, 60_000);

  it('refuses a missing file, a missing --out and an unknown detector with clear errors', async () => {
    const missing = await runAnalyzeFile(parseArgs([path.join(dir, 'nope.mp4'), '--out', path.join(dir, 'x.json')])).catch((e: unknown) => e);
    expect(isVigilError(missing) && missing.code === 'not_found').toBe(true);
    const noOut = await runAnalyzeFile(parseArgs([test.path])).catch((e: unknown) => e);
    expect(isVigilError(noOut) && noOut.code === 'invalid_input' && /--out/.test(noOut.message)).toBe(true);
    const badDet = await runAnalyzeFile(parseArgs([test.path, '--out', path.join(dir, 'y.json'), '--detector', 'yolo'])).catch((e: unknown) => e);
    expect(isVigilError(badDet) && /--detector/.test(badDet.message)).toBe(true);
  });
});

describe('vigil eval', () => {
  it('scores a dataset with the training clips as reference', async () => {
    const r = await runEval(parseArgs(['--dataset', dataset, '--reference', 'train', '--detector', 'none']));
    expect(r.reference).toBe('train');
    expect(r.clips.map((c) => c.name)).toEqual(['Test001']);
    expect(r.microAUC).toBeGreaterThan(0.9);
    expect(r.microAUCsmoothed).toBeGreaterThan(0.9);
    expect(r.macroAUCsmoothed).toBeGreaterThan(0.9);
    // One clip: all of the shortfall is its own, in both splits.
    expect(r.clips[0].microShortfall!.raw.abnormal).toBeCloseTo(1 - r.microAUC!, 3);
    expect(r.clips[0].microShortfall!.smoothed.normal).toBeCloseTo(1 - r.microAUCsmoothed!, 3);
    expect(r.sigma).toBeCloseTo(r.sigmaS * FPS, 6);
    expect(r.RBDC).toBeGreaterThan(0.3);
    expect(r.TBDC).toBe(1);
    expect(r.pixelAUC).toBeGreaterThan(0.8);
    expect(r.eventF1).toBe(1);
    expect(r.realTimeFactor).toBeGreaterThan(0);
    expect(r.peakRssMB).toBeGreaterThan(0);
  }, 120_000);

  it('scores it self-referenced, without the training clips', async () => {
    const r = await runEval(parseArgs(['--dataset', dataset, '--reference', 'self', '--clips', 'Test001', '--detector', 'none']));
    expect(r.reference).toBe('self');
    expect(r.referenceFitS).toBe(0);
    expect(r.microAUC).toBeGreaterThan(0.85);
  }, 120_000);

  it('refuses a missing or malformed ground_truth.json and unknown options', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    const missing = await runEval(parseArgs(['--dataset', empty, '--detector', 'none'])).catch((e: unknown) => e);
    expect(isVigilError(missing) && missing.code === 'not_found' && /ground_truth\.json/.test(missing.message)).toBe(true);

    const broken = path.join(dir, 'broken');
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, 'ground_truth.json'), '{"schema_version": 1, "clips": ');
    const malformed = await runEval(parseArgs(['--dataset', broken, '--detector', 'none'])).catch((e: unknown) => e);
    expect(isVigilError(malformed) && malformed.code === 'invalid_input' && /JSON/.test(malformed.message)).toBe(true);

    const unknownClip = await runEval(parseArgs(['--dataset', dataset, '--clips', 'Test009', '--detector', 'none'])).catch((e: unknown) => e);
    expect(isVigilError(unknownClip) && /Test009/.test(unknownClip.message)).toBe(true);
    const badRef = await runEval(parseArgs(['--dataset', dataset, '--reference', 'val'])).catch((e: unknown) => e);
    expect(isVigilError(badRef) && /--reference/.test(badRef.message)).toBe(true);
    const noDataset = await runEval(parseArgs([])).catch((e: unknown) => e);
    expect(isVigilError(noDataset) && /--dataset/.test(noDataset.message)).toBe(true);
  });
});
