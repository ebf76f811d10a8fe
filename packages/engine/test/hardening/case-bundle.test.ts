/**
 * Case bundles: a case with evidence, notes, an analysis (scores, tracks, observations, heatmaps,
 * events), a conversation, a zone, a definition and a report PDF goes out as a .vigilcase and comes back
 * into other databases row for row; the bundle is refused if any member is changed by one byte, if its
 * case is already there, or if evidence it references cannot be found with the same SHA-256.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseTables } from '../../src/bundle/case-rows.js';
import { exportCaseBundle } from '../../src/bundle/export.js';
import { importCaseBundle } from '../../src/bundle/import.js';
import { parseArgs } from '../../src/cli/args.js';
import { runCaseExport, runCaseImport } from '../../src/cli/commands/bundle.js';
import { VigilError } from '../../src/errors.js';
import { importEvidence } from '../../src/jobs/import-evidence.js';
import { verifyAudit } from '../../src/store/audit.js';
import { createCase } from '../../src/store/cases.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { newId } from '../../src/store/ids.js';
import { addNote } from '../../src/store/notes.js';
import { makeClip } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';
import { snapshot, storeProblems, walk } from './invariants.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** All members of a zip, in order, as bytes. */
async function readZip(path: string): Promise<{ name: string; data: Buffer; compressed: boolean }[]> {
  const zip = await yauzl.openPromise(path, { autoClose: false });
  const out: { name: string; data: Buffer; compressed: boolean }[] = [];
  for await (const e of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await zip.openReadStreamPromise(e)) chunks.push(c as Buffer);
    out.push({ name: e.fileName, data: Buffer.concat(chunks), compressed: e.compressionMethod === 8 });
  }
  zip.close();
  return out;
}

async function writeZip(path: string, members: { name: string; data: Buffer; compressed: boolean }[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const m of members) zip.addBuffer(m.data, m.name, { compress: m.compressed });
  zip.end();
  await new Promise<void>((ok, bad) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => {
      writeFileSync(path, Buffer.concat(chunks));
      ok();
    });
    zip.outputStream.on('error', bad);
  });
}

async function refusal(p: Promise<unknown>): Promise<VigilError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VigilError);
    return e as VigilError;
  }
  throw new Error('expected a refusal');
}

/** Rows of every case table for one case, keyed by table, with columns a bundle import rewrites blanked. */
function caseRows(db: Db, caseId: string): Record<string, unknown[]> {
  const rewritten: Record<string, string[]> = { evidence: ['original_path', 'proxy_path', 'proxy_status'], reports: ['path'], jobs: ['pid'] };
  const out: Record<string, unknown[]> = {};
  for (const t of caseTables(db)) {
    const rows = db.prepare(`SELECT * FROM "${t.name}" WHERE ${t.where} ORDER BY ${t.orderBy}`).all(caseId) as Record<string, unknown>[];
    out[t.name] = rows.map((r) => {
      const c = { ...r };
      for (const k of rewritten[t.name] ?? []) delete c[k];
      return c;
    });
  }
  return out;
}

