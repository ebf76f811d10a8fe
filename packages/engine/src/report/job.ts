/**
 * The 'report' job kind: exports a report from a job row (case id on the row; output path and options in
 * its params). Register as `report: runReportJob` in jobs/handlers.ts.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { VigilError } from '../errors.js';
import type { JobContext, JobOutcome } from '../jobs/handlers.js';
import { exportReport } from './export.js';

export const ReportJobParams = z
  .object({
    out: z.string().min(1).max(4096),
    eventIds: z.array(z.string().max(64)).min(1).max(10_000).optional(),
    transcript: z.boolean().optional(),
    overwrite: z.boolean().optional(),
  })
  .strict();
export type ReportJobParams = z.infer<typeof ReportJobParams>;

export async function runReportJob(ctx: JobContext): Promise<JobOutcome> {
  const parsed = ReportJobParams.safeParse(ctx.params);
  if (!parsed.success) throw new VigilError('invalid_input', `Invalid report job parameters: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}.`);
  const p = parsed.data;
  if (!ctx.job.case_id) throw new VigilError('invalid_input', 'A report job needs a case.');
  if (!isAbsolute(p.out)) throw new VigilError('invalid_input', `The report output path must be absolute: ${JSON.stringify(p.out)}.`);
  const r = await exportReport(ctx.db, {
    caseId: ctx.job.case_id,
    out: p.out,
    eventIds: p.eventIds,
    transcript: p.transcript,
    overwrite: p.overwrite,
    printer: ctx.printer,
    onProgress: ctx.onProgress,
    signal: ctx.signal,
  });
  return { targetId: r.reportId, result: r };
}
