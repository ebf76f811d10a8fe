import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/api/engine.js';
import { makeMovingBoxClip, type MovingBoxClip } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';

const iou = (a: number[], b: number[]) => {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const i = w * h;
  return i / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i);
};

describe('analysis through the engine: job, persisted results, overlays, review', () => {
  const dir = tempDir();
  let engine: Engine;
  let clip: MovingBoxClip;
  let caseId = '';
  let evidenceId = '';
  let analysisId = '';
  const call = (op: string, input: unknown) => engine.call(op, input) as Promise<any>;
  // Walkers cross at a steady pace all along; one object crosses five times faster from 6 s to ~7.5 s.
  const FAST = { w: 14, h: 14, x0: -6 * 160 - 14, y0: 40, vx: 160, color: 'white' };

  beforeAll(async () => {
    clip = await makeMovingBoxClip(dir, {
      name: 'plaza.mp4', seconds: 10, fps: 10, width: 240, height: 160,
      objects: [
        { w: 10, h: 18, x0: -10, y0: 110, vx: 26, color: '0x90b0d0' },
        { w: 10, h: 18, x0: 240, y0: 80, vx: -24, color: '0xc0a080' },
        { w: 10, h: 18, x0: -130, y0: 125, vx: 28, color: '0xa0d090' },
        FAST,
      ],
    });
    engine = new Engine({ dbPath: join(dir, 'v.db'), transport: 'http' });
    caseId = (await call('cases.create', { name: 'plaza' })).id;
    const { jobId } = await call('evidence.import', { caseId, path: clip.path });
    await engine.jobs.idle();
    evidenceId = (await call('jobs.get', { jobId })).targetId;
  });
  afterAll(() => engine.close());

  it('runs as a job with stages and stores a complete analysis', async () => {
    const stages = new Set<string>();
    const off = engine.on((e) => e.type === 'job' && e.job.kind === 'analysis' && e.job.stage && stages.add(e.job.stage));
    const { jobId } = await call('analysis.start', { evidenceId, detector: 'none' });
    await engine.jobs.idle();
    off();
    const job = await call('jobs.get', { jobId });
    expect(job.state, job.error ?? '').toBe('done');
    expect(stages.size).toBeGreaterThan(1);
    analysisId = job.targetId;
    const [a] = await call('analysis.list', { evidenceId });
    expect(a).toMatchObject({ id: analysisId, state: 'done', reference: 'self' });
    const scores = await call('analysis.scores', { analysisId });
    expect(scores.frames.length).toBe(clip.frameCount);
    expect(scores.sigma).toBeGreaterThan(0);
  });

  it('finds the fast object as an event at the right time and place', async () => {
    const events = await call('events.list', { caseId, evidenceId });
    expect(events.length).toBeGreaterThan(0);
    const hit = events.find((e: any) => e.endTime >= 6 && e.startTime <= 7.5);
    expect(hit, JSON.stringify(events.map((e: any) => [e.startTime, e.endTime]))).toBeTruthy();
    const truth = clip.boxesAt(hit.peakFrame)[3];
    expect(truth).not.toBeNull();
    const overlay = await call('analysis.overlay', { analysisId, frame: hit.peakFrame });
    const gt = [truth!.x, truth!.y, truth!.x + truth!.w, truth!.y + truth!.h];
    const best = Math.max(...overlay.observations.map((o: any) => iou(o.box, gt)));
    expect(best).toBeGreaterThan(0.3);
    const heat = await call('analysis.heatmap', { analysisId, frame: hit.peakFrame });
    const data = Buffer.from(heat.data, 'base64');
    expect(data.length).toBe(heat.width * heat.height);
    let max = 0;
    let at = 0;
    data.forEach((v, i) => v > max && ((max = v), (at = i)));
    const [hx, hy] = [((at % heat.width) + 0.5) * (240 / heat.width), (Math.floor(at / heat.width) + 0.5) * (160 / heat.height)];
    expect(hx).toBeGreaterThan(gt[0] - 12);
    expect(hx).toBeLessThan(gt[2] + 12);
    expect(hy).toBeGreaterThan(gt[1] - 12);
    expect(hy).toBeLessThan(gt[3] + 12);
  });

  it('persists a review with an audit row', async () => {
    const [e] = await call('events.list', { caseId, evidenceId });
    const r = await call('events.review', { eventId: e.id, state: 'confirmed', note: 'Cyclist on the walkway.' });
    expect(r).toMatchObject({ reviewState: 'confirmed', reviewNote: 'Cyclist on the walkway.' });
    const again = (await call('events.list', { caseId, evidenceId })).find((x: any) => x.id === e.id);
    expect(again.reviewState).toBe('confirmed');
    const audit = await call('audit.list', { caseId, limit: 5 });
    expect(audit[0]).toMatchObject({ action: 'event.review', subject: e.id });
    expect((await call('audit.verify', {})).ok).toBe(true);
  });

  it('refuses a reference from another case and an evidence item as its own reference', async () => {
    await expect(call('analysis.start', { evidenceId, reference: [evidenceId] })).rejects.toThrow(/own reference/);
    await expect(call('analysis.start', { evidenceId, reference: ['ev_aaaaaaaaaaaaaaaa'] })).rejects.toThrow(/No evidence/);
  });
});
