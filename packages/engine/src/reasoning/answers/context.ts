/**
 * What every intent handler shares: the request context, time windows, subject resolution with defaults, and
 * small evidence lookups.
 */
import type { AnswerRequest } from '../answerer.js';
import { categorizeEvent } from '../categorize.js';
import { citeInterval, fmtInterval, fmtS, type Citation } from '../citations.js';
import type { EvidenceModel, ModelEvent, TrackFacts } from '../evidence-model.js';
import { capitalise, joinList } from '../phrasing.js';
import type { NounPhrase, ParsedQuestion } from '../question-parser.js';
import { eventTargets, resolveNounPhrase, resolveWindow, targetFromFocus, type Target, type Window } from '../references.js';
import { Reply } from '../reply.js';
import { labelNoun, LABEL_GROUPS } from '../vocabulary.js';

/** At most this many items are spelled out one by one; the rest are summarised. */
export const MAX_ITEMS = 6;

export interface Ctx {
  req: AnswerRequest;
  q: ParsedQuestion;
  models: EvidenceModel[];
  categories: Map<ModelEvent, string>;
}

export const single = (x: Ctx) => x.models.length === 1;
export const inFile = (x: Ctx, m: EvidenceModel) => (single(x) ? '' : `In ${m.info.fileName}, `);
export const ucFirst = capitalise;

export function facts(t: Target): TrackFacts | null {
  if (t.kind !== 'track') return null;
  try {
    return t.m.facts(t.id);
  } catch {
    return null;
  }
}

export function category(x: Ctx, m: EvidenceModel, e: ModelEvent): string {
  let c = x.categories.get(e);
  if (!c) {
    c = e.category ?? categorizeEvent(m, e, x.req.definitions.filter((d) => d.caseId === x.req.caseId)).category;
    x.categories.set(e, c);
  }
  return c;
}

export function eventLabel(x: Ctx, t: Extract<Target, { kind: 'event' }>): string {
  return `event ${t.index}`;
}

export function windowOf(x: Ctx, m: EvidenceModel): Window | { error: string } | null {
  return resolveWindow(x.models, x.req.state, x.q, m);
}

export function windowText(w: Window | null): string {
  if (!w) return '';
  return w.point ? ` at ${fmtS(w.start)} s` : ` during ${fmtInterval(w.start, w.end)}`;
}

export function overlaps(start: number, end: number, w: Window | null, tol: number): boolean {
  if (!w) return true;
  return end >= w.start - tol && start <= w.end + tol;
}

/** Window per model; models where an anchor could not be found are reported once. */
export function windows(x: Ctx, r: Reply): Map<EvidenceModel, Window | null> | null {
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
export function subjectTargets(x: Ctx, r: Reply, np: NounPhrase | undefined, fallback: 'events' | 'tracks' | 'focus-or-events'): Target[] | null {
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

export function spanCitation(m: EvidenceModel, w?: Window | null): Citation {
  const [s0, s1] = m.analysedSpan;
  return citeInterval(m, w ? w.start : s0, w ? (w.point ? w.start : w.end) : s1);
}

export function labelsText(labels: readonly string[] | 'any'): string {
  if (labels === 'any') return 'object';
  for (const [g, ls] of Object.entries(LABEL_GROUPS)) if (ls.length === labels.length && ls.every((l) => labels.includes(l))) return `${g} (${joinList(ls.map((l) => labelNoun(l)), 'or')})`;
  return joinList(labels.map((l) => labelNoun(l)), 'or');
}

export function noneFound(x: Ctx, r: Reply, what: string, labels: readonly string[] | 'any'): void {
  for (const m of x.models) {
    r.fact(`${inFile(x, m)}${single(x) ? 'The' : 'the'} analysis found no ${labelsText(labels)} matching "${what}" in the analysed footage ${fmtInterval(...m.analysedSpan)}.`, [spanCitation(m)]);
  }
  r.note('The detector can miss small, distant or hidden objects.');
}

export function scoreAt(m: EvidenceModel, w: Window | null): { frame: number; time: number; smoothed: number } | null {
  let best: { frame: number; time: number; smoothed: number } | null = null;
  for (const f of m.data.frames) {
    if (w && (f.time < w.start - m.frameDurationS || f.time > (w.point ? w.start : w.end) + m.frameDurationS)) continue;
    if (!best || f.smoothed > best.smoothed) best = f;
  }
  return best;
}

export const med = (s: number[]) => (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
