/**
 * "When" answers: the interval of an event, of an object's entering, leaving, stopping or presence, stated
 * as [start, end] and cited first.
 */
import { eventCitation } from '../categorize.js';
import { citeInterval, citeTrackAt, fmtInterval, fmtS } from '../citations.js';
import type { EvidenceModel } from '../evidence-model.js';
import { entryPhrase, exitPhrase, joinList, trackName } from '../phrasing.js';
import { caseEvents, type Target } from '../references.js';
import { Reply } from '../reply.js';
import { MAX_ITEMS, type Ctx, single, inFile, ucFirst, facts, category, windowText, overlaps, windows, subjectTargets } from './context.js';
import { answerEvents, noEventsForWhen } from './events.js';

export function answerWhen(x: Ctx): Reply {
  const r = new Reply();
  const ts0 = subjectTargets(x, r, x.q.subject, 'focus-or-events');
  if (!ts0) return r;
  const ws = windows(x, r);
  if (!ws) return r;
  const events = ts0.filter((t): t is Extract<Target, { kind: 'event' }> => t.kind === 'event' && overlaps(t.e.startTime, t.e.endTime, ws.get(t.m) ?? null, t.m.frameDurationS));
  const tracks = ts0.filter((t) => t.kind === 'track' && ws.has(t.m));
  if (!events.length && !tracks.length) {
    if (!ts0.length && !caseEvents(x.models).length) return answerEvents(x, 'yesno').sentences.length ? noEventsForWhen(x) : r;
    r.refuse(`Nothing matching that was found${x.models.length === 1 ? windowText(ws.get(x.models[0]) ?? null) : ''}.`);
    return r;
  }
  const verb = x.q.mainVerb;
  if (events.length) {
    const byModel = new Map<EvidenceModel, typeof events>();
    for (const t of events) byModel.set(t.m, [...(byModel.get(t.m) ?? []), t]);
    for (const [m, evs] of byModel) {
      if (evs.length > 1 && !(x.q.subject?.plural)) {
        const s = Math.min(...evs.map((t) => t.e.startTime));
        const e = Math.max(...evs.map((t) => t.e.endTime));
        r.fact(`${inFile(x, m)}${single(x) ? 'Anomalous' : 'anomalous'} activity spans ${fmtInterval(s, e)}, in ${evs.length} events.`, [citeInterval(m, s, e, { trackIds: [...new Set(evs.flatMap((t) => t.e.trackIds))].filter((id) => m.track(id) && m.track(id)!.endTime >= s && m.track(id)!.startTime <= e) }), ...evs.map((t) => eventCitation(m, t.e))]);
      }
      for (const t of evs.slice(0, MAX_ITEMS)) {
        const e = t.e;
        const dur = x.q.whFocus === 'duration' ? ` (${fmtS(e.endTime - e.startTime)} s long)` : '';
        r.fact(`${inFile(x, m)}${single(x) ? 'E' : 'e'}vent ${t.index} (${category(x, m, e)}) lasts ${fmtInterval(e.startTime, e.endTime)}${dur}, peaking at ${fmtS(e.peakTime)} s.`, [eventCitation(m, e)]);
      }
    }
    r.about(events, events.length > 1 ? events : undefined);
    return r;
  }
  const shown: Target[] = [];
  for (const t of tracks.slice(0, MAX_ITEMS)) {
    const f = facts(t);
    if (!f) continue;
    const m = t.m;
    const name = ucFirst(trackName(m, f.track.id));
    const pre = inFile(x, m);
    shown.push(t);
    if (verb === 'enter' || verb === 'appear' || verb === 'come') {
      if (f.entry.side === 'inside') r.fact(`${pre}${name} ${entryPhrase(m, f)}: ${fmtInterval(f.entry.start, f.entry.end)}.`, [citeTrackAt(m, f.track.id, f.entry.start, f.entry.end, f.first)]);
      else r.fact(`${pre}${name} enters from the ${f.entry.side} during ${fmtInterval(f.entry.start, f.entry.end)}.`, [citeTrackAt(m, f.track.id, f.entry.start, f.entry.end, f.first)]);
    } else if (verb === 'leave' || verb === 'disappear' || verb === 'go') {
      if (f.exit.side === 'inside') r.fact(`${pre}${name} ${exitPhrase(m, f)}; it is seen ${fmtInterval(f.first.time, f.exit.end)}.`, [citeTrackAt(m, f.track.id, f.exit.start, f.exit.end, f.last), citeTrackAt(m, f.track.id, f.first.time, f.exit.end, f.peak)]);
      else r.fact(`${pre}${name} leaves at the ${f.exit.side} during ${fmtInterval(f.exit.start, f.exit.end)}.`, [citeTrackAt(m, f.track.id, f.exit.start, f.exit.end, f.last)]);
    } else if ((verb === 'stop' || verb === 'loiter') && f.stationary.length) {
      const p = f.stationary;
      r.fact(`${pre}${name} stands still ${joinList(p.slice(0, 3).map((s) => fmtInterval(s.start, s.end)))}.`, p.slice(0, 3).map((s) => citeTrackAt(m, f.track.id, s.start, s.end, { time: s.start, frame: s.frame, box: s.box })));
    } else {
      const end = f.last.time + m.frameDurationS;
      const dur = x.q.whFocus === 'duration' ? ` (${fmtS(end - f.first.time)} s)` : '';
      r.fact(`${pre}${name} is in view ${fmtInterval(f.first.time, end)}${dur}.`, [citeTrackAt(m, f.track.id, f.first.time, end, f.peak)]);
    }
  }
  if (tracks.length > MAX_ITEMS) r.note(`${tracks.length - MAX_ITEMS} more match; ask about one of them ("the second one") or narrow the time.`);
  r.about(shown, shown.length > 1 ? shown : undefined);
  return r;
}
