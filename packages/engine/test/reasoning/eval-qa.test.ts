import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadQaSet, runQaEval, defaultQaFile, type QaAnalyser } from '../../src/reasoning/eval-qa.js';
import { storeFixtureAnalysis, type FixtureEvent, type FixtureObject } from '../helpers/analysis-fixture.js';
import { makeMovingBoxClip, type MovingBoxClip, type MovingObject } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';
import { loadGroundTruth } from '../../src/eval/dataset.js';

/**
 * A two-clip dataset in the ground_truth.json v1 layout: people (gray boxes) walking slowly; in each test clip
 * a fast red "bicycle" crosses from the left, entering at 2 s and leaving at the right around 6.5 s.
 */
const FPS = 10;
const SECONDS = 8;
const walkers: FixtureObject[] = [
  { id: 1, label: 'person', w: 10, h: 24, x0: 30, y0: 40, vx: 6, color: '0xa0a0a0' },
  { id: 2, label: 'person', w: 10, h: 24, x0: 250, y0: 100, vx: -7, color: '0xb0b0b0' },
  { id: 3, label: 'person', w: 10, h: 24, x0: 120, y0: 150, vx: 5, color: '0x909090' },
];
const bicycle: FixtureObject = { id: 9, label: 'bicycle', w: 24, h: 20, x0: -24 - 2 * 80, y0: 190, vx: 80, color: 'red' };

async function makeDataset(dir: string): Promise<{ clips: Record<string, MovingBoxClip>; gtStart: number; gtEnd: number }> {
  const clips: Record<string, MovingBoxClip> = {};
  const toMoving = (o: FixtureObject): MovingObject => ({ w: o.w, h: o.h, x0: o.x0, y0: o.y0, vx: o.vx, color: o.color });
  clips.Train01 = await makeMovingBoxClip(dir, { name: 'Train01.mp4', seconds: SECONDS, fps: FPS, width: 320, height: 240, objects: walkers.map(toMoving) });
  for (const name of ['Test01', 'Test02']) clips[name] = await makeMovingBoxClip(dir, { name: `${name}.mp4`, seconds: SECONDS, fps: FPS, width: 320, height: 240, objects: [...walkers, bicycle].map(toMoving) });
  // The bicycle is abnormal in every frame where it is visible.
  const visible = (k: number) => !!clips.Test01.boxesAt(k)[3];
  const labels = Array.from({ length: SECONDS * FPS }, (_, k) => (visible(k) ? 1 : 0));
  const first = labels.indexOf(1);
  const last = labels.lastIndexOf(1);
  const clipEntry = (file: string, split: 'train' | 'test', ls: number[]) => ({
    split, video: file, fps: FPS, frame_count: SECONDS * FPS, width: 320, height: 240, labels: ls, intervals: ls.includes(1) ? [[first, last]] : [],
  });
  const gt = {
    dataset: 'Generated boxes', schema_version: 1, frame_index_base: 0,
    clips: { Train01: clipEntry('Train01.mp4', 'train', labels.map(() => 0)), Test01: clipEntry('Test01.mp4', 'test', labels), Test02: clipEntry('Test02.mp4', 'test', labels) },
  };
  writeFileSync(path.join(dir, 'ground_truth.json'), JSON.stringify(gt));
  return { clips, gtStart: first / FPS, gtEnd: (last + 1) / FPS };
}

const questions = [
  { id: 'any', type: 'yesno', q: 'Is there an anomaly in this clip?', answer: 'yes' },
  { id: 'early', type: 'yesno', q: 'Was anything unusual in the first 1.5 seconds?', answer: 'no' },
  { id: 'when', type: 'when', q: 'When does the anomaly start and end?', answer: 'ground-truth' },
  { id: 'what', type: 'object', q: 'What kind of object is anomalous?', answer: 'bicycle' },
  { id: 'enter', type: 'choice', q: 'From which side does the anomalous object enter the view? A) left B) right C) bottom D) it is already in view when the clip starts', answer: 'A' },
  { id: 'exit', type: 'choice', q: 'Where does the anomalous object leave the view? A) left B) right C) bottom D) it is still in view at the end', answer: 'B' },
];