/** A case with something in every table a case can have (analysis rows written directly). */
async function seedCase(db: Db, dir: string, workDir: string, name: string, seconds: number) {
  const c = createCase(db, { name, examiner: 'A. Analyst' });
  const mp4 = await makeClip(dir, { name: `${name}-gate.mp4`, seconds, fps: 10, width: 64, height: 48 });
  const avi = await makeClip(dir, { name: `${name}-dock.avi`, seconds, fps: 10, width: 64, height: 48 });
  const ev1 = (await importEvidence(db, { caseId: c.id, path: mp4, workDir })).evidenceId;
  const ev2 = (await importEvidence(db, { caseId: c.id, path: avi, workDir })).evidenceId;
  const now = new Date().toISOString();
  const an = newId('an');
  const evt = newId('evt');
  const job = newId('job');
  db.prepare("INSERT INTO jobs (id, case_id, kind, state, progress, target_id, params_json, created_at, started_at, finished_at, pid) VALUES (?,?,'analysis','done',1,?,'{}',?,?,?,4242)").run(job, c.id, an, now, now, now);
  db.prepare("INSERT INTO analyses (id, case_id, evidence_id, job_id, state, params_json, stats_json, engine_version, created_at, finished_at) VALUES (?,?,?,?,'done',?,?,?,?,?)").run(
    an, c.id, ev2, job, JSON.stringify({ sigma: 2, enterThreshold: 0.6 }), JSON.stringify({ frames: 10 }), '0.1.0', now, now,
  );
  for (let f = 0; f < 10; f++) db.prepare('INSERT INTO frame_scores VALUES (?,?,?,?,?)').run(an, f, f / 10, Math.sin(f) ** 2, 0.1 * f);
  db.prepare('INSERT INTO tracks VALUES (?,?,?,?,?,?,?,?,?,?,?)').run(an, 1, 'person', 0, 9, 0, 0.9, 0.93, 12.5, '[]', JSON.stringify({ entry: 'left', exit: 'right', turns: [], text: 'crossed' }));
  for (let f = 0; f < 10; f++) db.prepare('INSERT INTO observations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)').run(an, f, 1, f / 10, f, 5, f + 10, 25, 'person', 0.8, 0.1 * f, 3.5, null, 0);
  db.prepare('INSERT INTO heatmaps VALUES (?,?,?,?,?)').run(an, 4, 4, 3, Buffer.from([0, 1, 2, 3, 250, 251, 252, 253, 254, 255, 7, 8]));
  db.prepare("INSERT INTO events (id, analysis_id, case_id, evidence_id, seq, start_time, end_time, start_frame, end_frame, peak_frame, peak_time, peak_score, confidence, category, track_ids_json, top_attributes_json, trajectories_json, boxes_json, review_state, review_note) VALUES (?,?,?,?,0,0.2,0.8,2,8,5,0.5,0.95,0.9,'speed','[1]','[]','[]','[]','confirmed','seen running')").run(evt, an, c.id, ev2);
  addNote(db, { caseId: c.id, evidenceId: ev2, eventId: evt, kind: 'note', frame: 5, title: 'Runner', body: 'Person runs past the dock.\nSecond line — ünïcode.' });
  addNote(db, { caseId: c.id, evidenceId: ev1, kind: 'bookmark', frame: 3, title: 'Gate opens', body: '' });
  const conv = newId('conv');
  db.prepare('INSERT INTO conversations VALUES (?,?,?,?)').run(conv, c.id, 'Who ran?', now);
  db.prepare('INSERT INTO messages (id, conversation_id, seq, role, text, citations_json, created_at) VALUES (?,?,?,?,?,?,?)').run(newId('msg'), conv, 0, 'user', 'Who ran?', '[]', now);
  db.prepare('INSERT INTO messages (id, conversation_id, seq, role, text, citations_json, state_json, created_at) VALUES (?,?,?,?,?,?,?,?)').run(
    newId('msg'), conv, 1, 'assistant', 'A person at 0.5 s.', JSON.stringify([{ evidenceId: ev2, startTime: 0.2, endTime: 0.8, frame: 5 }]), '{"last":"evt"}', now,
  );
  db.prepare('INSERT INTO zones VALUES (?,?,?,?,?,?)').run(newId('zone'), c.id, ev2, 'Dock door', '[[0,0],[30,0],[30,20]]', now);
  db.prepare('INSERT INTO definitions VALUES (?,?,?,?,?)').run(newId('def'), c.id, 'person running', '{"label":"person","minSpeed":2}', now);
  const pdf = await PDFDocument.create();
  pdf.addPage([200, 200]).drawText(`Report for ${name}`, { x: 10, y: 100, size: 10 });
  const reportFile = join(dir, `${name}-report.pdf`);
  writeFileSync(reportFile, await pdf.save());
  db.prepare('INSERT INTO reports VALUES (?,?,?,?,?,?,?)').run(newId('rep'), c.id, reportFile, sha(reportFile), 1, '{"transcript":false}', now);
  return { caseId: c.id, evidence: [mp4, avi], reportFile };
}

