/**
 * Event categorisation with grounded reasoning steps (Observation → Comparison with normal → Conclusion).
 * Each step is a sentence with citations into the analysis. The category comes from the user's own
 * definitions first (open categories), then from the built-in taxonomy:
 *
 *   vehicle in a pedestrian area · cyclist or skater on a walkway · running · loitering · abandoned object ·
 *   fall · crowd forming · wrong-way movement · unknown object
 *
 * and, when none applies, from the attribute that deviated most ("unusual speed", "unusual position", ...).
 * `confidence` is how well the evidence fits the category (0..1), not how anomalous the event is (that is
 * the event's own confidence).
 */
import type { AnalysisParams, FrameScore, TrackSummary } from '../analysis/types.js';
import { getAnalysis, getObservations, getTrackObservations } from '../store/analyses.js';
import type { Db } from '../store/db.js';
import { citeInterval, citeTrackAt, fmtInterval, fmtS, type Citation } from './citations.js';
import { listDefinitions, matchDefinition, type Definition } from './definitions.js';
import { EvidenceModel, evidenceInfoFromDb, type AnalysisData, type ModelEvent, type TrackFacts } from './evidence-model.js';
import { listZones } from './zones.js';
import { trackInteractions, type Interaction } from './interactions.js';
import { attributeValuePhrase, capitalise, entryPhrase, exitPhrase, interactionPhrase, joinList, percentilePhrase, speedValue, trackName } from './phrasing.js';
import { CARRIED_LABELS, labelNoun, RIDDEN_LABELS, UNKNOWN_LABEL } from './vocabulary.js';

export interface ReasoningStep {
  kind: 'observation' | 'comparison' | 'conclusion';
  text: string;
  citations: Citation[];
}

export interface Categorization {
  category: string;
  /** Where the category comes from. */
  source: 'definition' | 'taxonomy' | 'attribute';
  definitionId?: string;
  confidence: number;
  steps: ReasoningStep[];
}

export const BUILTIN_CATEGORIES = [
  'vehicle in a pedestrian area',
  'cyclist or skater on a walkway',
  'running',
  'loitering',
  'abandoned object',
  'fall',
  'crowd forming',
  'wrong-way movement',
  'unknown object',
] as const;

const MOTOR_VEHICLES = new Set(['car', 'motorcycle', 'bus', 'truck']);
const WHEELED_RIDES = new Set(['bicycle', 'skateboard']);

interface EventContext {
  m: EvidenceModel;
  e: ModelEvent;
  facts: TrackFacts[];
  primary: TrackFacts | null;
  interactions: Map<number, Interaction[]>;
  peakCite: Citation;
}

interface Candidate {
  category: string;
  strength: number;
  /** Comparison sentence specific to the category. */
  comparison: { text: string; citations: Citation[] }[];
}

/** The event's interval with its tracks' stored boxes at the peak frame. */
export function eventCitation(m: EvidenceModel, e: ModelEvent): Citation {
  const ids = e.trackIds.filter((id) => m.track(id));
  const frameOk = m.frameByIndex(e.peakFrame) && e.peakTime >= e.startTime - m.frameDurationS && e.peakTime <= e.endTime + m.frameDurationS;
  const boxes = frameOk ? m.data.observations(e.peakFrame, e.peakFrame, ids).map((o) => ({ trackId: o.trackId, box: o.box })) : [];
  const active = ids.filter((id) => {
    const t = m.track(id)!;
    return t.endTime >= e.startTime - m.frameDurationS && t.startTime <= e.endTime + m.frameDurationS;
  });
  return citeInterval(m, e.startTime, e.endTime, { trackIds: active, ...(frameOk ? { frame: e.peakFrame, boxes } : {}) });
}

function riding(ctx: EventContext, f: TrackFacts): Interaction | undefined {
  const xs = ctx.interactions.get(f.track.id) ?? [];
  return xs.find((x) => x.kind === 'with' && [ctx.m.track(x.a)?.label, ctx.m.track(x.b)?.label].some((l) => RIDDEN_LABELS.includes(l ?? '')) && [ctx.m.track(x.a)?.label, ctx.m.track(x.b)?.label].includes('person'));
}

function labelShare(m: EvidenceModel, label: string): { n: number; total: number } {
  const s = m.scene;
  return { n: s.labels.find((l) => l.label === label)?.tracks ?? 0, total: s.trackCount };
}

