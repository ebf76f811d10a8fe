/**
 * User-defined anomaly definitions (open categories): short text such as "bicycle", "any vehicle in zone
 * Walkway", "person stationary > 60 s", "more than 5 people in zone Entrance", "person running after 00:30",
 * parsed by a small grammar into a rule over labels, zones, behaviour and time:
 *
 *   DEF      := COUNT? OBJECTS CLAUSE*
 *   COUNT    := ("more than" | "over" | "at least" | ">" | "≥") NUMBER
 *   OBJECTS  := OBJECT (("or" | "," | "and") OBJECT)*          — object nouns of the lexicon, or "anything"
 *   CLAUSE   := ZONE | STATIONARY | SPEED | HEADING | ENTRY | EXIT | CARRY | TIME
 *   ZONE     := ("in" | "inside" | "within" | "on")? "the"? (ZONE-NAME "zone"? | "zone" ZONE-NAME)
 *   STATIONARY := ("stationary" | "stopped" | "standing" | "waiting" | "parked" | "loitering" ...) DURATION?
 *   DURATION := "for"? (">" | "more than" | "over" | "longer than" | "at least")? NUMBER UNIT
 *   SPEED    := "running" | ("faster" | "slower") "than" (NUMBER | NUMBER "%" | "normal" | "the others")
 *   HEADING  := ("moving" | "heading" | "going") ("to the" | "toward")? SIDE
 *   ENTRY    := "entering" "from" "the"? SIDE          EXIT := "leaving" ("at" | "through") "the"? SIDE
 *   CARRY    := ("carrying" | "holding" | "with") ("a" | "an")? OBJECT
 *   TIME     := "between" T "and" T | "after" T | "before" T
 *
 * A definition naming something the installed models cannot see ("wheelchair", "gun") or a zone the
 * case does not have is rejected with the reason. Matching a rule against an evidence model gives the
 * tracks and intervals it covers, each with a citable frame and box.
 */
import type { Box } from '../analysis/types.js';
import { VigilError } from '../errors.js';
import { appendAudit } from '../store/audit.js';
import { getCase } from '../store/cases.js';
import type { Db } from '../store/db.js';
import { newId, nowIso } from '../store/ids.js';
import type { EvidenceModel, TrackFacts } from './evidence-model.js';
import { trackInteractions } from './interactions.js';
import { lookup, type Entry, type Side } from './lexicon.js';
import { tokenize, type Token } from './tokenizer.js';
import { isKnownLabel, RIDDEN_LABELS } from './vocabulary.js';
import { listZones } from './zones.js';

export interface DefinitionRule {
  /** Detector labels the definition covers, or 'any'. */
  labels: string[] | 'any';
  /** A person riding one of `labels` (the ridden object's track stands for the rider). */
  role?: 'rider';
  zone?: string;
  stationaryMinS?: number;
  speedAbove?: { value: number; unit: 'heights/s' | 'percentile' };
  speedBelow?: { value: number; unit: 'heights/s' | 'percentile' };
  heading?: 'left' | 'right' | 'up' | 'down';
  entry?: Side;
  exit?: Side;
  carrying?: string[];
  from?: number;
  to?: number;
  /** At least this many matching objects at the same time. */
  minCount?: number;
}

export interface Definition {
  id: string;
  caseId: string;
  text: string;
  rule: DefinitionRule;
  createdAt: string;
}

/** Default minimum stop for "loitering" without a duration. */
const LOITER_S = 20;
/** "running" = faster than this share of the scene's objects. */
const RUNNING_PERCENTILE = 90;

const STATIONARY_WORDS = new Set(['stationary', 'stopped', 'stopping', 'standing', 'stand', 'stands', 'still', 'waiting', 'wait', 'waits', 'parked', 'park', 'loitering', 'loiter', 'loiters', 'lingering', 'staying', 'stays', 'idle', 'motionless', 'static', 'remaining', 'sitting', 'abandoned', 'unattended', 'left']);
const LOITER_WORDS = new Set(['loitering', 'loiter', 'loiters', 'lingering']);
const FILLER = new Set(['a', 'an', 'any', 'the', 'is', 'are', 'was', 'were', 'that', 'who', 'which', 'being', 'be', 'someone', 'anyone', 'anybody', 'somebody', 'of', 'every', 'all', 'each', 'for', 'when', 'if']);
const GT_WORDS = ['more than', 'longer than', 'at least', 'over', 'above', 'greater than', '>=', '>', '≥'];

