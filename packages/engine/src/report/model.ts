/**
 * The report model: everything a report shows, read from the case database into one typed object before
 * anything is drawn. Template, manifest and figures are pure functions of it, so what the PDF says and
 * what the embedded manifest records come from the same values.
 *
 * Which events: the given ids (each must belong to the case), else every event of the latest completed
 * analysis of each evidence item. Which analyses: the latest completed analysis of each evidence item,
 * plus any analysis a selected event comes from.
 */
import type { AuditRow, Note } from '../api/contract.js';
import type { AnalysisParams, FrameScore, TrackSummary } from '../analysis/types.js';
import { VigilError } from '../errors.js';
import type { ProbeResult } from '../media/probe.js';
import { getAnalysis, getEvent, getFrameScores, getTracks, latestAnalysis, listEvents, nearestAnalysedFrame, type AnalysisRecord, type StoredEvent } from '../store/analyses.js';
import { listAudit, verifyAudit } from '../store/audit.js';
import { getCase } from '../store/cases.js';
import type { Db } from '../store/db.js';
import { listNotes } from '../store/notes.js';
import type { EvidenceRow } from '../store/evidence.js';
import { VIGIL_VERSION } from '../version.js';
import type { ReportConversation, ReportReasoning } from './reasoning-source.js';

export interface ReportExhibit {
  /** Label used throughout the report: EX1, EX2, … in import order. */
  label: string;
  evidenceId: string;
  fileName: string;
  originalPath: string;
  sizeBytes: number;
  sha256: string;
  importedAt: string;
  container: string;
  formatLongName: string;
  codec: string;
  codecLongName: string;
  pixFmt: string;
  width: number;
  height: number;
  rotation: number;
  fps: number;
  vfr: boolean;
  frameCount: number;
  frameCountSource: string;
  durationS: number;
  timingSource: string;
  creationTime: string | null;
  probeWarnings: string[];
  /** Filled by the export: the original re-hashed at report time. */
  verification: ExhibitVerification;
  /** Latest completed analysis, or null when the item was never analysed to completion. */
  latestAnalysisId: string | null;
}

export type ExhibitVerification =
  | { status: 'pending' }
  | { status: 'skipped' }
  | { status: 'match'; checkedAt: string }
  | { status: 'mismatch'; checkedAt: string; sha256: string }
  | { status: 'missing'; checkedAt: string; reason: string };

export interface ReportReferenceItem {
  ref: string;
  fileName: string | null;
  sha256: string | null;
  exhibit: string | null;
}

export interface ReportAnalysis {
  id: string;
  evidenceId: string;
  exhibit: string;
  state: AnalysisRecord['state'];
  engineVersion: string;
  params: AnalysisParams;
  models: AnalysisRecord['models'];
  /** Self-referenced (alone, or together with `items`), or reference footage `items`. */
  reference: { kind: 'self' | 'footage'; items: ReportReferenceItem[] };
  stats: Record<string, unknown> | null;
  createdAt: string;
  finishedAt: string | null;
  job: { id: string; createdAt: string; startedAt: string | null; finishedAt: string | null } | null;
  /** Distinct execution providers of the models (empty when no model ran). */
  executionProviders: string[];
  scores: FrameScore[];
  isLatest: boolean;
}

export interface ReportKeyframe {
  role: 'start' | 'peak' | 'end';
  /** Source frame index shown. */
  frame: number;
  /** Presentation time of that frame (s), from the decoder; null until rendered. */
  time: number | null;
  /** SHA-256 of the decoded RGB24 frame at source resolution; null until rendered or when unavailable. */
  sha256: string | null;
  png: Uint8Array | null;
  width: number;
  height: number;
  /** Why the still is missing, when it is. */
  error: string | null;
}

