import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/api/engine.js';
import { gatherReport } from '../../src/report/model.js';
import { renderReportHtml } from '../../src/report/template.js';
import { makeScene, walkers, type Scene } from '../analysis/scenes.js';
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
  let clip: Scene;
  let caseId = '';
  let evidenceId = '';
  let analysisId = '';
  const call = (op: string, input: unknown) => engine.call(op, input) as Promise<any>;
  // Textured walkers cross at a steady pace in four lanes; one runner crosses five times faster, in view
  // from about 4.9 s to 8.6 s (the pipeline's own scene helper: block matching needs texture).
  const RUNNER = { w: 12, h: 30, x0: -450, y0: 102, vx: 90, shade: 230 };

  beforeAll(async () => {
    clip = await makeScene(dir, { name: 'plaza.mp4', seconds: 12, fps: 10, width: 320, height: 240, objects: walkers({ width: 320, seconds: 12, lanes: [10, 55, 145, 195], extra: [RUNNER] }) });
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
    // How to read it goes with the record: motion only, no names.
    expect(a.stats?.notes).toContain('No detector was chosen: objects come from motion only, and none is named (every one is "unknown").');
    const scores = await call('analysis.scores', { analysisId });
    expect(scores.frames.length).toBe(clip.frameCount);
    expect(scores.sigma).toBeGreaterThan(0);
  });

  it('finds the fast object as an event at the right time and place', async () => {
    const events = await call('events.list', { caseId, evidenceId });
    expect(events.length).toBeGreaterThan(0);
    const hit = events.find((e: any) => e.endTime >= 5 && e.startTime <= 8.6);
    expect(hit, JSON.stringify(events.map((e: any) => [e.startTime, e.endTime]))).toBeTruthy();
    expect(hit.category).toBeTruthy();
    const gt = clip.boxAt(clip.objects.length - 1, hit.peakTime)!;
    expect(gt).not.toBeNull();
    const overlay = await call('analysis.overlay', { analysisId, frame: hit.peakFrame });
    const best = Math.max(...overlay.observations.map((o: any) => iou(o.box, gt)));
    expect(best).toBeGreaterThan(0.3);
    const heat = await call('analysis.heatmap', { analysisId, frame: hit.peakFrame });
    const data = Buffer.from(heat.data, 'base64');
    expect(data.length).toBe(heat.width * heat.height);
    let max = 0;
    let at = 0;
    data.forEach((v, i) => v > max && ((max = v), (at = i)));
    const [hx, hy] = [((at % heat.width) + 0.5) * (320 / heat.width), (Math.floor(at / heat.width) + 0.5) * (240 / heat.height)];
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

  it('analyses a clip together with other footage of the camera: one stored analysis that records it', async () => {
    const quiet = await makeScene(dir, { name: 'plaza-later.mp4', seconds: 8, fps: 10, width: 320, height: 240, objects: walkers({ width: 320, seconds: 8, lanes: [10, 55, 100, 145, 195] }) });
    const { jobId: imp } = await call('evidence.import', { caseId, path: quiet.path });
    await engine.jobs.idle();
    const quietId = (await call('jobs.get', { jobId: imp })).targetId;
    const before = (await call('analysis.list', { evidenceId })).length;
    const { jobId } = await call('analysis.start', { evidenceId: quietId, together: [evidenceId], detector: 'none' });
    await engine.jobs.idle();
    const job = await call('jobs.get', { jobId });
    expect(job.state, job.error ?? '').toBe('done');
    const [a] = await call('analysis.list', { evidenceId: quietId });
    expect(a).toMatchObject({ state: 'done', reference: 'self' });
    expect(a.params.together).toEqual([evidenceId]);
    // The model saw both clips (the runner's clip has 20+ tracks of its own), only the target was stored.
    expect(a.stats.reference.tracks).toBeGreaterThan(a.stats.tracks);
    expect((await call('analysis.list', { evidenceId })).length).toBe(before);
    expect(await call('events.list', { caseId, evidenceId: quietId })).toEqual([]);
    // The report names the footage it was analysed with, by exhibit, file and hash.
    const model = gatherReport(engine.db, { caseId, reportId: 'rep_together' });
    const html = renderReportHtml({ model, manifestSha256: '0'.repeat(64), backgrounds: new Map(), overview: new Map() });
    const ex = model.exhibits.find((x) => x.evidenceId === evidenceId)!;
    expect(html).toContain('Self-referenced together with other footage of the same camera');
    expect(html).toContain(`${ex.label} plaza.mp4`);
    await expect(call('analysis.start', { evidenceId: quietId, together: [evidenceId], reference: [evidenceId] })).rejects.toThrow(/not both/);
    await expect(call('analysis.start', { evidenceId: quietId, together: [quietId] })).rejects.toThrow(/own reference/);
  });

  it('refuses a reference from another case and an evidence item as its own reference', async () => {
    await expect(call('analysis.start', { evidenceId, reference: [evidenceId] })).rejects.toThrow(/own reference/);
    await expect(call('analysis.start', { evidenceId, reference: ['ev_aaaaaaaaaaaaaaaa'] })).rejects.toThrow(/No evidence/);
  });
});
