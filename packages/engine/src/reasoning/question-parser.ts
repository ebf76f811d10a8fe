/**
 * Question understanding without a language model. A question is tokenised, every word is looked up in
 * the lexicon, and a small grammar reads it in three layers:
 *
 *   phrases  zone phrases ("on the walkway", "in zone B"), time expressions ("at 00:12", "in the first 5 s",
 *            "after the cart leaves", "before that"), noun phrases ("the second one", "the red car",
 *            "anyone else", "event 2"), side phrases ("from the left"), comparisons ("than the others")
 *   clause   form (wh-question, yes/no, imperative, fragment), the wh word and what it asks for ("how many",
 *            "what colour", "which side"), main verb, subject and object noun phrases, negation
 *   intent   one of the answerable intents, chosen by ordered rules over the clause
 *
 * Multiple-choice questions ("... A) left B) right C) top D) bottom") are split into a stem and options;
 * each option is parsed as a fragment so its sides, objects and times can be compared with the evidence.
 */
import { ENGLISH_FUNCTION_WORDS, lookup, type ColourName, type Entry, type ObjectSense, type Side, type VerbClass, type Wh } from './lexicon.js';
import { tokenize, type Token } from './tokenizer.js';

export type Intent =
  | 'anomaly' | 'exists' | 'when' | 'where' | 'what' | 'count' | 'speed' | 'path' | 'appearance' | 'why' | 'compare'
  | 'list' | 'show' | 'summary' | 'choice' | 'followup' | 'unknown';

export type Form = 'wh' | 'yesno' | 'imperative' | 'fragment';

export interface NounPhrase {
  kind: 'object' | 'event' | 'pronoun' | 'track-ref' | 'event-ref';
  /** Token span [start, end). */
  start: number;
  end: number;
  text: string;
  det?: 'def' | 'indef' | 'any' | 'demonstrative' | 'every' | 'none';
  ordinal?: number | 'last' | 'next' | 'previous';
  count?: number;
  pronoun?: 'it' | 'they' | 'that' | 'this' | 'someone' | 'something' | 'everyone' | 'one' | 'ones';
  sense?: ObjectSense;
  colours: ColourName[];
  /** "the anomalous object", "unusual activity". */
  anomalous: boolean;
  /** "the other one", "anyone else". */
  other: boolean;
  /** Behaviour adjectives bound to the noun: "the fast one", "a stationary bag". */
  manner?: 'fast' | 'slow' | 'stationary' | 'moving';
  plural: boolean;
  /** Number in "event 2" / "track 5". */
  refId?: number;
  /** Restriction by company: "the person with the backpack", "the man on the bicycle". */
  relation?: { prep: string; np: NounPhrase };
}

export type TimePoint =
  | { kind: 'abs'; t: number }
  | { kind: 'frame'; frame: number }
  | { kind: 'start' }
  | { kind: 'end' }
  | { kind: 'anchor'; np: NounPhrase | null; verb?: VerbClass };

export interface TimeConstraint {
  rel: 'at' | 'around' | 'after' | 'before' | 'between' | 'first' | 'last' | 'during';
  a?: TimePoint;
  b?: TimePoint;
  /** Length for 'first'/'last' in seconds. */
  spanS?: number;
  text: string;
}

export interface SidePhrase {
  side: Side;
  /** Preposition before it: 'from' (entry), 'to'/'toward' (exit/heading), 'on'/'in'/'at' (position). */
  prep?: string;
}

export interface PlaceRef {
  /** The zone name as the user wrote it (a case zone name when matched exactly, else a place noun). */
  name: string;
  /** True when it named a zone of the case (dynamic lexicon). */
  isZone: boolean;
}

export interface ChoiceOption {
  letter: string;
  text: string;
  parsed: ParsedQuestion;
}

export interface ParsedQuestion {
  text: string;
  language: 'en' | 'other';
  form: Form;
  intent: Intent;
  wh?: Wh;
  /** What the wh phrase asks for: "how many" → number, "what colour" → colour, "which side" → position, ... */
  whFocus?: 'number' | 'speed' | 'colour' | 'time' | 'kind' | 'position' | 'direction' | 'path' | 'duration' | 'reason' | 'person' | 'appearance';
  subject?: NounPhrase;
  object?: NounPhrase;
  nps: NounPhrase[];
  verbs: VerbClass[];
  mainVerb?: VerbClass;
  negated: boolean;
  sides: SidePhrase[];
  colours: ColourName[];
  places: PlaceRef[];
  time?: TimeConstraint;
  compare?: { cmp: string; against?: NounPhrase };
  superlative?: 'first' | 'last' | 'fastest' | 'slowest' | 'earliest' | 'latest' | 'longest';
  /** "still in view", "already in view". */
  still: boolean;
  already: boolean;
  anomalyWord: boolean;
  normalWord: boolean;
  elseWord: boolean;
  mannerWords: ('fast' | 'slow' | 'stationary' | 'moving' | 'together')[];
  attrs: string[];
  unsupported: { word: string; reason: string }[];
  options?: ChoiceOption[];
  unknownWords: string[];
}

