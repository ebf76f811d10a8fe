/**
 * "Why", "what/who" and "show" answers: grounded reasoning steps, the kind of object as the detector labels
 * it, and where to look.
 */
import { categorizeEvent, eventCitation } from '../categorize.js';
import { citeTrackAt, fmtInterval, fmtS } from '../citations.js';
import type { EvidenceModel, TrackFacts } from '../evidence-model.js';
import { trackInteractions } from '../interactions.js';
import { entryPhrase, exitPhrase, joinList, trackName } from '../phrasing.js';
import { caseEvents, primaryTracks, type Target } from '../references.js';
import { Reply } from '../reply.js';
import { labelNoun, RIDDEN_LABELS, CARRIED_LABELS, withArticle, VEHICLE_LABELS } from '../vocabulary.js';
import { MAX_ITEMS, type Ctx, single, inFile, ucFirst, facts, eventLabel, subjectTargets } from './context.js';
import { noEventsForWhen } from './events.js';

export function answerWhy(x: Ctx): Reply {
  const r = new Reply();
  const ts = subjectTargets(x, r, x.q.subject, 'focus-or-events');
  if (!ts) return r;
  if (!ts.length) return noEventsForWhen(x);
  const events: Extract<Target, { kind: 'event' }>[] = [];
  for (const t of ts) {
    if (t.kind === 'event') events.push(t);
    else {
      const evs = caseEvents(x.models).filter((c) => c.m === t.m && c.e.trackIds.includes(t.id));
      if (!evs.length) {
        const f = facts(t);
        const thr = t.m.data.params?.enterThreshold;
        if (f) r.fact(`${ucFirst(trackName(t.m, t.id))} is not part of any anomalous event: its highest anomaly score is ${f.track.maxScore.toFixed(2)} at ${fmtS(f.peak.time)} s${thr !== undefined ? ` (events start at ${thr})` : ''}.`, [citeTrackAt(t.m, t.id, f.peak.time, f.peak.time, f.peak)]);
        if (f && f.track.why.length) r.fact(`Its largest deviations: ${joinList(f.track.why.slice(0, 2).map((a) => `${a.attribute} ${String(a.value)} (typical ${String(a.normal)})`))}.`, [citeTrackAt(t.m, t.id, f.first.time, f.last.time + t.m.frameDurationS, f.peak)]);
        continue;
      }
      for (const e of evs) if (!events.some((x2) => x2.e === e.e)) events.push({ kind: 'event', ...e });
    }
  }
  for (const t of events.slice(0, 3)) {
    const c = categorizeEvent(t.m, t.e, x.req.definitions);
    x.categories.set(t.e, t.e.category ?? c.category);
    r.note(`${inFile(x, t.m)}${ucFirst(eventLabel(x, t))} ${fmtInterval(t.e.startTime, t.e.endTime)}:`);
    for (const s of c.steps) r.fact(s.text, s.citations);
  }
  if (events.length > 3) r.note(`${events.length - 3} more events; ask about one by number ("why is event 4 anomalous?").`);
  r.about(events.length ? events : ts);
  return r;
}

export function kindPhrase(m: EvidenceModel, f: TrackFacts): string {
  const label = f.track.label;
  const withs = trackInteractions(m, f.track.id).filter((i) => i.kind === 'with');
  const partner = (i: (typeof withs)[number]) => m.track(i.a === f.track.id ? i.b : i.a)!;
  if (RIDDEN_LABELS.includes(label)) {
    const rider = withs.find((i) => partner(i).label === 'person');
    return rider ? `a person riding ${withArticle(labelNoun(label))} (tracks ${partner(rider).id} and ${f.track.id})` : `${withArticle(labelNoun(label))} (${trackName(m, f.track.id).replace(/ \(.*\)$/, '')})`;
  }
  if (label === 'person') {
    const ride = withs.find((i) => RIDDEN_LABELS.includes(partner(i).label));
    if (ride) return `a person riding ${withArticle(labelNoun(partner(ride).label))} (tracks ${f.track.id} and ${partner(ride).id})`;
    const bag = withs.find((i) => CARRIED_LABELS.includes(partner(i).label));
    const run = f.speedPercentile >= 90 ? ', moving faster than 90 % of the objects here' : '';
    return `a person (track ${f.track.id})${bag ? ` carrying ${withArticle(labelNoun(partner(bag).label))}` : ''}${run}`;
  }
  if (label === 'unknown') return `an object the detector could not classify (track ${f.track.id})`;
  if (VEHICLE_LABELS.includes(label)) return `a ${label === 'bicycle' ? '' : 'motor '}vehicle, ${withArticle(labelNoun(label))} by the detector's label (track ${f.track.id})`;
  return `${withArticle(labelNoun(label))} (track ${f.track.id})`;
}

