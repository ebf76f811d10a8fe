/**
 * Interactions between two tracks, measured on the frames where both were observed:
 *
 *  - with:      together for most of their common time (centres within ~¾ of an object height) — a person
 *               riding a bicycle, carrying a bag, two people walking side by side;
 *  - approach:  the distance shrinks from ≥ 3 object heights to ≤ 1.5 and stays small for a second (passing
 *               each other is not approaching);
 *  - meet:      close (≤ 1.5 heights) while both are (nearly) still for at least a second;
 *  - follow:    same heading (±30°), 1–6 heights apart, the follower behind, for at least 2 s;
 *  - overtake:  same heading, and the order along that heading swaps while they are close sideways.
 *
 * Distances are in object heights (the mean box height of the pair at that frame), so they mean the same
 * near and far from the camera.
 */
import type { Box, TrackObservation } from '../analysis/types.js';
import { angleDiff, boxCentre } from './scene.js';
import type { EvidenceModel } from './evidence-model.js';
import { STATIONARY_SPEED } from './evidence-model.js';

export type InteractionKind = 'with' | 'approach' | 'meet' | 'follow' | 'overtake';

export interface Interaction {
  kind: InteractionKind;
  /** The track the relation is stated from ("a follows b", "a overtakes b", "a approaches b"). */
  a: number;
  b: number;
  start: number;
  end: number;
  /** A representative frame with both boxes. */
  frame: number;
  time: number;
  boxes: { trackId: number; box: Box }[];
}

interface Pair {
  frame: number;
  time: number;
  a: TrackObservation;
  b: TrackObservation;
  /** Centre distance in object heights. */
  d: number;
}

const height = (b: Box) => Math.max(1, b[3] - b[1]);

function pairs(aObs: TrackObservation[], bObs: TrackObservation[]): Pair[] {
  const byFrame = new Map(bObs.map((o) => [o.frame, o]));
  const out: Pair[] = [];
  for (const a of aObs) {
    const b = byFrame.get(a.frame);
    if (!b) continue;
    const [ax, ay] = boxCentre(a.box);
    const [bx, by] = boxCentre(b.box);
    out.push({ frame: a.frame, time: a.time, a, b, d: Math.hypot(ax - bx, ay - by) / ((height(a.box) + height(b.box)) / 2) });
  }
  return out;
}

const moving = (o: TrackObservation) => Number.isFinite(o.speed) && o.speed >= 0.3 && o.direction !== null;

function at(p: Pair, kind: InteractionKind, a: number, b: number, start: number, end: number): Interaction {
  return { kind, a, b, start, end, frame: p.frame, time: p.time, boxes: [{ trackId: p.a.trackId, box: p.a.box }, { trackId: p.b.trackId, box: p.b.box }] };
}

