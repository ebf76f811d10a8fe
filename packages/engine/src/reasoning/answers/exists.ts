/**
 * Yes/no questions about objects and what they did (carry, ride, enter, leave, stop, run, fall, follow,
 * ...).
 */
import { detectFall, eventCitation } from '../categorize.js';
import { citeInterval, citeTrackAt, fmtInterval, fmtS, type Citation } from '../citations.js';
import { trackInteractions, type InteractionKind } from '../interactions.js';
import type { VerbClass } from '../lexicon.js';
import { entryPhrase, exitPhrase, interactionPhrase, joinList, percentilePhrase, speedValue, trackName } from '../phrasing.js';
import type { ParsedQuestion } from '../question-parser.js';
import { primaryTracks, resolveNounPhrase, type Target } from '../references.js';
import { Reply } from '../reply.js';
import { describePosition, positionMatchesSide } from '../scene.js';
import { labelNoun, RIDDEN_LABELS, withArticle } from '../vocabulary.js';
import { MAX_ITEMS, type Ctx, single, ucFirst, facts, windowText, overlaps, windows, spanCitation, labelsText, med } from './context.js';
import { momentIn } from './place.js';

export interface Hit {
  t: Target;
  text: string;
  citations: Citation[];
}

export function answerExists(x: Ctx): Reply {
  const r = new Reply();
  const q = x.q;
  const np = q.subject;
  // Candidate tracks from the subject.
  let ts: Target[];
  let what: string;
  if (!np || (np.kind === 'pronoun' && ['someone', 'something', 'everyone'].includes(np.pronoun ?? ''))) {
    const labels = np?.pronoun === 'someone' || np?.pronoun === 'everyone' ? ['person'] : null;
    ts = x.models.flatMap((m) => m.tracks.filter((t) => !labels || labels.includes(t.label)).map((t) => ({ kind: 'track' as const, m, id: t.id })));
    what = labels ? 'person' : 'object';
  } else {
    const res = resolveNounPhrase(x.models, x.req.state, np);
    if (res.unresolved) return r.refuse(res.unresolved);
    if (res.none) {
      const lead = `No: the analysis found no ${labelsText(res.none.labels)} matching "${res.none.what}"`;
      for (const m of x.models) r.fact(`${lead}${single(x) ? '' : ` in ${m.info.fileName}`} ${fmtInterval(...m.analysedSpan)}.`, [spanCitation(m)]);
      r.note('The detector can miss small, distant or hidden objects.');
      return r;
    }
    ts = primaryTracks(res.targets);
    what = np.text.replace(/^(the|a|an|any|some) /, '');
  }
  const ws = windows(x, r);
  if (!ws) return r;
  const verb = q.mainVerb;
  const hits: Hit[] = [];
  const sides = q.sides.map((s) => s.side);
  const objectLabels = q.object?.kind === 'object' && q.object.sense && q.object.sense.labels !== 'any' ? q.object.sense.labels : null;
  const zoneNames = q.places.map((p) => p.name);
  for (const t of ts) {
    if (t.kind !== 'track' || !ws.has(t.m)) continue;
    const m = t.m;
    const w = ws.get(m) ?? null;
    const f = facts(t);
    if (!f) continue;
    const end = f.last.time + m.frameDurationS;
    if (!overlaps(f.first.time, end, w, m.frameDurationS)) continue;
    const name = trackName(m, f.track.id);
    const whole = citeTrackAt(m, f.track.id, f.first.time, end, f.peak);
    let hit: Hit | null = null;
    const relation = (kinds: InteractionKind[]) => {
      const xs = trackInteractions(m, f.track.id).filter((i) => kinds.includes(i.kind) && overlaps(i.start, i.end, w, m.frameDurationS) && (!objectLabels || objectLabels.includes(m.track(i.a === f.track.id ? i.b : i.a)?.label ?? '')));
      return xs[0] ? { text: `${name} ${interactionPhrase(m, xs[0], f.track.id)} ${fmtInterval(xs[0].start, xs[0].end)}`, citations: [citeInterval(m, xs[0].start, xs[0].end, { frame: xs[0].frame, trackIds: [xs[0].a, xs[0].b], boxes: xs[0].boxes })] } : null;
    };
    switch (verb as VerbClass | undefined) {
      case 'carry':
      case 'ride': {
        const h = relation(['with']);
        if (h) hit = { t, ...h };
        break;
      }
      case 'follow':
      case 'approach':
      case 'meet':
      case 'overtake': {
        const h = relation([verb as InteractionKind]);
        if (h) hit = { t, ...h };
        break;
      }
      case 'enter':
      case 'appear':
      case 'come':
        if (!sides.length || sides.includes(f.entry.side as never)) hit = { t, text: `${name} ${entryPhrase(m, f)}`, citations: [citeTrackAt(m, f.track.id, f.entry.start, f.entry.end, f.first)] };
        break;
      case 'leave':
      case 'disappear':
        if (!sides.length || sides.includes(f.exit.side as never)) hit = { t, text: `${name} ${exitPhrase(m, f)}`, citations: [citeTrackAt(m, f.track.id, f.exit.start, f.exit.end, f.last)] };
        break;
      case 'stop':
      case 'loiter': {
        const min = verb === 'loiter' ? 20 : 0;
        const p = f.stationary.find((s) => s.end - s.start >= min && overlaps(s.start, s.end, w, m.frameDurationS));
        if (p) hit = { t, text: `${name} stands still ${fmtInterval(p.start, p.end)}`, citations: [citeTrackAt(m, f.track.id, p.start, p.end, { time: p.start, frame: p.frame, box: p.box })] };
        break;
      }
      case 'run':
        if (f.speedPercentile >= 90) hit = { t, text: `${name} moves at ${speedValue(f.meanSpeed)}, ${percentilePhrase(m, f)}`, citations: [whole] };
        break;
      case 'fall': {
        const fl = detectFall(f, m.frameDurationS);
        if (fl) hit = { t, text: `${name}'s box turns from upright to lying at ${fmtS(fl.time)} s`, citations: [citeTrackAt(m, f.track.id, fl.start, fl.end, fl.moment)] };
        break;
      }
      case 'cross':
        if (f.entry.side !== 'inside' && f.exit.side !== 'inside' && f.entry.side !== f.exit.side) hit = { t, text: `${name} ${entryPhrase(m, f)} and ${exitPhrase(m, f)}`, citations: [whole] };
        break;
      default: {
        // Presence, optionally with a position, a zone, a manner or "anomalous"/"normal".
        const mo = momentIn(f, w);
        const pos = describePosition(mo.box, m.info.width, m.info.height).text;
        const okSide = !sides.length || sides.some((s) => positionMatchesSide(describePosition(mo.box, m.info.width, m.info.height), s));
        const zs = zoneNames.length ? f.zones.filter((z) => zoneNames.some((n) => z.zone.name.toLowerCase() === n.toLowerCase()) && overlaps(z.start, z.end, w, m.frameDurationS)) : [];
        if (zoneNames.length && !zs.length) break;
        if (!okSide) break;
        if (q.mannerWords.includes('fast') && f.speedPercentile < 80) break;
        if (q.mannerWords.includes('slow') && f.speedPercentile > 20) break;
        if (q.mannerWords.includes('stationary') && !f.stationary.length) break;
        const evs = m.eventsOfTrack(f.track.id);
        if (q.anomalyWord && !evs.length) break;
        if (q.normalWord && !q.anomalyWord) {
          hit = evs.length
            ? { t, text: `__NO__${name} is part of ${evs.length === 1 ? `an anomalous event ${fmtInterval(evs[0].startTime, evs[0].endTime)}` : `${evs.length} anomalous events`}`, citations: evs.map((e) => eventCitation(m, e)) }
            : { t, text: `${name} is not part of any anomalous event; its highest score is ${f.track.maxScore.toFixed(2)}`, citations: [whole] };
          break;
        }
        if (zs.length) hit = { t, text: `${name} is inside zone ${zs[0].zone.name} ${fmtInterval(zs[0].start, zs[0].end)}`, citations: [citeTrackAt(m, f.track.id, zs[0].start, zs[0].end, { time: zs[0].start, frame: zs[0].frame, box: zs[0].box })] };
        else if (q.anomalyWord) hit = { t, text: `${name} takes part in ${evs.length === 1 ? 'an anomalous event' : `${evs.length} anomalous events`} (${fmtInterval(evs[0].startTime, evs[0].endTime)})`, citations: evs.map((e) => eventCitation(m, e)) };
        else hit = { t, text: `${name} is seen ${w ? windowText(w).trim() + ', ' : ''}${sides.length ? `in ${pos} at ${fmtS(mo.time)} s` : `${fmtInterval(f.first.time, end)}`}`, citations: [sides.length || w ? citeTrackAt(m, f.track.id, mo.time, mo.time, mo) : whole] };
      }
    }
    if (hit) hits.push(hit);
  }
  if (objectLabels && verb === 'ride' && !hits.length) {
    // The rider may share one box with what they ride: a ridden object moving well above walking pace here.
    for (const m of x.models) {
      const people = m.tracks.filter((t) => t.label === 'person' && Number.isFinite(t.meanSpeed)).map((t) => t.meanSpeed).sort((a, b) => a - b);
      if (!people.length) continue;
      const walk = med(people);
      for (const t of m.tracks.filter((tt) => objectLabels.includes(tt.label) && RIDDEN_LABELS.includes(tt.label))) {
        const f = facts({ kind: 'track', m, id: t.id });
        const w = ws.get(m) ?? null;
        if (!f || !overlaps(f.first.time, f.last.time + m.frameDurationS, w, m.frameDurationS) || !(f.meanSpeed > 1.3 * walk)) continue;
        hits.push({
          t: { kind: 'track', m, id: t.id },
          text: `${trackName(m, t.id)} moves at ${speedValue(f.meanSpeed)}, ${(f.meanSpeed / walk).toFixed(1)} times the median pace of the ${people.length} people here, as a ridden ${labelNoun(t.label)} does`,
          citations: [citeTrackAt(m, t.id, f.first.time, f.last.time + m.frameDurationS, f.peak)],
        });
      }
    }
  }
  if (objectLabels && (verb === 'carry' || verb === 'ride') && !hits.length) {
    // "Was anyone carrying a bag?": also look from the bag's side (a bag track moving with any person).
    for (const m of x.models) {
      for (const t of m.tracks.filter((tt) => objectLabels.includes(tt.label))) {
        const xs = trackInteractions(m, t.id).filter((i) => i.kind === 'with' && m.track(i.a === t.id ? i.b : i.a)?.label === 'person' && overlaps(i.start, i.end, ws.get(m) ?? null, m.frameDurationS));
        if (xs[0]) hits.push({ t: { kind: 'track', m, id: t.id }, text: `${trackName(m, t.id)} ${interactionPhrase(m, xs[0], t.id)} ${fmtInterval(xs[0].start, xs[0].end)}`, citations: [citeInterval(m, xs[0].start, xs[0].end, { frame: xs[0].frame, trackIds: [xs[0].a, xs[0].b], boxes: xs[0].boxes })] });
      }
    }
  }
  const negative = hits.length === 1 && hits[0].text.startsWith('__NO__');
  if (hits.length && !negative) {
    r.fact(`Yes: ${hits[0].text}.`, hits[0].citations);
    for (const h of hits.slice(1, MAX_ITEMS)) r.fact(`${ucFirst(h.text)}.`, h.citations);
    if (hits.length > MAX_ITEMS) r.note(`${hits.length - MAX_ITEMS} more match.`);
    r.about(hits.map((h) => h.t), hits.length > 1 ? hits.map((h) => h.t) : undefined);
    return r;
  }
  if (negative) {
    r.fact(`No: ${hits[0].text.slice(6)}.`, hits[0].citations);
    r.about([hits[0].t]);
    return r;
  }
  // No: say what was checked, citing the span that was searched.
  const predicate = describePredicate(q, what, objectLabels);
  for (const [m, w] of ws) {
    r.fact(`No: ${predicate}${single(x) ? '' : ` in ${m.info.fileName}`}${w ? windowText(w) : ` in ${fmtInterval(...m.analysedSpan)}`}${ts.length ? ` (${ts.length} candidate track${ts.length === 1 ? '' : 's'} checked)` : ''}.`, [spanCitation(m, w)]);
  }
  if (objectLabels || ['carry', 'ride'].includes(verb ?? '')) r.note('The detector can miss small or hidden objects, so this is what the analysis saw, not proof of absence.');
  r.about(ts.slice(0, MAX_ITEMS));
  return r;
}