export interface ParseContext {
  /** Names of the zones drawn in the case (matched as multi-word names, case-insensitive). */
  zoneNames?: readonly string[];
}

interface Tok extends Token {
  entries: Entry[];
  /** Index into zoneNames when the token is a (joined) zone name. */
  zone?: string;
  used?: boolean;
}

const has = (t: Tok | undefined, pos: Entry['pos'], value?: unknown): boolean =>
  !!t && t.entries.some((e) => e.pos === pos && (value === undefined || (e as { value?: unknown }).value === value));
function get<P extends Entry['pos']>(t: Tok | undefined, pos: P): Extract<Entry, { pos: P }> | undefined {
  return t?.entries.find((e) => e.pos === pos) as Extract<Entry, { pos: P }> | undefined;
}

// ---------- options ----------

const OPTION_RE = /(?:^|[\s,;])(?:\(([A-Da-d])\)|([A-D])[).:])\s+/g;

/** Splits "stem A) x B) y C) z D) w" (or one option per line) into the stem and options A.. in order. */
export function splitOptions(text: string): { stem: string; options: { letter: string; text: string }[] } {
  const marks: { letter: string; at: number; after: number }[] = [];
  for (const m of text.matchAll(OPTION_RE)) {
    const letter = (m[1] ?? m[2]).toUpperCase();
    marks.push({ letter, at: (m.index ?? 0) + (m[0].length - m[0].trimStart().length), after: (m.index ?? 0) + m[0].length });
  }
  // Options must run A, B, C... without gaps; take the longest such run that starts with A.
  let best: typeof marks = [];
  for (let i = 0; i < marks.length; i++) {
    if (marks[i].letter !== 'A') continue;
    const run = [marks[i]];
    for (let j = i + 1; j < marks.length && run.length < 4; j++) {
      if (marks[j].letter === String.fromCharCode(65 + run.length)) run.push(marks[j]);
    }
    if (run.length > best.length) best = run;
  }
  if (best.length < 2) return { stem: text, options: [] };
  const options = best.map((m, k) => ({ letter: m.letter, text: text.slice(m.after, k + 1 < best.length ? best[k + 1].at : text.length).trim().replace(/[,;]$/, '').trim() }));
  return { stem: text.slice(0, best[0].at).trim(), options };
}

// ---------- tagging ----------

function tag(tokens: Token[], zoneNames: readonly string[]): Tok[] {
  const zones = zoneNames.map((z) => ({ name: z, words: tokenize(z).map((t) => t.text) })).filter((z) => z.words.length > 0).sort((a, b) => b.words.length - a.words.length);
  const out: Tok[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const z = zones.find((zz) => zz.words.every((w, k) => tokens[i + k]?.text === w));
    if (z) {
      const last = tokens[i + z.words.length - 1];
      out.push({ kind: 'word', text: z.words.join(' '), start: tokens[i].start, end: last.end, entries: [], zone: z.name });
      i += z.words.length - 1;
      continue;
    }
    const t = tokens[i];
    out.push({ ...t, entries: t.kind === 'word' ? lookup(t.text) : [] });
  }
  return out;
}

function isNumberTok(t: Tok | undefined): boolean {
  return !!t && (t.kind === 'number' || has(t, 'card'));
}
function numValue(t: Tok): number {
  return t.kind === 'number' ? (t.value as number) : (get(t, 'card')?.value as number);
}

const NON_LATIN = /[\p{L}](?<![\p{Script=Latin}])/u;
const ACCENTED = /[à-öø-ÿßœæ]/i;

function detectLanguage(toks: Tok[]): 'en' | 'other' {
  const words = toks.filter((t) => t.kind === 'word' && !t.zone);
  if (words.some((t) => NON_LATIN.test(t.text))) return 'other';
  if (words.length === 0) return 'en';
  const known = words.filter((t) => t.entries.length > 0 || ENGLISH_FUNCTION_WORDS.has(t.text)).length;
  const ratio = known / words.length;
  if (words.some((t) => ACCENTED.test(t.text)) && ratio < 0.75) return 'other';
  return words.length >= 2 && ratio < 0.5 ? 'other' : 'en';
}

// ---------- phrase grammar ----------

class PhraseParser {
  constructor(private readonly t: Tok[]) {}

  text(s: number, e: number): string {
    return this.t.slice(s, e).map((x) => x.text).join(' ');
  }

