/**
 * Event segmentation of the smoothed frame score by hysteresis: an event starts when the score rises to the
 * enter threshold, extends while it stays at or above the exit threshold, events separated by short dips are
 * merged, and events shorter than a minimum duration are dropped (merge first, so a brief dip does not kill
 * an event that is long overall).
 */

export interface HysteresisParams {
  enterThreshold: number;
  exitThreshold: number;
  minEventS: number;
  mergeGapS: number;
}

export interface Segment {
  /** Inclusive ordinal range. */
  start: number;
  end: number;
  /** Ordinal of the highest score in the segment. */
  peak: number;
}

/**
 * `times[k]` is the time of analysed frame k (strictly increasing); `frameDurationS` is the time one analysed
 * frame covers (an event of one frame lasts that long).
 */
export function hysteresisSegments(scores: ArrayLike<number>, times: ArrayLike<number>, frameDurationS: number, p: HysteresisParams): Segment[] {
  if (p.exitThreshold > p.enterThreshold) throw new RangeError('hysteresis: exit threshold must not exceed the enter threshold');
  const n = scores.length;
  const raw: Segment[] = [];
  let k = 0;
  while (k < n) {
    if (scores[k] < p.enterThreshold) {
      k++;
      continue;
    }
    // Walk back to where the score first rose above the exit threshold, then forward while it stays there.
    // A pause in the recording longer than the merge gap ends an event even if the score stays high.
    const joined = (a: number): boolean => times[a + 1] - times[a] - frameDurationS < p.mergeGapS;
    let s = k;
    while (s > 0 && scores[s - 1] >= p.exitThreshold && joined(s - 1) && (raw.length === 0 || s - 1 > raw[raw.length - 1].end)) s--;
    let e = k;
    while (e + 1 < n && scores[e + 1] >= p.exitThreshold && joined(e)) e++;
    raw.push({ start: s, end: e, peak: argmax(scores, s, e) });
    k = e + 1;
  }
  const merged: Segment[] = [];
  for (const seg of raw) {
    const last = merged[merged.length - 1];
    if (last && times[seg.start] - times[last.end] - frameDurationS < p.mergeGapS) {
      last.end = seg.end;
      last.peak = scores[seg.peak] > scores[last.peak] ? seg.peak : last.peak;
    } else {
      merged.push({ ...seg });
    }
  }
  return merged.filter((s) => times[s.end] - times[s.start] + frameDurationS >= p.minEventS);
}

function argmax(a: ArrayLike<number>, s: number, e: number): number {
  let best = s;
  for (let i = s + 1; i <= e; i++) if (a[i] > a[best]) best = i;
  return best;
}
