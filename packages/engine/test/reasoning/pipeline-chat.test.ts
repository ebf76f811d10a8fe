/**
 * The real analysis pipeline (motion only, self-referenced) on generated footage, then questions through the
 * chat: whatever the pipeline found, every answer must agree with the stored analysis and cite it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importEvidence } from '../../src/jobs/import-evidence.js';
import { beginAnalysis, DbAnalysisSink, finishAnalysis, listEvents } from '../../src/store/analyses.js';
import { createCase } from '../../src/store/cases.js';
import { openDatabase } from '../../src/store/db.js';
import { categorizeResultEvents } from '../../src/reasoning/categorize.js';
import { validateCitation } from '../../src/reasoning/citations.js';
import { askQuestion } from '../../src/reasoning/conversation.js';
import { evidenceModelFromDb } from '../../src/reasoning/evidence-model.js';
import { makeMovingBoxClip } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';

const pipelinePath = new URL('../../src/analysis/pipeline.ts', import.meta.url);
const havePipeline = existsSync(pipelinePath);

describe.skipIf(!havePipeline)('chat over a real pipeline analysis', () => {
  it('answers from what the pipeline stored, with valid citations', async () => {
    const { analyzeVideo } = await import('../../src/analysis/pipeline.js');
    const dir = tempDir();
    // Slow walkers crossing the whole clip, and one fast object that enters from the left at 4 s.
    const clip = await makeMovingBoxClip(dir, {
      name: 'walkers.mp4', seconds: 10, fps: 10, width: 192, height: 144, background: '0x303030',
      objects: [
        { w: 8, h: 18, x0: 10, y0: 30, vx: 6, color: '0xc0c0c0' },
        { w: 8, h: 18, x0: 170, y0: 60, vx: -7, color: '0xb0b0b0' },
        { w: 8, h: 18, x0: 40, y0: 90, vx: 5, color: '0xd0d0d0' },
        { w: 8, h: 18, x0: 150, y0: 115, vx: -6, color: '0xa0a0a0' },
        { w: 16, h: 14, x0: -16 - 4 * 70, y0: 70, vx: 70, color: 'white' },
      ],
    });
    const db = openDatabase(path.join(dir, 'case.db'));
    const caseId = createCase(db, { name: 'Pipeline' }).id;
    const { evidenceId } = await importEvidence(db, { caseId, path: clip.path, workDir: path.join(dir, 'work') });
    const analysisId = beginAnalysis(db, { caseId, evidenceId, jobId: null, params: { detector: 'none', reference: 'self' } as never, models: [], reference: 'self', engineVersion: 'test' });
    const sink = new DbAnalysisSink(db, analysisId);
    const r = await analyzeVideo(clip.path, { reference: 'self', detector: null, sink });
    sink.flush();
    const events = categorizeResultEvents(db, analysisId, r);
    finishAnalysis(db, analysisId, { frames: r.frames, tracks: r.tracks, events, stats: r.stats as unknown as Record<string, unknown>, params: r.params });
    expect(r.tracks.length).toBeGreaterThan(0);
    const stored = listEvents(db, { caseId });
    expect(stored.map((e) => e.category)).toEqual(events.map((e) => e.category));
    for (const c of stored.map((e) => e.category)) expect(typeof c).toBe('string');

    const m = evidenceModelFromDb(db, analysisId);
    const ask = async (q: string, conversationId?: string) => {
      const a = await askQuestion(db, { caseId, question: q, conversationId });
      for (const s of a.sentences.filter((x) => x.factual)) {
        expect(s.citations.length, s.text).toBeGreaterThan(0);
        for (const i of s.citations) expect(validateCitation(m, a.citations[i]), s.text).toEqual({ ok: true });
      }
      return a;
    };
    // The fast object (in view 4–7 s) is what a self-referenced analysis of this clip should flag.
    expect(stored.some((e) => e.startTime < 7 && e.endTime > 4)).toBe(true);
    const any = await ask('Is there an anomaly in this clip?');
    expect(any.answer.startsWith(stored.length ? 'Yes' : 'No')).toBe(true);
    const when = await ask('When does the anomaly start and end?');
    if (stored.length) {
      const s = Math.min(...stored.map((e) => e.startTime));
      const e = Math.max(...stored.map((x) => x.endTime));
      expect(when.citations[0].startTime).toBeCloseTo(s, 2);
      expect(when.citations[0].endTime).toBeCloseTo(e, 2);
      // Motion-only analysis: objects are unclassified, and the answer says so instead of guessing a class.
      const what = await ask('What kind of object is anomalous?', when.conversationId);
      expect(what.answer).toMatch(/could not classify|person|bicycle|car|skateboard|object/);
      const why = await ask('why?', what.conversationId);
      expect(why.refused).toBe(false);
    } else {
      expect(when.refused).toBe(true);
    }
    const count = await ask('how many objects were there at 00:05?');
    const at5 = m.observationsAt(5)!;
    expect(count.citations[0].frame).toBe(at5.frame.frame);
    expect(count.answer).toMatch(new RegExp(`there (is|are) ${at5.obs.length} `));
    db.close();
  });
});
