/**
 * Assembles the consumer-facing results from scored observations: per-track summaries (label, span, why,
 * trajectory in words) and events (hysteresis segments with the tracks involved, their strongest
 * attributes, trajectories, peak boxes and a confidence).
 */
import { hysteresisSegments, type HysteresisParams } from './events.js';
import type { Features } from './features.js';
import { SOURCE_INTERPOLATED, type ObservationTable } from './observations.js';
import { explainObservations, type NormalityModel, type ObjectScores } from './normality.js';
import { summarizeTrajectory } from './trajectory.js';
import type { AnomalyEvent, AttributeContribution, Box, TrackSummary, TrajectorySummary } from './types.js';

export interface AssemblyContext {
  table: ObservationTable;
  features: Features;
  scores: ObjectScores;
  /** Per observation, its score on the frame scale (objectFrameScore): what it alone gives its frame. */
  frameLevel: Float64Array;
  model: NormalityModel;
  /** Source frame index and time per analysed ordinal. */
  frameIndex: Int32Array;
  times: Float64Array;
  frameDurationS: number;
  /** Analysis → source pixel scale. */
  scaleX: number;
  scaleY: number;
  analysisWidth: number;
  analysisHeight: number;
}

export function toSourceBox(ctx: AssemblyContext, i: number): Box {
  const t = ctx.table;
  const r = (v: number): number => Math.round(v * 10) / 10;
  return [r(t.x1[i] * ctx.scaleX), r(t.y1[i] * ctx.scaleY), r(t.x2[i] * ctx.scaleX), r(t.y2[i] * ctx.scaleY)];
}

/** Merges contributions by attribute, keeping the strongest of each, strongest first. */
function mergeWhy(lists: AttributeContribution[][], limit: number): AttributeContribution[] {
  const best = new Map<string, AttributeContribution>();
  for (const l of lists) for (const c of l) if (!best.has(c.attribute) || best.get(c.attribute)!.score < c.score) best.set(c.attribute, c);
  return [...best.values()].sort((a, b) => b.score - a.score).slice(0, limit);
}

export interface TrackInfo {
  summary: TrackSummary;
  /** Observation index of the track's highest score. */
  peakObs: number;
}