  /** TIME := CLOCK | NUM UNIT | NUM (after "at") | "the start/beginning/end". Returns the point and the next index. */
  timePoint(i: number, bareNumberOk: boolean): { p: TimePoint; next: number } | null {
    const t = this.t;
    if (t[i]?.kind === 'clock') return { p: { kind: 'abs', t: t[i].value as number }, next: i + 1 };
    if (isNumberTok(t[i]) && has(t[i + 1], 'unit')) return { p: { kind: 'abs', t: numValue(t[i]) * (get(t[i + 1], 'unit')!.value) }, next: i + 2 };
    // "second 12", "frame"-less forms: "at second 12"
    if (has(t[i], 'unit') && t[i + 1]?.kind === 'number' && t[i].text.startsWith('sec')) return { p: { kind: 'abs', t: numValue(t[i + 1]) }, next: i + 2 };
    if (t[i]?.text === 'frame' && t[i + 1]?.kind === 'number') return { p: { kind: 'frame', frame: t[i + 1].value as number }, next: i + 2 };
    if (bareNumberOk && t[i]?.kind === 'number') return { p: { kind: 'abs', t: t[i].value as number }, next: i + 1 };
    let j = i;
    if (t[j]?.text === 'the' || t[j]?.text === 'its') j++;
    const w = t[j]?.text;
    if (w === 'start' || w === 'beginning' || w === 'outset') return { p: { kind: 'start' }, next: j + 1 };
    if (w === 'end' || w === 'finish') return { p: { kind: 'end' }, next: j + 1 };
    return null;
  }

  /**
   * Clause used as a time anchor: NP [aux] [neg] VERB ("the cart leaves", "it entered"), an NP alone ("the
   * anomaly"), or a bare "that"/"this"/"it"/"then" (the conversation's focus).
   */
  anchorClause(i: number): { p: TimePoint; next: number } | null {
    const t = this.t;
    const np = this.np(i, true);
    const afterNp = (k: number): number => {
      while (has(t[k], 'aux') || has(t[k], 'neg')) k++;
      return k;
    };
    if (t[i]?.text === 'then' || ((!np || np.np.kind === 'pronoun') && ['that', 'this', 'it', 'them'].includes(t[i]?.text) && !this.verbAt(afterNp(i + 1)))) {
      return { p: { kind: 'anchor', np: null }, next: i + 1 };
    }
    if (!np) return null;
    const k = afterNp(np.next);
    const v = this.verbAt(k);
    if (v) return { p: { kind: 'anchor', np: np.np, verb: v.verb }, next: v.next };
    return { p: { kind: 'anchor', np: np.np }, next: np.next };
  }

  verbAt(j: number): { verb: VerbClass; next: number } | null {
    const v = get(this.t[j], 'verb');
    if (!v) return null;
    // "left" after a subject is the verb "leave".
    return { verb: v.value, next: j + 1 };
  }

  time(i: number, ctx: ParseContext): { tc: TimeConstraint; next: number } | null {
    const t = this.t;
    const w = t[i]?.text;
    const mk = (rel: TimeConstraint['rel'], next: number, a?: TimePoint, b?: TimePoint, spanS?: number) => ({ tc: { rel, a, b, spanS, text: this.text(i, next) }, next });
    // "in/during/within the first|last N UNIT"
    if (['in', 'during', 'within', 'for', 'over'].includes(w ?? '')) {
      let j = i + 1;
      if (t[j]?.text === 'the') j++;
      const ord = get(t[j], 'ord');
      if ((ord?.value === 1 || ord?.value === 'last') && isNumberTok(t[j + 1]) && has(t[j + 2], 'unit')) {
        const span = numValue(t[j + 1]) * get(t[j + 2], 'unit')!.value;
        return mk(ord.value === 1 ? 'first' : 'last', j + 3, undefined, undefined, span);
      }
      if ((ord?.value === 1 || ord?.value === 'last') && has(t[j + 1], 'unit')) {
        return mk(ord.value === 1 ? 'first' : 'last', j + 2, undefined, undefined, get(t[j + 1], 'unit')!.value);
      }
      if (w === 'during' || w === 'in') {
        const p = this.timePoint(i + 1, false);
        if (p && (p.p.kind === 'start' || p.p.kind === 'end')) return mk('at', p.next, p.p);
        if (w === 'during') {
          const a = this.anchorClause(i + 1);
          if (a) return mk('during', a.next, a.p);
        }
      }
      return null;
    }
    if (w === 'between' || w === 'from') {
      const a = this.timePoint(i + 1, true);
      if (a && ['and', 'to', 'until', 'till'].includes(t[a.next]?.text)) {
        const b = this.timePoint(a.next + 1, true);
        if (b) return mk('between', b.next, a.p, b.p);
      }
      if (w === 'from' && a && a.p.kind === 'abs') return mk('after', a.next, a.p);
      return null;
    }
    if (['at', 'around', 'about', 'approximately', 'roughly', 'by'].includes(w ?? '')) {
      let j = i + 1;
      if (['around', 'about', 'approximately', 'roughly'].includes(t[j]?.text)) j++;
      const p = this.timePoint(j, true);
      if (p) return mk(w === 'at' && j === i + 1 ? 'at' : w === 'by' ? 'before' : 'around', p.next, p.p);
      return null;
    }
    if (['after', 'since', 'before', 'until', 'till', 'while', 'when', 'once'].includes(w ?? '')) {
      const rel: TimeConstraint['rel'] = w === 'after' || w === 'since' || w === 'once' ? 'after' : w === 'while' || w === 'when' ? 'during' : 'before';
      const p = this.timePoint(i + 1, true);
      if (p) return mk(rel, p.next, p.p);
      // "when" at the start of a question is the wh word, not a conjunction.
      if (w === 'when' && i === 0) return null;
      const a = this.anchorClause(i + 1);
      if (a && (w !== 'when' || (a.p.kind === 'anchor' && a.p.verb))) return mk(rel, a.next, a.p);
      return null;
    }
    // A bare time: "00:12", "12 seconds in".
    const p = this.timePoint(i, false);
    if (p && (p.p.kind === 'abs' || p.p.kind === 'frame')) {
      const next = t[p.next]?.text === 'in' ? p.next + 1 : p.next;
      return mk('at', next, p.p);
    }
    return null;
  }

