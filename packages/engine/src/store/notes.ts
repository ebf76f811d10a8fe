import type { Note } from '../api/contract.js';
import { VigilError } from '../errors.js';
import { appendAudit } from './audit.js';
import type { Db } from './db.js';
import { newId, nowIso } from './ids.js';

interface NoteRow {
  id: string;
  case_id: string;
  evidence_id: string | null;
  event_id: string | null;
  kind: 'note' | 'bookmark';
  frame: number | null;
  time: number | null;
  title: string;
  body: string;
  created_at: string;
}

const toNote = (r: NoteRow): Note => ({ id: r.id, caseId: r.case_id, evidenceId: r.evidence_id, eventId: r.event_id, kind: r.kind, frame: r.frame, time: r.time, title: r.title, body: r.body, createdAt: r.created_at });

export interface NewNote {
  caseId: string;
  evidenceId?: string;
  eventId?: string;
  kind: 'note' | 'bookmark';
  frame?: number;
  time?: number;
  title: string;
  body: string;
}

export function addNote(db: Db, n: NewNote): Note {
  if (n.evidenceId) {
    const ev = db.prepare('SELECT case_id FROM evidence WHERE id = ?').get(n.evidenceId) as { case_id: string } | undefined;
    if (!ev || ev.case_id !== n.caseId) throw new VigilError('not_found', `Evidence ${n.evidenceId} is not part of case ${n.caseId}.`);
  }
  if (n.eventId) {
    const evt = db.prepare('SELECT case_id FROM events WHERE id = ?').get(n.eventId) as { case_id: string } | undefined;
    if (!evt || evt.case_id !== n.caseId) throw new VigilError('not_found', `Event ${n.eventId} is not part of case ${n.caseId}.`);
  }
  const id = newId('note');
  db.transaction(() => {
    db.prepare('INSERT INTO notes (id, case_id, evidence_id, event_id, kind, frame, time, title, body, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)').run(
      id, n.caseId, n.evidenceId ?? null, n.eventId ?? null, n.kind, n.frame ?? null, n.time ?? null, n.title, n.body, nowIso(),
    );
    appendAudit(db, { action: `${n.kind}.add`, caseId: n.caseId, subject: id, details: { evidenceId: n.evidenceId ?? null, eventId: n.eventId ?? null, frame: n.frame ?? null, title: n.title } });
  })();
  return toNote(db.prepare('SELECT * FROM notes WHERE id = ?').get(id) as NoteRow);
}

export function listNotes(db: Db, caseId: string, evidenceId?: string): Note[] {
  const rows = evidenceId
    ? db.prepare('SELECT * FROM notes WHERE case_id = ? AND evidence_id = ? ORDER BY created_at, rowid').all(caseId, evidenceId)
    : db.prepare('SELECT * FROM notes WHERE case_id = ? ORDER BY created_at, rowid').all(caseId);
  return (rows as NoteRow[]).map(toNote);
}

/**
 * Removes a note or bookmark of `caseId` and returns what it was. The audit row carries the whole note
 * (title, body, place) so nothing an analyst wrote disappears without trace.
 */
export function removeNote(db: Db, caseId: string, noteId: string): Note {
  const row = db.prepare('SELECT * FROM notes WHERE id = ?').get(noteId) as NoteRow | undefined;
  if (!row) {
    const gone = db.prepare("SELECT seq, at FROM audit_log WHERE subject = ? AND case_id = ? AND action IN ('note.remove', 'bookmark.remove') ORDER BY seq DESC LIMIT 1").get(noteId, caseId) as
      | { seq: number; at: string }
      | undefined;
    if (gone) throw new VigilError('not_found', `Note ${noteId} was already removed (${gone.at}, audit row ${gone.seq}).`);
    throw new VigilError('not_found', `No note or bookmark with id ${noteId}.`);
  }
  if (row.case_id !== caseId) throw new VigilError('not_found', `Note ${noteId} is not part of case ${caseId}.`);
  const note = toNote(row);
  db.transaction(() => {
    db.prepare('DELETE FROM notes WHERE id = ?').run(noteId);
    const { evidenceId, eventId, kind, frame, time, title, body, createdAt } = note;
    appendAudit(db, { action: `${kind}.remove`, caseId, subject: noteId, details: { evidenceId, eventId, kind, frame, time, title, body, createdAt } });
  })();
  return note;
}
