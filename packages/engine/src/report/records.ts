/**
 * Exported reports as recorded in the case database: the list for a case, and a check of a PDF file
 * against the record (is this file, byte for byte, a report Vigil exported?).
 */
import { VigilError } from '../errors.js';
import { sha256File } from '../media/hash.js';
import type { Db } from '../store/db.js';

export interface ReportRecord {
  id: string;
  caseId: string;
  path: string;
  sha256: string;
  pages: number;
  options: { eventIds: string[] | null; transcript: boolean; verifyEvidence?: boolean; manifestSha256?: string };
  createdAt: string;
}

interface ReportRow { id: string; case_id: string; path: string; sha256: string; pages: number; options_json: string; created_at: string }

const toRecord = (r: ReportRow): ReportRecord => ({ id: r.id, caseId: r.case_id, path: r.path, sha256: r.sha256, pages: r.pages, options: JSON.parse(r.options_json), createdAt: r.created_at });

/** Reports of a case, newest first. */
export function listReports(db: Db, caseId: string): ReportRecord[] {
  return (db.prepare('SELECT * FROM reports WHERE case_id = ? ORDER BY created_at DESC, rowid DESC').all(caseId) as ReportRow[]).map(toRecord);
}

export function getReport(db: Db, reportId: string): ReportRecord {
  const r = db.prepare('SELECT * FROM reports WHERE id = ?').get(reportId) as ReportRow | undefined;
  if (!r) throw new VigilError('not_found', `No report with id ${reportId}.`);
  return toRecord(r);
}

/** Hashes a PDF and finds the exported report with that SHA-256 (null when Vigil exported no such file). */
export async function checkReportFile(db: Db, filePath: string, signal?: AbortSignal): Promise<{ sha256: string; report: ReportRecord | null }> {
  const sha256 = await sha256File(filePath, { signal });
  const r = db.prepare('SELECT * FROM reports WHERE sha256 = ? ORDER BY created_at, rowid LIMIT 1').get(sha256) as ReportRow | undefined;
  return { sha256, report: r ? toRecord(r) : null };
}
