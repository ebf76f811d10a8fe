/** Lookups over an analysis's sorted list of analysed frames (analysis may run below the source rate). */

/** Index of the element of ascending `sorted` nearest to `value` (ties go to the earlier one); -1 when empty. */
export function nearestIndex(sorted: readonly number[], value: number): number {
  const n = sorted.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  // lo: first element >= value (or the last one)
  if (lo > 0 && Math.abs(sorted[lo - 1] - value) <= Math.abs(sorted[lo] - value)) return lo - 1;
  return lo;
}

/** The analysed frame nearest to a source frame, or null when nothing was analysed. */
export function nearestAnalysedFrame(frames: readonly number[], frame: number): number | null {
  const i = nearestIndex(frames, frame);
  return i < 0 ? null : frames[i];
}

/** Up to `count` analysed frames after `frame` (for fetching overlays ahead of playback). */
export function framesAhead(frames: readonly number[], frame: number, count: number): number[] {
  let lo = 0;
  let hi = frames.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (frames[mid] <= frame) lo = mid + 1;
    else hi = mid;
  }
  return frames.slice(lo, lo + count);
}