function sceneMixSentence(ctx: EventContext, label: string): { text: string; citations: Citation[] } {
  const { m } = ctx;
  const own = labelShare(m, label);
  const maj = m.scene.majorityLabel;
  const majN = maj ? labelShare(m, maj).n : 0;
  const text = maj && maj !== label
    ? `${capitalise(labelNoun(label, 2))} make up ${own.n} of the ${own.total} tracked objects in this footage; most are ${labelNoun(maj, 2)} (${majN}).`
    : `${capitalise(labelNoun(label, 2))} make up ${own.n} of the ${own.total} tracked objects in this footage.`;
  return { text, citations: [ctx.peakCite] };
}

function speedSentence(ctx: EventContext, f: TrackFacts): { text: string; citations: Citation[] } {
  return {
    text: `${capitalise(trackName(ctx.m, f.track.id))} moves at ${speedValue(f.meanSpeed)} on average, ${percentilePhrase(ctx.m, f)}.`,
    citations: [citeTrackAt(ctx.m, f.track.id, f.first.time, f.last.time + ctx.m.frameDurationS, f.peak)],
  };
}

function builtinCandidates(ctx: EventContext): Candidate[] {
  const { m, e, facts, primary } = ctx;
  const out: Candidate[] = [];
  const majority = m.scene.majorityLabel;
  const pedestrianScene = majority === 'person';
  const top = e.topAttributes[0]?.attribute;

  // Vehicle among pedestrians.
  const vehicle = facts.find((f) => MOTOR_VEHICLES.has(f.track.label));
  if (vehicle && pedestrianScene) out.push({ category: 'vehicle in a pedestrian area', strength: vehicle === primary ? 0.9 : 0.75, comparison: [sceneMixSentence(ctx, vehicle.track.label)] });

  // Cyclist / skater: a bicycle or skateboard track, or a person moving with one.
  const ride = facts.find((f) => WHEELED_RIDES.has(f.track.label)) ?? facts.find((f) => riding(ctx, f));
  if (ride && pedestrianScene) {
    const label = WHEELED_RIDES.has(ride.track.label) ? ride.track.label : 'bicycle';
    out.push({ category: 'cyclist or skater on a walkway', strength: ride === primary || riding(ctx, ride) ? 0.85 : 0.7, comparison: [sceneMixSentence(ctx, label), speedSentence(ctx, ride)] });
  }

  if (primary && primary.track.label === 'person' && !riding(ctx, primary)) {
    // Running: among the fastest objects here, and speed is what stood out.
    if (primary.speedPercentile >= 90 && (top === 'speed' || top === 'acceleration' || !top)) {
      out.push({ category: 'running', strength: Math.min(0.9, 0.55 + (primary.speedPercentile - 90) / 25), comparison: [speedSentence(ctx, primary)] });
    }
    // Loitering: long stationary periods.
    const still = primary.stationary.reduce((s, p) => s + (p.end - p.start), 0);
    if (still >= 20 || (top === 'stationary' && still >= 5)) {
      const longest = primary.stationary.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
      out.push({
        category: 'loitering',
        strength: Math.min(0.9, 0.5 + still / 100),
        comparison: [{ text: `It stands still for ${Math.round(still)} s in all, the longest stop ${fmtInterval(longest.start, longest.end)}.`, citations: [citeTrackAt(m, primary.track.id, longest.start, longest.end, { time: longest.start, frame: longest.frame, box: longest.box })] }],
      });
    }
    // Fall: the box turns from upright to lying within 1.5 s and stays so for a second.
    const fall = detectFall(primary, m.frameDurationS);
    if (fall) {
      out.push({
        category: 'fall',
        strength: 0.75,
        comparison: [{ text: `Its box changes from upright (height/width ${fall.before.toFixed(1)}) to lying (${fall.after.toFixed(1)}) at ${fmtS(fall.time)} s and stays low.`, citations: [citeTrackAt(m, primary.track.id, fall.start, fall.end, fall.moment)] }],
      });
    }
  }

  // Abandoned object: a bag that stays put with no person moving with it during the stop.
  const bag = facts.find((f) => CARRIED_LABELS.includes(f.track.label) && f.stationary.some((p) => p.end - p.start >= 10));
  if (bag) {
    const stop = bag.stationary.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
    const carried = (ctx.interactions.get(bag.track.id) ?? []).some((x) => x.kind === 'with' && x.start < stop.end && x.end > stop.start);
    if (!carried) {
      out.push({
        category: 'abandoned object',
        strength: 0.8,
        comparison: [{ text: `${capitalise(trackName(m, bag.track.id))} stays in place ${fmtInterval(stop.start, stop.end)} with nobody moving with it.`, citations: [citeTrackAt(m, bag.track.id, stop.start, stop.end, { time: stop.start, frame: stop.frame, box: stop.box })] }],
      });
    }
  }

  // Crowd forming: several people in the event.
  const people = facts.filter((f) => f.track.label === 'person');
  if (people.length >= 4) {
    out.push({ category: 'crowd forming', strength: Math.min(0.85, 0.4 + people.length / 20), comparison: [{ text: `${people.length} people take part in this event.`, citations: [ctx.peakCite] }] });
  }

  if (top === 'direction' && primary) {
    const a = e.topAttributes[0];
    out.push({ category: 'wrong-way movement', strength: 0.7, comparison: [{ text: `Its direction of movement (${String(a.value)}) differs from what objects here usually do (${String(a.normal)}).`, citations: [ctx.peakCite] }] });
  }

  if (primary && primary.track.label === UNKNOWN_LABEL && (top === 'size' || top === 'label' || top === 'appearance')) {
    out.push({ category: 'unknown object', strength: 0.6, comparison: [{ text: `The detector could not classify ${trackName(m, primary.track.id)}; its ${e.topAttributes[0].attribute} is unlike the objects seen here.`, citations: [ctx.peakCite] }] });
  }
  return out;
}

