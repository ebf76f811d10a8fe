/**
 * notes.remove and zones.update over the HTTP web host (real host, real SQLite file), with the audit
 * chain checked afterwards on a fresh connection to the database file. The same scenario runs over IPC
 * in apps/desktop/test/notes-zones-ipc.test.ts.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/api/engine.js';
import { startWebHost, type WebHost } from '../../src/api/http-server.js';
import { verifyAudit } from '../../src/store/audit.js';
import type { FuzzWorld } from '../hardening/fuzz-cases.js';
import { seedFuzzWorld } from '../hardening/fuzz-world.js';
import { tempDir } from '../helpers/tmp.js';
import { checkNoteRemoval, checkZoneUpdate, type Reply, type Transport } from './notes-zones-scenario.js';

describe('notes.remove and zones.update over HTTP', () => {
  const dir = tempDir('vigil-notes-zones-');
  const dbPath = join(dir, 'case.db');
  let engine: Engine;
  let host: WebHost;
  let world: FuzzWorld;
  const internal: string[] = [];
  const transport: Transport = {
    events: [],
    async call(op, input): Promise<Reply> {
      const res = await fetch(`http://127.0.0.1:${host.port}/api/${op}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
        body: JSON.stringify(input),
      });
      const body = await res.json();
      return res.ok ? { ok: true, value: body } : { ok: false, error: body.error };
    },
  };

  beforeAll(async () => {
    engine = new Engine({ dbPath, transport: 'http', log: (m) => internal.push(m) });
    world = await seedFuzzWorld(engine, dir);
    engine.on((e) => transport.events.push(e));
    host = await startWebHost({ engine, port: 0 });
  });
  afterAll(async () => {
    await host?.close();
    engine?.close();
  });

  it('removes notes and bookmarks, keeping their text in the audit log; refuses other cases and repeats', async () => {
    await checkNoteRemoval(transport, world);
    expect(internal).toEqual([]);
  });

  it('renames and reshapes zones with zones.add validation, auditing old and new values', async () => {
    await checkZoneUpdate(transport, world);
    expect(internal).toEqual([]);
  });

  it('leaves an audit chain that verifies from the file, with every removal and update in it', () => {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      const check = verifyAudit(db);
      expect(check).toMatchObject({ ok: true, firstBadSeq: null });
      const actions = (db.prepare('SELECT action FROM audit_log').all() as { action: string }[]).map((r) => r.action);
      expect(actions.filter((a) => a === 'note.remove')).toHaveLength(1);
      expect(actions.filter((a) => a === 'bookmark.remove')).toHaveLength(1);
      expect(actions.filter((a) => a === 'zone.update').length).toBeGreaterThanOrEqual(5);
      // Tampering with the removed note's text in its audit row is detected.
      const seq = (db.prepare("SELECT seq FROM audit_log WHERE action = 'note.remove'").get() as { seq: number }).seq;
      const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as { seq: number; details_json: string }[];
      const tampered = new Database(join(dir, 'tampered.db'));
      tampered.exec('CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at TEXT, actor TEXT, action TEXT, case_id TEXT, subject TEXT, details_json TEXT, prev_hash TEXT, hash TEXT)');
      const ins = tampered.prepare('INSERT INTO audit_log VALUES (@seq, @at, @actor, @action, @case_id, @subject, @details_json, @prev_hash, @hash)');
      for (const r of rows) ins.run(r.seq === seq ? { ...r, details_json: r.details_json.replace('Verified', 'Unverified') } : r);
      expect(verifyAudit(tampered)).toMatchObject({ ok: false, firstBadSeq: seq });
      tampered.close();
    } finally {
      db.close();
    }
  });
});