function err(text: string, message: string): VigilError {
  return new VigilError('invalid_input', `Definition "${text}": ${message}`);
}

interface Cursor {
  toks: Token[];
  i: number;
}

const peek = (c: Cursor, k = 0): Token | undefined => c.toks[c.i + k];
const word = (c: Cursor, k = 0): string => peek(c, k)?.text ?? '';

/** Consumes one of the phrases (each a sequence of token texts) and returns it, or null. */
function accept(c: Cursor, phrases: string[]): string | null {
  for (const p of phrases) {
    const parts = tokenize(p).map((t) => t.text);
    if (parts.every((w, k) => word(c, k) === w)) {
      c.i += parts.length;
      return p;
    }
  }
  return null;
}

function entries(t: Token | undefined): Entry[] {
  return t && t.kind === 'word' ? lookup(t.text) : [];
}

function numberAt(c: Cursor): number | null {
  const t = peek(c);
  if (t?.kind === 'number') return t.value as number;
  const card = entries(t).find((e) => e.pos === 'card') as Extract<Entry, { pos: 'card' }> | undefined;
  return card ? card.value : null;
}

/** NUMBER UNIT (or a clock time) in seconds. */
function duration(c: Cursor, text: string): number | null {
  const t = peek(c);
  if (t?.kind === 'clock') {
    c.i++;
    return t.value as number;
  }
  const n = numberAt(c);
  if (n === null) return null;
  const unit = entries(peek(c, 1)).find((e) => e.pos === 'unit') as Extract<Entry, { pos: 'unit' }> | undefined;
  if (!unit) throw err(text, `"${n}" needs a unit (seconds or minutes).`);
  c.i += 2;
  return n * unit.value;
}

function timePoint(c: Cursor, text: string): number {
  const t = peek(c);
  if (t?.kind === 'clock') {
    c.i++;
    return t.value as number;
  }
  const d = duration(c, text);
  if (d === null) throw err(text, `expected a time such as 00:30 or 30 s after "${word(c, -1)}".`);
  return d;
}

function side(c: Cursor): Side | null {
  if (word(c) === 'the') c.i++;
  const e = entries(peek(c)).find((x) => x.pos === 'side') as Extract<Entry, { pos: 'side' }> | undefined;
  if (!e) return null;
  c.i++;
  if (['side', 'edge', 'border'].includes(word(c))) c.i++;
  return e.value;
}

function objectAt(c: Cursor, text: string): { labels: string[] | 'any'; role?: 'rider' } | null {
  const t = peek(c);
  if (!t || t.kind !== 'word') return null;
  const es = entries(t);
  const unsupported = es.find((e) => e.pos === 'unsupported') as Extract<Entry, { pos: 'unsupported' }> | undefined;
  if (unsupported && !es.some((e) => e.pos === 'noun')) throw err(text, `"${t.text}" ${unsupported.reason}.`);
  const noun = es.find((e) => e.pos === 'noun') as Extract<Entry, { pos: 'noun' }> | undefined;
  if (noun) {
    c.i++;
    const role = noun.obj.role === 'rider' ? ('rider' as const) : undefined;
    return { labels: noun.obj.labels === 'any' ? 'any' : [...noun.obj.labels], role };
  }
  if (['anything', 'something', 'everything'].includes(t.text)) {
    c.i++;
    return { labels: 'any' };
  }
  if (['anyone', 'someone', 'anybody', 'somebody', 'everyone'].includes(t.text)) {
    c.i++;
    return { labels: ['person'] };
  }
  return null;
}