describe('vigil eval-qa scoring on a generated dataset', () => {
  const dir = tempDir();
  let data: Awaited<ReturnType<typeof makeDataset>>;
  let qaFile: string;

  beforeAll(async () => {
    data = await makeDataset(dir);
    qaFile = path.join(dir, 'qa.json');
    writeFileSync(qaFile, JSON.stringify({
      schema: 'vigil-qa/1', dataset: 'Generated boxes',
      clips: { Test01: { questions }, Test02: { questions } },
      outOfEvidence: ['What is the cyclist\'s name?', 'Is there a wheelchair?'],
    }));
  });

  /** An analyser that stores the clip's objects as tracks, with `events(clip)` as events and the bicycle labelled `label`. */
  const fixtureAnalyser = (events: FixtureEvent[], label = 'bicycle'): QaAnalyser => async (db, ctx) => {
    const clip = data.clips[ctx.clip.name];
    storeFixtureAnalysis(db, { caseId: ctx.caseId, evidenceId: ctx.evidenceId, clip, objects: [...walkers, { ...bicycle, label }], events });
  };

  it('a grounded analysis that found the anomaly scores perfectly, with every sentence cited', async () => {
    const ev: FixtureEvent = { trackIds: [9], startTime: data.gtStart, endTime: data.gtEnd - 0.1, topAttributes: [{ attribute: 'speed', value: 4, normal: 0.3, score: 3 }] };
    const r = await runQaEval({ datasetDir: dir, qaFile, analyse: fixtureAnalyser([ev]), workDir: path.join(dir, 'work1') });
    expect(r).toMatchObject({ clips: 2, questions: 12, refusedInEvidence: 0 });
    expect(r.yesNo).toMatchObject({ correct: 4, total: 4, accuracy: 1 });
    expect(r.object).toMatchObject({ accuracy: 1 });
    expect(r.choice).toMatchObject({ correct: 4, total: 4, accuracy: 1 });
    // The event ends one analysed frame before the GT end (GT end is exclusive: last frame + 1/fps).
    const iou = (data.gtEnd - 0.1 - data.gtStart) / (data.gtEnd - data.gtStart);
    expect(r.temporal!.mIoU).toBeCloseTo(iou, 3);
    expect(r.temporal!['R@0.5']).toBe(1);
    expect(r.citations.share).toBe(1);
    expect(r.citations.factualSentences).toBeGreaterThan(12);
    expect(r.refusals).toEqual({ asked: 4, refused: 4, share: 1 });
    expect(r.perClip[0].answers.find((a) => a.id === 'when')?.interval).toEqual([data.gtStart, Number((data.gtEnd - 0.1).toFixed(3))]);
  });

  it('an analysis that found nothing and could not classify the object scores what it deserves', async () => {
    const r = await runQaEval({ datasetDir: dir, qaFile, analyse: fixtureAnalyser([], 'unknown'), workDir: path.join(dir, 'work2'), clips: ['Test01'] });
    expect(r.clips).toBe(1);
    // "Is there an anomaly?" → No (wrong); "in the first 1.5 s?" → No (right).
    expect(r.yesNo).toMatchObject({ correct: 1, total: 2 });
    // No event: no interval is claimed, so IoU is 0 rather than the whole clip.
    expect(r.temporal).toMatchObject({ scored: 1, mIoU: 0, 'R@0.3': 0 });
    expect(r.object).toMatchObject({ correct: 0, total: 1 });
    expect(r.choice?.correct).toBe(0);
    expect(r.citations.share).toBe(1);
  });

  it('a late, unclassified detection: partial temporal overlap, wrong object', async () => {
    const late: FixtureEvent = { trackIds: [9], startTime: 4, endTime: 6 };
    const r = await runQaEval({ datasetDir: dir, qaFile, analyse: fixtureAnalyser([late], 'unknown'), workDir: path.join(dir, 'work3'), clips: ['Test02'] });
    const expected = (6 - 4) / (data.gtEnd - data.gtStart);
    expect(r.temporal!.mIoU).toBeCloseTo(expected, 3);
    expect(r.object?.correct).toBe(0);
    expect(r.perClip[0].answers.find((a) => a.id === 'what')?.answer).toMatch(/an object the detector could not classify/);
    // Entry/exit sides are still read from the track.
    expect(r.choice?.correct).toBe(2);
  });

  it('refuses a malformed QA set, unknown clips and a missing dataset clearly', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schema: 'vigil-qa/1', dataset: 'x', clips: { Test01: { questions: [{ id: 'a', type: 'yesno', q: 'x?', answer: 'maybe' }] } } }));
    expect(() => loadQaSet(bad)).toThrow(/Test01\/a is yes\/no but its answer is "maybe"/);
    writeFileSync(bad, '{ nope');
    expect(() => loadQaSet(bad)).toThrow(/is not valid JSON/);
    expect(() => loadQaSet(path.join(dir, 'missing.json'))).toThrow(/QA set not found/);
    await expect(runQaEval({ datasetDir: dir, qaFile, analyse: fixtureAnalyser([]), workDir: path.join(dir, 'w4'), clips: ['Test09'] })).rejects.toThrow(/no questions for Test09; it covers Test01, Test02/);
    await expect(runQaEval({ datasetDir: path.join(dir, 'nowhere'), qaFile, analyse: fixtureAnalyser([]), workDir: path.join(dir, 'w5') })).rejects.toThrow(/Ground truth not found/);
  });

  it('the built engine finds the QA set beside its own modules (npm test builds first)', async () => {
    const built = (await import('../../dist/reasoning/eval-qa.js')) as { defaultQaFile(): string };
    const file = built.defaultQaFile();
    expect(file).toContain(`${path.sep}dist${path.sep}reasoning${path.sep}qa${path.sep}`);
    expect(loadQaSet(file)).toEqual(loadQaSet(defaultQaFile()));
  });

  it('the committed Ped2 QA set is well-formed', () => {
    const qa = loadQaSet(defaultQaFile());
    const names = Object.keys(qa.clips);
    expect(names).toHaveLength(12);
    const all = names.flatMap((n) => qa.clips[n].questions);
    expect(all.filter((q) => q.type === 'yesno').length).toBeGreaterThanOrEqual(48);
    expect(all.filter((q) => q.type === 'yesno' && q.answer === 'no').length).toBeGreaterThanOrEqual(12);
    expect(all.filter((q) => q.type === 'when')).toHaveLength(12);
    expect(qa.outOfEvidence.length).toBeGreaterThanOrEqual(10);
    // "first N seconds" questions agree with the ground truth where the dataset is present.
    let gt;
    try {
      gt = loadGroundTruth('/work/shared/datasets/ucsd_ped2');
    } catch {
      return;
    }
    for (const n of names) {
      const clip = gt.clips.find((c) => c.name === n)!;
      const start = clip.intervals[0][0] / clip.fps;
      const end = (clip.intervals[clip.intervals.length - 1][1] + 1) / clip.fps;
      const dur = clip.frameCount / clip.fps;
      for (const q of qa.clips[n].questions) {
        const first = /first (\d+) seconds/.exec(q.q);
        if (first) expect(q.answer, `${n} ${q.q}`).toBe(start < Number(first[1]) ? 'yes' : 'no');
        const last = /last (\d+) seconds/.exec(q.q);
        if (last) expect(q.answer, `${n} ${q.q}`).toBe(end > dur - Number(last[1]) ? 'yes' : 'no');
      }
    }
  });
});
