import Database from 'better-sqlite3';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAudit, verifyAudit } from '../../src/store/audit.js';
import { createCase, getCase, listCases } from '../../src/store/cases.js';
import { openDatabase, schemaVersion } from '../../src/store/db.js';
import { addNote } from '../../src/store/notes.js';
import { createJob, getJobRow, markJobRunning, markOrphanJobsInterrupted } from '../../src/store/jobs.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { tempDir } from '../helpers/tmp.js';

describe('case database', () => {
  const dir = tempDir();

  it('creates a WAL database with foreign keys and the current schema', () => {
    const db = openDatabase(join(dir, 'a.db'));
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    db.close();
  });

  it('creates, lists and gets cases with an audit row each', () => {
    const db = openDatabase(join(dir, 'b.db'));
    const c1 = createCase(db, { name: 'Parking lot 7', examiner: 'J. Doe' });
    const c2 = createCase(db, { name: 'Depot' });
    expect(c1.id).toMatch(/^case_[a-z2-7]{16}$/);
    expect(listCases(db).map((c) => c.id)).toEqual([c2.id, c1.id]);
    expect(getCase(db, c1.id).examiner).toBe('J. Doe');
    expect(() => getCase(db, 'case_aaaaaaaaaaaaaaaa')).toThrow(/No case with id/);
    expect(verifyAudit(db)).toEqual({ ok: true, rows: 2, firstBadSeq: null });
    db.close();
  });

  it('refuses a note that points at evidence of another case, storing nothing', () => {
    const db = openDatabase(join(dir, 'c.db'));
    const c = createCase(db, { name: 'x' });
    const before = verifyAudit(db).rows;
    expect(() => addNote(db, { caseId: c.id, evidenceId: 'ev_aaaaaaaaaaaaaaaa', kind: 'note', title: 't', body: 'b' })).toThrow(/not part of case/);
    expect(db.prepare('SELECT COUNT(*) n FROM notes').get()).toEqual({ n: 0 });
    expect(verifyAudit(db).rows).toBe(before);
    db.close();
  });

  it('detects a tampered, removed or reordered audit row', () => {
    const path = join(dir, 'd.db');
    const db = openDatabase(path);
    for (let i = 0; i < 5; i++) appendAudit(db, { action: 'test', details: { i } });
    expect(verifyAudit(db).ok).toBe(true);
    expect(() => db.prepare('UPDATE audit_log SET action = ? WHERE seq = 3').run('forged')).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 3').run()).toThrow(/append-only/);
    db.close();
    // An attacker with raw file access drops the triggers and edits a row: verification names the row.
    const raw = new Database(path);
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.prepare("UPDATE audit_log SET details_json = '{\"i\":99}' WHERE seq = 3").run();
    raw.close();
    const db2 = openDatabase(path);
    expect(verifyAudit(db2)).toEqual({ ok: false, rows: 3, firstBadSeq: 3 });
    db2.close();
  });

  it('marks jobs of dead processes interrupted and leaves live ones alone', () => {
    const db = openDatabase(join(dir, 'e.db'));
    const c = createCase(db, { name: 'jobs' });
    const dead = createJob(db, { caseId: c.id, kind: 'import' });
    const live = createJob(db, { caseId: c.id, kind: 'import' });
    markJobRunning(db, dead.id, 999_999_999);
    markJobRunning(db, live.id, process.pid);
    expect(markOrphanJobsInterrupted(db, (pid) => pid === process.pid)).toBe(1);
    expect(getJobRow(db, dead.id).state).toBe('interrupted');
    expect(getJobRow(db, live.id).state).toBe('running');
    db.close();
  });

  it('backs up an existing database before migrating it, and refuses one from a newer Vigil', () => {
    const path = join(dir, 'old.db');
    const v1 = [{ version: 1, name: 'one', sql: 'CREATE TABLE t (x INTEGER)' }];
    const db = openDatabase(path, { migrations: v1 });
    db.prepare('INSERT INTO t VALUES (42)').run();
    db.close();
    const db2 = openDatabase(path, { migrations: [...v1, { version: 2, name: 'two', sql: 'ALTER TABLE t ADD COLUMN y TEXT' }] });
    expect(schemaVersion(db2)).toBe(2);
    db2.close();
    const backups = readdirSync(dir).filter((f) => f.startsWith('old.db.pre-v2-'));
    expect(backups.length).toBe(1);
    const bak = new Database(join(dir, backups[0]), { readonly: true });
    expect(bak.pragma('user_version', { simple: true })).toBe(1);
    expect(bak.prepare('SELECT x FROM t').get()).toEqual({ x: 42 });
    bak.close();

    const newer = join(dir, 'newer.db');
    const r2 = new Database(newer);
    r2.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    r2.close();
    expect(() => openDatabase(newer)).toThrow(/newer Vigil/);
  });

  it('refuses a file that is not a database and a directory path, with clear messages', () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'this is not sqlite at all, just text'.repeat(100));
    expect(() => openDatabase(junk)).toThrow(/not a readable Vigil case database/);
    expect(() => openDatabase(dir)).toThrow(/is a directory/);
    expect(existsSync(junk)).toBe(true);
  });
});