/** Parses a definition; zone names are checked against `zoneNames` (the case's zones). */
export function parseDefinition(text: string, zoneNames: readonly string[]): DefinitionRule {
  const src = (text ?? '').trim();
  if (!src) throw new VigilError('invalid_input', 'A definition needs some text, e.g. "bicycle" or "person stationary > 60 s".');
  if (src.length > 300) throw new VigilError('invalid_input', `Definitions are limited to 300 characters (got ${src.length}).`);
  const c: Cursor = { toks: tokenize(src), i: 0 };
  const rule: DefinitionRule = { labels: 'any' };
  let haveObject = false;
  const zones = zoneNames.map((z) => ({ name: z, words: tokenize(z).map((t) => t.text) }));

  // COUNT
  if (accept(c, GT_WORDS)) {
    const n = numberAt(c);
    if (n === null) throw err(src, 'expected a number after "more than".');
    c.i++;
    rule.minCount = Math.floor(n) + (word(c, -2) === 'least' || word(c, -2) === '≥' ? 0 : 1);
  } else {
    const n = numberAt(c);
    if (n !== null && peek(c)?.kind === 'number') {
      c.i++;
      rule.minCount = n;
    }
  }

  while (c.i < c.toks.length) {
    const t = peek(c)!;
    if (t.kind === 'punct' && t.text !== '>' && t.text !== '<' && t.text !== '≥') {
      c.i++;
      continue;
    }
    if (FILLER.has(t.text) && !(t.text === 'for' && numberAt({ toks: c.toks, i: c.i + 1 }) !== null)) {
      c.i++;
      continue;
    }
    // OBJECTS
    const obj = objectAt(c, src);
    if (obj) {
      if (haveObject && rule.labels !== 'any' && obj.labels !== 'any') rule.labels = [...new Set([...rule.labels, ...obj.labels])];
      else if (!haveObject || obj.labels === 'any') rule.labels = obj.labels === 'any' ? 'any' : obj.labels;
      if (obj.role) rule.role = obj.role;
      haveObject = true;
      continue;
    }
    if ((t.text === 'or' || t.text === 'and') && haveObject) {
      c.i++;
      continue;
    }
    // ZONE
    const zoneStart = c.i;
    if (['in', 'inside', 'within', 'on', 'into', 'at'].includes(t.text)) c.i++;
    if (word(c) === 'the') c.i++;
    if (['zone', 'area', 'region'].includes(word(c))) c.i++;
    const z = zones.find((zz) => zz.words.every((w, k) => word(c, k) === w));
    if (z && z.words.length) {
      c.i += z.words.length;
      if (['zone', 'area', 'region'].includes(word(c))) c.i++;
      rule.zone = z.name;
      continue;
    }
    if (c.i > zoneStart && word(c) && (['zone', 'area', 'region'].includes(word(c, -1)) || lookup(word(c)).some((e) => e.pos === 'placenoun'))) {
      throw err(src, `the case has no zone named "${peek(c)!.text}". Draw the zone on the evidence first${zoneNames.length ? ` (zones: ${zoneNames.join(', ')})` : ''}.`);
    }
    c.i = zoneStart;
    // STATIONARY
    if (STATIONARY_WORDS.has(t.text) || (t.text === 'standing' && word(c, 1) === 'still')) {
      const loiter = LOITER_WORDS.has(t.text);
      c.i++;
      if (word(c) === 'still') c.i++;
      if (word(c) === 'for') c.i++;
      accept(c, GT_WORDS);
      const d = duration(c, src);
      rule.stationaryMinS = d ?? (loiter ? LOITER_S : 2);
      continue;
    }
    // SPEED
    if (['running', 'run', 'runs', 'speeding', 'rushing', 'sprinting'].includes(t.text)) {
      c.i++;
      rule.speedAbove = { value: RUNNING_PERCENTILE, unit: 'percentile' };
      continue;
    }
    if (t.text === 'faster' || t.text === 'slower') {
      c.i++;
      if (word(c) !== 'than') throw err(src, `"${t.text}" needs "than" and a speed (object heights per second) or a percentage.`);
      c.i++;
      let value: { value: number; unit: 'heights/s' | 'percentile' };
      if (accept(c, ['normal', 'usual', 'the others', 'others', 'most', 'average', 'typical'])) value = { value: t.text === 'faster' ? RUNNING_PERCENTILE : 100 - RUNNING_PERCENTILE, unit: 'percentile' };
      else {
        const n = numberAt(c);
        if (n === null) throw err(src, `expected a speed after "${t.text} than".`);
        c.i++;
        if (accept(c, ['%', 'percent', 'per cent', 'percentile'])) value = { value: n, unit: 'percentile' };
        else {
          accept(c, ['heights per second', 'heights/s', 'object heights per second', 'height per second']);
          value = { value: n, unit: 'heights/s' };
        }
      }
      if (t.text === 'faster') rule.speedAbove = value;
      else rule.speedBelow = value;
      continue;
    }
    // HEADING / ENTRY / EXIT
    if (['moving', 'heading', 'going', 'travelling', 'traveling', 'walking', 'riding', 'driving'].includes(t.text)) {
      c.i++;
      accept(c, ['to the', 'toward the', 'towards the', 'toward', 'towards', 'to']);
      const s = side(c);
      if (s === 'left' || s === 'right') rule.heading = s;
      else if (s === 'top' || s === 'far') rule.heading = 'up';
      else if (s === 'bottom' || s === 'near') rule.heading = 'down';
      else if (word(c) === 'up' || word(c) === 'down') {
        rule.heading = word(c) as 'up' | 'down';
        c.i++;
      } else if (t.text === 'walking' || t.text === 'riding' || t.text === 'driving') continue;
      else throw err(src, `"${t.text}" needs a direction (left, right, up, down).`);
      continue;
    }
    if (['entering', 'enters', 'entered', 'coming', 'arriving'].includes(t.text)) {
      c.i++;
      accept(c, ['from', 'through', 'at']);
      const s = side(c);
      if (!s) throw err(src, `"${t.text}" needs a side of the picture (from the left, right, top or bottom).`);
      rule.entry = s;
      continue;
    }
    if (['leaving', 'leaves', 'exiting', 'exits'].includes(t.text)) {
      c.i++;
      accept(c, ['at', 'through', 'to', 'on', 'via']);
      const s = side(c);
      if (!s) throw err(src, `"${t.text}" needs a side of the picture (at the left, right, top or bottom).`);
      rule.exit = s;
      continue;
    }
    // CARRY
    if (['carrying', 'carries', 'holding', 'with', 'pushing', 'pulling'].includes(t.text)) {
      c.i++;
      while (['a', 'an', 'the', 'any'].includes(word(c))) c.i++;
      const o = objectAt(c, src);
      if (!o || o.labels === 'any') throw err(src, `"${t.text}" needs an object the detector knows (e.g. bag, backpack, suitcase, umbrella).`);
      rule.carrying = o.labels;
      continue;
    }
    // TIME
    if (t.text === 'between' || t.text === 'from') {
      c.i++;
      rule.from = timePoint(c, src);
      if (!accept(c, ['and', 'to', 'until'])) throw err(src, '"between" needs two times, e.g. between 00:10 and 00:40.');
      rule.to = timePoint(c, src);
      if (rule.to <= rule.from) throw err(src, `the time window ends (${rule.to} s) before it starts (${rule.from} s).`);
      continue;
    }
    if (t.text === 'after' || t.text === 'since') {
      c.i++;
      rule.from = timePoint(c, src);
      continue;
    }
    if (t.text === 'before' || t.text === 'until') {
      c.i++;
      rule.to = timePoint(c, src);
      continue;
    }
    if (t.text === 'zone' || t.text === 'area') throw err(src, `the case has no zone named "${word(c, 1)}". Draw the zone on the evidence first${zoneNames.length ? ` (zones: ${zoneNames.join(', ')})` : ''}.`);
    const es = entries(t);
    const unsup = es.find((e) => e.pos === 'unsupported') as Extract<Entry, { pos: 'unsupported' }> | undefined;
    if (unsup) throw err(src, `"${t.text}" ${unsup.reason}.`);
    const place = es.find((e) => e.pos === 'placenoun');
    if (place) throw err(src, `the case has no zone named "${t.text}". Draw the zone on the evidence first${zoneNames.length ? ` (zones: ${zoneNames.join(', ')})` : ''}.`);
    throw err(src, `could not read "${t.text}". Definitions combine an object (e.g. bicycle, vehicle, person, bag) with zones ("in zone X"), behaviour ("stationary > 60 s", "running", "faster than 2", "moving left", "entering from the top", "carrying a bag") and times ("between 00:10 and 00:40").`);
  }
  if (!haveObject && rule.zone === undefined && rule.stationaryMinS === undefined && !rule.speedAbove && !rule.speedBelow && !rule.heading && !rule.entry && !rule.exit) {
    throw err(src, 'it names nothing the models can detect (an object, a zone or a behaviour).');
  }
  if (rule.labels !== 'any') for (const l of rule.labels) if (!isKnownLabel(l)) throw err(src, `"${l}" is not a label of the installed detector.`);
  return rule;
}