export function summarizeTracks(ctx: AssemblyContext): Map<number, TrackInfo> {
  const { table, features: f, scores } = ctx;
  const lastOrdinal = ctx.times.length - 1;
  const out = new Map<number, TrackInfo>();
  for (const [id, list] of f.index.byTrack) {
    // The peak for explanations is the strongest observation whose attributes were measured (not
    // interpolated, not cut by the frame edge), when the track has one.
    let peak = list[0];
    let peakMeasured = -1;
    let speedSum = 0;
    let speedN = 0;
    for (const i of list) {
      if (scores.score[i] > scores.score[peak]) peak = i;
      if (f.measured[i] && !f.atBorder[i] && (peakMeasured < 0 || scores.score[i] > scores.score[peakMeasured])) peakMeasured = i;
      if (table.source[i] !== SOURCE_INTERPOLATED && Number.isFinite(f.speed[i])) {
        speedSum += f.speed[i];
        speedN++;
      }
    }
    if (peakMeasured >= 0) peak = peakMeasured;
    const first = list[0];
    const last = list[list.length - 1];
    const trajectory = summarizeTrajectory(
      list.map((i) => ({ time: ctx.times[table.ordinal[i]], box: table.box(i) })),
      {
        width: ctx.analysisWidth,
        height: ctx.analysisHeight,
        startsWithFootage: table.ordinal[first] <= 1,
        endsWithFootage: table.ordinal[last] >= lastOrdinal - 1,
      },
    );
    out.set(id, {
      peakObs: peak,
      summary: {
        id,
        // A track can change label (features.ts, walkerTakenOver): it is named as it was when most anomalous.
        label: f.labels[f.label[peak]],
        firstFrame: ctx.frameIndex[table.ordinal[first]],
        lastFrame: ctx.frameIndex[table.ordinal[last]],
        startTime: round3(ctx.times[table.ordinal[first]]),
        endTime: round3(ctx.times[table.ordinal[last]]),
        maxScore: round3(scores.score[peak]),
        meanSpeed: speedN ? round3(speedSum / speedN) : 0,
        why: scores.score[peak] > 0 ? explainObservations(ctx.model, f, list, scores).slice(0, 5) : [],
        trajectory,
      },
    });
  }
  return out;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export function buildEvents(
  ctx: AssemblyContext,
  smoothed: ArrayLike<number>,
  tracks: Map<number, TrackInfo>,
  hp: HysteresisParams,
): AnomalyEvent[] {
  const { table, features: f, scores, frameLevel } = ctx;
  const segments = hysteresisSegments(smoothed, ctx.times, ctx.frameDurationS, hp);
  return segments.map((seg, n) => {
    // Involved: tracks that alone would hold the frame score past the exit threshold; else the strongest one;
    // main actor first (rankActors).
    const bestPerTrack = new Map<number, number>();
    const topped = new Map<number, number>();
    for (let k = seg.start; k <= seg.end; k++) {
      let top = -1;
      for (let j = f.index.frameStart[k]; j < f.index.frameStart[k + 1]; j++) {
        const i = f.index.frameOrder[j];
        const id = table.trackId[i];
        const cur = bestPerTrack.get(id);
        if (cur === undefined || frameLevel[i] > frameLevel[cur]) bestPerTrack.set(id, i);
        if (top < 0 || frameLevel[i] > frameLevel[top]) top = i;
      }
      if (top >= 0 && frameLevel[top] > 0) topped.set(table.trackId[top], (topped.get(table.trackId[top]) ?? 0) + 1);
    }
    let involved = [...bestPerTrack.entries()].filter(([, i]) => frameLevel[i] >= hp.exitThreshold);
    if (involved.length === 0 && bestPerTrack.size > 0) {
      const top = [...bestPerTrack.entries()].sort((a, b) => frameLevel[b[1]] - frameLevel[a[1]])[0];
      if (frameLevel[top[1]] > 0) involved = [top];
    }
    const trackIds = rankActors(
      involved.map(([id]) => id),
      topped,
      (id) => frameLevel[bestPerTrack.get(id)!],
    );
    const topAttributes = mergeWhy(
      trackIds.map((id) => {
        const during = (f.index.byTrack.get(id) ?? []).filter((i) => table.ordinal[i] >= seg.start && table.ordinal[i] <= seg.end);
        return explainObservations(ctx.model, f, during, scores);
      }),
      5,
    );
    const trajectories: { trackId: number; summary: TrajectorySummary }[] = trackIds
      .filter((id) => tracks.has(id))
      .map((id) => ({ trackId: id, summary: tracks.get(id)!.summary.trajectory }));
    // Peak-frame boxes: each involved track's observation nearest to the peak within the event.
    const boxes = trackIds.map((id) => {
      let best = -1;
      for (let k = seg.start; k <= seg.end; k++) {
        for (let j = f.index.frameStart[k]; j < f.index.frameStart[k + 1]; j++) {
          const i = f.index.frameOrder[j];
          if (table.trackId[i] !== id) continue;
          if (best < 0 || Math.abs(k - seg.peak) < Math.abs(table.ordinal[best] - seg.peak)) best = i;
        }
      }
      return { trackId: id, box: toSourceBox(ctx, best) };
    });
    const peakScore = smoothed[seg.peak];
    const durationS = ctx.times[seg.end] - ctx.times[seg.start] + ctx.frameDurationS;
    return {
      seq: n + 1,
      startTime: round3(ctx.times[seg.start]),
      endTime: round3(ctx.times[seg.end] + ctx.frameDurationS),
      startFrame: ctx.frameIndex[seg.start],
      endFrame: ctx.frameIndex[seg.end],
      peakFrame: ctx.frameIndex[seg.peak],
      peakTime: round3(ctx.times[seg.peak]),
      peakScore: round3(peakScore),
      confidence: round3(eventConfidence(peakScore, durationS, hp)),
      trackIds,
      topAttributes,
      trajectories,
      boxes,
    };
  });
}

/**
 * An event's tracks, main actor first: by how many of the event's frames each tops, then by its peak score.
 * The main actor is who explains the timeline, not whoever peaked once (a walker whose box was misjudged
 * for a frame must not take the event from the cyclist who carries it).
 */
export function rankActors(ids: readonly number[], topped: ReadonlyMap<number, number>, peak: (id: number) => number): number[] {
  return ids.slice().sort((a, b) => (topped.get(b) ?? 0) - (topped.get(a) ?? 0) || peak(b) - peak(a));
}

/**
 * 0..1: how far the peak rises past the enter threshold on the calibrated scale (z = s / (1 − s)), tempered
 * for events barely longer than the minimum duration.
 */
export function eventConfidence(peak: number, durationS: number, hp: HysteresisParams): number {
  const z = peak / Math.max(1e-6, 1 - peak);
  const zEnter = hp.enterThreshold / (1 - hp.enterThreshold);
  const strength = 1 - Math.exp(-Math.max(0, z - zEnter + 0.5));
  const persistence = Math.min(1, 0.5 + durationS / (4 * hp.minEventS));
  return Math.max(0, Math.min(1, strength * persistence));
}
