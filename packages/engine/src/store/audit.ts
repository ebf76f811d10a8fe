/**
 * Append-only, hash-chained audit log. Each row's hash covers its content and the previous row's hash,
 * so changing, inserting or removing any earlier row breaks verification from that row on.
 */
import { createHash } from 'node:crypto';
import type { Db } from './db.js';
import { canonicalJson } from './canonical-json.js';
import { nowIso } from './ids.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  action: string;
  caseId?: string | null;
  subject?: string | null;
  details?: Record<string, unknown>;
  actor?: string;
}

export interface AuditDbRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  case_id: string | null;
  subject: string | null;
  details_json: string;
  prev_hash: string;
  hash: string;
}

/** SHA-256 of a row's content chained to its predecessor's hash (also used to check audit extracts in case bundles). */
export function rowHash(r: Omit<AuditDbRow, 'hash'>): string {
  const content = canonicalJson({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, caseId: r.case_id, subject: r.subject, details: JSON.parse(r.details_json) });
  return createHash('sha256').update(r.prev_hash).update(content).digest('hex');
}

/** Append one row. Call inside the transaction that makes the change it records. */
export function appendAudit(db: Db, e: AuditEntry): { seq: number; hash: string } {
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const row = {
    seq: (last?.seq ?? 0) + 1,
    at: nowIso(),
    actor: e.actor ?? 'vigil',
    action: e.action,
    case_id: e.caseId ?? null,
    subject: e.subject ?? null,
    details_json: canonicalJson(e.details ?? {}),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const hash = rowHash(row);
  db.prepare(
    'INSERT INTO audit_log (seq, at, actor, action, case_id, subject, details_json, prev_hash, hash) VALUES (@seq, @at, @actor, @action, @case_id, @subject, @details_json, @prev_hash, @hash)',
  ).run({ ...row, hash });
  return { seq: row.seq, hash };
}

export function verifyAudit(db: Db): { ok: boolean; rows: number; firstBadSeq: number | null } {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let rows = 0;
  for (const r of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditDbRow>) {
    rows++;
    if (r.seq !== expectedSeq || r.prev_hash !== prev || rowHash(r) !== r.hash) return { ok: false, rows, firstBadSeq: r.seq };
    prev = r.hash;
    expectedSeq++;
  }
  return { ok: true, rows, firstBadSeq: null };
}

export function listAudit(db: Db, caseId: string, limit: number) {
  const rows = db.prepare('SELECT * FROM audit_log WHERE case_id = ? ORDER BY seq DESC LIMIT ?').all(caseId, limit) as AuditDbRow[];
  return rows.map((r) => ({ seq: r.seq, at: r.at, action: r.action, caseId: r.case_id, subject: r.subject, details: JSON.parse(r.details_json) as Record<string, unknown>, hash: r.hash }));
}
