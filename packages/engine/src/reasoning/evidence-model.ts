/**
 * The evidence model: what one analysis of one evidence item establishes, in terms a question can be
 * answered with — per track and per event: label, time, entry/exit, position in scene terms and zones,
 * speed and heading against the scene's own distribution (percentiles), stationary periods, the attributes
 * that made it anomalous. Everything derived here points back to stored observations (frame, time, box),
 * so every statement built on it can cite them.
 *
 * It reads lazily: summaries (tracks, events, frame scores) up front, observations only for the tracks and
 * frames a question touches, so long footage costs per question what the question needs.
 */
import type { AnalysisParams, AnomalyEvent, Box, FrameScore, TrackObservation, TrackSummary } from '../analysis/types.js';
import { VigilError } from '../errors.js';
import { getAnalysis, getFrameScores, getObservations, getTrackObservations, getTracks, listEvents, type StoredEvent } from '../store/analyses.js';
import type { Db } from '../store/db.js';
import { getEvidenceRow } from '../store/evidence.js';
import { describePosition, groundPoint, pointInPolygon, type ScenePosition } from './scene.js';
import { UNKNOWN_LABEL } from './vocabulary.js';
import { listZones, type Zone } from './zones.js';

export interface EvidenceInfo {
  id: string;
  caseId: string;
  fileName: string;
  /** Path of the original footage (for measuring colours), null when not available. */
  path: string | null;
  width: number;
  height: number;
  fps: number;
  durationS: number;
  frameCount: number;
}

export type ModelEvent = AnomalyEvent & { id?: string; category?: string | null };

/** Where the model reads an analysis from: the case database, or a result still in memory. */
export interface AnalysisData {
  analysisId: string | null;
  params: AnalysisParams | null;
  frames: FrameScore[];
  tracks: TrackSummary[];
  events: ModelEvent[];
  /** Observations with frame in [from, to], optionally of some tracks only, ordered by frame then track. */
  observations(from: number, to: number, trackIds?: number[]): TrackObservation[];
  trackObservations(trackId: number): TrackObservation[];
}

export function analysisDataFromDb(db: Db, analysisId: string): AnalysisData {
  const a = getAnalysis(db, analysisId);
  return {
    analysisId,
    params: a.params,
    frames: getFrameScores(db, analysisId),
    tracks: getTracks(db, analysisId),
    events: listEvents(db, { caseId: a.caseId, analysisId }),
    observations: (from, to, ids) => getObservations(db, analysisId, from, to, ids),
    trackObservations: (id) => getTrackObservations(db, analysisId, id),
  };
}

/** An analysis result held in memory (e.g. by the analysis job before it writes events). */
export function analysisDataFromResult(r: { frames: FrameScore[]; tracks: TrackSummary[]; events: ModelEvent[]; observations: TrackObservation[]; params?: AnalysisParams }): AnalysisData {
  const obs = [...r.observations].sort((a, b) => a.frame - b.frame || a.trackId - b.trackId);
  const byTrack = new Map<number, TrackObservation[]>();
  for (const o of obs) {
    let l = byTrack.get(o.trackId);
    if (!l) byTrack.set(o.trackId, (l = []));
    l.push(o);
  }
  return {
    analysisId: null,
    params: r.params ?? null,
    frames: [...r.frames].sort((a, b) => a.frame - b.frame),
    tracks: r.tracks,
    events: r.events,
    observations: (from, to, ids) => {
      const keep = ids ? new Set(ids) : null;
      return obs.filter((o) => o.frame >= from && o.frame <= to && (!keep || keep.has(o.trackId)));
    },
    trackObservations: (id) => byTrack.get(id) ?? [],
  };
}

export function evidenceInfoFromDb(db: Db, evidenceId: string): EvidenceInfo {
  const r = getEvidenceRow(db, evidenceId);
  const p = JSON.parse(r.probe_json) as { width: number; height: number; displayWidth?: number; displayHeight?: number; fpsAvg: number; durationS: number; frameCount: number };
  return {
    id: r.id, caseId: r.case_id, fileName: r.file_name, path: r.original_path, width: p.displayWidth ?? p.width, height: p.displayHeight ?? p.height,
    fps: p.fpsAvg, durationS: p.durationS, frameCount: p.frameCount,
  };
}

