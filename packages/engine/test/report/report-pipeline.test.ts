/**
 * A report over a real analysis: the anomaly pipeline (analyzeVideo, motion only) runs on a generated
 * clip with a planted fast object, its output is stored through the store's sink, and the report is
 * checked against what the pipeline stored.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeVideo } from '../../src/analysis/pipeline.js';
import { importEvidence } from '../../src/jobs/import-evidence.js';
import { exportReport } from '../../src/report/export.js';
import { DbAnalysisSink, beginAnalysis, finishAnalysis, listEvents } from '../../src/store/analyses.js';
import { createCase } from '../../src/store/cases.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { getEvidenceRow } from '../../src/store/evidence.js';
import { VIGIL_VERSION } from '../../src/version.js';
import { makeMovingBoxClip } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

describe('report over a real pipeline analysis', () => {
  const dir = tempDir('vigil-report-pipeline-');
  let db: Db;
  let caseId = '';
  let evidenceId = '';

  beforeAll(async () => {
    db = openDatabase(join(dir, 'cases.db'));
    caseId = createCase(db, { name: 'Pipeline case', examiner: 'B. Examiner' }).id;
    // Walkers crossing at a steady pace all clip long; one object races across from 4 s.
    const clip = await makeMovingBoxClip(dir, {
      name: 'walkway.mp4', seconds: 8, fps: 10, width: 192, height: 144,
      objects: [
        { w: 10, h: 20, x0: -10, y0: 100, vx: 24, color: '0xa0a0a0' },
        { w: 10, h: 20, x0: 190, y0: 60, vx: -24, color: '0xb0b0b0' },
        { w: 12, h: 12, x0: -612, y0: 20, vx: 150, color: 'white' },
      ],
    });
    const normal = await makeMovingBoxClip(dir, {
      name: 'walkway-normal.mp4', seconds: 8, fps: 10, width: 192, height: 144,
      objects: [
        { w: 10, h: 20, x0: -10, y0: 100, vx: 24, color: '0xa0a0a0' },
        { w: 10, h: 20, x0: 190, y0: 60, vx: -24, color: '0xb0b0b0' },
      ],
    });
    evidenceId = (await importEvidence(db, { caseId, path: clip.path, workDir: join(dir, 'work') })).evidenceId;
    const normalId = (await importEvidence(db, { caseId, path: normal.path, workDir: join(dir, 'work') })).evidenceId;
    const ev = getEvidenceRow(db, evidenceId);
    const analysisId = beginAnalysis(db, {
      caseId, evidenceId, jobId: null, models: [], reference: [normalId], engineVersion: VIGIL_VERSION,
      params: { fps: 10, analysisWidth: 192, detector: 'none', reference: [normalId], sigma: 0, enterThreshold: 0, exitThreshold: 0, minEventS: 0, mergeGapS: 0 },
    });
    const sink = new DbAnalysisSink(db, analysisId);
    const r = await analyzeVideo(ev.original_path, { sink, reference: { paths: [normal.path] }, detector: null });
    sink.flush();
    finishAnalysis(db, analysisId, { frames: r.frames, tracks: r.tracks, events: r.events, stats: r.stats as unknown as Record<string, unknown>, params: r.params });
  }, 300_000);

  it('reports every stored event with stills, times and the pipeline parameters', async () => {
    const events = listEvents(db, { caseId });
    const out = join(dir, 'pipeline.pdf');
    const r = await exportReport(db, { caseId, out });
    const text = run('pdftotext', ['-enc', 'UTF-8', out, '-']).replace(/\s+/g, ' ');
    const t = (s: number) => new Date(Math.round(s * 1000)).toISOString().slice(11, 23);
    for (const e of events) expect(text).toContain(`${t(e.startTime)} – ${t(e.endTime)}`);
    const stills = run('pdfimages', ['-list', out]).split('\n').slice(2).filter((l) => /\s(960\s+720|576\s+432)\s/.test(l));
    const expected = events.reduce((n, e) => n + new Set([e.startFrame, e.peakFrame, e.endFrame]).size, 0);
    expect(events.length).toBeGreaterThan(0);
    expect(stills).toHaveLength(expected);
    expect(text).toContain('No neural network model was used');
    expect(text).toMatch(/heatmapWidth \d+/); // resolved pipeline parameters are printed
    const manifest = join(dir, 'm.json');
    run('pdfdetach', ['-save', '1', '-o', manifest, out]);
    const m = JSON.parse(run('cat', [manifest]));
    expect(m.events.map((e: { id: string }) => e.id)).toEqual(events.map((e) => e.id));
    expect(m.analyses[0].params.heatmapWidth).toBeGreaterThan(0);
    expect(r.pages).toBeGreaterThanOrEqual(3);
    // The planted object crosses from 4 s on; with the walkers-only reference the analysis flags it.
    expect(events.some((e) => e.endTime >= 4.2 && e.startTime <= 7)).toBe(true);
    expect(text).toContain('walkway-normal.mp4'); // reference footage named in the processing history
  });
});
