/**
 * Exporting a case report: gather the model → re-hash the originals → decode and draw the stills → build
 * the manifest → HTML → PDF (Chromium) → embed the manifest → write the file atomically → record the
 * report row and a `report.export` audit row (with the PDF's SHA-256) in one transaction.
 *
 * Bad input fails before any work and records nothing: unknown case (not_found), an event of another case
 * (invalid_input naming it), an output path that cannot be written (invalid_input / conflict).
 */
import { randomBytes } from 'node:crypto';
import { constants as fsc, existsSync, statSync } from 'node:fs';
import { access, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { VigilError, throwIfAborted, type ProgressFn } from '../errors.js';
import { sha256Buffer } from '../media/hash.js';
import { appendAudit } from '../store/audit.js';
import { getCase } from '../store/cases.js';
import type { Db } from '../store/db.js';
import { newId, nowIso } from '../store/ids.js';
import { VIGIL_VERSION } from '../version.js';
import type { TrajectoryPathInput } from './charts.js';
import { renderKeyframes } from './keyframes.js';
import { buildManifest, serialiseManifest } from './manifest.js';
import { gatherReport, type GatherOptions } from './model.js';
import { overviewPaths } from './overview.js';
import { finishPdf } from './pdf.js';
import { ChromiumPrinter, type PdfPrinter } from './printer.js';
import { defaultReasoningSource } from './reasoning-source.js';
import { printOptions, renderReportHtml } from './template.js';
import { verifyExhibits } from './verify.js';

export interface ExportReportOptions {
  caseId: string;
  /** Output file; must end in .pdf, its folder must exist. */
  out: string;
  /** Report only these events (each must belong to the case); default all events of the latest analyses. */
  eventIds?: readonly string[];
  /** Include the case's chat transcript. */
  transcript?: boolean;
  /** Replace an existing file at `out` (default: refuse). */
  overwrite?: boolean;
  /** Re-hash each original before decoding stills from it (default true). */
  verifyEvidence?: boolean;
  /** PDF printer (default: headless Chromium); the desktop app passes one built on printToPDF. */
  printer?: PdfPrinter;
  /** Reasoning and transcript provider (default: Vigil's reasoning module). */
  reasoning?: GatherOptions['reasoning'] | null;
  /** Who exported, for the audit row. */
  actor?: string;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

export interface ExportReportResult {
  reportId: string;
  path: string;
  sha256: string;
  pages: number;
  manifestSha256: string;
}

/** Checks that `out` can be written as a new PDF; returns its absolute path. */
export async function checkOutputPath(out: string, overwrite = false): Promise<string> {
  if (typeof out !== 'string' || !out.trim()) throw new VigilError('invalid_input', 'No output file given for the report.');
  if (out.includes('\0')) throw new VigilError('invalid_input', 'The output path contains a NUL character.');
  const abs = resolve(out);
  if (extname(abs).toLowerCase() !== '.pdf') throw new VigilError('invalid_input', `The report file must end in .pdf: ${abs}.`);
  const dir = dirname(abs);
  if (!existsSync(dir)) throw new VigilError('invalid_input', `Cannot write the report to ${abs}: the folder ${dir} does not exist.`);
  if (!statSync(dir).isDirectory()) throw new VigilError('invalid_input', `Cannot write the report to ${abs}: ${dir} is not a folder.`);
  await probeWritable(dir, abs);
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) throw new VigilError('invalid_input', `Cannot write the report to ${abs}: it is a folder.`);
    if (!overwrite) throw new VigilError('conflict', `${abs} already exists; choose another file name or allow overwriting.`);
    try {
      await access(abs, fsc.W_OK);
    } catch {
      throw new VigilError('invalid_input', `Cannot write the report to ${abs}: the existing file is read-only.`);
    }
  }
  return abs;
}

/** Creates and removes a file in `dir`: the only reliable test that the report can be written there. */
async function probeWritable(dir: string, abs: string): Promise<void> {
  const probe = join(dir, `.vigil-write-test-${randomBytes(6).toString('hex')}`);
  try {
    await (await open(probe, 'wx')).close();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilError('invalid_input', `Cannot write the report to ${abs}: the folder ${dir} is not writable (${code ?? (e as Error).message}).`);
  }
  await unlink(probe).catch(() => {});
}

