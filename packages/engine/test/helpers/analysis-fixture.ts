/**
 * A stored analysis built directly in a temp case database, for tests of what consumes analyses
 * (reasoning, chat, reports). The footage is real: a clip of coloured boxes moving at constant velocity
 * (makeMovingBoxClip), imported as evidence. Tracks and observations are the boxes' exact positions in
 * every frame, labelled as the test says; events are declared by the test. It goes through the same store
 * path as the pipeline (beginAnalysis → DbAnalysisSink → finishAnalysis).
 */
import path from 'node:path';
import type { AnomalyEvent, AttributeContribution, Box, FrameScore, TrackObservation, TrackSummary } from '../../src/analysis/types.js';
import { importEvidence } from '../../src/jobs/import-evidence.js';
import { beginAnalysis, DbAnalysisSink, finishAnalysis } from '../../src/store/analyses.js';
import { createCase } from '../../src/store/cases.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { makeMovingBoxClip, type MovingBoxClip, type MovingObject } from './media.js';

/** A drawn moving box (position at t = 0 may be outside the frame so it enters later) with its role. */
export interface FixtureObject extends MovingObject {
  id: number;
  label: string;
  /** The tracker only finds the object from this time on (it is drawn all along): a track that starts mid-clip. */
  fromS?: number;
  /** Anomaly score of the object's observations (default 0.1). */
  score?: number;
  why?: AttributeContribution[];
}

export interface FixtureEvent {
  trackIds: number[];
  startTime: number;
  endTime: number;
  confidence?: number;
  topAttributes?: AttributeContribution[];
  category?: string | null;
}

export interface FixtureOptions {
  seconds?: number;
  fps?: number;
  width?: number;
  height?: number;
  background?: string;
  objects?: FixtureObject[];
  events?: FixtureEvent[];
  caseName?: string;
  /** An existing database/case to add the evidence to. */
  db?: Db;
  caseId?: string;
  clipName?: string;
}

export interface AnalysisFixture {
  db: Db;
  dbPath: string;
  caseId: string;
  evidenceId: string;
  analysisId: string;
  eventIds: string[];
  clipPath: string;
  fps: number;
  width: number;
  height: number;
  objects: FixtureObject[];
  tracks: TrackSummary[];
  observations: TrackObservation[];
  frames: FrameScore[];
}

export const ENTER_THRESHOLD = 0.5;

/**
 * The default scene: a 320×240 pedestrian plaza, 30 s at 10 fps. Six people walk left/right at ~0.6 heights/s;
 * a red cyclist (bicycle + rider) crosses left → right fast from 6 s; a person carrying a blue backpack walks
 * right → left; a person stands still in the upper middle (3–27 s); a gray car is parked at the far right.
 */
