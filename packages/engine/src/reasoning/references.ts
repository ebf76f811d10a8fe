/**
 * Reference resolution: what a noun phrase or time expression of a question points at in the evidence.
 * "it" / "that person" / "they" → the previous answer's focus; "the second one" → the previous answer's
 * list; "event 2" / "track 5" → by number; "the cyclist" → bicycle tracks (preferring ones already in
 * focus, then ones in anomalous events); "before that" / "after the cart leaves" → intervals from the focus
 * or from the named object's entry/exit.
 */
import type { ConversationState, FocusItem } from './answerer.js';
import type { EvidenceModel, ModelEvent } from './evidence-model.js';
import { trackInteractions } from './interactions.js';
import type { NounPhrase, ParsedQuestion, TimeConstraint, TimePoint } from './question-parser.js';

export type Target = { m: EvidenceModel; kind: 'track'; id: number } | { m: EvidenceModel; kind: 'event'; e: ModelEvent; index: number };

export interface Resolution {
  targets: Target[];
  /** Why nothing was found (e.g. no bicycle was detected), for the answer to say. */
  none?: { what: string; labels: readonly string[] | 'any' };
  /** The phrase could not be resolved at all (pronoun without antecedent). */
  unresolved?: string;
}

/** Events of the case in case order (evidence order, then time), numbered from 1. */
export function caseEvents(models: readonly EvidenceModel[]): { m: EvidenceModel; e: ModelEvent; index: number }[] {
  const out: { m: EvidenceModel; e: ModelEvent; index: number }[] = [];
  for (const m of models) for (const e of m.events) out.push({ m, e, index: out.length + 1 });
  return out;
}

export function eventTargets(models: readonly EvidenceModel[]): Target[] {
  return caseEvents(models).map((x) => ({ kind: 'event', ...x }));
}

export function focusOf(t: Target): FocusItem {
  if (t.kind === 'event') return { evidenceId: t.m.evidenceId, kind: 'event', trackIds: t.e.trackIds, eventId: t.e.id, seq: t.index, start: t.e.startTime, end: t.e.endTime };
  const tr = t.m.track(t.id)!;
  return { evidenceId: t.m.evidenceId, kind: 'track', trackIds: [t.id], label: tr.label, start: tr.startTime, end: tr.endTime };
}

export function targetFromFocus(models: readonly EvidenceModel[], f: FocusItem): Target[] {
  const m = models.find((x) => x.evidenceId === f.evidenceId);
  if (!m) return [];
  if (f.kind === 'event') {
    const all = caseEvents(models);
    const hit = all.find((x) => x.m === m && ((f.eventId && x.e.id === f.eventId) || (!f.eventId && x.e.startTime === f.start && x.e.endTime === f.end)));
    return hit ? [{ kind: 'event', ...hit }] : [];
  }
  return f.trackIds.filter((id) => m.track(id)).map((id) => ({ kind: 'track', m, id }));
}

function fromItems(models: readonly EvidenceModel[], items: FocusItem[]): Target[] {
  return items.flatMap((f) => targetFromFocus(models, f));
}

/** Track targets of a target list (events contribute their primary track). */
export function primaryTracks(ts: Target[]): Target[] {
  const out: Target[] = [];
  for (const t of ts) {
    if (t.kind === 'track') out.push(t);
    else {
      const p = t.m.primaryTrack(t.e);
      if (p) out.push({ kind: 'track', m: t.m, id: p.id });
    }
  }
  return dedupe(out);
}

