/** Answers about anomalous events as a whole: "is there an anomaly?", "list the events", "what happened?". */
import { eventCitation } from '../categorize.js';
import { citeInterval, fmtInterval, fmtS, type Citation } from '../citations.js';
import { matchDefinition } from '../definitions.js';
import type { EvidenceModel, ModelEvent } from '../evidence-model.js';
import { entryPhrase, exitPhrase, joinList, trackName } from '../phrasing.js';
import { caseEvents, type Target, type Window } from '../references.js';
import { Reply } from '../reply.js';
import { labelNoun } from '../vocabulary.js';
import { MAX_ITEMS, type Ctx, single, inFile, ucFirst, facts, category, eventLabel, windowText, overlaps, windows, spanCitation, scoreAt } from './context.js';

export function eventSentence(x: Ctx, t: Extract<Target, { kind: 'event' }>, withPath: boolean): { text: string; citations: Citation[] } {
  const { m, e } = t;
  const p = m.primaryTrack(e);
  const f = p ? facts({ kind: 'track', m, id: p.id }) : null;
  let text = `${ucFirst(eventLabel(x, t))} ${fmtInterval(e.startTime, e.endTime)}: ${category(x, m, e)}`;
  if (withPath && f) text += ` — ${trackName(m, f.track.id)} ${entryPhrase(m, f)} and ${exitPhrase(m, f)}`;
  return { text: `${inFile(x, m)}${single(x) ? text : text[0].toLowerCase() + text.slice(1)}.`, citations: [eventCitation(m, e)] };
}

export function definitionMatches(x: Ctx, m: EvidenceModel, w: Window | null, listed: ModelEvent[]) {
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

export function answerEvents(x: Ctx, mode: 'yesno' | 'list' | 'summary'): Reply {
  const r = new Reply();
  const ws = windows(x, r);
  if (!ws) return r;
  // "Anything else?" leaves out every event already talked about; "before/after that" the ones in focus.
  const focusEvents = x.q.elseWord ? [...(x.req.state.discussed ?? []), ...x.req.state.focus.filter((f) => f.kind === 'event')] : x.req.state.focus.filter((f) => f.kind === 'event');
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

export function sceneSentence(x: Ctx, r: Reply, m: EvidenceModel, w: Window | null): void {
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

/** A "when"/"why" about the anomaly when there is none: said with its evidence, and refused (no interval exists). */
export function noEventsForWhen(x: Ctx): Reply {
  const r = new Reply();
  r.refused = true;
  for (const m of x.models) {
    const best = scoreAt(m, null);
    r.fact(`${inFile(x, m)}${single(x) ? 'No' : 'no'} anomalous event was found in ${m.info.fileName} ${fmtInterval(...m.analysedSpan)}${best ? `; the highest smoothed frame score is ${best.smoothed.toFixed(2)} at ${fmtS(best.time)} s` : ''}.`, [spanCitation(m), ...(best ? [citeInterval(m, best.time, best.time, { frame: best.frame })] : [])]);
  }
  return r;
}
