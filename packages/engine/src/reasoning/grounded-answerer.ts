/**
 * The grounded answerer: answers parsed questions from the evidence model alone. Each intent has a
 * handler that looks up targets (references.ts), measures what is asked, and writes sentences that cite
 * the observations they rest on. What the evidence cannot support is refused in plain words.
 */
import type { Answer, AnswerRequest, Answerer } from './answerer.js';
import { measureTrackAppearance, type TrackAppearance } from './appearance.js';
import { categorizeEvent, detectFall, eventCitation } from './categorize.js';
import { citeInterval, citeTrackAt, fmtInterval, fmtS, type Citation } from './citations.js';
import { matchDefinition } from './definitions.js';
import type { EvidenceModel, ModelEvent, TrackFacts } from './evidence-model.js';
import { trackInteractions, type InteractionKind } from './interactions.js';
import type { VerbClass } from './lexicon.js';
import { capitalise, entryPhrase, exitPhrase, interactionPhrase, joinList, percentilePhrase, speedValue, trackName } from './phrasing.js';
import { parseQuestion, type NounPhrase, type ParsedQuestion } from './question-parser.js';
import { caseEvents, dedupe, eventTargets, primaryTracks, resolveNounPhrase, resolveWindow, targetFromFocus, type Target, type Window } from './references.js';
import { Reply } from './reply.js';
import { describePosition, positionMatchesSide } from './scene.js';
import { labelNoun, LABEL_GROUPS, RIDDEN_LABELS, CARRIED_LABELS, withArticle, VEHICLE_LABELS } from './vocabulary.js';

/** At most this many items are spelled out one by one; the rest are summarised. */
const MAX_ITEMS = 6;

interface Ctx {
  req: AnswerRequest;
  q: ParsedQuestion;
  models: EvidenceModel[];
  categories: Map<ModelEvent, string>;
}

const single = (x: Ctx) => x.models.length === 1;
const inFile = (x: Ctx, m: EvidenceModel) => (single(x) ? '' : `In ${m.info.fileName}, `);
const ucFirst = capitalise;

function facts(t: Target): TrackFacts | null {
  if (t.kind !== 'track') return null;
  try {
    return t.m.facts(t.id);
  } catch {
    return null;
  }
}

function category(x: Ctx, m: EvidenceModel, e: ModelEvent): string {
  let c = x.categories.get(e);
  if (!c) {
    c = e.category ?? categorizeEvent(m, e, x.req.definitions.filter((d) => d.caseId === x.req.caseId)).category;
    x.categories.set(e, c);
  }
  return c;
}

function eventLabel(x: Ctx, t: Extract<Target, { kind: 'event' }>): string {
  return `event ${t.index}`;
}

function windowOf(x: Ctx, m: EvidenceModel): Window | { error: string } | null {
  return resolveWindow(x.models, x.req.state, x.q, m);
}

function windowText(w: Window | null): string {
  if (!w) return '';
  return w.point ? ` at ${fmtS(w.start)} s` : ` during ${fmtInterval(w.start, w.end)}`;
}

function overlaps(start: number, end: number, w: Window | null, tol: number): boolean {
  if (!w) return true;
  return end >= w.start - tol && start <= w.end + tol;
}

/** Window per model; models where an anchor could not be found are reported once. */
function windows(x: Ctx, r: Reply): Map<EvidenceModel, Window | null> | null {
  const out = new Map<EvidenceModel, Window | null>();
  const errors: string[] = [];
  for (const m of x.models) {
    const w = windowOf(x, m);
    if (w && 'error' in w) errors.push(w.error);
    else out.set(m, w);
  }
  if (!out.size) {
    r.refuse(errors[0] ?? 'I could not place that time in the footage.');
    return null;
  }
  return out;
}

/** The track targets a question is about: its subject, or (without one) the focus, or the anomalous events. */
function subjectTargets(x: Ctx, r: Reply, np: NounPhrase | undefined, fallback: 'events' | 'tracks' | 'focus-or-events'): Target[] | null {
  if (np && !(np.kind === 'pronoun' && ['someone', 'something', 'everyone'].includes(np.pronoun ?? ''))) {
    const res = resolveNounPhrase(x.models, x.req.state, np);
    if (res.unresolved) {
      r.refuse(res.unresolved);
      return null;
    }
    if (res.none) {
      noneFound(x, r, res.none.what, res.none.labels);
      return null;
    }
    return res.targets;
  }
  if (fallback === 'tracks') return x.models.flatMap((m) => m.tracks.map((t) => ({ kind: 'track' as const, m, id: t.id })));
  if (fallback === 'focus-or-events') {
    const f = x.req.state.focus.flatMap((it) => targetFromFocus(x.models, it));
    if (f.length) return f;
  }
  return eventTargets(x.models);
}

