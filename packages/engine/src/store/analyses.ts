/**
 * Persistence of analyses: a streaming sink for per-frame output (observations, heatmaps) written in
 * batched transactions, and one final transaction for scores, tracks and events. An analysis that
 * never finished (crash, kill) is marked interrupted and its partial rows removed, so readers only
 * ever see complete results.
 */
import type { AnalysisParams, AnalysisSink, AnomalyEvent, Box, FrameScore, HeatmapFrame, TrackObservation, TrackSummary } from '../analysis/types.js';
import { VigilError } from '../errors.js';
import { appendAudit } from './audit.js';
import type { Db } from './db.js';
import { newId, nowIso } from './ids.js';

export interface AnalysisRecord {
  id: string;
  caseId: string;
  evidenceId: string;
  jobId: string | null;
  state: 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
  params: AnalysisParams;
  models: { name: string; sha256: string; source: string; ep: string }[];
  reference: 'self' | string[];
  stats: Record<string, unknown> | null;
  engineVersion: string;
  createdAt: string;
  finishedAt: string | null;
}

interface AnalysisRow {
  id: string; case_id: string; evidence_id: string; job_id: string | null; state: AnalysisRecord['state'];
  params_json: string; models_json: string; reference_json: string; stats_json: string | null; engine_version: string; created_at: string; finished_at: string | null;
}

const toRecord = (r: AnalysisRow): AnalysisRecord => ({
  id: r.id, caseId: r.case_id, evidenceId: r.evidence_id, jobId: r.job_id, state: r.state, params: JSON.parse(r.params_json),
  models: JSON.parse(r.models_json), reference: JSON.parse(r.reference_json), stats: r.stats_json ? JSON.parse(r.stats_json) : null,
  engineVersion: r.engine_version, createdAt: r.created_at, finishedAt: r.finished_at,
});

export function beginAnalysis(db: Db, a: { caseId: string; evidenceId: string; jobId: string | null; params: Partial<AnalysisParams>; models: AnalysisRecord['models']; reference: 'self' | string[]; engineVersion: string }): string {
  const id = newId('an');
  db.prepare('INSERT INTO analyses (id, case_id, evidence_id, job_id, state, params_json, models_json, reference_json, engine_version, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)').run(
    id, a.caseId, a.evidenceId, a.jobId, 'running', JSON.stringify(a.params), JSON.stringify(a.models), JSON.stringify(a.reference), a.engineVersion, nowIso(),
  );
  return id;
}

/** Writes streamed output in transactions of `batch` items; `flush()` before finishing. */
export class DbAnalysisSink implements AnalysisSink {
  private obs: TrackObservation[] = [];
  private maps: HeatmapFrame[] = [];
  private readonly insObs;
  private readonly insMap;

  constructor(private readonly db: Db, private readonly analysisId: string, private readonly batch = 200) {
    this.insObs = db.prepare('INSERT OR REPLACE INTO observations (analysis_id, frame, track_id, time, x1, y1, x2, y2, label, confidence, score, speed, direction, interpolated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)');
    this.insMap = db.prepare('INSERT OR REPLACE INTO heatmaps (analysis_id, frame, width, height, data) VALUES (?,?,?,?,?)');
  }

  heatmap(h: HeatmapFrame): void {
    this.maps.push(h);
    if (this.maps.length >= this.batch / 4) this.flush();
  }

  observations(batch: TrackObservation[]): void {
    this.obs.push(...batch);
    if (this.obs.length >= this.batch) this.flush();
  }

  /** Results are written by finishAnalysis (with the audit row), not here. */
  finish(): void {
    this.flush();
  }