export function detectFall(f: TrackFacts, fd: number): { time: number; start: number; end: number; before: number; after: number; moment: { time: number; frame: number; box: [number, number, number, number] } } | null {
  const seen = f.obs.filter((o) => !o.interpolated);
  const ratio = (o: (typeof seen)[number]) => (o.box[3] - o.box[1]) / Math.max(1, o.box[2] - o.box[0]);
  for (let i = 0; i < seen.length; i++) {
    if (ratio(seen[i]) < 1.4) continue;
    for (let j = i + 1; j < seen.length && seen[j].time - seen[i].time <= 1.5; j++) {
      if (ratio(seen[j]) > 0.9) continue;
      // Stays lying for at least a second.
      let k = j;
      while (k + 1 < seen.length && ratio(seen[k + 1]) <= 1.0) k++;
      if (seen[k].time - seen[j].time + fd >= 1) {
        return { time: seen[j].time, start: seen[i].time, end: seen[k].time + fd, before: ratio(seen[i]), after: ratio(seen[j]), moment: { time: seen[j].time, frame: seen[j].frame, box: seen[j].box } };
      }
      break;
    }
  }
  return null;
}

function attributeCategory(e: ModelEvent): string {
  switch (e.topAttributes[0]?.attribute) {
    case 'speed':
      return 'unusual speed';
    case 'position':
      return 'unusual position';
    case 'size':
      return 'unusual size';
    case 'acceleration':
      return 'sudden movement';
    case 'stationary':
      return 'unusual stop';
    case 'label':
      return 'unusual kind of object';
    case 'direction':
      return 'wrong-way movement';
    default:
      return 'unusual motion';
  }
}

/**
 * Category, confidence and reasoning steps for one event of an evidence model. Definitions are the
 * case's user definitions (checked first).
 */