function spanCitation(m: EvidenceModel, w?: Window | null): Citation {
  const [s0, s1] = m.analysedSpan;
  return citeInterval(m, w ? w.start : s0, w ? (w.point ? w.start : w.end) : s1);
}

function labelsText(labels: readonly string[] | 'any'): string {
  if (labels === 'any') return 'object';
  for (const [g, ls] of Object.entries(LABEL_GROUPS)) if (ls.length === labels.length && ls.every((l) => labels.includes(l))) return `${g} (${joinList(ls.map((l) => labelNoun(l)), 'or')})`;
  return joinList(labels.map((l) => labelNoun(l)), 'or');
}

function noneFound(x: Ctx, r: Reply, what: string, labels: readonly string[] | 'any'): void {
  for (const m of x.models) {
    r.fact(`${inFile(x, m)}${single(x) ? 'The' : 'the'} analysis found no ${labelsText(labels)} matching "${what}" in the analysed footage ${fmtInterval(...m.analysedSpan)}.`, [spanCitation(m)]);
  }
  r.note('The detector can miss small, distant or hidden objects.');
}

function scoreAt(m: EvidenceModel, w: Window | null): { frame: number; time: number; smoothed: number } | null {
  let best: { frame: number; time: number; smoothed: number } | null = null;
  for (const f of m.data.frames) {
    if (w && (f.time < w.start - m.frameDurationS || f.time > (w.point ? w.start : w.end) + m.frameDurationS)) continue;
    if (!best || f.smoothed > best.smoothed) best = f;
  }
  return best;
}

// ---------- events: yes/no anomaly, list, summary ----------

function eventSentence(x: Ctx, t: Extract<Target, { kind: 'event' }>, withPath: boolean): { text: string; citations: Citation[] } {
  const { m, e } = t;
  const p = m.primaryTrack(e);
  const f = p ? facts({ kind: 'track', m, id: p.id }) : null;
  let text = `${ucFirst(eventLabel(x, t))} ${fmtInterval(e.startTime, e.endTime)}: ${category(x, m, e)}`;
  if (withPath && f) text += ` — ${trackName(m, f.track.id)} ${entryPhrase(m, f)} and ${exitPhrase(m, f)}`;
  return { text: `${inFile(x, m)}${single(x) ? text : text[0].toLowerCase() + text.slice(1)}.`, citations: [eventCitation(m, e)] };
}

function definitionMatches(x: Ctx, m: EvidenceModel, w: Window | null, listed: ModelEvent[]) {
  const out: { text: string; citation: Citation }[] = [];
  for (const d of x.req.definitions) {
    for (const mt of matchDefinition(m, d.rule)) {
      if (!overlaps(mt.start, mt.end, w, m.frameDurationS)) continue;
      if (listed.some((e) => e.startTime <= mt.end && e.endTime >= mt.start && mt.trackIds.some((id) => e.trackIds.includes(id)))) continue;
      out.push({ text: `your definition "${d.text}" matches ${mt.detail} ${fmtInterval(mt.start, mt.end)}`, citation: citeInterval(m, mt.start, mt.end, { frame: mt.frame, trackIds: mt.trackIds, boxes: mt.boxes }) });
    }
  }
  return out;
}

