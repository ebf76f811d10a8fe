/**
 * Recovery after a crash, run whenever an engine or an inline CLI job opens the database: jobs whose
 * process is gone are marked interrupted, their analyses lose their partial rows, and unfinished
 * derived files are removed. Idempotent and cheap when nothing was interrupted.
 */
import { isProcessAlive } from '../process-alive.js';
import { abandonOrphanAnalyses } from '../store/analyses.js';
import type { Db } from '../store/db.js';
import { markOrphanJobsInterrupted } from '../store/jobs.js';
import { removeOrphanDerivedFiles } from './orphan-files.js';

export function recoverInterruptedWork(db: Db, workDir: string): { jobs: number; analyses: number; files: string[] } {
  const jobs = markOrphanJobsInterrupted(db, isProcessAlive);
  const analyses = abandonOrphanAnalyses(db);
  const files = removeOrphanDerivedFiles(db, workDir);
  return { jobs, analyses, files };
}