export function dedupe(ts: Target[]): Target[] {
  const seen = new Set<string>();
  return ts.filter((t) => {
    const k = `${t.m.evidenceId}|${t.kind}|${t.kind === 'track' ? t.id : t.e.seq}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function pickOrdinal<T>(list: T[], ord: NounPhrase['ordinal']): T[] {
  if (ord === undefined) return list;
  if (ord === 'last') return list.length ? [list[list.length - 1]] : [];
  if (typeof ord === 'number') return list[ord - 1] ? [list[ord - 1]] : [];
  return list;
}

function sameTarget(a: Target, b: Target): boolean {
  if (a.m !== b.m || a.kind !== b.kind) return false;
  return a.kind === 'track' ? a.id === (b as typeof a).id : a.e === (b as typeof a).e;
}

/** Targets a noun phrase refers to. `np` undefined → undefined (the caller picks a default). */
export function resolveNounPhrase(models: readonly EvidenceModel[], state: ConversationState, np: NounPhrase): Resolution {
  const focus = fromItems(models, state.focus);
  const list = fromItems(models, state.list);
  switch (np.kind) {
    case 'event-ref': {
      const hit = caseEvents(models).find((x) => x.index === np.refId);
      return hit ? { targets: [{ kind: 'event', ...hit }] } : { targets: [], unresolved: `There is no event ${np.refId} in this case (it has ${caseEvents(models).length}).` };
    }
    case 'track-ref': {
      const ts: Target[] = models.filter((m) => m.track(np.refId!)).map((m) => ({ kind: 'track', m, id: np.refId! }));
      return ts.length ? { targets: ts } : { targets: [], unresolved: `There is no track ${np.refId} in the analyses of this case.` };
    }
    case 'event': {
      const all = eventTargets(models);
      if (np.ordinal !== undefined) {
        const picked = pickOrdinal(all, np.ordinal);
        return picked.length ? { targets: picked } : { targets: [], unresolved: `There is no ${np.text.replace(/^the /, '')}: the case has ${all.length} anomalous event${all.length === 1 ? '' : 's'}.` };
      }
      if (np.other) return { targets: all.filter((t) => !focus.some((f) => f.kind === 'event' && sameTarget(f, t))) };
      if (!np.plural && np.det !== 'any' && np.det !== 'indef' && np.det !== 'every') {
        const inFocus = focus.filter((t) => t.kind === 'event');
        if (inFocus.length) return { targets: inFocus };
      }
      return { targets: all };
    }
    case 'pronoun': {
      const p = np.pronoun;
      if (p === 'someone' || p === 'something' || p === 'everyone') return { targets: [] };
      if (np.ordinal !== undefined) {
        const source = list.length ? list : focus;
        const picked = pickOrdinal(source, np.ordinal);
        return picked.length ? { targets: picked } : { targets: [], unresolved: `I listed ${source.length} item${source.length === 1 ? '' : 's'} before, so "${np.text}" does not point at anything.` };
      }
      if (np.other) {
        const source = list.length ? list : eventTargets(models);
        const rest = source.filter((t) => !focus.some((f) => sameTarget(f, t)));
        return rest.length ? { targets: rest } : { targets: [], unresolved: `There is no other one to refer to.` };
      }
      if (focus.length) return { targets: focus };
      const events = eventTargets(models);
      if (events.length === 1) return { targets: events };
      return { targets: [], unresolved: `I do not know what "${np.text}" refers to yet. Ask about an event or an object first (for example "what happened?").` };
    }
    case 'object': {
      const sense = np.sense!;
      let ts: Target[] = [];
      // "the anomalous object": the main object of each event, in event order (then the other event tracks).
      if (np.anomalous && sense.labels === 'any') {
        const evs = caseEvents(models);
        const prim = dedupe(evs.flatMap(({ m, e }) => {
          const p = m.primaryTrack(e);
          return p ? [{ kind: 'track' as const, m, id: p.id }] : [];
        }));
        const rest = np.plural ? dedupe(evs.flatMap(({ m, e }) => e.trackIds.filter((id) => m.track(id)).map((id) => ({ kind: 'track' as const, m, id })))) : [];
        ts = dedupe([...prim, ...rest]);
        if (np.ordinal !== undefined) ts = pickOrdinal(ts, np.ordinal);
        return ts.length ? { targets: ts } : { targets: [], none: { what: np.text, labels: 'any' } };
      }
      for (const m of models) {
        for (const t of m.tracks) {
          if (sense.labels !== 'any' && !sense.labels.includes(t.label)) continue;
          ts.push({ kind: 'track', m, id: t.id });
        }
      }
      if (sense.labels === 'any' && np.det === undefined && !np.anomalous) ts = ts.filter((t) => t.kind === 'track');
      if (sense.role === 'runner') ts = ts.filter((t) => t.kind === 'track' && safeFacts(t)?.speedPercentile! >= 90);
      if (np.manner === 'fast') ts = ts.filter((t) => t.kind === 'track' && (safeFacts(t)?.speedPercentile ?? 0) >= 80);
      if (np.manner === 'slow') ts = ts.filter((t) => t.kind === 'track' && (safeFacts(t)?.speedPercentile ?? 100) <= 20);
      if (np.manner === 'stationary') ts = ts.filter((t) => t.kind === 'track' && (safeFacts(t)?.stationary.length ?? 0) > 0);
      if (np.anomalous) ts = ts.filter((t) => t.kind === 'track' && t.m.eventsOfTrack(t.id).length > 0);
      const rel = np.relation?.np.sense;
      if (rel && rel.labels !== 'any') {
        const want = rel.labels;
        ts = ts.filter((t) => t.kind === 'track' && trackInteractions(t.m, t.id).some((x) => x.kind === 'with' && want.includes(t.m.track(x.a === t.id ? x.b : x.a)?.label ?? '')));
      }
      if (np.other) ts = ts.filter((t) => !focus.some((f) => sameTarget(f, t)));
      // Order by first appearance, so "the second cyclist" is the second one to show up.
      ts.sort((a, b) => (a.kind === 'track' && b.kind === 'track' ? a.m.track(a.id)!.startTime - b.m.track(b.id)!.startTime : 0));
      if (np.ordinal !== undefined) ts = pickOrdinal(ts, np.ordinal);
      if (!ts.length) return { targets: [], none: { what: np.text, labels: sense.labels } };
      // A definite singular ("the cyclist") prefers what we were just talking about, then anomalous ones.
      if ((np.det === 'def' || np.det === 'demonstrative') && !np.plural && ts.length > 1 && np.ordinal === undefined) {
        const inFocus = ts.filter((t) => focus.some((f) => (f.kind === 'track' && sameTarget(f, t)) || (f.kind === 'event' && t.kind === 'track' && f.e.trackIds.includes(t.id) && f.m === t.m)));
        if (inFocus.length) return { targets: inFocus };
        const anomalous = ts.filter((t) => t.kind === 'track' && t.m.eventsOfTrack(t.id).length > 0);
        if (anomalous.length) return { targets: anomalous };
      }
      return { targets: ts };
    }
  }
}

function safeFacts(t: Target) {
  if (t.kind !== 'track') return null;
  try {
    return t.m.facts(t.id);
  } catch {
    return null;
  }
}

// ---------- time ----------

export interface Window {
  /** Interval of interest per evidence (a point question has start == end). */
  start: number;
  end: number;
  point: boolean;
  text: string;
}

function anchorInterval(models: readonly EvidenceModel[], state: ConversationState, p: Extract<TimePoint, { kind: 'anchor' }>, m: EvidenceModel): { start: number; end: number } | null {
  let ts: Target[];
  if (!p.np) ts = fromItems(models, state.focus);
  else ts = resolveNounPhrase(models, state, p.np).targets;
  ts = ts.filter((t) => t.m === m);
  if (!ts.length) return null;
  let start = Infinity;
  let end = -Infinity;
  for (const t of ts) {
    if (t.kind === 'event') {
      start = Math.min(start, t.e.startTime);
      end = Math.max(end, t.e.endTime);
      continue;
    }
    const f = safeFacts(t);
    if (!f) continue;
    if (p.verb === 'leave' || p.verb === 'disappear') {
      start = Math.min(start, f.exit.start);
      end = Math.max(end, f.exit.end);
    } else if (p.verb === 'enter' || p.verb === 'appear' || p.verb === 'come') {
      start = Math.min(start, f.entry.start);
      end = Math.max(end, f.entry.end);
    } else {
      start = Math.min(start, f.first.time);
      end = Math.max(end, f.last.time + m.frameDurationS);
    }
  }
  return Number.isFinite(start) ? { start, end } : null;
}

/**
 * The time window of a question for one evidence item, or null when the question has no time expression.
 * Returns `{ error }` when an anchor ("after the cart leaves") cannot be found in this evidence.
 */
export function resolveWindow(models: readonly EvidenceModel[], state: ConversationState, q: ParsedQuestion, m: EvidenceModel): Window | { error: string } | null {
  const tc: TimeConstraint | undefined = q.time;
  if (!tc) return null;
  const [s0, s1] = m.analysedSpan;
  const point = (p: TimePoint | undefined, edge: 'start' | 'end'): number | { error: string } => {
    if (!p) return edge === 'start' ? s0 : s1;
    switch (p.kind) {
      case 'abs':
        return p.t;
      case 'frame': {
        const f = m.frameAt(0);
        const fr = m.frameByIndex(p.frame) ?? m.data.frames.reduce((best, x) => (Math.abs(x.frame - p.frame) < Math.abs(best.frame - p.frame) ? x : best), f ?? { frame: 0, time: 0, raw: 0, smoothed: 0 });
        return fr.time;
      }
      case 'start':
        return s0;
      case 'end':
        return s1;
      case 'anchor': {
        const iv = anchorInterval(models, state, p, m);
        if (!iv) return { error: p.np ? `I found nothing matching "${p.np.text}" in ${m.info.fileName} to measure "${tc.text}" from.` : `"${tc.text}" needs something to refer to; ask about an event or object first.` };
        return edge === 'start' ? iv.start : iv.end;
      }
    }
  };
  const mk = (a: number | { error: string }, b: number | { error: string }, isPoint = false): Window | { error: string } => {
    if (typeof a !== 'number') return a;
    if (typeof b !== 'number') return b;
    return { start: Math.max(s0, Math.min(a, b)), end: Math.min(s1, Math.max(a, b)), point: isPoint, text: tc.text };
  };
  switch (tc.rel) {
    case 'at':
      if (tc.a?.kind === 'anchor') return mk(point(tc.a, 'start'), point(tc.a, 'end'));
      return mk(point(tc.a, 'start'), point(tc.a, 'start'), true);
    case 'around': {
      const t = point(tc.a, 'start');
      return typeof t === 'number' ? mk(t - 1, t + 1) : t;
    }
    case 'after': {
      const edge = tc.a?.kind === 'anchor' ? 'end' : 'start';
      return mk(point(tc.a, edge), s1);
    }
    case 'before':
      return mk(s0, point(tc.a, 'start'));
    case 'between':
      return mk(point(tc.a, 'start'), point(tc.b, 'start'));
    case 'first':
      return mk(s0, s0 + (tc.spanS ?? 0));
    case 'last':
      return mk(s1 - (tc.spanS ?? 0), s1);
    case 'during':
      return mk(point(tc.a, 'start'), point(tc.a, 'end'));
  }
}
