import type { Case } from '../api/contract.js';
import { VigilError } from '../errors.js';
import { appendAudit } from './audit.js';
import type { Db } from './db.js';
import { newId, nowIso } from './ids.js';

interface CaseRow {
  id: string;
  name: string;
  examiner: string | null;
  description: string | null;
  created_at: string;
  evidence_count: number;
}

const SELECT = `SELECT c.*, (SELECT COUNT(*) FROM evidence e WHERE e.case_id = c.id) AS evidence_count FROM cases c`;

const toCase = (r: CaseRow): Case => ({ id: r.id, name: r.name, examiner: r.examiner, description: r.description, createdAt: r.created_at, evidenceCount: r.evidence_count });

export function createCase(db: Db, input: { name: string; examiner?: string; description?: string }): Case {
  const id = newId('case');
  db.transaction(() => {
    db.prepare('INSERT INTO cases (id, name, examiner, description, created_at) VALUES (?, ?, ?, ?, ?)').run(id, input.name, input.examiner ?? null, input.description ?? null, nowIso());
    appendAudit(db, { action: 'case.create', caseId: id, subject: id, details: { name: input.name, examiner: input.examiner ?? null } });
  })();
  return getCase(db, id);
}

export function listCases(db: Db): Case[] {
  return (db.prepare(`${SELECT} ORDER BY c.created_at DESC, c.rowid DESC`).all() as CaseRow[]).map(toCase);
}

export function getCase(db: Db, caseId: string): Case {
  const r = db.prepare(`${SELECT} WHERE c.id = ?`).get(caseId) as CaseRow | undefined;
  if (!r) throw new VigilError('not_found', `No case with id ${caseId}.`);
  return toCase(r);
}