export function plazaScene(): { objects: FixtureObject[]; events: FixtureEvent[] } {
  const walker = (id: number, x0: number, y0: number, vx: number, color: string): FixtureObject => ({ id, label: 'person', w: 10, h: 24, x0, y0, vx, color });
  const objects: FixtureObject[] = [
    walker(1, -10, 60, 14, '0xb0b0b0'),
    walker(2, 330, 90, -15, '0xa0a0a0'),
    walker(3, 20, 120, 12, '0xc0c0c0'),
    walker(4, 300, 150, -13, '0x909090'),
    walker(5, 100, 70, 10, '0xb8b8b8'),
    walker(6, 250, 180, -16, '0xa8a8a8'),
    // Cyclist: the bicycle and its rider move together (enters from the left at ~6 s, leaves at the right at ~15 s).
    { id: 10, label: 'bicycle', w: 26, h: 20, x0: -26 - 6 * 38, y0: 196, vx: 38, color: 'red', score: 0.85, why: [{ attribute: 'speed', value: 1.9, normal: 0.6, score: 3.1 }, { attribute: 'label', value: 'bicycle', normal: 'person', score: 1.2 }] },
    { id: 11, label: 'person', w: 12, h: 26, x0: -19 - 6 * 38, y0: 182, vx: 38, color: '0xff3030', score: 0.8, why: [{ attribute: 'speed', value: 1.5, normal: 0.6, score: 2.8 }] },
    // Backpack carrier: person 12 with backpack 13 at its side, right → left.
    { id: 12, label: 'person', w: 12, h: 26, x0: 330, y0: 100, vx: -12, color: '0x707070' },
    { id: 13, label: 'backpack', w: 7, h: 9, x0: 333, y0: 108, vx: -12, color: 'blue' },
    // Stationary person (loiterer): standing in the upper middle for the whole clip.
    { id: 20, label: 'person', w: 10, h: 24, x0: 160, y0: 30, vx: 0, color: '0xe0e0e0', score: 0.7, why: [{ attribute: 'stationary', value: 30, normal: 0.5, score: 2.2 }] },
    // Parked car at the far right edge of the plaza, not moving.
    { id: 30, label: 'car', w: 40, h: 24, x0: 270, y0: 20, vx: 0, color: '0x303080' },
  ];
  const events: FixtureEvent[] = [
    { trackIds: [10, 11], startTime: 6.0, endTime: 15.2, confidence: 0.9, topAttributes: [{ attribute: 'speed', value: 1.9, normal: 0.6, score: 3.1 }, { attribute: 'label', value: 'bicycle', normal: 'person', score: 1.2 }] },
    { trackIds: [20], startTime: 20.0, endTime: 26.0, confidence: 0.6, topAttributes: [{ attribute: 'stationary', value: 26, normal: 0.5, score: 2.2 }] },
  ];
  return { objects, events };
}

function side(b: Box, w: number, h: number): 'left' | 'right' | 'top' | 'bottom' | 'inside' {
  const mx = Math.max(2, 0.02 * w);
  const my = Math.max(2, 0.02 * h);
  const d: [string, number][] = [['left', b[0] / mx], ['right', (w - b[2]) / mx], ['top', b[1] / my], ['bottom', (h - b[3]) / my]];
  let best: [string, number] | null = null;
  for (const e of d) if (e[1] <= 1 && (!best || e[1] < best[1])) best = e;
  return (best?.[0] ?? 'inside') as 'left' | 'right' | 'top' | 'bottom' | 'inside';
}

export interface StoredFixture {
  analysisId: string;
  eventIds: string[];
  tracks: TrackSummary[];
  observations: TrackObservation[];
  frames: FrameScore[];
}

/**
 * Stores an analysis of `evidenceId` whose tracks are the clip's objects at their exact positions (objects
 * smaller than 3 px in view are not observed), with the given events.
 */