// ---------- derived facts ----------

/** Speed below this (object heights per second) counts as standing still. */
export const STATIONARY_SPEED = 0.2;
/** A stop must last this long to be reported as a stationary period. */
export const MIN_STATIONARY_S = 2;

export interface Moment {
  time: number;
  frame: number;
  box: Box;
}

export interface Period {
  start: number;
  end: number;
  startFrame: number;
  endFrame: number;
  /** Box at the middle of the period. */
  box: Box;
  frame: number;
}

export interface TrackFacts {
  track: TrackSummary;
  /** Observations of the track, frame order (includes interpolated ones). */
  obs: TrackObservation[];
  first: Moment;
  last: Moment;
  /** Highest-scoring observation. */
  peak: Moment & { score: number };
  /**
   * Side it came in from and the interval of entering (first seen → fully inside the view). `how`: through a
   * side, already in view when the footage starts, or appearing inside the view later (occlusion, a door, or
   * a track that was lost and found again).
   */
  entry: { side: string; how: 'side' | 'at-start' | 'appears'; start: number; end: number; frame: number; box: Box };
  /** Side it left by; `how`: through a side, still in view at the end, or vanishing inside the view. */
  exit: { side: string; how: 'side' | 'at-end' | 'vanishes'; start: number; end: number; frame: number; box: Box };
  meanSpeed: number;
  maxSpeed: number;
  /** Share (0..100) of the scene's tracks that move slower on average. */
  speedPercentile: number;
  /** Overall heading from first to last position, or null when it hardly moved. */
  heading: string | null;
  stationary: Period[];
  positions: { first: ScenePosition; peak: ScenePosition; last: ScenePosition };
  zones: { zone: Zone; start: number; end: number; frame: number; box: Box }[];
}

export interface SceneStats {
  trackCount: number;
  /** Tracks per label, most frequent first. */
  labels: { label: string; tracks: number }[];
  /** The label most tracks have (what "normal" traffic here is made of). */
  majorityLabel: string | null;
  /** Sorted mean speeds of tracks that lived long enough to have a speed. */
  speeds: number[];
  medianSpeed: number;
}