// ---------- storage ----------

interface DefRow { id: string; case_id: string; text: string; rule_json: string; created_at: string }
const toDef = (r: DefRow): Definition => ({ id: r.id, caseId: r.case_id, text: r.text, rule: JSON.parse(r.rule_json), createdAt: r.created_at });

export function addDefinition(db: Db, input: { caseId: string; text: string }): Definition {
  getCase(db, input.caseId);
  const text = (input.text ?? '').trim().replace(/\s+/g, ' ');
  const rule = parseDefinition(text, listZones(db, { caseId: input.caseId }).map((z) => z.name));
  const id = newId('def');
  db.transaction(() => {
    db.prepare('INSERT INTO definitions (id, case_id, text, rule_json, created_at) VALUES (?,?,?,?,?)').run(id, input.caseId, text, JSON.stringify(rule), nowIso());
    appendAudit(db, { action: 'definition.add', caseId: input.caseId, subject: id, details: { text, rule: rule as unknown as Record<string, unknown> } });
  })();
  return getDefinition(db, id);
}

export function getDefinition(db: Db, id: string): Definition {
  const r = db.prepare('SELECT * FROM definitions WHERE id = ?').get(id) as DefRow | undefined;
  if (!r) throw new VigilError('not_found', `No anomaly definition with id ${id}.`);
  return toDef(r);
}

