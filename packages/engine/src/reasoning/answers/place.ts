/**
 * "Where" and "which way" answers: positions in scene terms and zones at a moment, and paths from entry to
 * exit.
 */
import { citeTrackAt, fmtInterval, fmtS } from '../citations.js';
import type { TrackFacts } from '../evidence-model.js';
import { entryPhrase, exitPhrase, joinList, trackName } from '../phrasing.js';
import { primaryTracks, type Target, type Window } from '../references.js';
import { Reply } from '../reply.js';
import { describePosition } from '../scene.js';
import { MAX_ITEMS, type Ctx, single, inFile, ucFirst, facts, windowText, overlaps, windows, subjectTargets } from './context.js';

export function momentIn(f: TrackFacts, w: Window | null) {
  if (!w) return f.peak;
  const t = w.point ? w.start : (Math.max(w.start, f.first.time) + Math.min(w.end, f.last.time)) / 2;
  let best = f.obs[0];
  for (const o of f.obs) if (Math.abs(o.time - t) < Math.abs(best.time - t)) best = o;
  return { time: best.time, frame: best.frame, box: best.box, score: best.score };
}

export function answerWhere(x: Ctx): Reply {
  const r = new Reply();
  const ts = subjectTargets(x, r, x.q.subject, 'focus-or-events');
  if (!ts) return r;
  const ws = windows(x, r);
  if (!ws) return r;
  const tracks = primaryTracks(ts).filter((t) => ws.has(t.m));
  const shown: Target[] = [];
  for (const t of tracks.slice(0, MAX_ITEMS)) {
    const f = facts(t);
    if (!f) continue;
    const m = t.m;
    const w = ws.get(m) ?? null;
    const name = trackName(m, f.track.id);
    if (w && !overlaps(f.first.time, f.last.time + m.frameDurationS, w, m.frameDurationS)) {
      r.fact(`${inFile(x, m)}${ucFirst(name)} is not in view${windowText(w)}; it is seen ${fmtInterval(f.first.time, f.last.time + m.frameDurationS)}.`, [citeTrackAt(m, f.track.id, f.first.time, f.last.time + m.frameDurationS, f.peak)]);
      continue;
    }
    const mo = momentIn(f, w);
    const pos = describePosition(mo.box, m.info.width, m.info.height).text;
    r.fact(`${inFile(x, m)}${single(x) ? 'At' : 'at'} ${fmtS(mo.time)} s ${name} is in ${pos}.`, [citeTrackAt(m, f.track.id, mo.time, mo.time, mo)]);
    const zs = f.zones.filter((z) => !w || overlaps(z.start, z.end, w, m.frameDurationS));
    if (zs.length) r.fact(`It is inside ${joinList(zs.slice(0, 3).map((z) => `zone ${z.zone.name} ${fmtInterval(z.start, z.end)}`))}.`, zs.slice(0, 3).map((z) => citeTrackAt(m, f.track.id, z.start, z.end, { time: z.start, frame: z.frame, box: z.box })));
    shown.push(t);
  }
  r.about(shown, shown.length > 1 ? shown : undefined);
  return r;
}

export function answerPath(x: Ctx): Reply {
  const r = new Reply();
  const ts = subjectTargets(x, r, x.q.subject, 'focus-or-events');
  if (!ts) return r;
  const tracks = primaryTracks(ts);
  const verb = x.q.mainVerb;
  const shown: Target[] = [];
  for (const t of tracks.slice(0, MAX_ITEMS)) {
    const f = facts(t);
    if (!f) continue;
    const m = t.m;
    const name = ucFirst(trackName(m, f.track.id));
    const pre = inFile(x, m);
    shown.push(t);
    if (verb === 'enter' || verb === 'come' || verb === 'appear') {
      r.fact(`${pre}${name} ${f.entry.side === 'inside' ? entryPhrase(m, f) : `enters from the ${f.entry.side} during ${fmtInterval(f.entry.start, f.entry.end)}`}.`, [citeTrackAt(m, f.track.id, f.entry.start, f.entry.end, f.first)]);
      continue;
    }
    if (verb === 'leave' || verb === 'disappear') {
      r.fact(`${pre}${name} ${f.exit.side === 'inside' ? exitPhrase(m, f) : `leaves at the ${f.exit.side} during ${fmtInterval(f.exit.start, f.exit.end)}`}.`, [citeTrackAt(m, f.track.id, f.exit.start, f.exit.end, f.last)]);
      continue;
    }
    const parts = [entryPhrase(m, f)];
    if (f.heading) parts.push(`heads ${f.heading}`);
    for (const turn of f.track.trajectory?.turns ?? []) parts.push(`turns toward the ${turn.replace('-', ' ')}`);
    if (f.stationary.length) parts.push(`stops ${f.stationary.length === 1 ? 'once' : `${f.stationary.length} times`} (${joinList(f.stationary.slice(0, 2).map((p) => fmtInterval(p.start, p.end)))})`);
    parts.push(exitPhrase(m, f));
    r.fact(`${pre}${name} ${joinList(parts)}.`, [
      citeTrackAt(m, f.track.id, f.entry.start, f.entry.end, f.first),
      citeTrackAt(m, f.track.id, f.exit.start, f.exit.end, f.last),
      ...f.stationary.slice(0, 2).map((p) => citeTrackAt(m, f.track.id, p.start, p.end, { time: p.start, frame: p.frame, box: p.box })),
    ]);
  }
  if (tracks.length > MAX_ITEMS) r.note(`${tracks.length - MAX_ITEMS} more match; ask about one of them.`);
  r.about(shown, shown.length > 1 ? shown : undefined);
  return r;
}
