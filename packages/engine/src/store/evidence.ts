import type { Evidence } from '../api/contract.js';
import { VigilError } from '../errors.js';
import type { ProbeResult } from '../media/probe.js';
import type { Db } from './db.js';

export interface EvidenceRow {
  id: string;
  case_id: string;
  file_name: string;
  original_path: string;
  size_bytes: number;
  sha256: string;
  probe_json: string;
  imported_at: string;
  proxy_path: string | null;
  proxy_status: Evidence['playback'];
}

export function toEvidence(r: EvidenceRow): Evidence {
  const p = JSON.parse(r.probe_json) as ProbeResult;
  return {
    id: r.id,
    caseId: r.case_id,
    fileName: r.file_name,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    importedAt: r.imported_at,
    width: p.displayWidth ?? p.width,
    height: p.displayHeight ?? p.height,
    fps: p.fpsAvg,
    frameCount: p.frameCount,
    durationS: p.durationS,
    codec: p.codec,
    container: p.container,
    probe: p as unknown as Record<string, unknown>,
    playback: r.proxy_status,
  };
}

export function getEvidenceRow(db: Db, evidenceId: string): EvidenceRow {
  const r = db.prepare('SELECT * FROM evidence WHERE id = ?').get(evidenceId) as EvidenceRow | undefined;
  if (!r) throw new VigilError('not_found', `No evidence with id ${evidenceId}.`);
  return r;
}

export function listEvidence(db: Db, caseId: string): Evidence[] {
  return (db.prepare('SELECT * FROM evidence WHERE case_id = ? ORDER BY imported_at, rowid').all(caseId) as EvidenceRow[]).map(toEvidence);
}

export function findEvidenceByHash(db: Db, caseId: string, sha256: string): EvidenceRow | undefined {
  return db.prepare('SELECT * FROM evidence WHERE case_id = ? AND sha256 = ?').get(caseId, sha256) as EvidenceRow | undefined;
}