function median(sorted: number[]): number {
  if (!sorted.length) return 0;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

export class EvidenceModel {
  private sceneCache: SceneStats | null = null;
  private readonly factsCache = new Map<number, TrackFacts>();
  private readonly trackById: Map<number, TrackSummary>;
  readonly events: ModelEvent[];
  readonly frameDurationS: number;

  constructor(
    readonly info: EvidenceInfo,
    readonly data: AnalysisData,
    readonly zones: Zone[] = [],
  ) {
    this.trackById = new Map(data.tracks.map((t) => [t.id, t]));
    this.events = [...data.events].sort((a, b) => a.startTime - b.startTime || a.seq - b.seq);
    const fr = data.frames;
    const fps = data.params?.fps && data.params.fps > 0 ? Math.min(data.params.fps, info.fps || data.params.fps) : info.fps;
    this.frameDurationS = fr.length > 1 ? (fr[fr.length - 1].time - fr[0].time) / (fr.length - 1) : fps > 0 ? 1 / fps : 0.04;
  }

  get evidenceId(): string {
    return this.info.id;
  }

  get tracks(): TrackSummary[] {
    return this.data.tracks;
  }

  track(id: number): TrackSummary | undefined {
    return this.trackById.get(id);
  }

  /** [start, end] seconds covered by the analysis. */
  get analysedSpan(): [number, number] {
    const f = this.data.frames;
    if (!f.length) return [0, this.info.durationS];
    return [f[0].time, Math.min(Math.max(this.info.durationS, f[f.length - 1].time), f[f.length - 1].time + this.frameDurationS)];
  }

  /** The analysed frame nearest to a time. */
  frameAt(time: number): FrameScore | null {
    const f = this.data.frames;
    if (!f.length) return null;
    let lo = 0;
    let hi = f.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (f[mid].time < time) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && Math.abs(f[lo - 1].time - time) <= Math.abs(f[lo].time - time)) lo--;
    return f[lo];
  }

  frameByIndex(frame: number): FrameScore | null {
    const f = this.data.frames;
    let lo = 0;
    let hi = f.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (f[mid].frame === frame) return f[mid];
      if (f[mid].frame < frame) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  get scene(): SceneStats {
    if (this.sceneCache) return this.sceneCache;
    const counts = new Map<string, number>();
    for (const t of this.tracks) counts.set(t.label, (counts.get(t.label) ?? 0) + 1);
    const labels = [...counts.entries()].map(([label, tracks]) => ({ label, tracks })).sort((a, b) => b.tracks - a.tracks || a.label.localeCompare(b.label));
    const classified = labels.filter((l) => l.label !== UNKNOWN_LABEL);
    const majority = (classified[0] ?? labels[0]) ?? null;
    const minLife = Math.max(2 * this.frameDurationS, 0.4);
    const speeds = this.tracks.filter((t) => t.endTime - t.startTime >= minLife && Number.isFinite(t.meanSpeed)).map((t) => t.meanSpeed).sort((a, b) => a - b);
    this.sceneCache = { trackCount: this.tracks.length, labels, majorityLabel: majority?.label ?? null, speeds, medianSpeed: median(speeds) };
    return this.sceneCache;
  }

  /**
   * Percentage of the scene's other tracks with a lower mean speed (0..100). `self` says the value belongs to
   * a track that is itself in the distribution (it is not compared with itself).
   */
  speedPercentile(v: number, self = false): number {
    const s = this.scene.speeds;
    const n = self ? s.length - 1 : s.length;
    if (n <= 0) return 50;
    let below = 0;
    for (const x of s) if (x < v) below++;
    return Math.min(100, (100 * below) / n);
  }

  /** Facts about one track (observations are read on first use and kept). */
  facts(trackId: number): TrackFacts {
    const hit = this.factsCache.get(trackId);
    if (hit) return hit;
    const track = this.track(trackId);
    if (!track) throw new VigilError('not_found', `Track ${trackId} is not part of the analysis of ${this.info.fileName}.`);
    const f = buildFacts(this, track, this.data.trackObservations(trackId));
    this.factsCache.set(trackId, f);
    return f;
  }

  /** Observations of every track at the analysed frame nearest to `time`. */
  observationsAt(time: number): { frame: FrameScore; obs: TrackObservation[] } | null {
    const fr = this.frameAt(time);
    if (!fr) return null;
    return { frame: fr, obs: this.data.observations(fr.frame, fr.frame) };
  }

  /** Tracks present at some time in [start, end]. */
  tracksDuring(start: number, end: number): TrackSummary[] {
    return this.tracks.filter((t) => t.endTime >= start && t.startTime <= end);
  }

  zoneByName(name: string): Zone | undefined {
    const n = name.trim().toLowerCase();
    return this.zones.find((z) => z.name.toLowerCase() === n);
  }

  inZone(box: Box, zone: Zone): boolean {
    return pointInPolygon(groundPoint(box), zone.polygon);
  }

  /** The events a track takes part in. */
  eventsOfTrack(trackId: number): ModelEvent[] {
    return this.events.filter((e) => e.trackIds.includes(trackId));
  }

  /** An event's main actor: its first track (events rank their tracks by how much of the event they explain). */
  primaryTrack(e: ModelEvent): TrackSummary | null {
    for (const id of e.trackIds) {
      const t = this.track(id);
      if (t) return t;
    }
    return null;
  }
}

function momentOf(o: TrackObservation): Moment {
  return { time: o.time, frame: o.frame, box: o.box };
}

/** Box touches (or nearly touches) the given frame border. */
function touches(b: Box, side: string, w: number, h: number): boolean {
  const mx = Math.max(2, 0.02 * w);
  const my = Math.max(2, 0.02 * h);
  switch (side) {
    case 'left':
      return b[0] <= mx;
    case 'right':
      return w - b[2] <= mx;
    case 'top':
      return b[1] <= my;
    case 'bottom':
      return h - b[3] <= my;
    default:
      return false;
  }
}

/** Facts of one track from its observations (a track without stored observations cannot be described). */
function buildFacts(m: EvidenceModel, track: TrackSummary, obs: TrackObservation[]): TrackFacts {
  const { width: W, height: H } = m.info;
  const fd = m.frameDurationS;
  if (!obs.length) throw new VigilError('internal', `Track ${track.id} of ${m.info.fileName} has no stored observations.`);
  const first = momentOf(obs[0]);
  const last = momentOf(obs[obs.length - 1]);
  let peakObs = obs[0];
  for (const o of obs) if (o.score > peakObs.score) peakObs = o;

  const entrySide = track.trajectory?.entry ?? 'inside';
  const exitSide = track.trajectory?.exit ?? 'inside';
  // Entering lasts until the box stops touching the border it came through.
  let k = 0;
  if (entrySide !== 'inside') while (k + 1 < obs.length && touches(obs[k].box, entrySide, W, H)) k++;
  const [span0, span1] = m.analysedSpan;
  const entryHow = entrySide !== 'inside' ? 'side' : first.time - span0 <= 2 * fd ? 'at-start' : 'appears';
  const entry = { side: entrySide, how: entryHow, start: first.time, end: Math.max(obs[k].time, first.time + fd), frame: obs[0].frame, box: obs[0].box } as const;
  let e = obs.length - 1;
  if (exitSide !== 'inside') while (e > 0 && touches(obs[e].box, exitSide, W, H)) e--;
  const exitHow = exitSide !== 'inside' ? 'side' : span1 - (last.time + fd) <= 2 * fd ? 'at-end' : 'vanishes';
  const exit = { side: exitSide, how: exitHow, start: Math.min(obs[e].time, last.time), end: last.time + fd, frame: last.frame, box: last.box } as const;

  const speeds = obs.filter((o) => !o.interpolated && Number.isFinite(o.speed)).map((o) => o.speed);
  const meanSpeed = Number.isFinite(track.meanSpeed) ? track.meanSpeed : speeds.reduce((a, b) => a + b, 0) / Math.max(1, speeds.length);
  const maxSpeed = speeds.length ? Math.max(...speeds) : meanSpeed;

  // Overall heading from the first to the last ground point, if it moved at least one object height.
  const g0 = groundPoint(first.box);
  const g1 = groundPoint(last.box);
  const hMed = obs.map((o) => o.box[3] - o.box[1]).sort((a, b) => a - b)[obs.length >> 1] || 1;
  const dx = g1[0] - g0[0];
  const dy = g1[1] - g0[1];
  const heading = Math.hypot(dx, dy) >= hMed ? headingOf(dx, dy) : null;

  // Stationary periods: runs of slow observations lasting at least MIN_STATIONARY_S.
  const stationary: Period[] = [];
  let runStart = -1;
  for (let i = 0; i <= obs.length; i++) {
    const slow = i < obs.length && Number.isFinite(obs[i].speed) && obs[i].speed < STATIONARY_SPEED;
    if (slow && runStart < 0) runStart = i;
    if (!slow && runStart >= 0) {
      const a = obs[runStart];
      const b = obs[i - 1];
      if (b.time - a.time + fd >= MIN_STATIONARY_S) {
        const mid = obs[(runStart + i - 1) >> 1];
        stationary.push({ start: a.time, end: b.time + fd, startFrame: a.frame, endFrame: b.frame, box: mid.box, frame: mid.frame });
      }
      runStart = -1;
    }
  }

  const zones: TrackFacts['zones'] = [];
  for (const z of m.zones) {
    let open: { start: number; frame: number; box: Box; lastTime: number } | null = null;
    for (const o of obs) {
      const inside = m.inZone(o.box, z);
      if (inside && !open) open = { start: o.time, frame: o.frame, box: o.box, lastTime: o.time };
      else if (inside && open) open.lastTime = o.time;
      else if (!inside && open) {
        zones.push({ zone: z, start: open.start, end: open.lastTime + fd, frame: open.frame, box: open.box });
        open = null;
      }
    }
    if (open) zones.push({ zone: z, start: open.start, end: open.lastTime + fd, frame: open.frame, box: open.box });
  }

  return {
    track, obs, first, last,
    peak: { ...momentOf(peakObs), score: peakObs.score },
    entry, exit, meanSpeed, maxSpeed,
    speedPercentile: m.speedPercentile(meanSpeed, m.scene.speeds.includes(meanSpeed)),
    heading, stationary,
    positions: { first: describePosition(first.box, W, H), peak: describePosition(peakObs.box, W, H), last: describePosition(last.box, W, H) },
    zones,
  };
}

function headingOf(dx: number, dy: number): string {
  const names = ['right', 'down and to the right', 'down (toward the camera)', 'down and to the left', 'left', 'up and to the left', 'up (away from the camera)', 'up and to the right'];
  const deg = (Math.atan2(dy, dx) * 180) / Math.PI;
  return names[Math.round((((deg % 360) + 360) % 360) / 45) % 8];
}

// ---------- building from the database ----------

/** Evidence models of a case: one per evidence item with a completed analysis, plus the items without one. */
export function caseEvidenceModels(db: Db, caseId: string): { models: EvidenceModel[]; unanalysed: { evidenceId: string; fileName: string }[] } {
  const evidence = db.prepare('SELECT id, file_name FROM evidence WHERE case_id = ? ORDER BY imported_at, rowid').all(caseId) as { id: string; file_name: string }[];
  const models: EvidenceModel[] = [];
  const unanalysed: { evidenceId: string; fileName: string }[] = [];
  for (const ev of evidence) {
    const a = db.prepare("SELECT id FROM analyses WHERE evidence_id = ? AND state = 'done' ORDER BY finished_at DESC, rowid DESC LIMIT 1").get(ev.id) as { id: string } | undefined;
    if (!a) {
      unanalysed.push({ evidenceId: ev.id, fileName: ev.file_name });
      continue;
    }
    models.push(evidenceModelFromDb(db, a.id));
  }
  return { models, unanalysed };
}

// Summaries are cached per analysis (a finished analysis never changes); observations are always read through
// the caller's connection, and events and zones are re-read (review state, categories and zones can change).
const summaryCache = new Map<string, { frames: FrameScore[]; tracks: TrackSummary[]; params: AnalysisParams; info: EvidenceInfo }>();
const SUMMARY_CACHE_SIZE = 16;

export function evidenceModelFromDb(db: Db, analysisId: string): EvidenceModel {
  const a = getAnalysis(db, analysisId);
  const key = `${db.name}|${analysisId}|${a.finishedAt ?? ''}`;
  let hit = a.state === 'done' ? summaryCache.get(key) : undefined;
  if (!hit) {
    hit = { frames: getFrameScores(db, analysisId), tracks: getTracks(db, analysisId), params: a.params, info: evidenceInfoFromDb(db, a.evidenceId) };
    if (a.state === 'done') {
      summaryCache.set(key, hit);
      if (summaryCache.size > SUMMARY_CACHE_SIZE) summaryCache.delete(summaryCache.keys().next().value as string);
    }
  }
  const data: AnalysisData = {
    analysisId,
    params: hit.params,
    frames: hit.frames,
    tracks: hit.tracks,
    events: listEvents(db, { caseId: a.caseId, analysisId }) as StoredEvent[],
    observations: (from, to, ids) => getObservations(db, analysisId, from, to, ids),
    trackObservations: (id) => getTrackObservations(db, analysisId, id),
  };
  return new EvidenceModel(hit.info, data, listZones(db, { caseId: a.caseId, evidenceId: a.evidenceId }));
}