export function categorizeEvent(m: EvidenceModel, e: ModelEvent, definitions: readonly Definition[] = []): Categorization {
  const facts: TrackFacts[] = [];
  for (const id of e.trackIds) {
    if (!m.track(id)) continue;
    try {
      facts.push(m.facts(id));
    } catch {
      // a track without observations cannot be described; the others still can
    }
  }
  const primaryTrack = m.primaryTrack(e);
  const primary = facts.find((f) => f.track.id === primaryTrack?.id) ?? facts[0] ?? null;
  const interactions = new Map<number, Interaction[]>();
  for (const f of facts) interactions.set(f.track.id, trackInteractions(m, f.track.id));
  const ctx: EventContext = { m, e, facts, primary, interactions, peakCite: null as unknown as Citation };
  ctx.peakCite = eventCitation(m, e);

  const steps: ReasoningStep[] = [];
  // Observation: what the main object did, and who was with it.
  if (primary) {
    const others0 = facts.filter((f) => f !== primary);
    steps.push({
      kind: 'observation',
      text: `${capitalise(trackName(m, primary.track.id))} ${entryPhrase(m, primary)} and ${exitPhrase(m, primary)}; at the event's peak (${fmtS(e.peakTime)} s) it is in ${primary.positions.peak.text}.`,
      citations: [citeTrackAt(m, primary.track.id, primary.first.time, primary.last.time + m.frameDurationS, primary.peak)],
    });
    const rel = (interactions.get(primary.track.id) ?? []).filter((x) => x.end > e.startTime && x.start < e.endTime).slice(0, 3);
    const mentioned = new Set(rel.flatMap((x) => [x.a, x.b]));
    if (rel.length) {
      steps.push({
        kind: 'observation',
        text: `During the event it ${joinList(rel.map((x) => `${interactionPhrase(m, x, primary.track.id)} ${fmtInterval(x.start, x.end)}`))}.`,
        citations: rel.map((x) => citeInterval(m, x.start, x.end, { frame: x.frame, trackIds: [x.a, x.b], boxes: x.boxes })),
      });
    }
    const others = others0.filter((f) => !mentioned.has(f.track.id));
    if (others.length) {
      steps.push({
        kind: 'observation',
        text: `Also involved: ${joinList(others.slice(0, 5).map((f) => trackName(m, f.track.id)))}${others.length > 5 ? ` and ${others.length - 5} more` : ''}.`,
        citations: others.slice(0, 5).map((f) => citeTrackAt(m, f.track.id, Math.max(f.first.time, e.startTime), Math.min(f.last.time + m.frameDurationS, e.endTime), null)),
      });
    }
  } else {
    steps.push({ kind: 'observation', text: `The frame score is raised ${fmtInterval(e.startTime, e.endTime)} (peak ${e.peakScore.toFixed(2)} at ${fmtS(e.peakTime)} s) without a tracked object to attribute it to.`, citations: [ctx.peakCite] });
  }

  // Comparison with normal: the attributes that made it anomalous, measured against this scene.
  const attrs = e.topAttributes.slice(0, 3);
  if (attrs.length) {
    steps.push({ kind: 'comparison', text: `What deviates most from normal here: ${joinList(attrs.map((a) => attributeValuePhrase(a)))}.`, citations: [ctx.peakCite] });
  }

  // Category: user definitions first.
  let chosen: { category: string; source: Categorization['source']; definitionId?: string; strength: number; comparison: { text: string; citations: Citation[] }[] } | null = null;
  for (const d of definitions) {
    const matches = matchDefinition(m, d.rule).filter((x) => x.end > e.startTime && x.start < e.endTime && (d.rule.minCount ? true : x.trackIds.some((id) => e.trackIds.includes(id))));
    if (matches.length) {
      const x = matches[0];
      chosen = {
        category: d.text, source: 'definition', definitionId: d.id, strength: 0.95,
        comparison: [{ text: `It matches your definition "${d.text}": ${x.detail} ${fmtInterval(x.start, x.end)}.`, citations: [citeInterval(m, x.start, x.end, { frame: x.frame, trackIds: x.trackIds, boxes: x.boxes })] }],
      };
      break;
    }
  }
  if (!chosen) {
    const c = builtinCandidates(ctx).sort((a, b) => b.strength - a.strength)[0];
    if (c) chosen = { ...c, source: 'taxonomy' };
  }
  if (!chosen) {
    chosen = { category: attributeCategory(e), source: 'attribute', strength: attrs.length ? 0.4 : 0.2, comparison: primary && attrs[0]?.attribute === 'speed' ? [speedSentence(ctx, primary)] : [] };
  }
  for (const c of chosen.comparison) steps.push({ kind: 'comparison', ...c });
  const confidence = Math.round(chosen.strength * 100) / 100;
  steps.push({
    kind: 'conclusion',
    text: `Conclusion: ${chosen.category} ${fmtInterval(e.startTime, e.endTime)}, category confidence ${confidence.toFixed(2)} (anomaly confidence ${e.confidence.toFixed(2)}).`,
    citations: [ctx.peakCite],
  });
  return { category: chosen.category, source: chosen.source, ...(chosen.definitionId ? { definitionId: chosen.definitionId } : {}), confidence, steps };
}

/**
 * Categories for the events of an analysis that is being finished: tracks, frames and events come from the
 * pipeline's in-memory result, observations from the case database (already streamed through the sink and
 * flushed). The analysis job stores the result with `finishAnalysis(db, id, { ..., events })`.
 */
export function categorizeResultEvents<E extends ModelEvent>(
  db: Db,
  analysisId: string,
  result: { frames: FrameScore[]; tracks: TrackSummary[]; events: E[]; params?: AnalysisParams },
): (E & { category: string })[] {
  const a = getAnalysis(db, analysisId);
  const data: AnalysisData = {
    analysisId,
    params: result.params ?? a.params,
    frames: result.frames,
    tracks: result.tracks,
    events: result.events,
    observations: (from, to, ids) => getObservations(db, analysisId, from, to, ids),
    trackObservations: (id) => getTrackObservations(db, analysisId, id),
  };
  const m = new EvidenceModel(evidenceInfoFromDb(db, a.evidenceId), data, listZones(db, { caseId: a.caseId, evidenceId: a.evidenceId }));
  const defs = listDefinitions(db, a.caseId);
  return result.events.map((e) => ({ ...e, category: categorizeEvent(m, e, defs).category }));
}