export function storeFixtureAnalysis(db: Db, o: { caseId: string; evidenceId: string; clip: MovingBoxClip; objects: FixtureObject[]; events: FixtureEvent[] }): StoredFixture {
  const { clip, events } = o;
  const fps = clip.fps;
  const W = clip.width;
  const H = clip.height;
  const observations: TrackObservation[] = [];
  const frames: FrameScore[] = [];
  const seen = new Map<number, TrackObservation[]>();
  for (let k = 0; k < clip.frameCount; k++) {
    const t = k / fps;
    const boxes = clip.boxesAt(k);
    let frameMax = 0.05;
    boxes.forEach((b, i) => {
      const ob = o.objects[i];
      if (!b || b.w < 3 || b.h < 3 || t < (ob.fromS ?? 0)) return;
      const box: Box = [b.x, b.y, b.x + b.w, b.y + b.h];
      const inEvent = events.some((e) => e.trackIds.includes(ob.id) && t >= e.startTime && t <= e.endTime);
      const score = inEvent ? (ob.score ?? 0.8) : Math.min(ob.score ?? 0.1, 0.3);
      const speed = Math.hypot(ob.vx, ob.vy ?? 0) / ob.h;
      const obs: TrackObservation = { trackId: ob.id, frame: k, time: t, box, label: ob.label, confidence: 0.8, score, speed, direction: speed > 0 ? (Math.atan2(ob.vy ?? 0, ob.vx) * 180) / Math.PI : null };
      observations.push(obs);
      let l = seen.get(ob.id);
      if (!l) seen.set(ob.id, (l = []));
      l.push(obs);
      frameMax = Math.max(frameMax, score);
    });
    frames.push({ frame: k, time: t, raw: frameMax, smoothed: frameMax });
  }
  const tracks: TrackSummary[] = [];
  for (const ob of o.objects) {
    const l = seen.get(ob.id);
    if (!l?.length) continue;
    const first = l[0];
    const last = l[l.length - 1];
    const entry = side(first.box, W, H);
    const exit = side(last.box, W, H);
    const head = ob.vx > 0 ? 'right' : ob.vx < 0 ? 'left' : null;
    tracks.push({
      id: ob.id, label: ob.label, firstFrame: first.frame, lastFrame: last.frame, startTime: first.time, endTime: last.time, maxScore: Math.max(...l.map((x) => x.score)),
      meanSpeed: first.speed, why: ob.why ?? [],
      trajectory: { entry, exit, turns: [], text: `${entry === 'inside' ? 'is first seen inside the view' : `enters from the ${entry}`}${head ? ` → heads ${head}` : ' → stays in place'} → ${exit === 'inside' ? 'is still in view at the end' : `exits at the ${exit}`}` },
    });
  }
  const stored: (AnomalyEvent & { category?: string | null })[] = events.map((e, i) => {
    const inside = frames.filter((f) => f.time >= e.startTime - 1e-9 && f.time <= e.endTime + 1e-9);
    const peak = inside[Math.floor(inside.length / 2)];
    return {
      seq: i + 1, startTime: e.startTime, endTime: e.endTime, startFrame: inside[0].frame, endFrame: inside[inside.length - 1].frame, peakFrame: peak.frame, peakTime: peak.time,
      peakScore: 0.85, confidence: e.confidence ?? 0.8, trackIds: e.trackIds, topAttributes: e.topAttributes ?? [],
      trajectories: e.trackIds.filter((id) => tracks.some((t) => t.id === id)).map((id) => ({ trackId: id, summary: tracks.find((t) => t.id === id)!.trajectory })),
      boxes: observations.filter((x) => x.frame === peak.frame && e.trackIds.includes(x.trackId)).map((x) => ({ trackId: x.trackId, box: x.box })),
      category: e.category ?? null,
    };
  });
  const analysisId = beginAnalysis(db, {
    caseId: o.caseId, evidenceId: o.evidenceId, jobId: null,
    params: { fps, analysisWidth: W, detector: 'fixture', reference: 'self', sigma: 0, enterThreshold: ENTER_THRESHOLD, exitThreshold: 0.4, minEventS: 1, mergeGapS: 1 },
    models: [], reference: 'self', engineVersion: 'test',
  });
  const sink = new DbAnalysisSink(db, analysisId);
  sink.observations(observations);
  sink.flush();
  const { eventIds } = finishAnalysis(db, analysisId, { frames, tracks, events: stored, stats: { fixture: true } });
  return { analysisId, eventIds, tracks, observations, frames };
}

export async function buildAnalysisFixture(dir: string, o: FixtureOptions = {}): Promise<AnalysisFixture> {
  const scene = o.objects ? { objects: o.objects, events: o.events ?? [] } : plazaScene();
  const clip = await makeMovingBoxClip(dir, {
    name: o.clipName ?? 'plaza.mp4', seconds: o.seconds ?? 30, fps: o.fps ?? 10, width: o.width ?? 320, height: o.height ?? 240, background: o.background ?? '0x202020',
    objects: scene.objects.map((ob) => ({ w: ob.w, h: ob.h, x0: ob.x0, y0: ob.y0, vx: ob.vx, vy: ob.vy, color: ob.color })),
  });
  const dbPath = o.db ? o.db.name : path.join(dir, 'case.db');
  const db = o.db ?? openDatabase(dbPath);
  const caseId = o.caseId ?? createCase(db, { name: o.caseName ?? 'Fixture case' }).id;
  const { evidenceId } = await importEvidence(db, { caseId, path: clip.path, workDir: path.join(dir, 'work') });
  const st = storeFixtureAnalysis(db, { caseId, evidenceId, clip, objects: scene.objects, events: scene.events });
  return { db, dbPath, caseId, evidenceId, clipPath: clip.path, fps: clip.fps, width: clip.width, height: clip.height, objects: scene.objects, ...st };
}
