/**
 * Runs one job to completion in the current process and keeps its row truthful: running → done /
 * failed / cancelled. Progress is written to the row (throttled) and passed to `notify` so the host can
 * push job events. Used by the job worker process and by the CLI.
 */
import { isVigilError } from '../errors.js';
import type { Db } from '../store/db.js';
import { finishJob, getJobRow, markJobRunning, setJobProgress, toJob } from '../store/jobs.js';
import type { Job } from '../api/contract.js';
import type { PdfPrinter } from '../report/printer.js';
import { jobHandler, type JobOutcome } from './handlers.js';

export async function executeJob(
  db: Db,
  jobId: string,
  o: { workDir: string; signal: AbortSignal; notify?: (job: Job) => void; printer?: PdfPrinter },
): Promise<{ job: Job; outcome?: JobOutcome; error?: unknown }> {
  const row = getJobRow(db, jobId);
  const notify = () => o.notify?.(toJob(getJobRow(db, jobId)));
  markJobRunning(db, jobId, process.pid);
  notify();
  let lastWrite = 0;
  let lastFraction = -1;
  const onProgress = (fraction: number, stage?: string) => {
    const now = Date.now();
    // Throttle: a row write and an event at most every 200 ms, or on a stage change / completion.
    if (now - lastWrite < 200 && fraction < 1 && stage === undefined && Math.abs(fraction - lastFraction) < 0.05) return;
    lastWrite = now;
    lastFraction = fraction;
    setJobProgress(db, jobId, fraction, stage ?? null);
    notify();
  };
  try {
    const outcome = await jobHandler(row.kind)({
      db,
      job: row,
      params: JSON.parse(row.params_json) as Record<string, unknown>,
      workDir: o.workDir,
      onProgress,
      signal: o.signal,
      printer: o.printer,
      setTarget: (id) => db.prepare('UPDATE jobs SET target_id = ? WHERE id = ?').run(id, jobId),
    });
    finishJob(db, jobId, 'done', { result: outcome.result, targetId: outcome.targetId });
    notify();
    return { job: toJob(getJobRow(db, jobId)), outcome };
  } catch (e) {
    const cancelled = (isVigilError(e) && e.code === 'cancelled') || o.signal.aborted;
    finishJob(db, jobId, cancelled ? 'cancelled' : 'failed', { error: cancelled ? 'Cancelled by the user.' : errorMessage(e) });
    notify();
    return { job: toJob(getJobRow(db, jobId)), error: e };
  }
}

export function errorMessage(e: unknown): string {
  if (isVigilError(e)) return e.message;
  return `Internal error: ${(e as Error)?.message ?? String(e)}`;
}