export function listDefinitions(db: Db, caseId: string): Definition[] {
  return (db.prepare('SELECT * FROM definitions WHERE case_id = ? ORDER BY created_at, rowid').all(caseId) as DefRow[]).map(toDef);
}

export function removeDefinition(db: Db, id: string): void {
  const d = getDefinition(db, id);
  db.transaction(() => {
    db.prepare('DELETE FROM definitions WHERE id = ?').run(id);
    appendAudit(db, { action: 'definition.remove', caseId: d.caseId, subject: id, details: { text: d.text } });
  })();
}

// ---------- matching ----------

export interface DefinitionMatch {
  trackIds: number[];
  start: number;
  end: number;
  frame: number;
  boxes: { trackId: number; box: Box }[];
  /** Plain description of what matched ("track 4 (bicycle) in zone Walkway for 3.2 s"). */
  detail: string;
}

type Interval = [number, number];

function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) for (const y of b) {
    const s = Math.max(x[0], y[0]);
    const e = Math.min(x[1], y[1]);
    if (e > s || (e === s && x[0] === x[1])) out.push([s, e]);
  }
  return out;
}

function speedOk(f: TrackFacts, m: EvidenceModel, cond: DefinitionRule['speedAbove'], above: boolean): boolean {
  if (!cond) return true;
  const v = cond.unit === 'percentile' ? f.speedPercentile : f.meanSpeed;
  return above ? v > cond.value : v < cond.value;
}

const HEADING_WORD: Record<NonNullable<DefinitionRule['heading']>, RegExp> = { left: /left/, right: /right/, up: /^up/, down: /^down/ };