export function answerWhat(x: Ctx): Reply {
  const r = new Reply();
  const q = x.q;
  // "Who entered first?", "which object left last?"
  if ((q.superlative === 'first' || q.superlative === 'last' || q.superlative === 'earliest' || q.superlative === 'latest') && q.mainVerb) {
    const ts = subjectTargets(x, r, q.subject?.kind === 'object' ? q.subject : undefined, 'tracks');
    if (!ts) return r;
    const pool = primaryTracks(ts).filter((t) => t.kind === 'track' && (q.wh !== 'who' || t.m.track(t.id)!.label === 'person'));
    const leave = q.mainVerb === 'leave' || q.mainVerb === 'disappear';
    const key = (t: Target) => {
      const f = facts(t)!;
      return leave ? f.exit.end : f.entry.start;
    };
    const valid = pool.filter((t) => facts(t) && (leave ? facts(t)!.exit.side !== 'inside' : facts(t)!.entry.side !== 'inside'));
    if (!valid.length) return r.refuse(`No object ${leave ? 'left' : 'entered'} the view during the analysed footage.`);
    valid.sort((a, b) => key(a) - key(b));
    const last = q.superlative === 'last' || q.superlative === 'latest';
    const t = last ? valid[valid.length - 1] : valid[0];
    const f = facts(t)!;
    r.fact(`${ucFirst(trackName(t.m, f.track.id))} ${leave ? exitPhrase(t.m, f) : entryPhrase(t.m, f)}, ${last ? 'the last' : 'the first'} of ${valid.length} object${valid.length === 1 ? '' : 's'} to ${leave ? 'leave' : 'enter'}.`, [leave ? citeTrackAt(t.m, f.track.id, f.exit.start, f.exit.end, f.last) : citeTrackAt(t.m, f.track.id, f.entry.start, f.entry.end, f.first)]);
    r.about([t]);
    return r;
  }
  const ts = subjectTargets(x, r, q.subject?.kind === 'object' && q.subject.sense?.labels === 'any' && !q.subject.ordinal ? undefined : q.subject, 'focus-or-events');
  if (!ts) return r;
  // "What kind of object is anomalous?" with no anomaly: there is nothing to name.
  if (!ts.length) return noEventsForWhen(x);
  const shown: Target[] = [];
  for (const t of ts.slice(0, MAX_ITEMS)) {
    if (t.kind === 'event') {
      const p = t.m.primaryTrack(t.e);
      const f = p ? facts({ kind: 'track', m: t.m, id: p.id }) : null;
      if (!f) {
        r.fact(`${ucFirst(eventLabel(x, t))} ${fmtInterval(t.e.startTime, t.e.endTime)} has no tracked object to name.`, [eventCitation(t.m, t.e)]);
        continue;
      }
      const named = new Set((kindPhrase(t.m, f).match(/tracks? (\d+)(?: and (\d+))?/) ?? []).slice(1).filter(Boolean).map(Number));
      const others = t.e.trackIds.filter((id) => id !== f.track.id && !named.has(id) && t.m.track(id));
      r.fact(`${inFile(x, t.m)}${single(x) ? 'The' : 'the'} anomalous object in ${eventLabel(x, t)} ${fmtInterval(t.e.startTime, t.e.endTime)} is ${kindPhrase(t.m, f)}${others.length ? `, with ${joinList(others.slice(0, 3).map((id) => trackName(t.m, id)))}` : ''}.`, [eventCitation(t.m, t.e)]);
      shown.push(t);
    } else {
      const f = facts(t);
      if (!f) continue;
      const evs = t.m.eventsOfTrack(f.track.id);
      const lead = x.q.subject?.anomalous || x.q.anomalyWord ? `The anomalous object${evs.length ? ` in event ${caseEvents(x.models).find((c) => c.e === evs[0])?.index} ${fmtInterval(evs[0].startTime, evs[0].endTime)}` : ''} is ${kindPhrase(t.m, f)}` : ucFirst(kindPhrase(t.m, f));
      r.fact(`${inFile(x, t.m)}${lead}; it ${entryPhrase(t.m, f)} and ${exitPhrase(t.m, f)}.`, [citeTrackAt(t.m, f.track.id, f.first.time, f.last.time + t.m.frameDurationS, f.peak)]);
      shown.push(t);
    }
  }
  if (ts.length > MAX_ITEMS) r.note(`${ts.length - MAX_ITEMS} more; ask about one of them.`);
  r.about(shown, shown.length > 1 ? shown : undefined);
  return r;
}

export function answerShow(x: Ctx): Reply {
  const r = new Reply();
  const ts = subjectTargets(x, r, x.q.subject, 'focus-or-events');
  if (!ts) return r;
  if (!ts.length) return noEventsForWhen(x);
  for (const t of ts.slice(0, MAX_ITEMS)) {
    if (t.kind === 'event') r.fact(`${inFile(x, t.m)}${ucFirst(eventLabel(x, t))}: ${fmtInterval(t.e.startTime, t.e.endTime)}, strongest at frame ${t.e.peakFrame} (${fmtS(t.e.peakTime)} s).`, [eventCitation(t.m, t.e)]);
    else {
      const f = facts(t);
      if (f) r.fact(`${inFile(x, t.m)}${ucFirst(trackName(t.m, f.track.id))}: ${fmtInterval(f.first.time, f.last.time + t.m.frameDurationS)}, highest score at frame ${f.peak.frame} (${fmtS(f.peak.time)} s).`, [citeTrackAt(t.m, f.track.id, f.peak.time, f.peak.time, f.peak), citeTrackAt(t.m, f.track.id, f.first.time, f.last.time + t.m.frameDurationS, f.first)]);
    }
  }
  r.about(ts.slice(0, MAX_ITEMS), ts.length > 1 ? ts.slice(0, MAX_ITEMS) : undefined);
  return r;
}