/** Writes via a temp file in the same folder, flushed to disk, then renamed over the target. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new VigilError('invalid_input', `Cannot write the report to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}

/** Progress spans of the stages (fractions of the whole export). */
const SPANS = { gather: [0, 0.03], verify: [0.03, 0.3], keyframes: [0.3, 0.65], print: [0.65, 0.92], finish: [0.92, 1] } as const;

export async function exportReport(db: Db, o: ExportReportOptions): Promise<ExportReportResult> {
  const progress = o.onProgress ?? (() => {});
  const stage = (name: keyof typeof SPANS) => (f: number) => progress(SPANS[name][0] + (SPANS[name][1] - SPANS[name][0]) * Math.max(0, Math.min(1, f)), name);
  throwIfAborted(o.signal);
  getCase(db, o.caseId);
  const out = await checkOutputPath(o.out, o.overwrite);
  stage('gather')(0);
  const reportId = newId('rep');
  const model = gatherReport(db, {
    caseId: o.caseId,
    reportId,
    eventIds: o.eventIds,
    transcript: o.transcript,
    reasoning: o.reasoning === undefined ? defaultReasoningSource() : (o.reasoning ?? undefined),
  });

  if (o.verifyEvidence === false) for (const x of model.exhibits) x.verification = { status: 'skipped' };
  else await verifyExhibits(model.exhibits, { onProgress: stage('verify'), signal: o.signal });
  for (const x of model.exhibits) {
    if (x.verification.status === 'mismatch') model.warnings.unshift(`${x.label} (${x.fileName}) no longer matches the SHA-256 recorded at import.`);
    if (x.verification.status === 'missing') model.warnings.unshift(`The original of ${x.label} (${x.fileName}) could not be read: ${x.verification.reason}.`);
  }

  const { backgrounds } = await renderKeyframes(db, model, { onProgress: stage('keyframes'), signal: o.signal });
  const overview = new Map<string, TrajectoryPathInput[]>();
  for (const a of model.analyses) if (model.events.some((e) => e.analysisId === a.id)) overview.set(a.id, overviewPaths(db, a.id, model.events));

  const manifest = serialiseManifest(buildManifest(model));
  const html = renderReportHtml({ model, manifestSha256: manifest.sha256, backgrounds, overview });
  throwIfAborted(o.signal);
  stage('print')(0);
  const printer = o.printer ?? new ChromiumPrinter();
  const printed = await printer.print(html, { ...printOptions(model, manifest.sha256), signal: o.signal });
  stage('print')(1);
  const { bytes, pages } = await finishPdf(printed, {
    manifest: manifest.bytes,
    manifestSha256: manifest.sha256,
    title: `Vigil report — ${model.case.name}`,
    author: model.case.examiner,
    subject: `Video analysis report ${reportId} for case ${model.case.id}`,
    keywords: ['Vigil', 'video analysis', model.case.id, reportId],
    producer: `Vigil ${VIGIL_VERSION} (Chromium print, pdf-lib)`,
    creator: `Vigil ${VIGIL_VERSION}`,
    createdAt: new Date(model.generatedAt),
  });
  throwIfAborted(o.signal);
  stage('finish')(0.3);

  const sha256 = sha256Buffer(bytes);
  // Re-check just before writing: the folder may have changed during the minutes of work.
  await checkOutputPath(out, o.overwrite);
  await writeAtomically(out, bytes);
  const options = { eventIds: model.options.eventIds, transcript: model.options.transcript, verifyEvidence: o.verifyEvidence !== false, manifestSha256: manifest.sha256 };
  try {
    db.transaction(() => {
      db.prepare('INSERT INTO reports (id, case_id, path, sha256, pages, options_json, created_at) VALUES (?,?,?,?,?,?,?)').run(
        reportId, o.caseId, out, sha256, pages, JSON.stringify(options), nowIso(),
      );
      appendAudit(db, {
        action: 'report.export',
        caseId: o.caseId,
        subject: reportId,
        actor: o.actor,
        details: { path: out, sha256, pages, bytes: bytes.length, events: model.events.map((e) => e.id), ...options },
      });
    })();
  } catch (e) {
    await unlink(out).catch(() => {});
    throw e;
  }
  stage('finish')(1);
  return { reportId, path: out, sha256, pages, manifestSha256: manifest.sha256 };
}
