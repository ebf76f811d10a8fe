/**
 * What each job kind does. Handlers run in a job worker process (or inline from the CLI); they report
 * progress and honour the AbortSignal. New kinds (analysis, report) register here.
 */
import type { Job } from '../api/contract.js';
import type { PdfPrinter } from '../report/printer.js';
import { VigilError, type ProgressFn } from '../errors.js';
import type { Db } from '../store/db.js';
import type { JobRow } from '../store/jobs.js';
import { runReportJob } from '../report/job.js';
import { runAnalysisJob } from './analysis-job.js';
import { buildProxy, importEvidence } from './import-evidence.js';

export interface JobContext {
  db: Db;
  job: JobRow;
  params: Record<string, unknown>;
  workDir: string;
  onProgress: ProgressFn;
  signal: AbortSignal;
  /** Lets a handler name what it produced before it finishes (e.g. the evidence id). */
  setTarget: (id: string) => void;
  /** PDF printer supplied by the host (desktop app); default: headless Chromium. */
  printer?: PdfPrinter;
}

export interface JobOutcome {
  targetId?: string;
  result?: unknown;
}

export type JobHandler = (ctx: JobContext) => Promise<JobOutcome>;

const handlers: Partial<Record<Job['kind'], JobHandler>> = {
  async import(ctx) {
    const { evidenceId } = await importEvidence(ctx.db, {
      caseId: ctx.job.case_id!,
      path: String(ctx.params.path),
      allowRelative: ctx.params.allowRelative === true,
      workDir: ctx.workDir,
      onProgress: ctx.onProgress,
      signal: ctx.signal,
      onRecorded: ctx.setTarget,
    });
    return { targetId: evidenceId, result: { evidenceId } };
  },
  analysis: (ctx) => runAnalysisJob(ctx),
  report: (ctx) => runReportJob(ctx),
  async proxy(ctx) {
    const evidenceId = String(ctx.params.evidenceId);
    await buildProxy(ctx.db, evidenceId, ctx.workDir, { onProgress: ctx.onProgress, signal: ctx.signal });
    return { targetId: evidenceId, result: { evidenceId } };
  },
};

export function jobHandler(kind: Job['kind']): JobHandler {
  const h = handlers[kind];
  if (!h) throw new VigilError('internal', `No handler for job kind ${kind}.`);
  return h;
}