  flush(): void {
    const obs = this.obs;
    const maps = this.maps;
    this.obs = [];
    this.maps = [];
    if (!obs.length && !maps.length) return;
    this.db.transaction(() => {
      for (const o of obs) {
        this.insObs.run(this.analysisId, o.frame, o.trackId, o.time, o.box[0], o.box[1], o.box[2], o.box[3], o.label, o.confidence, o.score, o.speed, o.direction, o.interpolated ? 1 : 0);
      }
      for (const m of maps) this.insMap.run(this.analysisId, m.frame, m.width, m.height, Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
    })();
  }
}

export function finishAnalysis(
  db: Db,
  analysisId: string,
  r: { frames: FrameScore[]; tracks: TrackSummary[]; events: (AnomalyEvent & { category?: string | null })[]; stats: Record<string, unknown>; params?: AnalysisParams },
): { eventIds: string[] } {
  const a = getAnalysis(db, analysisId);
  const eventIds: string[] = [];
  db.transaction(() => {
    const insScore = db.prepare('INSERT OR REPLACE INTO frame_scores (analysis_id, frame, time, raw, smoothed) VALUES (?,?,?,?,?)');
    for (const f of r.frames) insScore.run(analysisId, f.frame, f.time, f.raw, f.smoothed);
    const insTrack = db.prepare('INSERT OR REPLACE INTO tracks (analysis_id, track_id, label, first_frame, last_frame, start_time, end_time, max_score, mean_speed, why_json, trajectory_json) VALUES (?,?,?,?,?,?,?,?,?,?,?)');
    for (const t of r.tracks) insTrack.run(analysisId, t.id, t.label, t.firstFrame, t.lastFrame, t.startTime, t.endTime, t.maxScore, t.meanSpeed, JSON.stringify(t.why), JSON.stringify(t.trajectory));
    db.prepare('DELETE FROM events WHERE analysis_id = ?').run(analysisId);
    const insEvent = db.prepare(
      'INSERT INTO events (id, analysis_id, case_id, evidence_id, seq, start_time, end_time, start_frame, end_frame, peak_frame, peak_time, peak_score, confidence, category, track_ids_json, top_attributes_json, trajectories_json, boxes_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
    );
    for (const e of r.events) {
      const id = newId('evt');
      eventIds.push(id);
      insEvent.run(id, analysisId, a.caseId, a.evidenceId, e.seq, e.startTime, e.endTime, e.startFrame, e.endFrame, e.peakFrame, e.peakTime, e.peakScore, e.confidence, e.category ?? null,
        JSON.stringify(e.trackIds), JSON.stringify(e.topAttributes), JSON.stringify(e.trajectories), JSON.stringify(e.boxes));
    }
    db.prepare("UPDATE analyses SET state = 'done', stats_json = ?, params_json = COALESCE(?, params_json), finished_at = ? WHERE id = ?").run(
      JSON.stringify(r.stats), r.params ? JSON.stringify(r.params) : null, nowIso(), analysisId,
    );
    appendAudit(db, { action: 'analysis.done', caseId: a.caseId, subject: analysisId, details: { evidenceId: a.evidenceId, events: r.events.length, tracks: r.tracks.length, frames: r.frames.length, models: a.models, params: r.params ?? a.params } });
  })();
  return { eventIds };
}

/** Marks an analysis that did not complete and removes its partial rows (one transaction). */
export function abandonAnalysis(db: Db, analysisId: string, state: 'failed' | 'cancelled' | 'interrupted'): void {
  db.transaction(() => {
    for (const t of ['observations', 'heatmaps', 'frame_scores', 'tracks', 'events']) db.prepare(`DELETE FROM ${t} WHERE analysis_id = ?`).run(analysisId);
    db.prepare('UPDATE analyses SET state = ?, finished_at = ? WHERE id = ?').run(state, nowIso(), analysisId);
  })();
}

/** Start-up clean-up: analyses still 'running' whose job is no longer running were interrupted. */
export function abandonOrphanAnalyses(db: Db): number {
  const rows = db.prepare("SELECT a.id FROM analyses a LEFT JOIN jobs j ON j.id = a.job_id WHERE a.state = 'running' AND (j.id IS NULL OR j.state != 'running')").all() as { id: string }[];
  for (const r of rows) abandonAnalysis(db, r.id, 'interrupted');
  return rows.length;
}

export function getAnalysis(db: Db, analysisId: string): AnalysisRecord {
  const r = db.prepare('SELECT * FROM analyses WHERE id = ?').get(analysisId) as AnalysisRow | undefined;
  if (!r) throw new VigilError('not_found', `No analysis with id ${analysisId}.`);
  return toRecord(r);
}

export function listAnalyses(db: Db, evidenceId: string): AnalysisRecord[] {
  return (db.prepare('SELECT * FROM analyses WHERE evidence_id = ? ORDER BY created_at DESC, rowid DESC').all(evidenceId) as AnalysisRow[]).map(toRecord);
}

/** The newest completed analysis of an evidence item, if any. */
export function latestAnalysis(db: Db, evidenceId: string): AnalysisRecord | null {
  const r = db.prepare("SELECT * FROM analyses WHERE evidence_id = ? AND state = 'done' ORDER BY finished_at DESC, rowid DESC LIMIT 1").get(evidenceId) as AnalysisRow | undefined;
  return r ? toRecord(r) : null;
}

export function getFrameScores(db: Db, analysisId: string): FrameScore[] {
  return db.prepare('SELECT frame, time, raw, smoothed FROM frame_scores WHERE analysis_id = ? ORDER BY frame').all(analysisId) as FrameScore[];
}

interface TrackRow { track_id: number; label: string; first_frame: number; last_frame: number; start_time: number; end_time: number; max_score: number; mean_speed: number; why_json: string; trajectory_json: string }

export function getTracks(db: Db, analysisId: string): TrackSummary[] {
  return (db.prepare('SELECT * FROM tracks WHERE analysis_id = ? ORDER BY track_id').all(analysisId) as TrackRow[]).map((t) => ({
    id: t.track_id, label: t.label, firstFrame: t.first_frame, lastFrame: t.last_frame, startTime: t.start_time, endTime: t.end_time,
    maxScore: t.max_score, meanSpeed: t.mean_speed, why: JSON.parse(t.why_json), trajectory: JSON.parse(t.trajectory_json),
  }));
}

interface ObsRow { frame: number; track_id: number; time: number; x1: number; y1: number; x2: number; y2: number; label: string; confidence: number; score: number; speed: number; direction: number | null; interpolated: number }

const toObs = (o: ObsRow): TrackObservation => ({
  trackId: o.track_id, frame: o.frame, time: o.time, box: [o.x1, o.y1, o.x2, o.y2] as Box, label: o.label, confidence: o.confidence,
  score: o.score, speed: o.speed, direction: o.direction, ...(o.interpolated ? { interpolated: true } : {}),
});

/** Observations with frame in [from, to], optionally of some tracks only. */
export function getObservations(db: Db, analysisId: string, from: number, to: number, trackIds?: number[]): TrackObservation[] {
  const rows = db.prepare('SELECT * FROM observations WHERE analysis_id = ? AND frame BETWEEN ? AND ? ORDER BY frame, track_id').all(analysisId, from, to) as ObsRow[];
  const keep = trackIds ? new Set(trackIds) : null;
  return rows.filter((r) => !keep || keep.has(r.track_id)).map(toObs);
}

export function getTrackObservations(db: Db, analysisId: string, trackId: number): TrackObservation[] {
  return (db.prepare('SELECT * FROM observations WHERE analysis_id = ? AND track_id = ? ORDER BY frame').all(analysisId, trackId) as ObsRow[]).map(toObs);
}

/** The analysed frame nearest to `frame` (analysis may subsample), or null when none exists. */
export function nearestAnalysedFrame(db: Db, analysisId: string, frame: number): number | null {
  const r = db.prepare('SELECT frame FROM frame_scores WHERE analysis_id = ? ORDER BY ABS(frame - ?) LIMIT 1').get(analysisId, frame) as { frame: number } | undefined;
  return r?.frame ?? null;
}

export function getHeatmap(db: Db, analysisId: string, frame: number): HeatmapFrame | null {
  const r = db.prepare('SELECT frame, width, height, data FROM heatmaps WHERE analysis_id = ? ORDER BY ABS(frame - ?) LIMIT 1').get(analysisId, frame) as { frame: number; width: number; height: number; data: Buffer } | undefined;
  return r ? { frame: r.frame, width: r.width, height: r.height, data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) } : null;
}

