import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/store/audit.js';
import { createCase } from '../../src/store/cases.js';
import { importEvidence } from '../../src/jobs/import-evidence.js';
import { EvidenceModel, evidenceModelFromDb } from '../../src/reasoning/evidence-model.js';
import { validateCitation, type Citation } from '../../src/reasoning/citations.js';
import { askQuestion, getConversation, listConversations, MAX_QUESTION_CHARS, type AskResult } from '../../src/reasoning/conversation.js';
import type { Answerer } from '../../src/reasoning/answerer.js';
import { addDefinition } from '../../src/reasoning/definitions.js';
import { addZone } from '../../src/reasoning/zones.js';
import { buildAnalysisFixture, type AnalysisFixture, type FixtureObject } from '../helpers/analysis-fixture.js';
import { makeMovingBoxClip } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';

/** Every table's rows, to prove a refused request stored nothing. */
function snapshot(path: string): string {
  const db = new Database(path, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const out = tables.map((t) => `${t}:${JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all())}`).join('\n');
  db.close();
  return out;
}

/** Every factual sentence carries ≥ 1 citation and every citation validates against the stored analysis. */
function expectGrounded(m: EvidenceModel, r: AskResult): void {
  const factual = r.sentences.filter((s) => s.factual);
  for (const s of factual) {
    expect(s.citations.length, `uncited: ${s.text}`).toBeGreaterThan(0);
    for (const i of s.citations) expect(validateCitation(m, r.citations[i]), `${s.text} → ${JSON.stringify(r.citations[i])}`).toEqual({ ok: true });
  }
  expect(r.answer).toBe(r.sentences.map((s) => s.text).join(' '));
}

const interval = (text: string): [number, number] | null => {
  const m = /\[(\d+(?:\.\d+)?), (\d+(?:\.\d+)?)\] s/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
};

describe('chat over a stored analysis', () => {
  const dir = tempDir();
  let fx: AnalysisFixture;
  let m: EvidenceModel;
  const ask = async (question: string, conversationId?: string) => {
    const r = await askQuestion(fx.db, { caseId: fx.caseId, conversationId, question });
    expectGrounded(m, r);
    return r;
  };

  beforeAll(async () => {
    fx = await buildAnalysisFixture(dir);
    addZone(fx.db, { caseId: fx.caseId, evidenceId: fx.evidenceId, name: 'Walkway', polygon: [[0, 170], [320, 170], [320, 240], [0, 240]] });
    m = evidenceModelFromDb(fx.db, fx.analysisId);
  });

  it('"what happened?" summarises the events with their categories, citing each', async () => {
    const r = await ask('what happened?');
    expect(r.refused).toBe(false);
    expect(r.answer).toMatch(/Event 1 \[6\.0, 15\.2\] s: cyclist or skater on a walkway/);
    expect(r.answer).toMatch(/Event 2 \[20\.0, 26\.0\] s: loitering/);
    expect(r.citations[0]).toMatchObject({ evidenceId: fx.evidenceId, startTime: 6, endTime: 15.2, trackIds: [10, 11] });
  });

  it('yes/no answers begin with Yes or No; time windows decide', async () => {
    expect((await ask('Is there an anomaly in this clip?')).answer).toMatch(/^Yes: 2 anomalous events/);
    const no = await ask('Was anything unusual in the first 5 seconds?');
    expect(no.answer).toMatch(/^No: no part of plaza\.mp4 during \[0\.0, 5\.0\] s scored as anomalous/);
    expect(no.citations[0]).toMatchObject({ startTime: 0, endTime: 5 });
    expect((await ask('Was anything unusual between 00:21 and 00:23?')).answer).toMatch(/^Yes: 1 anomalous event during \[21\.0, 23\.0\] s \(loitering/);
    expect((await ask('was anyone carrying a bag?')).answer).toMatch(/^Yes: track 12 \(person\) carries a backpack \(track 13\)/);
    expect((await ask('is there a bus?')).answer).toMatch(/^No: the analysis found no bus/);
    expect((await ask('did the cyclist enter from the left?')).answer).toMatch(/^Yes: track 10 \(bicycle\) enters from the left/);
    expect((await ask('did the cyclist enter from the top?')).answer).toMatch(/^No/);
    expect((await ask('was anybody loitering?')).answer).toMatch(/^Yes: track 20 \(person\) stands still/);
    expect((await ask('is the car anomalous?')).answer).toMatch(/^No/);
  });

  it('"when" answers state [start, end] and cite that interval first', async () => {
    const r = await ask('when did the cyclist enter?');
    const iv = interval(r.answer)!;
    expect(iv[0]).toBeCloseTo(6.1, 5);
    expect(r.citations[0].startTime).toBeCloseTo(iv[0], 2);
    expect(r.citations[0].endTime).toBeCloseTo(iv[1], 2);
    expect(r.citations[0].boxes?.[0].trackId).toBe(10);
    const span = await ask('When does the anomaly start and end?');
    expect(span.answer).toMatch(/^Anomalous activity spans \[6\.0, 26\.0\] s, in 2 events/);
    expect(span.citations[0]).toMatchObject({ startTime: 6, endTime: 26 });
    const left = await ask('when did the bicycle leave?');
    expect(left.answer).toMatch(/leaves at the right during \[1[45]\.\d+, 15\.\d+\] s/);
  });

  it('where / which way / how fast / compared to the others', async () => {
    const path = await ask('where did the cyclist go?');
    expect(path.answer).toMatch(/Track 10 \(bicycle\) enters from the left at 6\.1 s, heads right and leaves at the right/);
    const where = await ask('where was the person with the backpack at 10 s?');
    expect(where.answer).toMatch(/^At 10\.0 s track 12 \(person\) is in the right part of the view/);
    expect(where.citations[0]).toMatchObject({ frame: 100, trackIds: [12] });
    const fast = await ask('how fast was the cyclist compared to the others?');
    expect(fast.answer).toMatch(/1\.9 object heights per second on average/);
    expect(fast.answer).toMatch(/faster than all 11 other objects in this footage/);
    expect(fast.answer).toMatch(/The other objects \(11 tracks\) move at a median of/);
    expect((await ask('which object was the fastest?')).answer).toMatch(/^The fastest object is track 10 \(bicycle\)/);
  });

  it('counts at a time and in a zone, refusing a zone that is not drawn', async () => {
    const r = await ask('how many people were on the walkway at 00:12?');
    // At 12 s only the rider (track 11) stands in the walkway zone (y ≥ 170 at the feet) among the people.
    expect(r.answer).toMatch(/^At 12\.0 s \(frame 120\) there are? \d+ (people|person) in zone Walkway/);
    const c = r.citations[0];
    expect(c.frame).toBe(120);
    const inZone = fx.observations.filter((o) => o.frame === 120 && o.label === 'person' && o.box[3] > 170).map((o) => o.trackId).sort();
    expect([...(c.trackIds ?? [])].sort()).toEqual(inZone);
    const noZone = await ask('how many people were in the lobby at 00:12?');
    expect(noZone.refused).toBe(true);
    expect(noZone.answer).toMatch(/There is no zone called "lobby" on plaza\.mp4 \(its zones: Walkway\)/);
    expect((await ask('how many cars?')).answer).toMatch(/^1 car was tracked in \[0\.0, 30\.0\] s: track 30\./);
  });

  it('colours are measured from the pixels in the boxes', async () => {
    const r = await ask('what colour was the car?');
    expect(r.answer).toMatch(/^Track 30 \(car\) is mostly blue/);
    expect(r.citations.every((c) => c.trackIds?.[0] === 30 && c.frame !== undefined)).toBe(true);
    expect((await ask('was the bicycle red?')).answer).toMatch(/^Yes: inside its box track 10 \(bicycle\) is mostly red/);
    expect((await ask('was the bicycle green?')).answer).toMatch(/^No:/);
  });

  it('"why" gives Observation → Comparison → Conclusion with citations', async () => {
    const r = await ask('why is event 1 anomalous?');
    expect(r.answer).toMatch(/Track 10 \(bicycle\) enters from the left at 6\.1 s/);
    expect(r.answer).toMatch(/rides a bicycle|is ridden by track 11/);
    expect(r.answer).toMatch(/What deviates most from normal here: speed 1\.9 object heights per second where 0\.6 object heights per second is typical/);
    expect(r.answer).toMatch(/Conclusion: cyclist or skater on a walkway \[6\.0, 15\.2\] s, category confidence 0\.\d+/);
  });

  it('multi-turn: "it", "the second one", "before that", "anything else" resolve against earlier answers', async () => {
    const a = await ask('list all events');
    expect(a.answer).toMatch(/^2 anomalous events\./);
    const b = await ask('the second one?', a.conversationId);
    expect(b.answer).toMatch(/^The anomalous object in event 2 \[20\.0, 26\.0\] s is a person \(track 20\)/);
    const c = await ask('when did it start?', a.conversationId);
    expect(c.answer).toMatch(/^Event 2 \(loitering\) lasts \[20\.0, 26\.0\] s/);
    const d = await ask('what happened before that?', a.conversationId);
    expect(d.answer).toMatch(/^Event 1 \[6\.0, 15\.2\] s: cyclist/);
    expect(d.answer).not.toMatch(/Event 2/);
    // Both events have been talked about in this conversation by now.
    const e = await ask('anything else unusual?', a.conversationId);
    expect(e.answer).toMatch(/^Nothing else: no part of plaza\.mp4 \[0\.0, 30\.0\] s scored as anomalous apart from what we just discussed/);
    const fresh = await ask('when did the cyclist enter?');
    const other = await ask('anything else unusual?', fresh.conversationId);
    expect(other.answer).toMatch(/Event 2 \[20\.0, 26\.0\] s: loitering/);
    expect(other.answer).not.toMatch(/Event 1 \[/);
    const f = await ask('when did the cyclist leave?', a.conversationId);
    expect(f.answer).toMatch(/Track 10 \(bicycle\) leaves at the right/);
    const g = await ask('how fast was it?', a.conversationId);
    expect(g.answer).toMatch(/^Track 10 \(bicycle\) moves at 1\.9/);
    const conv = getConversation(fx.db, a.conversationId);
    expect(conv.messages.map((x) => x.role)).toEqual(Array(7).fill(['user', 'assistant']).flat());
    expect(conv.messages[1].sentences?.[0].citations).toEqual([0, 1]);
    expect(listConversations(fx.db, fx.caseId).find((x) => x.id === a.conversationId)?.messageCount).toBe(14);
  });

  it('multiple choice: a letter and the reason', async () => {
    const r = await ask('From which side does the anomalous object enter the view? A) left B) right C) top D) bottom');
    expect(r.answer).toMatch(/^A\. Track 10 \(bicycle\) enters from the left during \[6\.1, /);
    expect(r.choice).toBe('A');
    const exit = await ask('Where does the cyclist leave the view? A) left B) right C) bottom D) it is still in view at the end');
    expect(exit.choice).toBe('B');
    const kind = await ask('What kind of object is anomalous? A) a car B) a bicycle C) a dog D) a bus');
    expect(kind.choice).toBe('B');
    const loiterer = await ask('Where does the person in event 2 leave? A) left B) right C) top D) it is still in view at the end');
    expect(loiterer.refused || loiterer.choice === 'D').toBe(true);
  });

  it('multiple choice does not mistake a track found mid-clip for one in view from the start', async () => {
    const dir2 = tempDir();
    const late: FixtureObject = { id: 7, label: 'person', w: 10, h: 24, x0: 150, y0: 100, vx: 3, color: 'white', fromS: 4, score: 0.9 };
    const fx2 = await buildAnalysisFixture(dir2, { seconds: 10, objects: [late, { id: 8, label: 'person', w: 10, h: 24, x0: 20, y0: 40, vx: 10, color: 'gray' }], events: [{ trackIds: [7], startTime: 4, endTime: 8 }] });
    const m2 = evidenceModelFromDb(fx2.db, fx2.analysisId);
    expect(m2.facts(7).entry).toMatchObject({ side: 'inside', how: 'appears' });
    const r = await askQuestion(fx2.db, { caseId: fx2.caseId, question: 'From which side does the anomalous object enter the view? A) left B) right C) bottom D) it is already in view when the clip starts' });
    expectGrounded(m2, r);
    expect(r.refused).toBe(true);
    expect(r.answer).toMatch(/^None of the options can be chosen from the evidence; this is what the analysis shows: Track 7 \(person\) is first seen inside the view at 4\.0 s\./);
  });

  it('refuses what the installed models cannot see, plainly', async () => {
    const outside = [
      'What is the cyclist\'s name?',
      'How old is the person standing still?',
      'Is the man on the bicycle angry?',
      'What did they say?',
      'Was anyone carrying a gun?',
      'Is there a wheelchair?',
      'What brand is the car?',
      'How fast was the cyclist in km/h?',
      'What was the weather like?',
      'Did anyone steal the backpack?',
      'Who is the owner of the car?',
      'Was the driver drunk?',
      'Who owns the bicycle?',
    ];
    let refused = 0;
    for (const q of outside) {
      const r = await ask(q);
      if (r.refused) refused++;
      else throw new Error(`not refused: ${q} → ${r.answer}`);
      expect(r.answer).toMatch(/cannot|does not analyse|no installed model|not something the analysis measures|not understand/);
    }
    expect(refused / outside.length).toBe(1);
    const cart = await ask('when did the cart enter?');
    expect(cart.refused).toBe(true);
    expect(cart.answer).toMatch(/^The installed models cannot answer this: "cart" is not among the installed detector's object classes/);
    // It still points at what the analysis did find, with citations.
    expect(cart.citations.length).toBeGreaterThan(0);
  });

  it('user definitions show up as anomalies and as categories', async () => {
    const dir2 = tempDir();
    const fx2 = await buildAnalysisFixture(dir2);
    const m2 = evidenceModelFromDb(fx2.db, fx2.analysisId);
    addDefinition(fx2.db, { caseId: fx2.caseId, text: 'car' });
    const r = await askQuestion(fx2.db, { caseId: fx2.caseId, question: 'is there anything unusual?' });
    expectGrounded(m2, r);
    expect(r.answer).toMatch(/Your definition "car" matches track 30 \(car\) \[0\.0, 30\.0\] s\./);
  });

  it('bad input: empty, too long, another language, a foreign conversation — clear replies, nothing stored wrongly', async () => {
    const before = snapshot(fx.dbPath);
    await expect(askQuestion(fx.db, { caseId: fx.caseId, question: '   ' })).rejects.toThrow(/question is empty/);
    await expect(askQuestion(fx.db, { caseId: fx.caseId, question: `${'why did the bicycle go so fast '.repeat(400)}`.slice(0, 10240) })).rejects.toThrow(new RegExp(`10240 characters long; the limit is ${MAX_QUESTION_CHARS}`));
    await expect(askQuestion(fx.db, { caseId: 'case_aaaaaaaaaaaaaaaa', question: 'what happened?' })).rejects.toThrow(/No case with id/);
    await expect(askQuestion(fx.db, { caseId: fx.caseId, conversationId: 'conv_aaaaaaaaaaaaaaaa', question: 'what happened?' })).rejects.toThrow(/No conversation with id/);
    const other = createCase(fx.db, { name: 'Other case' });
    const before2 = snapshot(fx.dbPath);
    const own = await askQuestion(fx.db, { caseId: fx.caseId, question: 'what happened?' });
    const afterOwn = snapshot(fx.dbPath);
    await expect(askQuestion(fx.db, { caseId: other.id, conversationId: own.conversationId, question: 'what happened?' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/is not part of case/) });
    expect(snapshot(fx.dbPath)).toBe(afterOwn);
    expect(before2).not.toBe(afterOwn);
    expect(before).not.toBe(before2); // only the new case was added in between
    const foreign = await askQuestion(fx.db, { caseId: fx.caseId, question: '¿Qué pasó con la bicicleta?' });
    expect(foreign).toMatchObject({ refused: true, answer: 'Vigil understands questions in English only. Please ask again in English.', citations: [] });
    const nonsense = await askQuestion(fx.db, { caseId: fx.caseId, question: 'blorp zindle?' });
    expect(nonsense.refused).toBe(true);
    expect(verifyAudit(fx.db).ok).toBe(true);
    const audits = fx.db.prepare("SELECT details_json FROM audit_log WHERE action = 'chat.ask' ORDER BY seq DESC LIMIT 1").get() as { details_json: string };
    expect(JSON.parse(audits.details_json)).toMatchObject({ question: 'blorp zindle?', citations: 0, refused: true });
  });

  it('a case without analysis: a plain refusal', async () => {
    const c = createCase(fx.db, { name: 'Unanalysed' });
    const clip = await makeMovingBoxClip(dir, { name: 'unanalysed.mp4', seconds: 1 });
    await importEvidence(fx.db, { caseId: c.id, path: clip.path, workDir: dir });
    const r = await askQuestion(fx.db, { caseId: c.id, question: 'what happened?' });
    expect(r).toMatchObject({ refused: true, citations: [] });
    expect(r.answer).toMatch(/No completed analysis exists for this case's evidence yet \(unanalysed\.mp4\); run an analysis first/);
    const empty = createCase(fx.db, { name: 'Empty' });
    expect((await askQuestion(fx.db, { caseId: empty.id, question: 'what happened?' })).answer).toMatch(/This case has no evidence yet/);
  });

  it('an answerer that breaks the citation contract is replaced by the grounded one', async () => {
    const liar: Answerer = {
      name: 'test-vlm',
      async answer() {
        const bogus: Citation = { evidenceId: fx.evidenceId, startTime: 50, endTime: 60 };
        return { sentences: [{ text: 'A red truck drove through at 55 s.', citations: [bogus], factual: true }], refused: false };
      },
    };
    const r = await askQuestion(fx.db, { caseId: fx.caseId, question: 'what happened?' }, { answerer: liar });
    expect(r.answerer).toBe('grounded');
    expect(r.answer).not.toMatch(/red truck/);
    expectGrounded(m, r);
    const honest: Answerer = {
      name: 'test-vlm',
      async answer(req) {
        const e = req.evidence[0].events[0];
        return { sentences: [{ text: 'Something fast crossed the plaza.', citations: [{ evidenceId: req.evidence[0].evidenceId, startTime: e.startTime, endTime: e.endTime }], factual: true }], refused: false };
      },
    };
    const h = await askQuestion(fx.db, { caseId: fx.caseId, question: 'what happened?' }, { answerer: honest });
    expect(h).toMatchObject({ answerer: 'test-vlm', answer: 'Something fast crossed the plaza.' });
  });
});