  /**
   * NP := DET? (ORD | CARD)? MOD* HEAD ("else")?  where MOD is a colour, "anomalous", "other", "fast", ...
   * and HEAD is an object noun, an event noun, "one(s)", a pronoun, or "event N" / "track N".
   */
  np(i: number, allowPronoun = true): { np: NounPhrase; next: number } | null {
    const t = this.t;
    const start = i;
    const base = (): NounPhrase => ({ kind: 'object', start, end: start, text: '', colours: [], anomalous: false, other: false, plural: false });
    const np = base();
    let j = i;
    const det = get(t[j], 'det');
    if (det && !(det.value === 'demonstrative' && !this.headAhead(j + 1))) {
      np.det = det.value;
      j++;
    }
    // Refs: "event 2", "track #5".
    const ref = get(t[j], 'refword');
    if (ref) {
      let k = j + 1;
      if (t[k]?.text === '#') k++;
      if (t[k]?.kind === 'number') {
        return this.finish({ ...np, kind: ref.value === 'event' ? 'event-ref' : 'track-ref', refId: t[k].value }, start, k + 1);
      }
    }
    for (;;) {
      const tk = t[j];
      if (!tk) break;
      const ord = get(tk, 'ord');
      if (ord && !has(t[j + 1], 'unit')) {
        np.ordinal = ord.value;
        j++;
        continue;
      }
      if (isNumberTok(tk) && !has(t[j + 1], 'unit') && (has(t[j + 1], 'noun') || has(t[j + 1], 'eventnoun') || has(t[j + 1], 'colour'))) {
        np.count = numValue(tk);
        j++;
        continue;
      }
      const col = get(tk, 'colour');
      if (col && (this.headAhead(j + 1) || has(t[j + 1], 'colour'))) {
        np.colours.push(col.value);
        j++;
        continue;
      }
      const adj = get(tk, 'adj');
      if (adj && this.headAhead(j + 1)) {
        if (adj.value === 'anomalous') np.anomalous = true;
        else if (adj.value === 'fast' || adj.value === 'slow' || adj.value === 'stationary') np.manner = adj.value;
        j++;
        continue;
      }
      if (has(tk, 'else') && this.headAhead(j + 1)) {
        np.other = true;
        j++;
        continue;
      }
      if (tk.text === 'moving' && this.headAhead(j + 1)) {
        np.manner = 'moving';
        j++;
        continue;
      }
      break;
    }
    const h = t[j];
    if (!h) return null;
    const noun = get(h, 'noun');
    if (noun) {
      np.sense = noun.obj;
      np.plural = noun.obj.plural;
      // "the person with the backpack", "the man on the bicycle", "someone carrying a bag".
      const prep = t[j + 1]?.text;
      if (prep === 'with' || prep === 'on' || prep === 'carrying' || prep === 'holding' || prep === 'riding' || prep === 'pushing') {
        const inner = this.np(j + 2, false);
        if (inner && inner.np.kind === 'object') {
          np.relation = { prep, np: inner.np };
          return this.finish(np, start, inner.next);
        }
      }
      return this.finish(np, start, j + 1);
    }
    const ev = get(h, 'eventnoun');
    if (ev && !(isNumberTok(t[j + 1]) && has(h, 'refword'))) {
      np.kind = 'event';
      np.plural = ev.plural;
      return this.finish(np, start, j + 1);
    }
    const pron = get(h, 'pron');
    if (pron && (pron.value === 'one' || pron.value === 'ones')) {
      if (j === start && !np.det) return null; // a bare "one" is a number or filler
      np.kind = 'pronoun';
      np.pronoun = pron.value;
      np.plural = pron.value === 'ones';
      return this.finish(np, start, j + 1);
    }
    if (allowPronoun && j === start && pron && pron.value !== 'self' && pron.value !== 'there') {
      np.kind = 'pronoun';
      np.pronoun = pron.value;
      np.plural = pron.value === 'they';
      let next = j + 1;
      if (has(t[next], 'else')) {
        np.other = true;
        next++;
      }
      // "someone carrying ..." etc. keep their own meaning; "anything unusual" → anomalous something.
      if (has(t[next], 'adj', 'anomalous') && (pron.value === 'something' || pron.value === 'someone')) {
        np.anomalous = true;
        next++;
      }
      return this.finish(np, start, next);
    }
    // "that/this" standing alone.
    if (allowPronoun && j === start + 0 && det?.value === 'demonstrative') return null;
    if (allowPronoun && np.det === undefined && t[start] && ['that', 'this'].includes(t[start].text)) {
      return this.finish({ ...base(), kind: 'pronoun', pronoun: t[start].text as 'that' | 'this' }, start, start + 1);
    }
    return null;
  }

