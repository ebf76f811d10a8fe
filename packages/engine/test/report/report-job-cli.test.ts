/** The report as a job kind and as the `vigil report` command module. */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { runReport } from '../../src/cli/commands/report.js';
import { runReportJob } from '../../src/report/job.js';
import { checkReportFile, getReport, listReports } from '../../src/report/records.js';
import { listAudit } from '../../src/store/audit.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { createJob, getJobRow } from '../../src/store/jobs.js';
import { buildReportCase, type ReportFixture } from '../helpers/report-fixture.js';
import { vigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('report job and CLI command', () => {
  const dir = tempDir('vigil-report-job-');
  const dbPath = join(dir, 'cases.db');
  let db: Db;
  let f: ReportFixture;

  beforeAll(async () => {
    db = openDatabase(dbPath);
    f = await buildReportCase(db, dir);
  });

  function context(params: Record<string, unknown>, progress: [number, string | undefined][] = []) {
    const job = createJob(db, { caseId: f.caseId, kind: 'report', params });
    const targets: string[] = [];
    return {
      ctx: { db, job: getJobRow(db, job.id), params, workDir: join(dir, 'work'), onProgress: (p: number, s?: string) => progress.push([p, s]), signal: new AbortController().signal, setTarget: (id: string) => targets.push(id) },
      targets,
    };
  }

  it('runs as a job: report id as target, {reportId, path, sha256, pages} as result, progress by stage', async () => {
    const out = join(dir, 'job.pdf');
    const progress: [number, string | undefined][] = [];
    const { ctx } = context({ out, eventIds: f.analysis!.eventIds, transcript: false }, progress);
    const outcome = await runReportJob(ctx);
    const result = outcome.result as { reportId: string; path: string; sha256: string; pages: number };
    expect(outcome.targetId).toBe(result.reportId);
    expect(result.path).toBe(out);
    expect(result.sha256).toBe(sha(readFileSync(out)));
    expect(progress.at(-1)).toEqual([1, 'finish']);
    expect(listAudit(db, f.caseId, 1)[0]).toMatchObject({ action: 'report.export', subject: result.reportId });
  });

  it('refuses malformed job parameters with a message naming them', async () => {
    await expect(runReportJob(context({ out: 'relative.pdf' }).ctx)).rejects.toThrow(/must be absolute: "relative.pdf"/);
    await expect(runReportJob(context({ out: join(dir, 'a.pdf'), transcript: 'yes' }).ctx)).rejects.toThrow(/transcript/);
    await expect(runReportJob(context({ out: join(dir, 'a.pdf'), extra: 1 }).ctx)).rejects.toThrow(/Invalid report job parameters/);
  });

  it('vigil report --db --case --out [--events] [--transcript] returns {path, sha256, pages}', async () => {
    const out = join(dir, 'cli.pdf');
    const r = await runReport(parseArgs(['--db', dbPath, '--case', f.caseId, '--out', out, '--events', f.analysis!.eventIds.join(','), '--transcript', '--json']));
    expect(Object.keys(r).sort()).toEqual(['pages', 'path', 'sha256']);
    expect(r.path).toBe(out);
    expect(r.sha256).toBe(sha(readFileSync(out)));
    expect(r.pages).toBeGreaterThan(2);
    expect(listAudit(db, f.caseId, 1)[0]).toMatchObject({ action: 'report.export', details: { transcript: true, eventIds: f.analysis!.eventIds } });
    expect(db.prepare('SELECT actor FROM audit_log ORDER BY seq DESC LIMIT 1').get()).toEqual({ actor: 'cli' });
    // An existing file is only replaced with --force.
    await expect(runReport(parseArgs(['--db', dbPath, '--case', f.caseId, '--out', out]))).rejects.toMatchObject({ code: 'conflict' });
    const again = await runReport(parseArgs(['--db', dbPath, '--case', f.caseId, '--out', out, '--force']));
    expect(again.sha256).toBe(sha(readFileSync(out)));
  });

  it('lists exported reports and recognises an exported PDF byte for byte', async () => {
    const reports = listReports(db, f.caseId);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(reports.map((r) => r.createdAt)).toEqual([...reports.map((r) => r.createdAt)].sort().reverse());
    const newest = reports[0];
    expect(newest.path).toBe(join(dir, 'cli.pdf'));
    expect(getReport(db, newest.id)).toEqual(newest);
    const check = await checkReportFile(db, newest.path);
    expect(check).toEqual({ sha256: newest.sha256, report: newest });
    const altered = join(dir, 'altered.pdf');
    writeFileSync(altered, Buffer.concat([readFileSync(newest.path), Buffer.from('\n%tampered\n')]));
    expect((await checkReportFile(db, altered)).report).toBeNull();
    expect(() => getReport(db, 'rep_aaaaaaaaaaaaaaaa')).toThrow(/No report with id rep_aaaaaaaaaaaaaaaa/);
  });

  it('the built `vigil report` prints exactly {path, sha256, pages} with --json and exits non-zero on bad input', () => {
    const out = join(dir, 'bin.pdf');
    const r = vigil(['report', '--db', dbPath, '--case', f.caseId, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(r.json).sort()).toEqual(['pages', 'path', 'sha256']);
    expect(r.json.sha256).toBe(sha(readFileSync(out)));
    const unknown = vigil(['report', '--db', dbPath, '--case', 'case_aaaaaaaaaaaaaaaa', '--out', join(dir, 'u.pdf'), '--json']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/No case with id case_aaaaaaaaaaaaaaaa/);
    expect(unknown.stdout).toBe('');
    const foreign = vigil(['report', '--db', dbPath, '--case', f.caseId, '--out', join(dir, 'u.pdf'), '--events', 'evt_aaaaaaaaaaaaaaaa']);
    expect(foreign.code).toBe(3);
    expect(foreign.stderr).toMatch(/No event with id evt_aaaaaaaaaaaaaaaa/);
    const unwritable = vigil(['report', '--db', dbPath, '--case', f.caseId, '--out', join(dir, 'missing-dir', 'u.pdf')]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/does not exist/);
  });

  it('names missing flags', async () => {
    await expect(runReport(parseArgs(['--db', dbPath, '--out', join(dir, 'x.pdf')]))).rejects.toThrow(/--case is required/);
    await expect(runReport(parseArgs(['--db', dbPath, '--case', f.caseId]))).rejects.toThrow(/--out is required/);
  });
});