/** A stored event with what the report adds: its label and exhibit, tracks, notes, reasoning, stills. */
export interface ReportEvent extends StoredEvent {
  /** Report label: E1, E2, … */
  label: string;
  exhibit: string;
  /** What the report calls the event: the stored category, else the one its reasoning arrives at. */
  displayCategory: string | null;
  tracks: TrackSummary[];
  notes: Note[];
  reasoning: ReportReasoning | null;
  /** Why no reasoning is shown, when it is not. */
  reasoningError: string | null;
  keyframes: ReportKeyframe[];
}

export interface ReportSummary {
  exhibits: number;
  analysedExhibits: number;
  unanalysedExhibits: string[];
  events: number;
  byReview: Record<StoredEvent['reviewState'], number>;
  byCategory: { category: string; count: number }[];
  /** True when no evidence item has a completed analysis. */
  noAnalysis: boolean;
  /** A subset of events was chosen by the analyst. */
  selection: boolean;
  /** Events in the analyses that the selection left out. */
  eventsNotSelected: number;
}

export interface ReportModel {
  reportId: string;
  generatedAt: string;
  vigilVersion: string;
  case: { id: string; name: string; examiner: string | null; description: string | null; createdAt: string };
  options: { eventIds: string[] | null; transcript: boolean };
  exhibits: ReportExhibit[];
  analyses: ReportAnalysis[];
  events: ReportEvent[];
  summary: ReportSummary;
  /** Notes and bookmarks not attached to a reported event. */
  otherNotes: Note[];
  transcript: ReportConversation[] | null;
  audit: {
    rows: AuditRow[];
    /** Rows of this case in the log (the extract may hold fewer). */
    total: number;
    chain: { ok: boolean; rows: number; firstBadSeq: number | null };
    /** Newest row of the whole log when the report was generated: ties the report to one log state. */
    head: { seq: number; hash: string } | null;
  };
  /** Problems met while building the report, shown in it. */
  warnings: string[];
}

export interface GatherOptions {
  caseId: string;
  reportId: string;
  eventIds?: readonly string[];
  transcript?: boolean;
  /** Reasoning and chat history; without it the report shows measured attributes only and no transcript. */
  reasoning?: {
    explain(db: Db, eventId: string): ReportReasoning;
    transcript(db: Db, caseId: string): ReportConversation[];
  };
  /** Most audit rows to print (newest kept). */
  auditLimit?: number;
  now?: () => string;
}

function exhibitOf(r: EvidenceRow, label: string, latest: AnalysisRecord | null): ReportExhibit {
  const p = JSON.parse(r.probe_json) as ProbeResult;
  return {
    label,
    evidenceId: r.id,
    fileName: r.file_name,
    originalPath: r.original_path,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    importedAt: r.imported_at,
    container: p.container,
    formatLongName: p.formatLongName,
    codec: p.codec,
    codecLongName: p.codecLongName,
    pixFmt: p.pixFmt,
    width: p.displayWidth || p.width,
    height: p.displayHeight || p.height,
    rotation: p.rotation ?? 0,
    fps: p.fpsAvg,
    vfr: !!p.vfr,
    frameCount: p.frameCount,
    frameCountSource: p.frameCountSource,
    durationS: p.durationS,
    timingSource: p.timingSource,
    creationTime: p.creationTime ?? null,
    probeWarnings: p.warnings ?? [],
    verification: { status: 'pending' },
    latestAnalysisId: latest?.id ?? null,
  };
}

/** Selected events, checked against the case; the error names the first offending id. */
function selectEvents(db: Db, caseId: string, ids: readonly string[] | undefined): StoredEvent[] {
  if (!ids) return listEvents(db, { caseId });
  if (ids.length === 0) throw new VigilError('invalid_input', 'The event selection is empty; leave it out to report every event.');
  const seen = new Set<string>();
  const out: StoredEvent[] = [];
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const e = getEvent(db, id);
    if (e.caseId !== caseId) throw new VigilError('invalid_input', `Event ${id} belongs to another case, not to case ${caseId}.`, { eventId: id });
    out.push(e);
  }
  return out;
}