  private headAhead(j: number): boolean {
    const t = this.t;
    for (let k = j; k < Math.min(t.length, j + 4); k++) {
      if (has(t[k], 'noun') || has(t[k], 'eventnoun') || has(t[k], 'pron', 'one') || has(t[k], 'pron', 'ones') || has(t[k], 'refword')) return true;
      if (!(has(t[k], 'colour') || has(t[k], 'adj') || has(t[k], 'ord') || has(t[k], 'else') || isNumberTok(t[k]) || t[k].text === 'moving')) return false;
    }
    return false;
  }

  private finish(np: NounPhrase, start: number, next: number): { np: NounPhrase; next: number } {
    return { np: { ...np, start, end: next, text: this.text(start, next) }, next };
  }
}

// ---------- clause and intent ----------

const WH_FOCUS: Partial<Record<string, ParsedQuestion['whFocus']>> = {
  colour: 'colour', speed: 'speed', time: 'time', kind: 'kind', position: 'position', direction: 'direction', path: 'path', number: 'number', duration: 'duration', reason: 'reason', appearance: 'appearance',
};

const SCENE_WORDS = new Set(['video', 'videos', 'clip', 'clips', 'footage', 'recording', 'scene', 'camera', 'view', 'feed', 'picture', 'image', 'frame', 'shot']);

const SIDE_PREPS = new Set(['from', 'to', 'toward', 'towards', 'on', 'in', 'at', 'into', 'onto', 'near', 'through', 'across', 'via', 'along', 'off', 'out']);

function emptyQuestion(text: string): ParsedQuestion {
  return {
    text, language: 'en', form: 'fragment', intent: 'unknown', nps: [], verbs: [], negated: false, sides: [], colours: [], places: [], still: false, already: false,
    anomalyWord: false, normalWord: false, elseWord: false, mannerWords: [], attrs: [], unsupported: [], unknownWords: [],
  };
}

/** Parses a question (possibly multiple-choice) into intent and slots. */
export function parseQuestion(input: string, ctx: ParseContext = {}): ParsedQuestion {
  const { stem, options } = splitOptions(input);
  const q = parseClause(stem, ctx);
  if (options.length >= 2) {
    q.options = options.map((o) => ({ ...o, parsed: parseClause(o.text, ctx) }));
    if (q.language === 'en') q.intent = 'choice';
  }
  return q;
}

