/**
 * The engine behind the contract: one handler per operation, input validation from the contract's
 * schemas, error mapping, the job runner and the event stream. Both transports (IPC, HTTP) call
 * `engine.call(op, input)`; neither adds logic of its own.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { isVigilError, VigilError } from '../errors.js';
import { checkEvidencePath } from '../jobs/import-evidence.js';
import { recoverInterruptedWork } from '../jobs/recover.js';
import { JobRunner, type Spawner } from '../jobs/runner.js';
import { resolveFfmpeg } from '../media/ffmpeg-path.js';
import { frameThumbnail } from '../media/thumbnail.js';
import { listModelStatus } from '../inference/model-status.js';
import { getAnalysis, getEvent, getFrameScores, getHeatmap, getTracks, listAnalyses, listEvents, reviewEvent } from '../store/analyses.js';
import { listAudit, verifyAudit } from '../store/audit.js';
import { overlayAt } from './overlay.js';
import { addDefinition, addZone, askQuestion, explainEvent, getConversation, getDefinition, getZone, listConversations, listDefinitions, listZones, removeDefinition, removeZone, updateZone } from '../reasoning/index.js';
import { getReport, listReports } from '../report/records.js';
import type { PdfPrinter } from '../report/printer.js';
import { createCase, getCase, listCases } from '../store/cases.js';
import { openDatabase, type Db } from '../store/db.js';
import { getEvidenceRow, listEvidence, toEvidence } from '../store/evidence.js';
import { getJobRow, listJobs, toJob } from '../store/jobs.js';
import { addNote, listNotes, removeNote } from '../store/notes.js';
import { VIGIL_VERSION } from '../version.js';
import { contract, Ids, isOpName, type ApiErrorBody, type ApiEvent, type OpName, type OpOutput, type OpParsedInput } from './contract.js';

type Handlers = { [K in OpName]: (input: OpParsedInput<K>) => Promise<OpOutput<K>> | OpOutput<K> };

export interface EngineOptions {
  dbPath: string;
  /** Folder for derived files (proxies, report renders). Default: `<db name>.work` beside the database. */
  workDir?: string;
  transport: 'http' | 'ipc';
  spawn?: Spawner;
  /** Prints report PDFs for job workers that cannot (Electron's printToPDF in the desktop app). */
  printer?: PdfPrinter;
  /** Log of internal errors (stack traces stay on this side of the transport). */
  log?: (message: string) => void;
}

export function defaultWorkDir(dbPath: string): string {
  return join(dirname(resolve(dbPath)), `${basename(dbPath)}.work`);
}


export class Engine {
  readonly db: Db;
  readonly dbPath: string;
  readonly workDir: string;
  readonly jobs: JobRunner;
  private readonly emitter = new EventEmitter();
  private readonly handlers: Handlers;

  constructor(private readonly o: EngineOptions) {
    this.dbPath = resolve(o.dbPath);
    this.workDir = o.workDir ?? defaultWorkDir(this.dbPath);
    this.db = openDatabase(this.dbPath);
    const recovered = recoverInterruptedWork(this.db, this.workDir);
    if (recovered.files.length) o.log?.(`removed ${recovered.files.length} unfinished derived file(s) left by an interrupted job`);
    this.emitter.setMaxListeners(100);
    this.jobs = new JobRunner({ db: this.db, dbPath: this.dbPath, workDir: this.workDir, emit: (e) => this.emit(e), spawn: o.spawn, printer: o.printer });
    this.handlers = this.makeHandlers();
  }

  /** Validate and run one operation. Throws VigilError only. */
  async call(op: string, input: unknown): Promise<unknown> {
    if (!isOpName(op)) throw new VigilError('invalid_input', `Unknown operation ${JSON.stringify(op.slice(0, 80))}.`);
    // Both transports deliver plain JSON-like objects; a Date, Map, typed array or class instance is not one
    // (zod would read an empty Date as {}).
    const proto = input !== null && typeof input === 'object' ? Object.getPrototypeOf(input) : undefined;
    if (proto !== undefined && proto !== Object.prototype && proto !== null && !Array.isArray(input)) {
      throw new VigilError('invalid_input', `Invalid input for ${op}: expected a plain JSON object.`);
    }
    const parsed = contract[op].input.safeParse(input ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new VigilError('invalid_input', `Invalid input for ${op}: ${issues.map((i) => (i.path ? `${i.path}: ` : '') + i.message).join('; ')}`, { issues });
    }
    try {
      return await (this.handlers[op] as (i: unknown) => unknown)(parsed.data);
    } catch (e) {
      if (isVigilError(e)) throw e;
      this.o.log?.(`internal error in ${op}: ${(e as Error)?.stack ?? e}`);
      throw new VigilError('internal', `Internal error while running ${op}. The details are in the engine log.`);
    }
  }

