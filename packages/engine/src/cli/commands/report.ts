/** `vigil report`: export a case report as PDF (see report/export.ts). */
import { resolve } from 'node:path';
import type { ProgressFn } from '../../errors.js';
import { exportReport } from '../../report/export.js';
import { openDatabase } from '../../store/db.js';
import { flag, requireFlag, type ParsedArgs } from '../args.js';

export const REPORT_USAGE = 'vigil report --db PATH --case ID --out FILE.pdf [--events ID,ID...] [--transcript] [--force] [--json]';

/** → { path, sha256, pages } */
export async function runReport(a: ParsedArgs, progress?: ProgressFn): Promise<{ path: string; sha256: string; pages: number }> {
  const dbPath = resolve(requireFlag(a, 'db', 'path of the case database file'));
  const caseId = requireFlag(a, 'case', 'the case id');
  const out = requireFlag(a, 'out', 'the PDF file to write');
  const events = flag(a, 'events')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const db = openDatabase(dbPath);
  const controller = new AbortController();
  const onSig = () => controller.abort();
  process.once('SIGINT', onSig);
  try {
    const r = await exportReport(db, {
      caseId,
      out: resolve(out),
      eventIds: events,
      transcript: a.flags.transcript === true,
      overwrite: a.flags.force === true,
      actor: 'cli',
      onProgress: progress,
      signal: controller.signal,
    });
    return { path: r.path, sha256: r.sha256, pages: r.pages };
  } finally {
    process.off('SIGINT', onSig);
    db.close();
  }
}