/** Interactions of the pair (a, b), measured on their common frames. */
export function pairInteractions(aObs: TrackObservation[], bObs: TrackObservation[], frameDurationS: number): Interaction[] {
  const P = pairs(aObs, bObs);
  if (P.length < 2) return [];
  const A = aObs[0].trackId;
  const B = bObs[0].trackId;
  const span = (i: number, j: number) => P[j].time - P[i].time + frameDurationS;
  const out: Interaction[] = [];

  // Together: close on most common frames, for at least a second (or most of the shorter track's life).
  const close = P.filter((p) => p.d <= 0.75).length;
  const commonS = span(0, P.length - 1);
  const shorter = Math.min(aObs[aObs.length - 1].time - aObs[0].time, bObs[bObs.length - 1].time - bObs[0].time) + frameDurationS;
  if (close / P.length >= 0.7 && (commonS >= 1 || commonS >= 0.6 * shorter)) {
    out.push(at(P[P.length >> 1], 'with', A, B, P[0].time, P[P.length - 1].time + frameDurationS));
    return out; // moving together excludes the relations below
  }

  // Approach: distance falls from ≥ 3 to ≤ 1.5 heights; the one moving more is the one approaching.
  let minI = 0;
  for (let i = 1; i < P.length; i++) if (P[i].d < P[minI].d) minI = i;
  let farI = -1;
  for (let i = 0; i < minI; i++) if (P[i].d >= 3) farI = i;
  // They must stay close afterwards (≥ 1 s within 2 heights): two people passing each other do not approach.
  let stay = minI;
  while (stay + 1 < P.length && P[stay + 1].d <= 2) stay++;
  if (farI >= 0 && P[minI].d <= 1.5 && span(minI, stay) >= 1) {
    const aMove = P.slice(farI, minI + 1).reduce((s, p) => s + (Number.isFinite(p.a.speed) ? p.a.speed : 0), 0);
    const bMove = P.slice(farI, minI + 1).reduce((s, p) => s + (Number.isFinite(p.b.speed) ? p.b.speed : 0), 0);
    const [x, y] = aMove >= bMove ? [A, B] : [B, A];
    out.push(at(P[minI], 'approach', x, y, P[farI].time, P[minI].time + frameDurationS));
  }

  // Meet: close while both (nearly) still, for ≥ 1 s.
  let run = -1;
  for (let i = 0; i <= P.length; i++) {
    const ok = i < P.length && P[i].d <= 1.5 && P[i].a.speed < STATIONARY_SPEED * 1.5 && P[i].b.speed < STATIONARY_SPEED * 1.5;
    if (ok && run < 0) run = i;
    if (!ok && run >= 0) {
      if (span(run, i - 1) >= 1) out.push(at(P[(run + i - 1) >> 1], 'meet', A, B, P[run].time, P[i - 1].time + frameDurationS));
      run = -1;
    }
  }

  // Follow: same heading and similar pace, 1–6 heights apart along the same path, the follower behind all the
  // way (an order that flips is an overtake, not following), for ≥ 2 s.
  run = -1;
  let ahead = 0;
  let behind = 0;
  const geom = (p: Pair) => {
    const rad = (p.a.direction! * Math.PI) / 180;
    const [ax, ay] = boxCentre(p.a.box);
    const [bx, by] = boxCentre(p.b.box);
    const h = (height(p.a.box) + height(p.b.box)) / 2;
    return { along: ((bx - ax) * Math.cos(rad) + (by - ay) * Math.sin(rad)) / h, lateral: Math.abs(-(bx - ax) * Math.sin(rad) + (by - ay) * Math.cos(rad)) / h };
  };
  for (let i = 0; i <= P.length; i++) {
    const p = P[i];
    const ok = !!p && moving(p.a) && moving(p.b) && angleDiff(p.a.direction!, p.b.direction!) <= 30 && p.d >= 1 && p.d <= 6 &&
      Math.min(p.a.speed, p.b.speed) / Math.max(p.a.speed, p.b.speed) >= 0.6 && geom(p).lateral <= 1.5;
    if (ok) {
      if (run < 0) {
        run = i;
        ahead = 0;
        behind = 0;
      }
      if (geom(p).along > 0) ahead++;
      else behind++;
    }
    if (!ok && run >= 0) {
      const n = ahead + behind;
      if (span(run, i - 1) >= 2 && Math.max(ahead, behind) >= 0.9 * n) {
        const [follower, leader] = ahead >= behind ? [A, B] : [B, A];
        out.push(at(P[(run + i - 1) >> 1], 'follow', follower, leader, P[run].time, P[i - 1].time + frameDurationS));
      }
      run = -1;
    }
  }

  // Overtake: same heading and sideways close; the along-heading order flips.
  const along: { i: number; s: number }[] = [];
  for (let i = 0; i < P.length; i++) {
    const p = P[i];
    if (!(moving(p.a) && moving(p.b) && angleDiff(p.a.direction!, p.b.direction!) <= 45)) continue;
    const rad = (p.a.direction! * Math.PI) / 180;
    const [ax, ay] = boxCentre(p.a.box);
    const [bx, by] = boxCentre(p.b.box);
    const h = (height(p.a.box) + height(p.b.box)) / 2;
    const lateral = Math.abs(-(bx - ax) * Math.sin(rad) + (by - ay) * Math.cos(rad)) / h;
    if (lateral > 2) continue;
    along.push({ i, s: ((bx - ax) * Math.cos(rad) + (by - ay) * Math.sin(rad)) / h });
  }
  // The order flips between two clear states (≥ ½ height ahead / behind) within 3 s of side-by-side travel.
  let last: { i: number; s: number } | null = null;
  for (let k = 0; k < along.length; k++) {
    const cur = along[k];
    if (k > 0 && cur.i - along[k - 1].i > 3) last = null; // they were not travelling together in between
    if (Math.abs(cur.s) < 0.5) continue;
    if (last && Math.sign(last.s) !== Math.sign(cur.s) && P[cur.i].time - P[last.i].time <= 3) {
      const [x, y] = last.s > 0 ? [A, B] : [B, A];
      out.push(at(P[cur.i], 'overtake', x, y, P[last.i].time, P[cur.i].time + frameDurationS));
    }
    last = cur;
  }
  return out;
}

/** Interactions of one track with every track that overlaps it in time. */
export function trackInteractions(m: EvidenceModel, trackId: number): Interaction[] {
  const f = m.facts(trackId);
  const others = m.tracksDuring(f.first.time, f.last.time).filter((t) => t.id !== trackId);
  if (!others.length) return [];
  const obs = m.data.observations(f.first.frame, f.last.frame, others.map((t) => t.id));
  const byTrack = new Map<number, TrackObservation[]>();
  for (const o of obs) {
    let l = byTrack.get(o.trackId);
    if (!l) byTrack.set(o.trackId, (l = []));
    l.push(o);
  }
  const out: Interaction[] = [];
  for (const [, l] of byTrack) out.push(...pairInteractions(f.obs, l, m.frameDurationS));
  return out.sort((x, y) => x.start - y.start);
}
