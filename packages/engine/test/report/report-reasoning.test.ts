/**
 * Reasoning and chat in the report: on the plaza scene (a fast cyclist and a loiterer among walkers), the
 * report prints each event's grounded reasoning steps with their citations exactly as the reasoning module
 * gives them, and the chat transcript (questions, answers, citations) when asked.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { askQuestion, explainEvent } from '../../src/reasoning/index.js';
import { exportReport } from '../../src/report/export.js';
import { buildAnalysisFixture, type AnalysisFixture } from '../helpers/analysis-fixture.js';
import { tempDir } from '../helpers/tmp.js';

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
const fmt = (s: number) => new Date(Math.round(s * 1000)).toISOString().slice(11, 23);

describe('report reasoning and transcript', () => {
  const dir = tempDir('vigil-report-reasoning-');
  let f: AnalysisFixture;
  const questions = ['What happened?', 'When did the cyclist appear?'];
  const answers: string[] = [];

  beforeAll(async () => {
    f = await buildAnalysisFixture(dir, { caseName: 'Plaza, camera 2' });
    let conversationId: string | undefined;
    for (const q of questions) {
      const a = await askQuestion(f.db, { caseId: f.caseId, conversationId, question: q });
      conversationId = a.conversationId;
      answers.push(a.answer);
    }
  }, 300_000);

  it('prints every reasoning step of every event with its citations, as explainEvent gives them', async () => {
    const out = join(dir, 'reasoning.pdf');
    await exportReport(f.db, { caseId: f.caseId, out, transcript: true });
    const text = norm(run('pdftotext', ['-enc', 'UTF-8', out, '-']));
    run('pdfdetach', ['-save', '1', '-o', join(dir, 'm.json'), out]);
    const manifest = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    expect(manifest.events).toHaveLength(f.eventIds.length);
    for (const [i, id] of f.eventIds.entries()) {
      const x = explainEvent(f.db, id);
      expect(x.steps.length).toBeGreaterThan(0);
      expect(text).toContain(`The reasoning arrives at the category ${x.category}`);
      for (const s of x.steps) {
        expect(text).toContain(norm(s.text));
        for (const c of s.citations) {
          const range = Math.abs(c.endTime - c.startTime) < 5e-4 ? fmt(c.startTime) : `${fmt(c.startTime)} – ${fmt(c.endTime)}`;
          expect(text).toContain(`[EX1 · ${range}`);
        }
      }
      const m = manifest.events.find((e: { id: string }) => e.id === id);
      expect(m.label).toBe(`E${i + 1}`);
      expect(m.reasoning.steps.map((s: { kind: string; text: string }) => [s.kind, s.text])).toEqual(x.steps.map((s) => [s.kind, s.text]));
    }
    expect(text).not.toContain('No written reasoning is available');
  });

  it('prints the chat transcript verbatim, in order, with citations', async () => {
    const out = join(dir, 'transcript.pdf');
    await exportReport(f.db, { caseId: f.caseId, out, transcript: true });
    const text = norm(run('pdftotext', ['-enc', 'UTF-8', out, '-']));
    const section = text.slice(text.indexOf('Chat transcript Questions asked'));
    let at = 0;
    for (const [i, q] of questions.entries()) {
      const qi = section.indexOf(q, at);
      expect(qi, q).toBeGreaterThan(-1);
      const ai = section.indexOf(norm(answers[i]).slice(0, 60), qi);
      expect(ai, answers[i]).toBeGreaterThan(qi);
      at = ai;
    }
    expect(section).toMatch(/\[EX1 · \d\d:\d\d:\d\d\.\d{3}/);
  });

  it('leaves the transcript out unless asked', async () => {
    const out = join(dir, 'no-transcript.pdf');
    await exportReport(f.db, { caseId: f.caseId, out });
    const text = norm(run('pdftotext', ['-enc', 'UTF-8', out, '-']));
    expect(text).not.toContain('Chat transcript');
    expect(text).not.toContain(norm(answers[1]).slice(0, 60));
  });
});