function parseClause(text: string, ctx: ParseContext): ParsedQuestion {
  const q = emptyQuestion(text);
  const t = tag(tokenize(text), ctx.zoneNames ?? []);
  q.language = detectLanguage(t);
  if (q.language === 'other') return q;
  const P = new PhraseParser(t);
  const words = t.filter((x) => x.kind === 'word');
  if (words.length === 0) return q;

  // Leading discourse words: "and", "so", "ok", "then", "also".
  let first = 0;
  while (t[first] && (has(t[first], 'conj') || ['so', 'ok', 'okay', 'then', 'also', 'now', 'well', 'please', 'hey'].includes(t[first].text) || t[first].kind === 'punct')) first++;

  // Form.
  const f0 = t[first];
  const youVerb = (k: number) => has(t[k], 'pron', 'self') && (has(t[k + 1], 'verb') || has(t[k + 1], 'filler'));
  const whIndex = t.findIndex((x, k) => k >= first && has(x, 'wh') && !(x.text === 'when' && k > first && !has(t[k - 1], 'verb', 'tell') && !has(t[k - 1], 'pron', 'self')));
  if (has(f0, 'aux') && !(has(f0, 'aux', 'modal') && youVerb(first + 1)) && !(whIndex > first && has(f0, 'aux', 'modal'))) q.form = 'yesno';
  else if (whIndex >= 0) q.form = 'wh';
  else if (has(f0, 'verb') && ['show', 'list', 'describe', 'explain', 'compare', 'count', 'tell', 'see', 'look', 'find'].includes(get(f0, 'verb')!.value)) q.form = 'imperative';
  else if (has(f0, 'aux', 'modal') && youVerb(first + 1)) q.form = 'imperative';
  else q.form = 'fragment';

  // Phrase pass: zone/place phrases, time expressions, side phrases, then noun phrases.
  const used = new Set<number>();
  const markUsed = (s: number, e: number) => {
    for (let k = s; k < e; k++) used.add(k);
  };
  for (let i = 0; i < t.length; i++) {
    if (used.has(i)) continue;
    const tk = t[i];
    if (tk.zone) {
      q.places.push({ name: tk.zone, isZone: true });
      used.add(i);
      if (has(t[i + 1], 'zoneword')) used.add(i + 1);
      if (has(t[i - 1], 'zoneword')) used.add(i - 1);
      continue;
    }
    // "zone B" / "area 2" naming a zone that does not exist.
    if (has(tk, 'zoneword') && (t[i + 1]?.kind === 'number' || (t[i + 1]?.kind === 'word' && t[i + 1].entries.length === 0))) {
      q.places.push({ name: t[i + 1].text, isZone: false });
      markUsed(i, i + 2);
      continue;
    }
    const place = get(tk, 'placenoun');
    if (place && !has(tk, 'noun')) {
      q.places.push({ name: place.value, isZone: false });
      used.add(i);
      if (has(t[i + 1], 'zoneword')) used.add(i + 1);
      continue;
    }
    if (!q.time && i !== whIndex) {
      const tm = P.time(i, ctx);
      if (tm) {
        q.time = tm.tc;
        markUsed(i, tm.next);
        i = tm.next - 1;
        continue;
      }
    }
    // "this clip", "the video": the scope every question has anyway.
    if ((has(tk, 'det') || has(tk, 'pron', 'it')) && SCENE_WORDS.has(t[i + 1]?.text)) {
      markUsed(i, i + 2);
      i++;
      continue;
    }
    if (SCENE_WORDS.has(tk.text)) {
      used.add(i);
      continue;
    }
  }
  // Side phrases: (PREP) (the)? SIDE (side|edge|part)?, incl. "upper left", "lower-right".
  for (let i = 0; i < t.length; i++) {
    if (used.has(i)) continue;
    const s = get(t[i], 'side');
    if (!s) continue;
    if (t[i].text === 'left' && !isSideLeft(t, i)) continue;
    if ((t[i].text === 'up' || t[i].text === 'down') && !has(t[i - 1], 'verb')) continue;
    if (s.value === 'near' && has(t[i + 1], 'det') && !['camera'].includes(t[i + 2]?.text)) continue; // "near the cart" is a relation
    let k = i - 1;
    if (t[k]?.text === 'the') k--;
    const prep = t[k] && SIDE_PREPS.has(t[k].text) ? t[k].text : undefined;
    q.sides.push({ side: s.value, prep });
    used.add(i);
    if (prep) markUsed(k, i);
    // "upper left": both sides belong to one phrase.
    const nxt = get(t[i + 1], 'side');
    if (nxt && (t[i + 1].text !== 'left' || isSideLeft(t, i + 1))) {
      q.sides.push({ side: nxt.value, prep });
      used.add(i + 1);
    }
  }
  // Comparisons: "than NP", "compared to/with NP", "relative to NP", "versus NP".
  for (let i = 0; i < t.length; i++) {
    if (used.has(i)) continue;
    const c = get(t[i], 'cmp');
    if (!c) continue;
    if (c.value === 'than' || c.value === 'compared') {
      let j = i + 1;
      if (['to', 'with', 'against'].includes(t[j]?.text)) j++;
      const np = P.np(j);
      const before = q.compare?.cmp;
      q.compare = { cmp: before ?? c.value, against: np?.np };
      if (t[j]?.text === 'the' && !np) j++;
      if (np) markUsed(i, np.next);
      else if (has(t[j], 'else')) {
        q.compare.against = { kind: 'object', start: j, end: j + 1, text: t[j].text, colours: [], anomalous: false, other: true, plural: true };
        markUsed(i, j + 1);
      } else markUsed(i, j);
    } else if (['fastest', 'slowest', 'earliest', 'latest', 'longest'].includes(c.value)) {
      q.superlative = c.value as ParsedQuestion['superlative'];
      used.add(i);
    } else if (c.value === 'faster' || c.value === 'slower') {
      q.compare = { cmp: c.value, against: q.compare?.against };
      used.add(i);
    }
  }
  // Noun phrases.
  for (let i = 0; i < t.length; i++) {
    if (used.has(i)) continue;
    // "what" / "which" / "who" are not noun phrases.
    if (has(t[i], 'wh')) continue;
    const np = P.np(i);
    if (!np) continue;
    let overlap = false;
    for (let k = i; k < np.next; k++) if (used.has(k)) overlap = true;
    if (overlap) continue;
    // Relative "that"/"which"/"who" right after a noun phrase is not a pronoun.
    if (np.np.kind === 'pronoun' && np.np.pronoun === 'that' && q.nps.length && q.nps[q.nps.length - 1].end === i) continue;
    q.nps.push(np.np);
    markUsed(i, np.next);
    i = np.next - 1;
  }

  // Clause features from the remaining words.
  for (let i = 0; i < t.length; i++) {
    const tk = t[i];
    if (tk.kind !== 'word') continue;
    for (const e of tk.entries) if (e.pos === 'unsupported') q.unsupported.push({ word: tk.text, reason: e.reason });
    if (tk.entries.length === 0 && !tk.zone && !ENGLISH_FUNCTION_WORDS.has(tk.text)) q.unknownWords.push(tk.text);
    if (has(tk, 'neg')) q.negated = true;
    if (has(tk, 'det', 'none') && !has(t[i + 1], 'cmp')) q.negated = true;
    if (has(tk, 'colour') && !q.colours.includes(get(tk, 'colour')!.value)) q.colours.push(get(tk, 'colour')!.value);
    if (has(tk, 'adj', 'anomalous') || has(tk, 'eventnoun')) q.anomalyWord = true;
    if (has(tk, 'adj', 'normal')) q.normalWord = true;
    if (has(tk, 'else') && !used.has(i)) q.elseWord = true;
    if (has(tk, 'still')) q.still = true;
    if (has(tk, 'already')) q.already = true;
    const adj = get(tk, 'adj');
    if (adj && (adj.value === 'fast' || adj.value === 'slow' || adj.value === 'stationary' || adj.value === 'together')) q.mannerWords.push(adj.value);
    const attr = tk.entries.find((e) => e.pos === 'attr') as Extract<Entry, { pos: 'attr' }> | undefined;
    if (attr && !used.has(i)) q.attrs.push(attr.value);
    if (!used.has(i) && has(tk, 'verb') && !(tk.text === 'left' && isSideLeft(t, i))) {
      const v = get(tk, 'verb')!.value;
      // "speed" as a noun ("what speed") is an attribute, not the verb "to speed".
      if (!(attr && (has(t[i - 1], 'wh') || has(t[i - 1], 'det') || has(t[i + 1], 'prep', 'of')))) q.verbs.push(v);
    }
    if (!used.has(i) && has(tk, 'ord') && !has(t[i + 1], 'unit')) {
      const o = get(tk, 'ord')!.value;
      if (o === 1) q.superlative ??= 'first';
      else if (o === 'last') q.superlative ??= 'last';
    }
  }
  if (q.nps.some((n) => n.other)) q.elseWord = true;
  if (q.nps.some((n) => n.anomalous)) q.anomalyWord = true;

  // Wh word and its focus.
  if (whIndex >= 0) {
    const wt = t[whIndex];
    q.wh = get(wt, 'wh')!.value;
    const nx = t[whIndex + 1];
    if (q.wh === 'how') {
      if (has(nx, 'quant', 'many') || has(nx, 'quant', 'much')) q.whFocus = 'number';
      else if (has(nx, 'adj', 'fast') || has(nx, 'adj', 'slow') || nx?.text === 'quickly' || has(nx, 'attr', 'speed')) q.whFocus = 'speed';
      else if (nx?.text === 'long') q.whFocus = 'duration';
      else if (nx?.text === 'far') q.whFocus = 'path';
      else if (has(nx, 'quant', 'often')) q.whFocus = 'number';
    } else if (q.wh === 'what' || q.wh === 'which') {
      let k = whIndex + 1;
      while (has(t[k], 'det') || t[k]?.text === 'exact') k++;
      const a = t[k]?.entries.find((e) => e.pos === 'attr') as Extract<Entry, { pos: 'attr' }> | undefined;
      if (a) q.whFocus = WH_FOCUS[a.value];
      else if (get(t[k], 'side') || t[k]?.text === 'side' || t[k]?.text === 'edge') q.whFocus = 'position';
      else if (has(t[k], 'noun') || has(t[k], 'eventnoun')) q.whFocus = 'kind';
      if (q.whFocus === 'position' && q.wh === 'which') q.whFocus = 'direction';
    } else if (q.wh === 'who') q.whFocus = 'person';
    // "at what time", "what time".
    if ((q.wh === 'what' || q.wh === 'which') && has(t[whIndex + 1], 'attr', 'time')) q.whFocus = 'time';
  }

  // Subject and object noun phrases: the first noun phrase after the wh word / aux / imperative verb.
  const inTime = (n: NounPhrase) => q.time?.a?.kind === 'anchor' && q.time.a.np === n;
  const candidates = q.nps.filter((n) => !inTime(n));
  q.subject = candidates[0];
  q.object = candidates[1];
  q.mainVerb = q.verbs.find((v) => !['see', 'tell', 'show', 'look', 'be', 'have'].includes(v)) ?? q.verbs[0];
  q.intent = decideIntent(q);
  return q;
}