function answerEvents(x: Ctx, mode: 'yesno' | 'list' | 'summary'): Reply {
  const r = new Reply();
  const ws = windows(x, r);
  if (!ws) return r;
  const focusEvents = x.req.state.focus.filter((f) => f.kind === 'event');
  // "anything else?", "before that?", "after that?": what we just discussed is not an answer again.
  const anchoredOnFocus = x.q.time?.a?.kind === 'anchor' && !x.q.time.a.np && (x.q.time.rel === 'before' || x.q.time.rel === 'after');
  const excludeFocus = x.q.elseWord || anchoredOnFocus;
  const all = caseEvents(x.models).map((e) => ({ kind: 'event' as const, ...e }));
  const chosen = all.filter((t) => {
    if (!ws.has(t.m)) return false;
    if (!overlaps(t.e.startTime, t.e.endTime, ws.get(t.m)!, t.m.frameDurationS)) return false;
    if (excludeFocus && focusEvents.some((f) => f.evidenceId === t.m.evidenceId && (f.eventId ? f.eventId === t.e.id : f.start === t.e.startTime))) return false;
    return true;
  });
  const defs = [...ws.entries()].flatMap(([m, w]) => definitionMatches(x, m, w, m.events).map((d) => ({ m, ...d })));
  const wText = (m: EvidenceModel) => windowText(ws.get(m) ?? null);

  if (!chosen.length && !defs.length) {
    for (const [m, w] of ws) {
      const best = scoreAt(m, w);
      const thr = m.data.params?.enterThreshold;
      const lead = mode === 'yesno' ? 'No: ' : x.q.elseWord && focusEvents.length ? 'Nothing else: ' : '';
      const base = `${lead}${inFile(x, m)}${lead || !single(x) ? 'no' : 'No'} part of ${m.info.fileName}${wText(m) || ` ${fmtInterval(...m.analysedSpan)}`} scored as anomalous${x.q.elseWord && focusEvents.length ? ' apart from what we just discussed' : ''}`;
      const cites = [spanCitation(m, w)];
      let text = base;
      if (best) {
        text += `; the highest smoothed frame score there is ${best.smoothed.toFixed(2)} at ${fmtS(best.time)} s${thr !== undefined ? ` (events start at ${thr})` : ''}`;
        cites.push(citeInterval(m, best.time, best.time, { frame: best.frame }));
      }
      r.fact(`${text}.`, cites);
      if (mode === 'summary') sceneSentence(x, r, m, w);
    }
    r.about([], []);
    return r;
  }
  if (mode === 'yesno') {
    const n = chosen.length;
    const lead = n
      ? `Yes: ${n} anomalous event${n === 1 ? '' : 's'}${x.models.length === 1 ? wText(x.models[0]) : ''}${n === 1 ? ` (${category(x, chosen[0].m, chosen[0].e)}, ${fmtInterval(chosen[0].e.startTime, chosen[0].e.endTime)})` : ''}.`
      : `Yes: no event was scored as anomalous${x.models.length === 1 ? wText(x.models[0]) : ''}, but ${defs[0].text}.`;
    r.fact(lead, n ? chosen.map((t) => eventCitation(t.m, t.e)) : [defs[0].citation]);
    if (n > 1) for (const t of chosen.slice(0, MAX_ITEMS)) {
      const s = eventSentence(x, t, false);
      r.fact(s.text, s.citations);
    }
    if (n) for (const d of defs.slice(0, MAX_ITEMS)) r.fact(`${ucFirst(d.text)}.`, [d.citation]);
    else for (const d of defs.slice(1, MAX_ITEMS)) r.fact(`${ucFirst(d.text)}.`, [d.citation]);
  } else {
    if (x.q.elseWord && focusEvents.length && chosen.length) r.note('Apart from what we just discussed:');
    if (mode === 'list' && chosen.length > 1) r.fact(`${chosen.length} anomalous events${x.models.length === 1 ? wText(x.models[0]) : ''}.`, chosen.map((t) => eventCitation(t.m, t.e)));
    for (const t of chosen.slice(0, mode === 'summary' ? MAX_ITEMS : MAX_ITEMS * 2)) {
      const s = eventSentence(x, t, true);
      r.fact(s.text, s.citations);
    }
    if (chosen.length > MAX_ITEMS * 2) r.note(`… and ${chosen.length - MAX_ITEMS * 2} more; ask for a time range to see them.`);
    for (const d of defs.slice(0, MAX_ITEMS)) r.fact(`${ucFirst(d.text)}.`, [d.citation]);
    if (mode === 'summary') for (const [m, w] of ws) sceneSentence(x, r, m, w);
  }
  r.about(chosen, chosen);
  return r;
}

function sceneSentence(x: Ctx, r: Reply, m: EvidenceModel, w: Window | null): void {
  const ts = w ? m.tracksDuring(w.start, w.point ? w.start : w.end) : m.tracks;
  if (!ts.length) {
    r.fact(`${inFile(x, m)}${single(x) ? 'No' : 'no'} objects were tracked${windowText(w) || ` in ${fmtInterval(...m.analysedSpan)}`}.`, [spanCitation(m, w)]);
    return;
  }
  const counts = new Map<string, number>();
  for (const t of ts) counts.set(t.label, (counts.get(t.label) ?? 0) + 1);
  const parts = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([l, n]) => `${n} ${labelNoun(l, n)}`);
  r.fact(`${inFile(x, m)}${single(x) ? 'In' : 'in'} all, ${ts.length} object track${ts.length === 1 ? '' : 's'} ${windowText(w) ? `were seen${windowText(w)}` : `were seen in ${fmtInterval(...m.analysedSpan)}`}: ${joinList(parts)}.`, [spanCitation(m, w)]);
}

