/** Runs a job row to completion in this process (CLI), Ctrl-C cancelling it; throws the job's error. */
import { defaultWorkDir } from '../api/engine.js';
import type { ProgressFn } from '../errors.js';
import { executeJob } from '../jobs/execute.js';
import { recoverInterruptedWork } from '../jobs/recover.js';
import type { Db } from '../store/db.js';

export async function runJobInline(db: Db, dbPath: string, jobId: string, progress: ProgressFn) {
  recoverInterruptedWork(db, defaultWorkDir(dbPath));
  const controller = new AbortController();
  const onSig = () => controller.abort();
  process.once('SIGINT', onSig);
  try {
    const { job, error } = await executeJob(db, jobId, { workDir: defaultWorkDir(dbPath), signal: controller.signal, notify: (j) => progress(j.progress, j.stage ?? undefined) });
    if (error) throw error;
    return job;
  } finally {
    process.off('SIGINT', onSig);
  }
}
