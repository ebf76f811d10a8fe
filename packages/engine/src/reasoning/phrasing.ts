/**
 * Sentence pieces shared by reasoning steps and chat answers, so the same fact is always said the same
 * way. Nothing here decides what is true; it only words facts from the evidence model.
 */
import type { EvidenceModel, ModelEvent, TrackFacts } from './evidence-model.js';
import type { Interaction } from './interactions.js';
import { fmtS } from './citations.js';
import { labelNoun, withArticle } from './vocabulary.js';

/** "track 7 (bicycle)" */
export function trackName(m: EvidenceModel, id: number): string {
  const t = m.track(id);
  return t ? `track ${id} (${labelNoun(t.label)})` : `track ${id}`;
}

/** "event 2 [6.0, 18.0] s" style name. */
export function eventName(e: ModelEvent): string {
  return `event ${e.seq}`;
}

export function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** "enters from the left at 6.0 s" / "is already in view when the footage starts (0.0 s)" / "is first seen inside the view at 4.2 s" */
export function entryPhrase(_m: EvidenceModel, f: TrackFacts): string {
  switch (f.entry.how) {
    case 'at-start':
      return `is already in view when the footage starts (${fmtS(f.first.time)} s)`;
    case 'appears':
      return `is first seen inside the view at ${fmtS(f.first.time)} s`;
    default:
      return `enters from the ${f.entry.side} at ${fmtS(f.entry.start)} s`;
  }
}

/** "leaves at the right at 14.2 s" / "is still in view at the end (18.0 s)" / "is last seen inside the view at 9.0 s" */
export function exitPhrase(_m: EvidenceModel, f: TrackFacts): string {
  switch (f.exit.how) {
    case 'at-end':
      return `is still in view at the end (${fmtS(f.last.time)} s)`;
    case 'vanishes':
      return `is last seen inside the view at ${fmtS(f.last.time)} s`;
    default:
      return `leaves at the ${f.exit.side} at ${fmtS(f.exit.end)} s`;
  }
}

export function speedValue(v: number): string {
  return `${v.toFixed(v < 1 ? 2 : 1)} object heights per second`;
}

/** "faster than 97 % of the 57 other objects in this footage (median 0.70)", "faster than all 11 other objects ..." */
export function percentilePhrase(m: EvidenceModel, f: TrackFacts): string {
  const s = m.scene;
  const n = s.speeds.includes(f.meanSpeed) ? s.speeds.length - 1 : s.speeds.length;
  const med = s.medianSpeed.toFixed(s.medianSpeed < 1 ? 2 : 1);
  if (n < 2) return `(too few other objects in this footage to compare speeds: ${n})`;
  const p = Math.round(f.speedPercentile);
  if (p >= 100) return `faster than all ${n} other objects in this footage (median ${med})`;
  if (p <= 0) return `slower than all ${n} other objects in this footage (median ${med})`;
  if (p >= 50) return `faster than ${p} % of the ${n} other objects in this footage (median ${med})`;
  return `slower than ${100 - p} % of the ${n} other objects in this footage (median ${med})`;
}

/** "moves with track 3 (person)" etc., from a's point of view. */
export function interactionPhrase(m: EvidenceModel, x: Interaction, from: number): string {
  const other = x.a === from ? x.b : x.a;
  const on = trackName(m, other);
  const self = m.track(from)?.label;
  const oth = m.track(other)?.label;
  switch (x.kind) {
    case 'with':
      if (self === 'person' && ['bicycle', 'motorcycle', 'skateboard', 'horse'].includes(oth ?? '')) return `rides ${withArticle(labelNoun(oth!))} (track ${other})`;
      if (oth === 'person' && ['bicycle', 'motorcycle', 'skateboard', 'horse'].includes(self ?? '')) return `is ridden by ${on}`;
      if (self === 'person' && ['backpack', 'handbag', 'suitcase', 'umbrella'].includes(oth ?? '')) return `carries ${withArticle(labelNoun(oth!))} (track ${other})`;
      if (oth === 'person' && ['backpack', 'handbag', 'suitcase', 'umbrella'].includes(self ?? '')) return `is carried by ${on}`;
      return `moves together with ${on}`;
    case 'approach':
      return x.a === from ? `approaches ${on}` : `is approached by ${on}`;
    case 'meet':
      return `meets ${on}`;
    case 'follow':
      return x.a === from ? `follows ${on}` : `is followed by ${on}`;
    case 'overtake':
      return x.a === from ? `overtakes ${on}` : `is overtaken by ${on}`;
  }
}

export function joinList(items: string[], conj = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conj} ${items[items.length - 1]}`;
}

/** Plain name of an anomaly attribute for sentences. */
export function attributeName(a: string): string {
  switch (a) {
    case 'speed':
      return 'speed';
    case 'direction':
      return 'direction of movement';
    case 'position':
      return 'position in the scene';
    case 'size':
      return 'size for its place in the picture';
    case 'label':
      return 'kind of object';
    case 'stationary':
      return 'time standing still';
    case 'acceleration':
      return 'acceleration';
    case 'appearance':
      return 'appearance';
    default:
      return a;
  }
}

/** "speed 1.9 object heights per second where 0.6 object heights per second is typical (deviation 3.1)" */
export function attributeValuePhrase(a: { attribute: string; value: number | string; normal: number | string; score?: number }): string {
  const unit = a.attribute === 'speed' || a.attribute === 'acceleration' ? ' object heights per second' + (a.attribute === 'acceleration' ? ' per second' : '') : a.attribute === 'stationary' ? ' s' : '';
  const fmt = (v: number | string) => (typeof v === 'number' ? `${Number(v.toFixed(2))}${unit}` : v);
  const dev = typeof a.score === 'number' && Number.isFinite(a.score) ? ` (deviation ${a.score.toFixed(1)})` : '';
  return `${attributeName(a.attribute)} ${fmt(a.value)} where ${fmt(a.normal)} is typical${dev}`;
}