export interface StoredEvent extends AnomalyEvent {
  id: string;
  analysisId: string;
  caseId: string;
  evidenceId: string;
  category: string | null;
  reviewState: 'unreviewed' | 'confirmed' | 'dismissed';
  reviewNote: string;
  reviewedAt: string | null;
}

interface EventRow {
  id: string; analysis_id: string; case_id: string; evidence_id: string; seq: number; start_time: number; end_time: number; start_frame: number; end_frame: number;
  peak_frame: number; peak_time: number; peak_score: number; confidence: number; category: string | null; track_ids_json: string; top_attributes_json: string;
  trajectories_json: string; boxes_json: string; review_state: StoredEvent['reviewState']; review_note: string; reviewed_at: string | null;
}

const toEvent = (r: EventRow): StoredEvent => ({
  id: r.id, analysisId: r.analysis_id, caseId: r.case_id, evidenceId: r.evidence_id, seq: r.seq, startTime: r.start_time, endTime: r.end_time,
  startFrame: r.start_frame, endFrame: r.end_frame, peakFrame: r.peak_frame, peakTime: r.peak_time, peakScore: r.peak_score, confidence: r.confidence,
  category: r.category, trackIds: JSON.parse(r.track_ids_json), topAttributes: JSON.parse(r.top_attributes_json), trajectories: JSON.parse(r.trajectories_json),
  boxes: JSON.parse(r.boxes_json), reviewState: r.review_state, reviewNote: r.review_note, reviewedAt: r.reviewed_at,
});

