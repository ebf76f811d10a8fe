/**
 * What the player draws over one frame: the boxes of the nearest analysed frame and the full paths of
 * the tracks seen there (the UI fades the part after the current time).
 */
import type { Db } from '../store/db.js';
import { getAnalysis, getObservations, nearestAnalysedFrame } from '../store/analyses.js';

export function overlayAt(db: Db, analysisId: string, frame: number) {
  getAnalysis(db, analysisId);
  const nearest = nearestAnalysedFrame(db, analysisId, frame);
  if (nearest === null) return { frame: null, observations: [], paths: [] };
  const observations = getObservations(db, analysisId, nearest, nearest);
  const ids = observations.map((o) => o.trackId);
  const rows = ids.length
    ? (db.prepare(`SELECT track_id, label, frame, (x1 + x2) / 2 AS cx, (y1 + y2) / 2 AS cy FROM observations WHERE analysis_id = ? AND track_id IN (${ids.map(() => '?').join(',')}) ORDER BY track_id, frame`).all(analysisId, ...ids) as { track_id: number; label: string; frame: number; cx: number; cy: number }[])
    : [];
  const paths = new Map<number, { trackId: number; label: string; points: [number, number, number][] }>();
  for (const r of rows) {
    if (!paths.has(r.track_id)) paths.set(r.track_id, { trackId: r.track_id, label: r.label, points: [] });
    paths.get(r.track_id)!.points.push([r.frame, r.cx, r.cy]);
  }
  return { frame: nearest, observations, paths: [...paths.values()] };
}