/** Intervals during which one track satisfies the rule's per-track conditions. */
function trackIntervals(m: EvidenceModel, rule: DefinitionRule, f: TrackFacts): Interval[] {
  if (!speedOk(f, m, rule.speedAbove, true) || !speedOk(f, m, rule.speedBelow, false)) return [];
  if (rule.heading && !(f.heading && HEADING_WORD[rule.heading].test(f.heading))) return [];
  if (rule.entry && f.entry.side !== rule.entry) return [];
  if (rule.exit && f.exit.side !== rule.exit) return [];
  let iv: Interval[] = [[f.first.time, f.last.time + m.frameDurationS]];
  if (rule.zone) iv = intersect(iv, f.zones.filter((z) => z.zone.name === rule.zone).map((z) => [z.start, z.end] as Interval));
  if (rule.stationaryMinS !== undefined) {
    // A stop counts in a zone only when the object stood inside it.
    const stops = f.stationary.filter((p) => p.end - p.start >= rule.stationaryMinS! && (!rule.zone || f.zones.some((z) => z.zone.name === rule.zone && m.inZone(p.box, z.zone))));
    iv = intersect(iv, stops.map((p) => [p.start, p.end] as Interval));
  }
  if (rule.carrying) {
    const carried = new Set(rule.carrying);
    const withs = trackInteractions(m, f.track.id).filter((x) => x.kind === 'with' && carried.has(m.track(x.a === f.track.id ? x.b : x.a)?.label ?? ''));
    iv = intersect(iv, withs.map((x) => [x.start, x.end] as Interval));
  }
  if (rule.from !== undefined || rule.to !== undefined) iv = intersect(iv, [[rule.from ?? 0, rule.to ?? Number.POSITIVE_INFINITY]]);
  return iv;
}

function candidateTracks(m: EvidenceModel, rule: DefinitionRule) {
  return m.tracks.filter((t) => rule.labels === 'any' || rule.labels.includes(t.label));
}

/** Everything in one evidence item that the rule matches. */
export function matchDefinition(m: EvidenceModel, rule: DefinitionRule): DefinitionMatch[] {
  const out: DefinitionMatch[] = [];
  const per: { f: TrackFacts; iv: Interval[] }[] = [];
  for (const t of candidateTracks(m, rule)) {
    let f: TrackFacts;
    try {
      f = m.facts(t.id);
    } catch {
      continue;
    }
    const iv = trackIntervals(m, rule, f);
    if (iv.length) per.push({ f, iv });
  }
  if (rule.minCount && rule.minCount > 1) {
    // Count matching objects frame by frame; report runs where at least minCount are present together.
    const times = new Map<number, { time: number; ids: number[]; boxes: { trackId: number; box: Box }[] }>();
    for (const { f, iv } of per) {
      for (const o of f.obs) {
        if (!iv.some(([s, e]) => o.time >= s - 1e-6 && o.time <= e + 1e-6)) continue;
        let slot = times.get(o.frame);
        if (!slot) times.set(o.frame, (slot = { time: o.time, ids: [], boxes: [] }));
        slot.ids.push(o.trackId);
        slot.boxes.push({ trackId: o.trackId, box: o.box });
      }
    }
    const frames = [...times.entries()].sort((a, b) => a[0] - b[0]);
    let run: typeof frames = [];
    const flush = () => {
      if (!run.length) return;
      const best = run.reduce((a, b) => (b[1].ids.length > a[1].ids.length ? b : a));
      out.push({
        trackIds: [...new Set(run.flatMap((r) => r[1].ids))], start: run[0][1].time, end: run[run.length - 1][1].time + m.frameDurationS, frame: best[0], boxes: best[1].boxes,
        detail: `${best[1].ids.length} matching objects together at ${best[1].time.toFixed(1)} s`,
      });
      run = [];
    };
    for (const fr of frames) {
      if (fr[1].ids.length >= rule.minCount) run.push(fr);
      else flush();
    }
    flush();
    return out;
  }
  for (const { f, iv } of per) {
    for (const [s, e] of iv) {
      const o = f.obs.find((x) => x.time >= s - 1e-6) ?? f.obs[0];
      out.push({ trackIds: [f.track.id], start: s, end: e, frame: o.frame, boxes: [{ trackId: f.track.id, box: o.box }], detail: `track ${f.track.id} (${f.track.label})` });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Rider rules name the ridden object; the person on it is the actor. */
export function isRiderRule(rule: DefinitionRule): boolean {
  return rule.role === 'rider' && rule.labels !== 'any' && rule.labels.every((l) => RIDDEN_LABELS.includes(l));
}
