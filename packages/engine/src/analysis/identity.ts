/**
 * Object identities across track fragments. When the tracker loses an object for longer than it can
 * bridge (it merged with a group, stood behind a pillar) it comes back as a new track. The normality model
 * counts "other objects" that behave alike, so fragments of one unusual object must not vouch for each
 * other: a fragment that starts shortly after another ended, where that one was heading, is linked to it
 * and both count as one object.
 */
import type { Features } from './features.js';
import type { ObservationTable } from './observations.js';

export interface IdentityParams {
  /** Longest gap (s) between the end of one fragment and the start of the next. */
  maxGapS: number;
  /** How far (object heights) the next fragment may start from where the previous one was heading… */
  radius: number;
  /** …plus this much per second of gap (the object may have changed pace). */
  radiusPerS: number;
}

export const DEFAULT_IDENTITY_PARAMS: IdentityParams = { maxGapS: 3, radius: 1.5, radiusPerS: 0.5 };

interface Fragment {
  id: number;
  start: number;
  end: number;
  /** First and last centre (analysis px), last velocity (px/s), expected height (px) at the end. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  vx: number;
  vy: number;
  h: number;
}

/**
 * Identity per observation (the smallest track id of the linked fragments). Each fragment continues at most
 * one earlier fragment and is continued by at most one, the nearest candidates first.
 */
export function linkIdentities(t: ObservationTable, f: Features, analysisHeight: number, p: IdentityParams = DEFAULT_IDENTITY_PARAMS): Int32Array {
  const frags: Fragment[] = [];
  for (const [id, list] of f.index.byTrack) {
    const a = list[0];
    const b = list[list.length - 1];
    let vx = 0;
    let vy = 0;
    for (let k = list.length - 1; k >= 0; k--) {
      const i = list[k];
      if (Number.isFinite(f.vx[i])) {
        const hp = f.expectedHeight[i] * analysisHeight;
        vx = f.vx[i] * hp;
        vy = f.vy[i] * hp;
        break;
      }
    }
    frags.push({
      id,
      start: f.time[a],
      end: f.time[b],
      x0: (t.x1[a] + t.x2[a]) / 2,
      y0: (t.y1[a] + t.y2[a]) / 2,
      x1: (t.x1[b] + t.x2[b]) / 2,
      y1: (t.y1[b] + t.y2[b]) / 2,
      vx,
      vy,
      h: f.expectedHeight[b] * analysisHeight,
    });
  }
  // Candidate links (earlier fragment → later fragment) with their distance in object heights.
  const links: { from: number; to: number; d: number }[] = [];
  const byStart = frags.map((_, i) => i).sort((a, b) => frags[a].start - frags[b].start);
  for (let ai = 0; ai < frags.length; ai++) {
    const A = frags[ai];
    for (const bi of byStart) {
      const B = frags[bi];
      const gap = B.start - A.end;
      if (gap <= 0) continue;
      if (gap > p.maxGapS) continue;
      const px = A.x1 + A.vx * gap;
      const py = A.y1 + A.vy * gap;
      const d = Math.hypot(B.x0 - px, B.y0 - py) / Math.max(1, A.h);
      if (d <= p.radius + p.radiusPerS * gap) links.push({ from: ai, to: bi, d });
    }
  }
  links.sort((a, b) => a.d - b.d);
  const parent = frags.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const continued = new Uint8Array(frags.length);
  const continues = new Uint8Array(frags.length);
  for (const l of links) {
    if (continued[l.from] || continues[l.to]) continue;
    continued[l.from] = 1;
    continues[l.to] = 1;
    const ra = find(l.from);
    const rb = find(l.to);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const identityOf = new Map<number, number>();
  const rootId = new Map<number, number>();
  frags.forEach((fr, i) => {
    const r = find(i);
    const cur = rootId.get(r);
    if (cur === undefined || fr.id < cur) rootId.set(r, fr.id);
  });
  frags.forEach((fr, i) => identityOf.set(fr.id, rootId.get(find(i))!));
  const out = new Int32Array(t.length);
  const tid = t.trackId;
  for (let i = 0; i < t.length; i++) out[i] = identityOf.get(tid[i]) ?? tid[i];
  return out;
}