describe('case bundles (.vigilcase)', () => {
  const dir = tempDir('vigil-bundle-');
  const srcDb = join(dir, 'source.db');
  const srcWork = join(dir, 'source.db.work');
  let db: Db;
  let seeded: Awaited<ReturnType<typeof seedCase>>;
  let otherCase = '';
  let referenced = '';
  let included = '';
  let expectedRows: Record<string, unknown[]>;

  beforeAll(async () => {
    db = openDatabase(srcDb);
    seeded = await seedCase(db, dir, srcWork, 'Depot', 1);
    otherCase = (await seedCase(db, dir, srcWork, 'Elsewhere', 1.2)).caseId;
    expectedRows = caseRows(db, seeded.caseId);
    referenced = join(dir, 'depot.vigilcase');
    included = join(dir, 'depot-full.vigilcase');
  });

  it('exports every row of the case, an audit extract and the report, with a SHA-256 manifest', async () => {
    for (const [t, rows] of Object.entries(expectedRows)) expect(rows.length, t).toBeGreaterThan(0);
    const r = await exportCaseBundle(db, { caseId: seeded.caseId, outPath: referenced });
    expect(r.sha256).toBe(sha(referenced));
    expect(r.evidence.map((e) => e.included)).toEqual([false, false]);
    const members = await readZip(referenced);
    const names = members.map((m) => m.name);
    expect(names.filter((n) => n.startsWith('evidence/'))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'manifest.sha256', 'audit/extract.jsonl', 'tables/cases.jsonl', 'tables/heatmaps.jsonl', 'tables/messages.jsonl']));
    const manifest = JSON.parse(members.find((m) => m.name === 'manifest.json')!.data.toString());
    expect(manifest.case.id).toBe(seeded.caseId);
    for (const m of members.filter((x) => !x.name.startsWith('manifest'))) {
      expect(manifest.members.find((x: { path: string }) => x.path === m.name), m.name).toEqual({ path: m.name, sha256: createHash('sha256').update(m.data).digest('hex'), bytes: m.data.length });
    }
    expect(members.find((m) => m.name === 'manifest.sha256')!.data.toString().trim()).toBe(r.manifestSha256);
    // Nothing of the other case travels.
    expect(members.some((m) => m.data.includes(Buffer.from(otherCase)))).toBe(false);
    const pdf = members.find((m) => m.name.startsWith('reports/'))!;
    expect(pdf.data.equals(readFileSync(seeded.reportFile))).toBe(true);
    // The export is on record in the source database, with the bundle's hash.
    const row = db.prepare("SELECT details_json FROM audit_log WHERE action = 'case.export' ORDER BY seq DESC LIMIT 1").get() as { details_json: string };
    expect(JSON.parse(row.details_json)).toMatchObject({ sha256: r.sha256, manifestSha256: r.manifestSha256, includeEvidence: false });
    expect(verifyAudit(db).ok).toBe(true);
  });

  it('imports a referencing bundle on the same machine: evidence found by hash, rows identical, proxies made, audited', async () => {
    const target = openDatabase(join(dir, 'same-machine.db'));
    const r = await importCaseBundle(target, { bundlePath: referenced, workDir: join(dir, 'same-machine.db.work') });
    expect(r.caseId).toBe(seeded.caseId);
    expect(r.evidence.map((e) => [e.path, e.from])).toEqual(seeded.evidence.map((p) => [p, 'located']));
    expect(r.proxies).toEqual({ made: 1, failed: [] });
    expect(caseRows(target, seeded.caseId)).toEqual(expectedRows);
    expect((target.prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n).toBe(1);
    const actions = (target.prepare('SELECT action FROM audit_log ORDER BY seq').all() as { action: string }[]).map((a) => a.action);
    expect(actions).toEqual(['evidence.import', 'evidence.import', 'case.import', 'evidence.proxy']);
    expect(storeProblems(target, join(dir, 'same-machine.db.work'))).toEqual([]);
    target.close();
  });

  it('carries the originals with --include-evidence, to a machine where they are nowhere else', async () => {
    const r = await runCaseExport(parseArgs(['--db', srcDb, '--case', seeded.caseId, '--out', included, '--include-evidence']));
    expect(r.evidence.every((e) => e.included)).toBe(true);
    // Simulate another machine: the originals are gone from where the source recorded them.
    const moved = seeded.evidence.map((p) => `${p}.away`);
    seeded.evidence.forEach((p, i) => renameSync(p, moved[i]));
    try {
      const targetDb = join(dir, 'other-machine.db');
      const res = await runCaseImport(parseArgs(['--db', targetDb, included]));
      expect(res.evidence.map((e) => e.from)).toEqual(['bundle', 'bundle']);
      for (const [i, e] of res.evidence.entries()) {
        expect(e.path.startsWith(join(dir, 'other-machine.db.work', seeded.caseId))).toBe(true);
        expect(sha(e.path)).toBe(sha(moved[i]));
        expect(statSync(e.path).mode & 0o222).toBe(0); // read-only
      }
      const target = openDatabase(targetDb);
      expect(caseRows(target, seeded.caseId)).toEqual(expectedRows);
      const rep = target.prepare('SELECT path, sha256 FROM reports').get() as { path: string; sha256: string };
      expect(sha(rep.path)).toBe(rep.sha256);
      expect(storeProblems(target, join(dir, 'other-machine.db.work'))).toEqual([]);
      target.close();
    } finally {
      seeded.evidence.forEach((p, i) => renameSync(moved[i], p));
    }
  });

  it('refuses a referencing bundle whose evidence is not found, and finds it with --evidence-dir', async () => {
    const elsewhere = join(dir, 'usb-stick', 'footage');
    mkdirSync(elsewhere, { recursive: true });
    const [mp4] = seeded.evidence;
    renameSync(mp4, join(elsewhere, 'renamed.mp4'));
    try {
      const targetDb = join(dir, 'search.db');
      const e = await refusal(runCaseImport(parseArgs(['--db', targetDb, referenced])));
      expect(e.code).toBe('not_found');
      expect(e.message).toMatch(/references evidence it does not contain.*Depot-gate\.mp4.*--evidence-dir/);
      const empty = new Database(targetDb, { readonly: true });
      expect(snapshot(empty)).not.toMatch(/case_/);
      empty.close();
      const r = await runCaseImport(parseArgs(['--db', targetDb, referenced, '--evidence-dir', join(dir, 'usb-stick')]));
      expect(r.evidence[0]).toMatchObject({ path: join(elsewhere, 'renamed.mp4'), from: 'located' });
    } finally {
      renameSync(join(elsewhere, 'renamed.mp4'), mp4);
    }
  });

  it('refuses a bundle whose case is already in the database', async () => {
    const before = snapshot(db);
    const e = await refusal(importCaseBundle(db, { bundlePath: referenced, workDir: srcWork }));
    expect(e.code).toBe('conflict');
    expect(e.message).toContain(`Case ${seeded.caseId} ("Depot") is already in this database`);
    expect(snapshot(db)).toBe(before);
  });

  it('refuses a bundle in which any member differs by one byte, naming the member, and changes nothing', async () => {
    const members = await readZip(included);
    const targetDb = join(dir, 'tamper.db');
    const targetWork = join(dir, 'tamper.db.work');
    const target = openDatabase(targetDb);
    const before = snapshot(target);
    let tried = 0;
    for (const [i, m] of members.entries()) {
      // Change one byte in the middle of this member (a digit or letter stays printable in JSON text).
      const data = Buffer.from(m.data);
      const at = Math.floor(data.length / 2);
      data[at] = data[at] === 0x31 ? 0x32 : data[at] === 0x0a ? 0x20 : 0x31;
      const bad = join(dir, `tampered-${i}.vigilcase`);
      await writeZip(bad, members.map((x, j) => (j === i ? { ...x, data } : x)));
      const e = await refusal(importCaseBundle(target, { bundlePath: bad, workDir: targetWork }));
      expect(e.message, m.name).toContain(m.name);
      expect(e.message, m.name).toMatch(/altered or damaged|does not match/);
      expect(snapshot(target), m.name).toBe(before);
      expect(walk(targetWork), m.name).toEqual([]);
      tried++;
    }
    // A member added, a member removed, and names that try to leave the work folder.
    const extra = join(dir, 'extra.vigilcase');
    await writeZip(extra, [...members, { name: 'tables/settings.jsonl', data: Buffer.from('{}\n'), compressed: true }]);
    expect((await refusal(importCaseBundle(target, { bundlePath: extra, workDir: targetWork }))).message).toContain('tables/settings.jsonl is not listed in the manifest');
    const missing = join(dir, 'missing.vigilcase');
    await writeZip(missing, members.filter((m) => m.name !== 'tables/notes.jsonl'));
    expect((await refusal(importCaseBundle(target, { bundlePath: missing, workDir: targetWork }))).message).toContain('tables/notes.jsonl is listed in the manifest but missing');
    for (const evil of ['../../evil.jsonl', '/etc/cron.d/x']) {
      const stand = 'x'.repeat(evil.length);
      const zipPath = join(dir, 'slip.vigilcase');
      await writeZip(zipPath, [...members, { name: stand, data: Buffer.from('owned'), compressed: false }]);
      // yazl refuses such names, so they are patched into the local header and central directory.
      const bytes = readFileSync(zipPath);
      writeFileSync(zipPath, Buffer.from(bytes.toString('latin1').split(stand).join(evil), 'latin1'));
      const e = await refusal(importCaseBundle(target, { bundlePath: zipPath, workDir: targetWork }));
      expect(e.code).toBe('invalid_input');
      expect(e.message).toMatch(/slip\.vigilcase/);
      expect(existsSync(join(dir, 'evil.jsonl'))).toBe(false);
    }
    expect(snapshot(target)).toBe(before);
    target.close();
    console.log(`case bundles: ${tried} single-byte tamperings (one per member) refused, plus an extra member, a missing member and 2 path-escape names`);
  });

  it('checks more than hashes: a re-hashed forgery with foreign rows or a rewritten audit row is refused', async () => {
    const members = await readZip(referenced);
    /** Rewrites one member and recomputes every hash a forger could recompute. */
    const forge = async (name: string, edit: (text: string) => string, out: string) => {
      const next = members.map((m) => (m.name === name ? { ...m, data: Buffer.from(edit(m.data.toString('utf8'))) } : m));
      const manifest = JSON.parse(next.find((m) => m.name === 'manifest.json')!.data.toString());
      for (const x of manifest.members) {
        const d = next.find((m) => m.name === x.path)!.data;
        Object.assign(x, { sha256: createHash('sha256').update(d).digest('hex'), bytes: d.length });
      }
      const mBytes = Buffer.from(JSON.stringify(manifest));
      const final = next.map((m) =>
        m.name === 'manifest.json' ? { ...m, data: mBytes } : m.name === 'manifest.sha256' ? { ...m, data: Buffer.from(createHash('sha256').update(mBytes).digest('hex')) } : m,
      );
      await writeZip(out, final);
    };
    const targetDb = join(dir, 'forgery.db');
    const target = openDatabase(targetDb);
    const intruder = createCase(target, { name: 'Unrelated case here' }).id;
    const before = snapshot(target);
    const foreignNote = join(dir, 'foreign-note.vigilcase');
    await forge('tables/notes.jsonl', (t) => t.replace(`"case_id":"${seeded.caseId}"`, `"case_id":"${intruder}"`), foreignNote);
    const e1 = await refusal(importCaseBundle(target, { bundlePath: foreignNote, workDir: join(dir, 'forgery.db.work') }));
    expect(e1.message).toContain('tables/notes.jsonl holds rows that do not belong to case');
    const rewritten = join(dir, 'rewritten-audit.vigilcase');
    await forge('audit/extract.jsonl', (t) => t.replace('A. Analyst', 'B. Forger'), rewritten);
    const e2 = await refusal(importCaseBundle(target, { bundlePath: rewritten, workDir: join(dir, 'forgery.db.work') }));
    expect(e2.message).toMatch(/audit\/extract\.jsonl row seq \d+ does not verify/);
    expect(snapshot(target)).toBe(before);
    target.close();
  });

  it('refuses raw byte damage inside stored member data, and files that are not bundles', async () => {
    const raw = readFileSync(included);
    const zip = await yauzl.openPromise(included, { autoClose: false });
    const stored: { name: string; start: number; size: number }[] = [];
    for await (const e of zip.eachEntry()) {
      if (e.compressionMethod === 0 && e.compressedSize > 0) {
        const h = await zip.readLocalFileHeaderPromise(e);
        stored.push({ name: e.fileName, start: e.relativeOffsetOfLocalHeader + 30 + h.fileNameLength + h.extraFieldLength, size: e.compressedSize });
      }
    }
    zip.close();
    expect(stored.length).toBeGreaterThanOrEqual(3); // two originals and the report
    const target = openDatabase(join(dir, 'flip.db'));
    for (const s of stored) {
      const bytes = Buffer.from(raw);
      bytes[s.start + Math.floor(s.size / 3)] ^= 0x01;
      const bad = join(dir, 'flipped.vigilcase');
      writeFileSync(bad, bytes);
      expect((await refusal(importCaseBundle(target, { bundlePath: bad, workDir: join(dir, 'flip.db.work') }))).message).toContain(s.name);
    }
    const notZip = join(dir, 'notes.vigilcase');
    writeFileSync(notZip, 'not a bundle at all');
    expect((await refusal(importCaseBundle(target, { bundlePath: notZip, workDir: join(dir, 'flip.db.work') }))).message).toMatch(/notes\.vigilcase is not a Vigil case bundle/);
    const truncated = join(dir, 'truncated.vigilcase');
    writeFileSync(truncated, raw.subarray(0, Math.floor(raw.length * 0.7)));
    expect((await refusal(importCaseBundle(target, { bundlePath: truncated, workDir: join(dir, 'flip.db.work') }))).message).toMatch(/truncated\.vigilcase/);
    expect(snapshot(target)).not.toMatch(/case_/);
    target.close();
  });

  it('refuses to export evidence that changed since it was imported, and an existing file without --force', async () => {
    const [, avi] = seeded.evidence;
    const saved = join(dir, 'dock-saved.avi');
    copyFileSync(avi, saved);
    try {
      const b = readFileSync(avi);
      b[Math.floor(b.length / 2)] ^= 0xff;
      writeFileSync(avi, b);
      const out = join(dir, 'changed.vigilcase');
      const e = await refusal(exportCaseBundle(db, { caseId: seeded.caseId, outPath: out, includeEvidence: true }));
      expect(e.code).toBe('conflict');
      expect(e.message).toMatch(/^evidence\/[0-9a-f]{64}\.avi: the file no longer matches the SHA-256 recorded for it/);
      expect(existsSync(out)).toBe(false);
      expect(walk(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    } finally {
      copyFileSync(saved, avi);
    }
    const e2 = await refusal(exportCaseBundle(db, { caseId: seeded.caseId, outPath: referenced }));
    expect(e2.code).toBe('conflict');
    expect(e2.message).toMatch(/already exists.*--force/);
    expect(verifyAudit(db).ok).toBe(true);
  });
});
