/**
 * Report export end to end: a case built from a generated clip with a planted anomaly, printed by real
 * headless Chromium, checked with poppler (pdftotext, pdfimages, pdftoppm, pdfinfo, pdfdetach) and
 * against the database.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/media/ffmpeg-path.js';
import { explainEvent } from '../../src/reasoning/index.js';
import { exportReport } from '../../src/report/export.js';
import { MANIFEST_NAME } from '../../src/report/manifest.js';
import { getEvent, listEvents, reviewEvent } from '../../src/store/analyses.js';
import { listAudit, verifyAudit } from '../../src/store/audit.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { getEvidenceRow } from '../../src/store/evidence.js';
import { addNote } from '../../src/store/notes.js';
import { buildReportCase, makeAnomalyClip, SHAKE_NOTE, type ReportFixture } from '../helpers/report-fixture.js';
import { tempDir } from '../helpers/tmp.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
/** Text of the PDF; `flat` has all whitespace removed (hashes may wrap across lines). */
function pdfText(file: string): { text: string; flat: string } {
  const text = run('pdftotext', ['-enc', 'UTF-8', file, '-']).replace(/\s+/g, ' ');
  return { text, flat: text.replace(/\s+/g, '') };
}
const pdfPages = (file: string) => Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [file]))![1]);
function pdfImages(file: string): { page: number; width: number; height: number }[] {
  return run('pdfimages', ['-list', file])
    .split('\n')
    .slice(2)
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s+/))
    .map((c) => ({ page: Number(c[0]), width: Number(c[3]), height: Number(c[4]) }));
}
function extractManifest(file: string, dir: string): { bytes: Buffer; json: any } {
  const list = run('pdfdetach', ['-list', file]);
  expect(list).toContain(MANIFEST_NAME);
  const out = join(dir, `manifest-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  run('pdfdetach', ['-save', '1', '-o', out, file]);
  const bytes = readFileSync(out);
  return { bytes, json: JSON.parse(bytes.toString('utf8')) };
}
/** Every row of every table, to prove a refused export changed nothing. */
function snapshot(db: Db): string {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  return tables.map((t) => `${t}:${JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all())}`).join('\n');
}

describe('report export', () => {
  const dir = tempDir('vigil-report-');
  let db: Db;
  let main: ReportFixture;
  let other: ReportFixture;
  let bare: ReportFixture;
  let eventId: string;

  beforeAll(async () => {
    db = openDatabase(join(dir, 'cases.db'));
    const clip = await makeAnomalyClip(dir);
    main = await buildReportCase(db, dir, { clip });
    other = await buildReportCase(db, dir, { name: 'Unrelated case', clip });
    bare = await buildReportCase(db, dir, { name: 'Imported, never analysed', clip, analyse: false });
    eventId = main.analysis!.eventIds[0];
    reviewEvent(db, eventId, 'confirmed', 'Fast object crossing the yard; consistent with the witness account.');
    addNote(db, { caseId: main.caseId, evidenceId: main.evidenceId, eventId, kind: 'note', frame: 60, time: 2.4, title: 'Thrown object?', body: 'Shape and speed suggest an object thrown across the yard.' });
  });

  it('writes a PDF whose text, images, pages and embedded manifest match the case database', async () => {
    const out = join(dir, 'full.pdf');
    const stages = new Set<string>();
    let last = 0;
    let monotonic = true;
    const r = await exportReport(db, {
      caseId: main.caseId,
      out,
      onProgress: (f, s) => {
        if (f < last - 1e-9) monotonic = false;
        last = f;
        if (s) stages.add(s);
      },
    });
    expect(monotonic).toBe(true);
    expect(last).toBe(1);
    expect([...stages]).toEqual(['gather', 'verify', 'keyframes', 'print', 'finish']);

    const bytes = readFileSync(out);
    expect(r.path).toBe(out);
    expect(r.sha256).toBe(sha(bytes));
    expect(r.pages).toBe(pdfPages(out));
    expect(r.pages).toBeGreaterThanOrEqual(3);

    const ev = getEvidenceRow(db, main.evidenceId);
    const event = getEvent(db, eventId);
    const { text, flat } = pdfText(out);
    expect(flat).toContain(ev.sha256);
    expect(text).toContain('Depot yard, night of 3 March');
    expect(text).toContain('A. Analyst');
    expect(text).toContain('yard.mp4');
    expect(text).toMatch(/container pts/); // timing source from the probe
    // Event times and frames, as stored.
    const t = (s: number) => new Date(Math.round(s * 1000)).toISOString().slice(11, 23);
    expect(text).toContain(`${t(event.startTime)} – ${t(event.endTime)}`);
    expect(text).toContain(`${event.startFrame} – ${event.endFrame}; peak at frame ${event.peakFrame}`);
    expect(text).toContain('Fast movement');
    expect(text).toContain('Confirmed by analyst'.toUpperCase());
    expect(text).toContain('consistent with the witness account');
    expect(text).toContain('Shape and speed suggest an object thrown');
    // The reasoning, step by step, as the reasoning module gives it; then the measured grounds and the path.
    const explanation = explainEvent(db, eventId);
    expect(explanation.steps.length).toBeGreaterThan(0);
    for (const s of explanation.steps) expect(text).toContain(s.text.replace(/\s+/g, ' '));
    expect(text).toMatch(/speed 7\.1 1 0\.92/);
    expect(text).toContain('enters from the left → crosses the upper part of the yard → exits at the right');
    // The analysis' notes are a list of their own, not a row of the run statistics.
    expect(text).toContain('Notes on this analysis');
    expect(text).toContain(SHAKE_NOTE);
    expect(text).not.toMatch(/\bnotes\s+The camera shook/);
    // Processing history, AI statement, audit extract, page numbers.
    expect(flat).toContain(sha('fixture motion model'));
    expect(text).toContain('AI-assistance statement');
    expect(text).toContain('evidence.import');
    expect(text).toContain('event.review');
    expect(text).toContain(`Page 1 of ${r.pages}`);
    expect(text).toContain(`Page ${r.pages} of ${r.pages}`);

    // Stills: the start, peak and end frames as enlarged PNGs, plus the trajectory overview background.
    const images = pdfImages(out);
    expect(images.filter((i) => i.width === 960 && i.height === 720)).toHaveLength(1); // peak
    expect(images.filter((i) => i.width === 480 && i.height === 360)).toHaveLength(2); // start, end
    expect(images.some((i) => i.width === 160 && i.height === 120)).toBe(true);

    // Every page renders, and none is blank.
    const pngDir = join(dir, 'pages');
    mkdirSync(pngDir, { recursive: true });
    run('pdftoppm', ['-r', '30', '-gray', out, join(pngDir, 'p')]);
    const pages = readdirSync(pngDir).filter((f) => f.endsWith('.pgm'));
    expect(pages).toHaveLength(r.pages);
    for (const p of pages) {
      const pgm = readFileSync(join(pngDir, p));
      const [, w, h] = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 32).toString('latin1'))!.map(Number);
      const pixels = pgm.subarray(pgm.length - w * h);
      const inked = pixels.reduce((n, v) => n + (v < 220 ? 1 : 0), 0);
      expect(inked, `page ${p} looks blank`).toBeGreaterThan(500);
    }

    // The manifest: present, hashed as printed, and equal to the database.
    const { bytes: mb, json: m } = extractManifest(out, dir);
    expect(sha(mb)).toBe(r.manifestSha256);
    expect(flat).toContain(r.manifestSha256);
    expect(m.format).toBe('vigil-report-manifest');
    expect(m.reportId).toBe(r.reportId);
    expect(m.case).toMatchObject({ id: main.caseId, name: 'Depot yard, night of 3 March', examiner: 'A. Analyst' });
    expect(m.exhibits).toHaveLength(1);
    expect(m.exhibits[0]).toMatchObject({ evidenceId: ev.id, sha256: ev.sha256, sizeBytes: ev.size_bytes, fileName: 'yard.mp4', verification: { status: 'match' } });
    const dbAnalysis = db.prepare('SELECT * FROM analyses WHERE id = ?').get(main.analysis!.analysisId) as { params_json: string; models_json: string };
    expect(m.analyses).toHaveLength(1);
    expect(m.analyses[0].params).toEqual(JSON.parse(dbAnalysis.params_json));
    expect(m.analyses[0].models).toEqual(JSON.parse(dbAnalysis.models_json));
    const dbEvents = listEvents(db, { caseId: main.caseId });
    expect(m.events.map((e: { id: string }) => e.id)).toEqual(dbEvents.map((e) => e.id));
    expect(m.events[0]).toMatchObject({
      startTime: event.startTime, endTime: event.endTime, startFrame: event.startFrame, endFrame: event.endFrame, peakFrame: event.peakFrame,
      confidence: event.confidence, category: 'fast movement', review: { state: 'confirmed', note: event.reviewNote },
    });
    // Keyframe hashes: printed under the stills, and reproducible with the documented ffmpeg command.
    const keyframes = m.events[0].keyframes as { role: string; frame: number; time: number; sha256: string }[];
    expect(keyframes.map((k) => k.role)).toEqual(['start', 'peak', 'end']);
    expect(keyframes.map((k) => k.frame)).toEqual([event.startFrame, event.peakFrame, event.endFrame]);
    for (const k of keyframes) {
      expect(flat).toContain(k.sha256);
      expect(k.time).toBeCloseTo(k.frame / 25, 6);
    }
    const peak = keyframes[1];
    const raw = execFileSync(resolveFfmpeg().path, ['-hide_banner', '-loglevel', 'error', '-i', ev.original_path, '-map', '0:v:0', '-vf', `select=eq(n\\,${peak.frame}),format=rgb24`, '-vsync', '0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 16 << 20 });
    expect(raw.length).toBe(160 * 120 * 3);
    expect(sha(raw)).toBe(peak.sha256);

    // Recorded: a reports row and a report.export audit row with the PDF's hash; the chain still verifies.
    const row = db.prepare('SELECT * FROM reports WHERE id = ?').get(r.reportId) as { case_id: string; path: string; sha256: string; pages: number; options_json: string };
    expect(row).toMatchObject({ case_id: main.caseId, path: out, sha256: r.sha256, pages: r.pages });
    expect(JSON.parse(row.options_json)).toMatchObject({ eventIds: null, transcript: false, manifestSha256: r.manifestSha256 });
    const audit = listAudit(db, main.caseId, 1)[0];
    expect(audit).toMatchObject({ action: 'report.export', subject: r.reportId, details: { sha256: r.sha256, path: out, pages: r.pages } });
    expect(verifyAudit(db).ok).toBe(true);
  });

  it('reports a selection of events only, saying so, and prints the chat section when asked', async () => {
    const out = join(dir, 'selection.pdf');
    const r = await exportReport(db, { caseId: main.caseId, out, eventIds: [eventId], transcript: true });
    const { text } = pdfText(out);
    expect(text).toContain('Selection of 1 event chosen by the analyst');
    expect(text).toContain('Chat transcript');
    const { json: m } = extractManifest(out, dir);
    expect(m.options).toEqual({ eventIds: [eventId], transcript: true });
    expect(m.events.map((e: { id: string }) => e.id)).toEqual([eventId]);
    expect(JSON.parse((db.prepare('SELECT options_json FROM reports WHERE id = ?').get(r.reportId) as { options_json: string }).options_json).eventIds).toEqual([eventId]);
  });

  it('produces a report for a case without analysis that says so plainly', async () => {
    const out = join(dir, 'bare.pdf');
    const r = await exportReport(db, { caseId: bare.caseId, out });
    const { text, flat } = pdfText(out);
    expect(text).toContain('No anomaly analysis has been run on the evidence in this case');
    expect(flat).toContain(getEvidenceRow(db, bare.evidenceId).sha256);
    expect(pdfImages(out)).toHaveLength(0);
    const { json: m } = extractManifest(out, dir);
    expect(m.analyses).toEqual([]);
    expect(m.events).toEqual([]);
    expect(r.pages).toBe(pdfPages(out));
  });

  it('refuses bad input before doing any work, recording nothing', async () => {
    const before = snapshot(db);
    const otherEvent = other.analysis!.eventIds[0];
    const cases: [Parameters<typeof exportReport>[1], RegExp, string][] = [
      [{ caseId: 'case_aaaaaaaaaaaaaaaa', out: join(dir, 'x.pdf') }, /No case with id case_aaaaaaaaaaaaaaaa/, 'not_found'],
      [{ caseId: main.caseId, out: join(dir, 'x.pdf'), eventIds: [eventId, otherEvent] }, new RegExp(`Event ${otherEvent} belongs to another case`), 'invalid_input'],
      [{ caseId: main.caseId, out: join(dir, 'x.pdf'), eventIds: ['evt_aaaaaaaaaaaaaaaa'] }, /No event with id evt_aaaaaaaaaaaaaaaa/, 'not_found'],
      [{ caseId: main.caseId, out: join(dir, 'x.pdf'), eventIds: [] }, /selection is empty/, 'invalid_input'],
      [{ caseId: main.caseId, out: join(dir, 'no-such-folder', 'x.pdf') }, /folder .*no-such-folder does not exist/, 'invalid_input'],
      [{ caseId: main.caseId, out: join(dir, 'cases.db', 'x.pdf') }, /is not a folder/, 'invalid_input'],
      [{ caseId: main.caseId, out: '/proc/vigil-report.pdf' }, /folder \/proc is not writable/, 'invalid_input'],
      [{ caseId: main.caseId, out: join(dir, 'report.txt') }, /must end in \.pdf/, 'invalid_input'],
      [{ caseId: main.caseId, out: join(dir, 'full.pdf') }, /already exists/, 'conflict'],
    ];
    for (const [opts, msg, code] of cases) {
      await expect(exportReport(db, opts), String(msg)).rejects.toMatchObject({ code, message: expect.stringMatching(msg) });
    }
    expect(existsSync(join(dir, 'x.pdf'))).toBe(false);
    expect(snapshot(db)).toBe(before);
  });

  it('overwrites an existing report only when asked', async () => {
    const out = join(dir, 'overwrite.pdf');
    writeFileSync(out, 'old');
    const r = await exportReport(db, { caseId: bare.caseId, out, overwrite: true });
    expect(sha(readFileSync(out))).toBe(r.sha256);
  });

  it('states that an original changed after import and decodes no stills from it', async () => {
    const sub = join(dir, 'tampered');
    mkdirSync(sub);
    const copy = join(sub, 'gate.mp4');
    copyFileSync(main.clip.path, copy);
    const db2 = openDatabase(join(sub, 't.db'));
    const f = await buildReportCase(db2, sub, { clip: { ...main.clip, path: copy } });
    appendFileSync(copy, Buffer.from('appended after import'));
    const out = join(sub, 'tampered.pdf');
    await exportReport(db2, { caseId: f.caseId, out });
    const { text } = pdfText(out);
    expect(text).toContain('no longer matches the SHA-256 recorded at import');
    expect(text).toMatch(/Peak still \(frame \d+\) not available/);
    expect(pdfImages(out).filter((i) => i.width === 960 || i.width === 480)).toHaveLength(0);
    const { json: m } = extractManifest(out, sub);
    expect(m.exhibits[0].verification.status).toBe('mismatch');
    expect(m.events[0].keyframes.every((k: { sha256: string | null }) => k.sha256 === null)).toBe(true);
    db2.close();
  });

  it('stops when cancelled: no file, no report row, no audit row', async () => {
    const out = join(dir, 'cancelled.pdf');
    const before = snapshot(db);
    const ac = new AbortController();
    await expect(
      exportReport(db, { caseId: main.caseId, out, signal: ac.signal, onProgress: (_f, s) => s === 'keyframes' && ac.abort() }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('cancelled'))).toEqual([]);
    expect(snapshot(db)).toBe(before);
  });

  it('keeps the database untouched when the PDF cannot be printed', async () => {
    const before = snapshot(db);
    const out = join(dir, 'unprintable.pdf');
    await expect(exportReport(db, { caseId: main.caseId, out, printer: { print: async () => Uint8Array.from([1, 2, 3]) } })).rejects.toThrow(/cannot be read back/);
    expect(existsSync(out)).toBe(false);
    expect(snapshot(db)).toBe(before);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

});
