import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { vigil } from '../helpers/cli.js';
import { makeClip } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** Every row of every table, to prove a refused command changed nothing. */
function snapshot(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const out = tables.map((t) => `${t}:${JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all())}`).join('\n');
  db.close();
  return out;
}

describe('vigil CLI: cases, import, audit', () => {
  const dir = tempDir();
  const db = join(dir, 'cases.db');
  let caseId = '';
  let clip = '';

  beforeAll(async () => {
    clip = await makeClip(dir, { name: 'clip.mp4', seconds: 2, fps: 25, width: 160, height: 120 });
    const r = vigil(['case', 'create', '--db', db, '--name', 'Warehouse 4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    caseId = r.json.id;
  });

  it('imports a clip: hash, probe and metadata in one JSON object', () => {
    const before = sha(clip);
    const r = vigil(['import', '--db', db, '--case', caseId, clip, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ sha256: before, width: 160, height: 120, fps: 25, frameCount: 50 });
    expect(r.json.durationS).toBeCloseTo(2, 1);
    expect(r.json.evidenceId).toMatch(/^ev_/);
    expect(sha(clip)).toBe(before);
    const show = vigil(['case', 'show', '--db', db, '--case', caseId, '--json']);
    expect(show.json.evidence.map((e: { id: string }) => e.id)).toEqual([r.json.evidenceId]);
    expect(vigil(['audit', 'verify', '--db', db, '--json']).json).toEqual({ ok: true, rows: 2 + 0, firstBadSeq: null });
  });

  it('reports a duplicate import instead of storing it twice', () => {
    const before = snapshot(db);
    const r = vigil(['import', '--db', db, '--case', caseId, clip, '--json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/already in this case as evidence ev_/);
    expect(snapshotWithoutJobs(db)).toBe(snapshotWithoutJobs(before, true));
  });

  it('imports paths with spaces, unicode and quotes', async () => {
    const sub = join(dir, 'Kamera 2 — Ñandú "east" \'gate\'');
    mkdirSync(sub, { recursive: true });
    const odd = await makeClip(sub, { name: 'ünïcödé clip (1).mp4', seconds: 1, fps: 10, width: 96, height: 64 });
    const r = vigil(['import', '--db', db, '--case', caseId, odd, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.sha256).toBe(sha(odd));
  });

  it('refuses bad input with a clear message and leaves database and file untouched', async () => {
    const zero = join(dir, 'zero.mp4');
    writeFileSync(zero, '');
    const text = join(dir, 'notes.mp4');
    writeFileSync(text, 'Shift report: nothing happened.\n'.repeat(200));
    const truncated = join(dir, 'truncated.mp4');
    const big = await makeClip(dir, { name: 'big.mp4', seconds: 3, fps: 25, width: 160, height: 120 });
    copyFileSync(big, truncated);
    truncateSync(truncated, Math.floor(statSync(big).size / 2));
    const cases: [string[], RegExp, number][] = [
      [[zero], /zero\.mp4 is empty/, 5],
      [[text], /notes\.mp4/, 5],
      [[truncated], /truncated\.mp4/, 5],
      [[join(dir, 'missing.mp4')], /No file at .*missing\.mp4/, 3],
      [[dir], /is a folder/, 2],
    ];
    for (const [files, message, code] of cases) {
      const before = snapshot(db);
      const hashBefore = files[0] === dir || files[0].endsWith('missing.mp4') ? null : sha(files[0]);
      const r = vigil(['import', '--db', db, '--case', caseId, ...files, '--json']);
      expect(r.code, `${files[0]}: ${r.stderr}`).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
      expect(snapshotWithoutJobs(db)).toBe(snapshotWithoutJobs(before, true));
      if (hashBefore) expect(sha(files[0])).toBe(hashBefore);
    }
  });

  it('refuses an unknown case id and a missing --db', () => {
    const r = vigil(['import', '--db', db, '--case', 'case_aaaaaaaaaaaaaaaa', clip, '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No case with id case_aaaaaaaaaaaaaaaa/);
    const r2 = vigil(['case', 'show', '--case', caseId, '--json']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--db is required/);
  });

  it('backs the database up on demand', () => {
    const out = join(dir, 'backup.db');
    const r = vigil(['db', 'backup', '--db', db, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(snapshot(out)).toBe(snapshot(db));
  });
});

/** Jobs record failed attempts (that is their purpose); everything else must be unchanged. */
function snapshotWithoutJobs(dbPathOrSnapshot: string, isSnapshot = false): string {
  const s = isSnapshot ? dbPathOrSnapshot : snapshot(dbPathOrSnapshot);
  return s.split('\n').filter((l) => !l.startsWith('jobs:')).join('\n');
}