/** "left" is the side unless it reads as the verb: after an object/pronoun/aux with no preposition or article. */
function isSideLeft(t: Tok[], i: number): boolean {
  const prev = t[i - 1];
  const next = t[i + 1];
  if (!prev) return !has(next, 'det') && !has(next, 'prep', 'at');
  if (['the', 'from', 'to', 'on', 'at', 'toward', 'towards', 'upper', 'lower', 'far', 'bottom', 'top', 'a', 'its', 'their', 'and', 'or', 'middle', 'centre', 'center'].includes(prev.text)) return true;
  if (next && ['side', 'edge', 'part', 'hand', 'border', 'half', 'corner'].includes(next.text)) return true;
  if (prev.kind === 'punct' || prev.text === 'option') return true;
  return false;
}

function decideIntent(q: ParsedQuestion): Intent {
  const v = (x: VerbClass) => q.verbs.includes(x);
  const attr = (a: string) => q.attrs.includes(a);
  const speedCmp = q.compare && (q.compare.cmp === 'faster' || q.compare.cmp === 'slower');
  if (q.wh === 'why' || q.whFocus === 'reason' || v('explain') || (v('make') && q.anomalyWord) || attr('reason')) return 'why';
  if (q.whFocus === 'number' || v('count') || (attr('number') && !q.wh)) return 'count';
  if (v('compare') || (q.compare && q.compare.cmp === 'compared' && !q.whFocus)) return 'compare';
  if (q.whFocus === 'speed' || attr('speed') || speedCmp || q.superlative === 'fastest' || q.superlative === 'slowest') {
    if (q.form === 'yesno' && !speedCmp) return 'exists';
    return q.form === 'yesno' ? 'compare' : 'speed';
  }
  if (q.whFocus === 'colour' || attr('colour') || (q.form === 'wh' && v('look') && q.wh === 'what') || q.whFocus === 'appearance' || attr('appearance')) return 'appearance';
  if (q.form === 'yesno' && q.colours.length && !q.anomalyWord) return 'appearance';
  if (q.wh === 'when' || q.whFocus === 'time' || attr('time') || q.whFocus === 'duration') return 'when';
  const motion = v('go') || v('leave') || v('enter') || v('come') || v('move') || v('turn') || v('cross') || v('appear') || v('disappear');
  if (q.whFocus === 'direction' || q.whFocus === 'path' || attr('direction') || attr('path') || (q.wh === 'where' && motion)) return q.form === 'yesno' ? 'exists' : 'path';
  if (q.wh === 'where' || q.whFocus === 'position' || attr('position')) return q.form === 'yesno' ? 'exists' : 'where';
  if (v('list') || (q.form !== 'yesno' && q.elseWord && q.anomalyWord) || ((q.wh === 'what' || q.wh === 'which') && q.subject?.kind === 'event' && q.subject.plural)) return 'list';
  if (v('show')) return 'show';
  if (q.form === 'yesno') {
    const specific = q.subject && (q.subject.kind === 'object' || q.subject.kind === 'track-ref' || (q.subject.kind === 'pronoun' && ['it', 'they', 'that', 'this', 'one', 'ones'].includes(q.subject.pronoun ?? '')));
    if (q.anomalyWord && !specific && !q.mainVerb) return 'anomaly';
    if (q.anomalyWord && !specific && q.mainVerb && ['happen', 'appear', 'see'].includes(q.mainVerb)) return 'anomaly';
    if (q.anomalyWord && !specific && !q.object) return 'anomaly';
    return 'exists';
  }
  if (q.wh === 'what' && (v('happen') || (!q.subject && !q.whFocus && v('go')))) return 'summary';
  if (v('describe') && (!q.subject || q.subject.kind === 'event')) return 'summary';
  if (v('describe')) return 'what';
  if (q.wh === 'what' || q.wh === 'who' || q.wh === 'which' || q.wh === 'how') {
    if (q.wh === 'how' && !q.whFocus) return v('enter') || v('leave') || v('move') || v('go') ? 'path' : 'what';
    return 'what';
  }
  if (q.form === 'fragment' && (q.anomalyWord || q.elseWord) && !q.subject?.sense) return 'list';
  if (q.form === 'fragment' && (q.nps.length > 0 || q.time)) return 'followup';
  if (q.form === 'imperative' && v('tell') && q.anomalyWord) return 'summary';
  return 'unknown';
}