// ---------- when ----------

function answerWhen(x: Ctx): Reply {
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

/** A "when"/"why" about the anomaly when there is none: said with its evidence, and refused (no interval exists). */
function noEventsForWhen(x: Ctx): Reply {
  const r = new Reply();
  r.refused = true;
  for (const m of x.models) {
    const best = scoreAt(m, null);
    r.fact(`${inFile(x, m)}${single(x) ? 'No' : 'no'} anomalous event was found in ${m.info.fileName} ${fmtInterval(...m.analysedSpan)}${best ? `; the highest smoothed frame score is ${best.smoothed.toFixed(2)} at ${fmtS(best.time)} s` : ''}.`, [spanCitation(m), ...(best ? [citeInterval(m, best.time, best.time, { frame: best.frame })] : [])]);
  }
  return r;
}

// ---------- where / path ----------

function momentIn(f: TrackFacts, w: Window | null) {
  if (!w) return f.peak;
  const t = w.point ? w.start : (Math.max(w.start, f.first.time) + Math.min(w.end, f.last.time)) / 2;
  let best = f.obs[0];
  for (const o of f.obs) if (Math.abs(o.time - t) < Math.abs(best.time - t)) best = o;
  return { time: best.time, frame: best.frame, box: best.box, score: best.score };
}

function answerWhere(x: Ctx): Reply {
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

function answerPath(x: Ctx): Reply {
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

// ---------- speed / compare ----------

function groupSpeeds(x: Ctx, np: NounPhrase | undefined, exclude: Target[]): { label: string; speeds: number[]; ids: Target[] } | null {
  let ts: Target[];
  let label: string;
  if (!np || np.other || (np.kind === 'object' && np.sense?.labels === 'any')) {
    ts = x.models.flatMap((m) => m.tracks.map((t) => ({ kind: 'track' as const, m, id: t.id })));
    label = 'the other objects';
  } else {
    const res = resolveNounPhrase(x.models, x.req.state, { ...np, det: 'every' });
    ts = primaryTracks(res.targets);
    label = np.text.replace(/^the /, '');
  }
  ts = ts.filter((t) => !exclude.some((e) => e.m === t.m && e.kind === 'track' && t.kind === 'track' && e.id === t.id));
  const speeds = ts.map((t) => (t.kind === 'track' ? t.m.track(t.id)?.meanSpeed : undefined)).filter((v): v is number => Number.isFinite(v)).sort((a, b) => a - b);
  if (!speeds.length) return null;
  return { label, speeds, ids: ts };
}

const med = (s: number[]) => (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);

function answerSpeed(x: Ctx, compare: boolean): Reply {
  const r = new Reply();
  let ts = subjectTargets(x, r, x.q.subject, x.q.superlative === 'fastest' || x.q.superlative === 'slowest' ? 'tracks' : 'focus-or-events');
  if (!ts) return r;
  let tracks = primaryTracks(ts);
  if (x.q.superlative === 'fastest' || x.q.superlative === 'slowest') {
    const sorted = tracks.filter((t) => t.kind === 'track' && Number.isFinite(t.m.track(t.id)!.meanSpeed) && t.m.track(t.id)!.endTime - t.m.track(t.id)!.startTime >= 2 * t.m.frameDurationS)
      .sort((a, b) => (a.kind === 'track' && b.kind === 'track' ? a.m.track(a.id)!.meanSpeed - b.m.track(b.id)!.meanSpeed : 0));
    tracks = sorted.length ? [x.q.superlative === 'fastest' ? sorted[sorted.length - 1] : sorted[0]] : [];
    if (!tracks.length) {
      r.refuse('No tracked object lived long enough to measure its speed.');
      return r;
    }
  }
  const shown: Target[] = [];
  for (const t of tracks.slice(0, MAX_ITEMS)) {
    const f = facts(t);
    if (!f) continue;
    const m = t.m;
    const sup = x.q.superlative === 'fastest' ? 'The fastest object is ' : x.q.superlative === 'slowest' ? 'The slowest object is ' : '';
    const name = sup ? trackName(m, f.track.id) : ucFirst(trackName(m, f.track.id));
    r.fact(`${inFile(x, m)}${sup}${name}${sup ? ', moving' : ' moves'} at ${speedValue(f.meanSpeed)} on average (up to ${f.maxSpeed.toFixed(1)}), ${percentilePhrase(m, f)}.`, [citeTrackAt(m, f.track.id, f.first.time, f.last.time + m.frameDurationS, f.peak)]);
    shown.push(t);
  }
  const against = x.q.compare?.against ?? (compare ? x.q.object : undefined);
  if ((compare || x.q.compare) && shown.length) {
    const g = groupSpeeds(x, against, shown);
    const own = shown.map((t) => (t.kind === 'track' ? t.m.track(t.id)!.meanSpeed : 0));
    if (!g) r.note(`There is nothing else of that kind to compare with.`);
    else {
      const gm = med(g.speeds);
      const ratio = gm > 0 ? own[0] / gm : Infinity;
      const m0 = shown[0].m;
      const cites = g.ids.slice(0, 12).filter((t) => t.kind === 'track').map((t) => {
        const tr = t.m.track((t as { id: number }).id)!;
        return citeInterval(t.m, tr.startTime, tr.endTime, { trackIds: [tr.id] });
      });
      r.fact(`${ucFirst(g.label)} (${g.speeds.length} track${g.speeds.length === 1 ? '' : 's'}) move at a median of ${speedValue(gm)}, so ${shown.length === 1 ? 'it is' : 'the first is'} ${Number.isFinite(ratio) ? `${ratio >= 1 ? `${ratio.toFixed(1)} times as fast` : `${(1 / ratio).toFixed(1)} times slower`}` : 'moving while they stand still'}.`, cites.length ? cites : [spanCitation(m0)]);
    }
  }
  r.note('Speeds are in object heights per second (an object\'s own height per second), which compares objects near and far from the camera.');
  r.about(shown, shown.length > 1 ? shown : undefined);
  return r;
}

// ---------- appearance ----------

async function answerAppearance(x: Ctx): Promise<Reply> {
  const r = new Reply();
  if (x.q.unsupported.length) return refuseUnsupported(x, r);
  const ts = subjectTargets(x, r, x.q.subject, 'focus-or-events');
  if (!ts) return r;
  const tracks = primaryTracks(ts).slice(0, 3);
  const asked = x.q.colours.filter((c) => c !== 'dark' && c !== 'light');
  const shown: Target[] = [];
  for (const t of tracks) {
    if (t.kind !== 'track') continue;
    let a: TrackAppearance;
    try {
      a = await measureTrackAppearance(t.m, t.id, x.req.signal);
    } catch (e) {
      r.refuse((e as Error).message);
      continue;
    }
    const name = trackName(t.m, t.id);
    const cites = a.samples.map((s) => citeTrackAt(t.m, t.id, s.time, s.time, s));
    shown.push(t);
    if (a.monochrome) {
      r.refuse(`${t.m.info.fileName} has no colour information (the picture is grayscale), so the colour of ${name} cannot be measured.`);
      r.fact(`In brightness it is ${a.brightness < 0.35 ? 'dark' : a.brightness > 0.65 ? 'light' : 'mid-gray'} (mean ${(a.brightness * 100).toFixed(0)} % of white inside its box).`, cites);
      continue;
    }
    const desc = a.colours.length ? joinList(a.colours.map((c) => `${c.name} (${Math.round(c.share * 100)} %)`)) : 'of mixed colour with no dominant one';
    if (x.q.form === 'yesno' && asked.length) {
      const hit = asked.filter((c) => a.colours.some((m) => m.name === c));
      r.fact(`${hit.length ? 'Yes' : 'No'}: inside its box ${name} is mostly ${desc}.`, cites);
    } else r.fact(`${inFile(x, t.m)}${ucFirst(name)} is mostly ${desc}, measured inside its box on frames ${joinList(a.samples.map((s) => String(s.frame)))}.`, cites);
  }
  if (shown.length) r.note('Colours are measured over the whole box, so background showing around the object can contribute.');
  r.about(shown, shown.length > 1 ? shown : undefined);
  if (!shown.length && !r.sentences.length) r.refuse('There is no object to measure.');
  return r;
}

// ---------- count ----------

function answerCount(x: Ctx): Reply {
  const r = new Reply();
  const np = x.q.subject;
  let labels: readonly string[] | 'any' = 'any';
  let what = 'objects';
  if (np?.kind === 'object' && np.sense) {
    labels = np.sense.labels;
    what = labelNoun(np.sense.head, 2);
    if (np.sense.labels !== 'any' && np.sense.labels.length === 1) what = labelNoun(np.sense.labels[0], 2);
  } else if (np?.kind === 'pronoun' && np.pronoun === 'someone') {
    labels = ['person'];
    what = 'people';
  } else if (np?.kind === 'event') {
    return answerEvents(x, 'list');
  }
  const ws = windows(x, r);
  if (!ws) return r;
  const counted: Target[] = [];
  for (const [m, w] of ws) {
    // Places: zones by name; a place word with no zone of that name is said plainly.
    let zone = undefined as ReturnType<EvidenceModel['zoneByName']>;
    for (const p of x.q.places) {
      zone = m.zoneByName(p.name);
      if (!zone) {
        r.refuse(`There is no zone called "${p.name}" on ${m.info.fileName}${m.zones.length ? ` (its zones: ${m.zones.map((z) => z.name).join(', ')})` : ''}; draw it first. Counting the whole view instead.`);
      } else break;
    }
    const keep = (label: string) => labels === 'any' || labels.includes(label);
    const where = zone ? ` in zone ${zone.name}` : '';
    if (w?.point) {
      const at = m.observationsAt(w.start);
      if (!at) continue;
      const obs = at.obs.filter((o) => keep(o.label) && (!zone || m.inZone(o.box, zone)));
      const n = obs.length;
      r.fact(`${inFile(x, m)}${single(x) ? 'At' : 'at'} ${fmtS(at.frame.time)} s (frame ${at.frame.frame}) there ${n === 1 ? 'is' : 'are'} ${n} ${n === 1 ? singularOf(what) : what}${where}${n ? `: ${n <= 12 ? `${n === 1 ? 'track' : 'tracks'} ${joinList(obs.map((o) => String(o.trackId)))}` : 'see the boxes'}` : ''}.`,
        [citeInterval(m, at.frame.time, at.frame.time, { frame: at.frame.frame, trackIds: obs.map((o) => o.trackId), boxes: obs.map((o) => ({ trackId: o.trackId, box: o.box })) })]);
      counted.push(...obs.map((o) => ({ kind: 'track' as const, m, id: o.trackId })));
      continue;
    }
    let ts = (w ? m.tracksDuring(w.start, w.end) : m.tracks).filter((t) => keep(t.label));
    if (zone) ts = ts.filter((t) => facts({ kind: 'track', m, id: t.id })?.zones.some((z) => z.zone.id === zone!.id && overlaps(z.start, z.end, w, m.frameDurationS)));
    const [s0, s1] = w ? [w.start, w.end] : m.analysedSpan;
    const noun = ts.length === 1 ? singularOf(what) : what;
    r.fact(`${inFile(x, m)}${ts.length} ${noun}${where} ${ts.length === 1 ? 'was' : 'were'} tracked ${w ? `during ${fmtInterval(s0, s1)}` : `in ${fmtInterval(s0, s1)}`}${ts.length && ts.length <= 12 ? `: ${ts.length === 1 ? 'track' : 'tracks'} ${joinList(ts.map((t) => String(t.id)))}` : ''}.`,
      [citeInterval(m, s0, s1, { trackIds: ts.map((t) => t.id) })]);
    counted.push(...ts.map((t) => ({ kind: 'track' as const, m, id: t.id })));
  }
  r.note(w0(ws) ? 'Counts are of objects the detector and tracker found in that frame; people hidden behind others are not counted.' : 'Counts are of tracks: one object that was lost and found again can count twice.');
  r.about(counted, counted);
  return r;
}

function singularOf(plural: string): string {
  if (plural === 'people') return 'person';
  if (plural.endsWith('ies')) return `${plural.slice(0, -3)}y`;
  if (/(ses|shes|ches|xes)$/.test(plural)) return plural.slice(0, -2);
  return plural.replace(/s$/, '');
}

const w0 = (ws: Map<EvidenceModel, Window | null>) => [...ws.values()].some((w) => w?.point);

// ---------- yes/no about objects ----------

interface Hit {
  t: Target;
  text: string;
  citations: Citation[];
}

function answerExists(x: Ctx): Reply {
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

function describePredicate(q: ParsedQuestion, what: string, objectLabels: readonly string[] | null): string {
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

// ---------- why / what / show ----------

function answerWhy(x: Ctx): Reply {
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

function kindPhrase(m: EvidenceModel, f: TrackFacts): string {
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

function answerWhat(x: Ctx): Reply {
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
  if (!ts.length) return answerEvents(x, 'summary');
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

function answerShow(x: Ctx): Reply {
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

function answerCompare(x: Ctx): Reply {
  const r = answerSpeed(x, true);
  return r;
}

// ---------- refusals ----------

function refuseUnsupported(x: Ctx, r: Reply): Reply {
  const u = x.q.unsupported[0];
  r.refuse(`The installed models cannot answer this: "${u.word}" ${u.reason}.`);
  // For an object the detector has no class for, point at what the analysis did find instead.
  if (!/object classes/.test(u.reason)) return r;
  const evs = caseEvents(x.models);
  const unknown = x.models.flatMap((m) => m.tracks.filter((t) => t.label === 'unknown' && m.eventsOfTrack(t.id).length).map((t) => ({ m, t })));
  if (unknown.length) {
    r.fact(`Objects the detector could not classify that take part in anomalous events: ${joinList(unknown.slice(0, 5).map(({ m, t }) => `${trackName(m, t.id)} ${fmtInterval(t.startTime, t.endTime)}`))}.`, unknown.slice(0, 5).map(({ m, t }) => citeInterval(m, t.startTime, t.endTime, { trackIds: [t.id] })));
  } else if (evs.length) {
    r.fact(`The anomalous events found are: ${joinList(evs.slice(0, 5).map((e) => `event ${e.index} ${fmtInterval(e.e.startTime, e.e.endTime)} (${category(x, e.m, e.e)})`))}.`, evs.slice(0, 5).map((e) => eventCitation(e.m, e.e)));
  }
  return r;
}

const CAPABILITIES = 'I can answer whether anything was anomalous, when, where, which way and how fast things moved, what kind of object something was (as the detector labels it), how many objects were present, what colour they were, and why an event was flagged.';

// ---------- choice ----------

function choose(x: Ctx, stemAnswer: Reply): Reply {
  const opts = x.q.options ?? [];
  const r = new Reply();
  const tracks = primaryTracks(x.req.state.focus.flatMap((f) => targetFromFocus(x.models, f)));
  const focusT = stemAnswer.toAnswer().focus?.flatMap((f) => targetFromFocus(x.models, f)) ?? tracks;
  const trackFacts = primaryTracks(focusT).map((t) => facts(t)).filter((f): f is TrackFacts => !!f);
  const verb = x.q.mainVerb;
  const text = stemAnswer.sentences.filter((s) => s.factual).map((s) => s.text.toLowerCase()).join(' ');
  const first = primaryTracks(focusT)[0];
  const partnerLabels = first && first.kind === 'track' ? trackInteractions(first.m, first.id).filter((i) => i.kind === 'with').map((i) => first.m.track(i.a === first.id ? i.b : i.a)!.label) : [];
  const scores = opts.map((o) => {
    const p = o.parsed;
    let score = 0;
    const f = trackFacts[0];
    if (f && (p.sides.length || p.still || p.already)) {
      const side = verb === 'leave' || verb === 'disappear' || verb === 'go' ? f.exit.side : f.entry.side;
      if (side === 'inside') score += p.still || p.already || /in view|already|still/.test(o.text.toLowerCase()) ? 2 : 0;
      else if (p.sides.some((s) => s.side === side)) score += 2;
    }
    if (p.nps.length && f) {
      const labels = new Set([f.track.label, ...partnerLabels]);
      for (const n of p.nps) if (n.sense && n.sense.labels !== 'any' && n.sense.labels.some((l) => labels.has(l))) score += 2 - (n.sense.labels.length > 2 ? 0.5 : 0);
    }
    if (p.time && stemAnswer.sentences[0]?.citations[0]) {
      const c = stemAnswer.sentences[0].citations[0];
      const a = p.time.a?.kind === 'abs' ? p.time.a.t : null;
      const b = p.time.b?.kind === 'abs' ? p.time.b.t : null;
      if (a !== null && b !== null) {
        const inter = Math.max(0, Math.min(b, c.endTime) - Math.max(a, c.startTime));
        const uni = Math.max(b, c.endTime) - Math.min(a, c.startTime);
        score += uni > 0 ? 2 * (inter / uni) : 0;
      }
    }
    const yes = /^(yes|true)\b/i.test(o.text.trim());
    const no = /^(no|false)\b/i.test(o.text.trim());
    if (yes || no) {
      const lead = stemAnswer.sentences[0]?.text ?? '';
      if ((yes && /^yes/i.test(lead)) || (no && /^no/i.test(lead))) score += 2;
    }
    // Word overlap with the grounded answer as a weak tie-breaker.
    const words = o.text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2);
    if (words.length) score += (0.5 * words.filter((w) => text.includes(w)).length) / words.length;
    return score;
  });
  const best = Math.max(...scores);
  const winners = scores.map((s, i) => (s === best ? i : -1)).filter((i) => i >= 0);
  const lead = stemAnswer.sentences.find((s) => s.factual);
  if (best < 1 || winners.length !== 1 || !lead) {
    r.refuse(lead ? 'None of the options can be chosen from the evidence; this is what the analysis shows:' : 'None of the options can be chosen from the evidence.');
    if (lead) r.fact(lead.text, lead.citations);
    return r;
  }
  const o = opts[winners[0]];
  r.choice = o.letter;
  r.fact(`${o.letter}. ${lead.text}`, lead.citations);
  const ans = stemAnswer.toAnswer();
  if (ans.focus) r.about(ans.focus.flatMap((f) => targetFromFocus(x.models, f)));
  return r;
}

// ---------- dispatch ----------

async function dispatch(x: Ctx): Promise<Reply> {
  const q = x.q;
  if (q.language === 'other') return new Reply().refuse('Vigil understands questions in English only. Please ask again in English.');
  if (q.unsupported.length) return refuseUnsupported(x, new Reply());
  switch (q.intent) {
    case 'anomaly':
      return answerEvents(x, 'yesno');
    case 'list':
      return answerEvents(x, 'list');
    case 'summary':
      return answerEvents(x, 'summary');
    case 'when':
      return answerWhen(x);
    case 'where':
      return answerWhere(x);
    case 'path':
      return answerPath(x);
    case 'speed':
      return answerSpeed(x, !!q.compare);
    case 'compare': {
      // "compare the cyclist with the pedestrians": the with-phrase is what to compare against.
      const subj = q.subject;
      if (subj?.relation && !q.object) return answerCompare({ ...x, q: { ...q, subject: { ...subj, relation: undefined }, object: subj.relation.np } });
      return answerCompare(x);
    }
    case 'appearance':
      return answerAppearance(x);
    case 'count':
      return answerCount(x);
    case 'exists':
      return answerExists(x);
    case 'why':
      return answerWhy(x);
    case 'what':
      return answerWhat(x);
    case 'show':
      return answerShow(x);
    case 'choice': {
      const stem = { ...q, intent: q.options ? stemIntent(q) : q.intent, options: undefined };
      const inner = await dispatch({ ...x, q: stem });
      if (inner.refused && !inner.hasFacts) return inner;
      return choose(x, inner);
    }
    case 'followup':
    case 'unknown':
      return new Reply().refuse(`I could not understand the question. ${CAPABILITIES}`);
  }
}

/** The intent of a multiple-choice stem, as if it had no options. */
function stemIntent(q: ParsedQuestion): ParsedQuestion['intent'] {
  const re = parseQuestion(q.text);
  if (re.intent === 'unknown' || re.intent === 'followup') return q.whFocus === 'kind' || q.wh === 'what' ? 'what' : 'exists';
  return re.intent;
}

/**
 * Merges a fragment follow-up ("and the skateboarder?", "the second one?", "before that?") into the
 * previous full question: the fragment's subject and time replace the old ones.
 */
export function mergeFollowup(prev: ParsedQuestion, frag: ParsedQuestion): ParsedQuestion {
  return {
    ...prev,
    text: `${prev.text} [${frag.text}]`,
    subject: frag.subject ?? prev.subject,
    object: frag.subject ? frag.object : prev.object,
    time: frag.time ?? prev.time,
    sides: frag.sides.length ? frag.sides : prev.sides,
    places: frag.places.length ? frag.places : prev.places,
    colours: frag.colours.length ? frag.colours : prev.colours,
    elseWord: frag.elseWord || prev.elseWord,
    unsupported: [...prev.unsupported, ...frag.unsupported],
  };
}

export class GroundedAnswerer implements Answerer {
  readonly name = 'grounded';

  async answer(req: AnswerRequest): Promise<Answer> {
    let q = req.parsed;
    if (q.intent === 'followup' && req.state.lastQuestion) {
      const prev = parseQuestion(req.state.lastQuestion, { zoneNames: req.evidence.flatMap((m) => m.zones.map((z) => z.name)) });
      if (prev.intent !== 'followup' && prev.intent !== 'unknown') {
        const merged = mergeFollowup(prev, q);
        // "the second one?" after a list asks about that item, not for the list again.
        if (q.subject && ['list', 'anomaly', 'summary', 'count'].includes(prev.intent)) merged.intent = 'what';
        // "before that?" / "after that?" alone asks what happened then.
        if (!q.subject && q.time && ['when', 'why', 'what', 'show', 'where', 'path'].includes(prev.intent)) {
          merged.intent = 'summary';
          merged.subject = undefined;
        }
        q = merged;
      }
    }
    const x: Ctx = { req, q, models: req.evidence, categories: new Map() };
    const r = await dispatch(x);
    if (!r.sentences.length) r.refuse('The analysis holds nothing that answers this.');
    return r.toAnswer();
  }
}

export { dedupe };
