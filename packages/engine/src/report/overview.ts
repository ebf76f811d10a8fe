/**
 * Paths for an analysis' trajectory overview: every tracked object's centre path, with the tracks of
 * reported events marked by event label and coloured as in that event's stills.
 */
import type { Db } from '../store/db.js';
import type { TrajectoryPathInput } from './charts.js';
import type { ReportEvent } from './model.js';

/** Context (non-event) tracks drawn at most; the longest are kept. */
const MAX_CONTEXT_TRACKS = 400;

export function overviewPaths(db: Db, analysisId: string, events: readonly ReportEvent[]): TrajectoryPathInput[] {
  const rows = db
    .prepare('SELECT track_id, label, (x1 + x2) / 2 AS cx, (y1 + y2) / 2 AS cy FROM observations WHERE analysis_id = ? ORDER BY track_id, frame')
    .all(analysisId) as { track_id: number; label: string; cx: number; cy: number }[];
  const byTrack = new Map<number, { label: string; points: [number, number][] }>();
  for (const r of rows) {
    let t = byTrack.get(r.track_id);
    if (!t) byTrack.set(r.track_id, (t = { label: r.label, points: [] }));
    t.points.push([r.cx, r.cy]);
  }
  const eventOf = new Map<number, { label: string; colorIndex: number }>();
  for (const e of events) {
    if (e.analysisId !== analysisId) continue;
    e.trackIds.forEach((id, i) => {
      if (!eventOf.has(id)) eventOf.set(id, { label: e.label, colorIndex: i });
    });
  }
  const context = [...byTrack].filter(([id]) => !eventOf.has(id)).sort((a, b) => b[1].points.length - a[1].points.length).slice(0, MAX_CONTEXT_TRACKS);
  const out: TrajectoryPathInput[] = context.map(([id, t]) => ({ trackId: id, label: t.label, points: t.points, event: null, colorIndex: 0 }));
  for (const [id, ev] of eventOf) {
    const t = byTrack.get(id);
    if (t) out.push({ trackId: id, label: t.label, points: t.points, event: ev.label, colorIndex: ev.colorIndex });
  }
  return out;
}