export function describePredicate(q: ParsedQuestion, what: string, objectLabels: readonly string[] | null): string {
  const obj = objectLabels ? labelsText(objectLabels) : q.object?.text ?? 'anything';
  const sides = q.sides.map((s) => s.side);
  switch (q.mainVerb) {
    case 'carry':
      return `no ${what} was seen moving together with ${withArticle(obj)}`;
    case 'ride':
      return `no ${what} was seen riding ${objectLabels ? withArticle(obj) : 'anything'}`;
    case 'enter':
    case 'appear':
    case 'come':
      return `no ${what} was seen entering${sides.length ? ` from the ${joinList(sides, 'or')}` : ''}`;
    case 'leave':
    case 'disappear':
      return `no ${what} was seen leaving${sides.length ? ` at the ${joinList(sides, 'or')}` : ''}`;
    case 'stop':
      return `no ${what} stood still for ${2} s or more`;
    case 'loiter':
      return `no ${what} stood still for 20 s or more`;
    case 'run':
      return `no ${what} moved faster than 90 % of the objects in the footage`;
    case 'fall':
      return `no ${what}'s box turned from upright to lying`;
    case 'follow':
    case 'approach':
    case 'meet':
    case 'overtake':
      return `no ${what} was seen to ${q.mainVerb} ${objectLabels ? withArticle(obj) : 'another object'}`;
    default:
      if (q.places.length) return `no ${what} was inside ${joinList(q.places.map((p) => `zone ${p.name}`), 'or')}`;
      if (q.anomalyWord) return `no ${what} took part in an anomalous event`;
      if (sides.length) return `no ${what} was seen on the ${joinList(sides, 'or')}`;
      return `no ${what} was seen`;
  }
}