function jobOf(db: Db, jobId: string | null): ReportAnalysis['job'] {
  if (!jobId) return null;
  const j = db.prepare('SELECT id, created_at, started_at, finished_at FROM jobs WHERE id = ?').get(jobId) as
    | { id: string; created_at: string; started_at: string | null; finished_at: string | null }
    | undefined;
  return j ? { id: j.id, createdAt: j.created_at, startedAt: j.started_at, finishedAt: j.finished_at } : null;
}

/** Keyframes to render for an event: the analysed frames nearest its start, peak and end (deduplicated). */
function planKeyframes(db: Db, e: StoredEvent): ReportKeyframe[] {
  const wanted: [ReportKeyframe['role'], number][] = [['start', e.startFrame], ['peak', e.peakFrame], ['end', e.endFrame]];
  const out: ReportKeyframe[] = [];
  for (const [role, f] of wanted) {
    const frame = nearestAnalysedFrame(db, e.analysisId, f) ?? f;
    if (out.some((k) => k.frame === frame)) {
      if (role === 'peak') out.find((k) => k.frame === frame)!.role = 'peak';
      continue;
    }
    out.push({ role, frame, time: null, sha256: null, png: null, width: 0, height: 0, error: null });
  }
  return out;
}

export function gatherReport(db: Db, o: GatherOptions): ReportModel {
  const c = getCase(db, o.caseId);
  const warnings: string[] = [];
  const evidenceRows = db.prepare('SELECT * FROM evidence WHERE case_id = ? ORDER BY imported_at, rowid').all(o.caseId) as EvidenceRow[];
  const exhibits = evidenceRows.map((r, i) => exhibitOf(r, `EX${i + 1}`, latestAnalysis(db, r.id)));
  const exhibitById = new Map(exhibits.map((x) => [x.evidenceId, x]));
  const evidenceRowById = new Map(evidenceRows.map((r) => [r.id, r]));

  const stored = selectEvents(db, o.caseId, o.eventIds);
  const analysisIds = new Set<string>();
  for (const x of exhibits) if (x.latestAnalysisId) analysisIds.add(x.latestAnalysisId);
  for (const e of stored) analysisIds.add(e.analysisId);

  const latestIds = new Set(exhibits.map((x) => x.latestAnalysisId).filter((v): v is string => !!v));
  const analyses: ReportAnalysis[] = [...analysisIds].map((id) => {
    const a = getAnalysis(db, id);
    const ex = exhibitById.get(a.evidenceId)!;
    const item = (ref: string): ReportReferenceItem => {
      const row = evidenceRowById.get(ref);
      return { ref, fileName: row?.file_name ?? null, sha256: row?.sha256 ?? null, exhibit: row ? exhibitById.get(row.id)!.label : null };
    };
    const together = Array.isArray(a.params.together) ? (a.params.together as string[]) : [];
    const reference: ReportAnalysis['reference'] = a.reference === 'self'
      ? { kind: 'self', items: together.map(item) }
      : { kind: 'footage', items: a.reference.map(item) };
    return {
      id: a.id, evidenceId: a.evidenceId, exhibit: ex.label, state: a.state, engineVersion: a.engineVersion, params: a.params, models: a.models, reference,
      stats: a.stats, createdAt: a.createdAt, finishedAt: a.finishedAt, job: jobOf(db, a.jobId),
      executionProviders: [...new Set(a.models.map((m) => m.ep))], scores: getFrameScores(db, a.id), isLatest: latestIds.has(a.id),
    };
  });
  analyses.sort((a, b) => exhibits.findIndex((x) => x.evidenceId === a.evidenceId) - exhibits.findIndex((x) => x.evidenceId === b.evidenceId) || a.createdAt.localeCompare(b.createdAt));

  const exhibitOrder = new Map(exhibits.map((x, i) => [x.evidenceId, i]));
  stored.sort((a, b) => exhibitOrder.get(a.evidenceId)! - exhibitOrder.get(b.evidenceId)! || a.startTime - b.startTime || a.seq - b.seq);
  const notes = listNotes(db, o.caseId);
  const tracksByAnalysis = new Map<string, TrackSummary[]>();
  const tracksOf = (analysisId: string) => {
    if (!tracksByAnalysis.has(analysisId)) tracksByAnalysis.set(analysisId, getTracks(db, analysisId));
    return tracksByAnalysis.get(analysisId)!;
  };
  const events: ReportEvent[] = stored.map((e, i) => {
    let reasoning: ReportReasoning | null = null;
    let reasoningError: string | null = null;
    if (o.reasoning) {
      try {
        reasoning = o.reasoning.explain(db, e.id);
      } catch (err) {
        reasoningError = (err as Error).message;
        warnings.push(`The reasoning for event ${e.id} could not be produced: ${reasoningError}`);
      }
    } else reasoningError = 'The reasoning module is not available in this build.';
    return {
      ...e,
      label: `E${i + 1}`,
      exhibit: exhibitById.get(e.evidenceId)!.label,
      displayCategory: e.category ?? reasoning?.category ?? null,
      tracks: tracksOf(e.analysisId).filter((t) => e.trackIds.includes(t.id)),
      notes: notes.filter((n) => n.eventId === e.id),
      reasoning,
      reasoningError,
      keyframes: planKeyframes(db, e),
    };
  });
  const reportedIds = new Set(events.map((e) => e.id));
  const otherNotes = notes.filter((n) => !n.eventId || !reportedIds.has(n.eventId));

  let eventsNotSelected = 0;
  if (o.eventIds) {
    for (const a of analyses) eventsNotSelected += (db.prepare('SELECT COUNT(*) AS n FROM events WHERE analysis_id = ?').get(a.id) as { n: number }).n;
    eventsNotSelected -= events.length;
  }
  const byReview = { unreviewed: 0, confirmed: 0, dismissed: 0 };
  const categories = new Map<string, number>();
  for (const e of events) {
    byReview[e.reviewState]++;
    const k = e.displayCategory ?? 'uncategorised';
    categories.set(k, (categories.get(k) ?? 0) + 1);
  }
  const analysed = exhibits.filter((x) => x.latestAnalysisId);

  let transcript: ReportConversation[] | null = null;
  if (o.transcript) {
    if (o.reasoning) transcript = o.reasoning.transcript(db, o.caseId);
    else warnings.push('The chat transcript was requested but the chat module is not available in this build.');
  }

  const limit = o.auditLimit ?? 400;
  const total = (db.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE case_id = ?').get(o.caseId) as { n: number }).n;
  const rows = listAudit(db, o.caseId, limit).reverse();

  return {
    reportId: o.reportId,
    generatedAt: (o.now ?? (() => new Date().toISOString()))(),
    vigilVersion: VIGIL_VERSION,
    case: { id: c.id, name: c.name, examiner: c.examiner, description: c.description, createdAt: c.createdAt },
    options: { eventIds: o.eventIds ? [...new Set(o.eventIds)] : null, transcript: !!o.transcript },
    exhibits,
    analyses,
    events,
    summary: {
      exhibits: exhibits.length,
      analysedExhibits: analysed.length,
      unanalysedExhibits: exhibits.filter((x) => !x.latestAnalysisId).map((x) => x.label),
      events: events.length,
      byReview,
      byCategory: [...categories].map(([category, count]) => ({ category, count })).sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
      noAnalysis: analysed.length === 0,
      selection: !!o.eventIds,
      eventsNotSelected,
    },
    otherNotes,
    transcript,
    audit: { rows, total, chain: verifyAudit(db), head: (db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? null },
    warnings,
  };
}