/** Events of the latest completed analysis of each evidence item (or of one analysis). */
export function listEvents(db: Db, q: { caseId: string; evidenceId?: string; analysisId?: string }): StoredEvent[] {
  if (q.analysisId) return (db.prepare('SELECT * FROM events WHERE analysis_id = ? AND case_id = ? ORDER BY start_time, seq').all(q.analysisId, q.caseId) as EventRow[]).map(toEvent);
  const rows = db.prepare(`
    SELECT e.* FROM events e
    WHERE e.case_id = ? AND (? IS NULL OR e.evidence_id = ?)
      AND e.analysis_id = (SELECT a.id FROM analyses a WHERE a.evidence_id = e.evidence_id AND a.state = 'done' ORDER BY a.finished_at DESC, a.rowid DESC LIMIT 1)
    ORDER BY e.evidence_id, e.start_time, e.seq`).all(q.caseId, q.evidenceId ?? null, q.evidenceId ?? null) as EventRow[];
  return rows.map(toEvent);
}

export function getEvent(db: Db, eventId: string): StoredEvent {
  const r = db.prepare('SELECT * FROM events WHERE id = ?').get(eventId) as EventRow | undefined;
  if (!r) throw new VigilError('not_found', `No event with id ${eventId}.`);
  return toEvent(r);
}

export function reviewEvent(db: Db, eventId: string, state: StoredEvent['reviewState'], note: string | undefined): StoredEvent {
  const e = getEvent(db, eventId);
  db.transaction(() => {
    db.prepare('UPDATE events SET review_state = ?, review_note = COALESCE(?, review_note), reviewed_at = ? WHERE id = ?').run(state, note ?? null, nowIso(), eventId);
    appendAudit(db, { action: 'event.review', caseId: e.caseId, subject: eventId, details: { state, note: note ?? null, previous: e.reviewState } });
  })();
  return getEvent(db, eventId);
}