  on(listener: (e: ApiEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  emit(e: ApiEvent): void {
    this.emitter.emit('event', e);
  }

  /** The file to play for an evidence id: the proxy when one is ready, else the original. */
  playbackFile(evidenceId: string): { path: string; contentType: string } {
    if (!Ids.evidence.safeParse(evidenceId).success) throw new VigilError('invalid_input', 'Media requests take an evidence id.');
    const ev = getEvidenceRow(this.db, evidenceId);
    if (ev.proxy_status === 'ready' && ev.proxy_path && existsSync(ev.proxy_path)) return { path: ev.proxy_path, contentType: 'video/mp4' };
    if (ev.proxy_status === 'pending') throw new VigilError('conflict', `A playback copy of ${ev.file_name} is still being made.`);
    if (ev.proxy_status === 'failed') throw new VigilError('unsupported_media', `${ev.file_name} cannot be played in the viewer and its playback copy failed.`);
    return { path: ev.original_path, contentType: contentTypeFor(ev.file_name) };
  }

  /** The PDF of an exported report, by id. */
  reportFile(reportId: string): { path: string; fileName: string } {
    if (!Ids.report.safeParse(reportId).success) throw new VigilError('invalid_input', 'Report requests take a report id.');
    const r = getReport(this.db, reportId);
    if (!existsSync(r.path)) throw new VigilError('not_found', `The PDF of report ${reportId} is no longer at ${r.path}.`);
    return { path: r.path, fileName: basename(r.path) };
  }

  close(): void {
    this.jobs.shutdown();
    this.db.close();
  }

  private makeHandlers(): Handlers {
    const db = this.db;
    return {
      'app.info': () => {
        let ffmpeg: { path: string; source: string } | null = null;
        try {
          const f = resolveFfmpeg();
          ffmpeg = { path: f.path, source: f.source };
        } catch {
          ffmpeg = null;
        }
        return { name: 'Vigil' as const, version: VIGIL_VERSION, dbPath: this.dbPath, transport: this.o.transport, ffmpeg, node: process.version, platform: `${process.platform}-${process.arch}` };
      },
      'cases.list': () => listCases(db),
      'cases.create': (i) => {
        const c = createCase(db, i);
        this.emit({ type: 'changed', caseId: c.id, what: 'cases' });
        return c;
      },
      'cases.get': (i) => getCase(db, i.caseId),
      'evidence.list': (i) => {
        getCase(db, i.caseId);
        return listEvidence(db, i.caseId);
      },
      'evidence.get': (i) => toEvidence(getEvidenceRow(db, i.evidenceId)),
      'evidence.import': (i) => {
        getCase(db, i.caseId);
        const path = checkEvidencePath(i.path);
        const job = this.jobs.start('import', i.caseId, { path });
        return { jobId: job.id };
      },
      'jobs.list': (i) => {
        if (i.caseId) getCase(db, i.caseId);
        return listJobs(db, i.caseId);
      },
      'jobs.get': (i) => toJob(getJobRow(db, i.jobId)),
      'jobs.cancel': (i) => this.jobs.cancel(i.jobId),
      'notes.list': (i) => {
        getCase(db, i.caseId);
        if (i.evidenceId && getEvidenceRow(db, i.evidenceId).case_id !== i.caseId) throw new VigilError('not_found', `Evidence ${i.evidenceId} is not part of case ${i.caseId}.`);
        return listNotes(db, i.caseId, i.evidenceId);
      },
      'notes.add': (i) => {
        getCase(db, i.caseId);
        const n = addNote(db, i);
        this.emit({ type: 'changed', caseId: i.caseId, what: 'notes' });
        return n;
      },
      'notes.remove': (i) => {
        getCase(db, i.caseId);
        removeNote(db, i.caseId, i.noteId);
        this.emit({ type: 'changed', caseId: i.caseId, what: 'notes' });
        return { removed: true };
      },
      'analysis.start': (i) => {
        const ev = getEvidenceRow(db, i.evidenceId);
        if (i.reference?.length && i.together?.length) {
          throw new VigilError('invalid_input', 'Give either reference footage (known normal) or footage to analyse together (self-referenced), not both.');
        }
        for (const r of [...(i.reference ?? []), ...(i.together ?? [])]) {
          if (r === i.evidenceId) throw new VigilError('invalid_input', 'An evidence item cannot be its own reference footage.');
          if (getEvidenceRow(db, r).case_id !== ev.case_id) throw new VigilError('not_found', `Reference ${r} is not part of this case.`);
        }
        const params = { evidenceId: i.evidenceId, reference: i.reference ?? [], together: i.together ?? [], fps: i.fps, detector: i.detector };
        const job = this.jobs.start('analysis', ev.case_id, params, i.evidenceId);
        return { jobId: job.id };
      },
      'analysis.list': (i) => {
        getEvidenceRow(db, i.evidenceId);
        return listAnalyses(db, i.evidenceId);
      },
      'analysis.scores': (i) => {
        const a = getAnalysis(db, i.analysisId);
        const f = getFrameScores(db, i.analysisId);
        return {
          frames: f.map((x) => x.frame), times: f.map((x) => x.time), raw: f.map((x) => x.raw), smoothed: f.map((x) => x.smoothed),
          sigma: Number(a.params.sigma ?? 0), enterThreshold: Number(a.params.enterThreshold ?? 0), exitThreshold: Number(a.params.exitThreshold ?? 0),
        };
      },
      'analysis.tracks': (i) => {
        getAnalysis(db, i.analysisId);
        return getTracks(db, i.analysisId);
      },
      'analysis.overlay': (i) => overlayAt(db, i.analysisId, i.frame),
      'analysis.heatmap': (i) => {
        getAnalysis(db, i.analysisId);
        const h = getHeatmap(db, i.analysisId, i.frame);
        return h ? { frame: h.frame, width: h.width, height: h.height, data: Buffer.from(h.data).toString('base64') } : null;
      },
      'events.list': (i) => {
        getCase(db, i.caseId);
        if (i.evidenceId && getEvidenceRow(db, i.evidenceId).case_id !== i.caseId) throw new VigilError('not_found', `Evidence ${i.evidenceId} is not part of case ${i.caseId}.`);
        return listEvents(db, i);
      },
      'events.review': (i) => {
        const e = reviewEvent(db, i.eventId, i.state, i.note);
        this.emit({ type: 'changed', caseId: e.caseId, what: 'events' });
        return e;
      },
      'evidence.makeProxy': (i) => {
        const ev = getEvidenceRow(db, i.evidenceId);
        if (ev.proxy_status === 'original') throw new VigilError('conflict', `${ev.file_name} plays as it is; it needs no playback copy.`);
        return { jobId: this.jobs.start('proxy', ev.case_id, { evidenceId: ev.id }, ev.id).id };
      },
      'evidence.thumbnail': async (i) => {
        const ev = toEvidence(getEvidenceRow(db, i.evidenceId));
        const frame = Math.min(i.frame, Math.max(0, ev.frameCount - 1));
        // ffmpeg's input -ss counts from the file's start time, so frame k is at k/fps (CFR; VFR approximate).
        const jpeg = await frameThumbnail(getEvidenceRow(db, i.evidenceId).original_path, frame / ev.fps, i.width);
        return { frame, mime: 'image/jpeg' as const, data: jpeg.toString('base64') };
      },
      'models.list': () =>
        listModelStatus().models.map((m) => ({ name: m.name, task: m.task, source: m.source, licence: m.licence, sha256: m.sha256, status: m.status, ...(m.problem ? { problem: m.problem } : {}), ep: m.ep })),
      'chat.ask': async (i) => {
        getCase(db, i.caseId);
        const r = await askQuestion(db, i);
        this.emit({ type: 'changed', caseId: i.caseId, what: 'conversations' });
        return { conversationId: r.conversationId, messageId: r.messageId, answer: r.answer, citations: r.citations, refused: r.refused };
      },
      'chat.list': (i) => {
        getCase(db, i.caseId);
        return listConversations(db, i.caseId);
      },
      'chat.get': (i) => {
        getCase(db, i.caseId);
        const c = getConversation(db, i.conversationId);
        if (c.caseId !== i.caseId) throw new VigilError('not_found', `Conversation ${i.conversationId} is not part of case ${i.caseId}.`);
        return c;
      },
      'events.explain': (i) => explainEvent(db, i.eventId),
      'zones.list': (i) => {
        getCase(db, i.caseId);
        if (i.evidenceId && getEvidenceRow(db, i.evidenceId).case_id !== i.caseId) throw new VigilError('not_found', `Evidence ${i.evidenceId} is not part of case ${i.caseId}.`);
        return listZones(db, i);
      },
      'zones.add': (i) => {
        getCase(db, i.caseId);
        const z = addZone(db, i);
        this.emit({ type: 'changed', caseId: i.caseId, what: 'zones' });
        return z;
      },
      'zones.update': (i) => {
        getCase(db, i.caseId);
        if (getZone(db, i.zoneId).caseId !== i.caseId) throw new VigilError('not_found', `Zone ${i.zoneId} is not part of case ${i.caseId}.`);
        if (i.name === undefined && i.polygon === undefined) throw new VigilError('invalid_input', 'Nothing to change: give the zone a new name, a new polygon or both.');
        const z = updateZone(db, i.zoneId, { name: i.name, polygon: i.polygon });
        this.emit({ type: 'changed', caseId: i.caseId, what: 'zones' });
        return z;
      },
      'zones.remove': (i) => {
        getCase(db, i.caseId);
        if (getZone(db, i.zoneId).caseId !== i.caseId) throw new VigilError('not_found', `Zone ${i.zoneId} is not part of case ${i.caseId}.`);
        removeZone(db, i.zoneId);
        this.emit({ type: 'changed', caseId: i.caseId, what: 'zones' });
        return { removed: true };
      },
      'definitions.list': (i) => {
        getCase(db, i.caseId);
        return listDefinitions(db, i.caseId);
      },
      'definitions.add': (i) => {
        getCase(db, i.caseId);
        const d = addDefinition(db, i);
        this.emit({ type: 'changed', caseId: i.caseId, what: 'events' });
        return d;
      },
      'definitions.remove': (i) => {
        getCase(db, i.caseId);
        if (getDefinition(db, i.definitionId).caseId !== i.caseId) throw new VigilError('not_found', `Definition ${i.definitionId} is not part of case ${i.caseId}.`);
        removeDefinition(db, i.definitionId);
        this.emit({ type: 'changed', caseId: i.caseId, what: 'events' });
        return { removed: true };
      },
      'reports.export': (i) => {
        const c = getCase(db, i.caseId);
        for (const id of i.eventIds ?? []) if (getEvent(db, id).caseId !== c.id) throw new VigilError('not_found', `Event ${id} is not part of case ${c.id}.`);
        // The engine names the file: the renderer never sends paths.
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        const out = join(this.workDir, c.id, 'reports', `vigil-report-${stamp}.pdf`);
        // The export refuses a missing folder (an explicit --out must exist); this one is the engine's own.
        mkdirSync(dirname(out), { recursive: true });
        const job = this.jobs.start('report', c.id, { out, ...(i.eventIds ? { eventIds: i.eventIds } : {}), transcript: i.transcript });
        return { jobId: job.id };
      },
      'reports.list': (i) => {
        getCase(db, i.caseId);
        return listReports(db, i.caseId).map((r) => ({ id: r.id, caseId: r.caseId, sha256: r.sha256, pages: r.pages, fileName: basename(r.path), createdAt: r.createdAt, options: r.options as Record<string, unknown> }));
      },
      'audit.list': (i) => {
        getCase(db, i.caseId);
        return listAudit(db, i.caseId, i.limit);
      },
      'audit.verify': () => verifyAudit(db),
    };
  }
}

export function toErrorBody(e: unknown): { status: number; body: ApiErrorBody } {
  const err = isVigilError(e) ? e : new VigilError('internal', 'Internal error.');
  const status = { invalid_input: 400, not_found: 404, conflict: 409, unsupported_media: 415, model_error: 500, cancelled: 409, forbidden: 403, internal: 500 }[err.code];
  const issues = (err.details?.issues as { path: string; message: string }[] | undefined) ?? undefined;
  return { status, body: { error: { code: err.code, message: err.message, ...(issues ? { issues } : {}) } } };
}

const TYPES: Record<string, string> = { mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mkv: 'video/x-matroska', avi: 'video/x-msvideo' };
function contentTypeFor(name: string): string {
  return TYPES[name.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}
