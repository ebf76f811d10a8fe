/**
 * Job rows: the durable record of long work (import, proxy, analysis, report). A job that was running
 * when its process died is marked 'interrupted' at the next start, so nothing claims to run forever.
 */
import type { Job } from '../api/contract.js';
import { VigilError } from '../errors.js';
import type { Db } from './db.js';
import { newId, nowIso } from './ids.js';

export interface JobRow {
  id: string;
  case_id: string | null;
  kind: Job['kind'];
  state: Job['state'];
  progress: number;
  stage: string | null;
  error: string | null;
  target_id: string | null;
  params_json: string;
  result_json: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  pid: number | null;
}

export function toJob(r: JobRow): Job {
  let etaS: number | null = null;
  if (r.state === 'running' && r.started_at && r.progress > 0.02 && r.progress < 1) {
    const elapsed = (Date.now() - Date.parse(r.started_at)) / 1000;
    etaS = Math.max(0, Math.round((elapsed * (1 - r.progress)) / r.progress));
  }
  return {
    id: r.id, caseId: r.case_id, kind: r.kind, state: r.state, progress: r.progress, stage: r.stage, error: r.error,
    targetId: r.target_id, createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at, etaS,
  };
}

export function createJob(db: Db, j: { caseId: string | null; kind: Job['kind']; targetId?: string | null; params?: unknown }): JobRow {
  const id = newId('job');
  db.prepare('INSERT INTO jobs (id, case_id, kind, state, target_id, params_json, created_at) VALUES (?,?,?,?,?,?,?)').run(
    id, j.caseId, j.kind, 'queued', j.targetId ?? null, JSON.stringify(j.params ?? {}), nowIso(),
  );
  return getJobRow(db, id);
}

export function getJobRow(db: Db, jobId: string): JobRow {
  const r = db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobRow | undefined;
  if (!r) throw new VigilError('not_found', `No job with id ${jobId}.`);
  return r;
}

export function listJobs(db: Db, caseId?: string, limit = 100): Job[] {
  const rows = caseId
    ? db.prepare('SELECT * FROM jobs WHERE case_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?').all(caseId, limit)
    : db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit);
  return (rows as JobRow[]).map(toJob);
}

export function markJobRunning(db: Db, jobId: string, pid: number): void {
  db.prepare("UPDATE jobs SET state = 'running', started_at = COALESCE(started_at, ?), pid = ?, error = NULL WHERE id = ?").run(nowIso(), pid, jobId);
}

export function setJobProgress(db: Db, jobId: string, progress: number, stage: string | null): void {
  db.prepare("UPDATE jobs SET progress = ?, stage = COALESCE(?, stage) WHERE id = ? AND state = 'running'").run(Math.max(0, Math.min(1, progress)), stage, jobId);
}

export function finishJob(db: Db, jobId: string, state: 'done' | 'failed' | 'cancelled' | 'interrupted', fields: { error?: string; result?: unknown; targetId?: string } = {}): void {
  db.prepare('UPDATE jobs SET state = ?, error = ?, result_json = ?, target_id = COALESCE(?, target_id), finished_at = ?, progress = CASE WHEN ? = \'done\' THEN 1 ELSE progress END WHERE id = ?').run(
    state, fields.error ?? null, fields.result === undefined ? null : JSON.stringify(fields.result), fields.targetId ?? null, nowIso(), state, jobId,
  );
}

/** At start-up: running/queued jobs whose process is gone were interrupted (crash, kill, power loss). */
export function markOrphanJobsInterrupted(db: Db, isAlive: (pid: number) => boolean): number {
  const rows = db.prepare("SELECT id, pid, state FROM jobs WHERE state IN ('running','queued')").all() as { id: string; pid: number | null; state: string }[];
  let n = 0;
  for (const r of rows) {
    if (r.pid != null && isAlive(r.pid)) continue;
    db.prepare("UPDATE jobs SET state = 'interrupted', error = COALESCE(error, 'The process running this job stopped before it finished.'), finished_at = ? WHERE id = ?").run(nowIso(), r.id);
    n++;
  }
  return n;
}
