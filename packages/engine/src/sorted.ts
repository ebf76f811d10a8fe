/** Binary searches in ascending sorted arrays (one definition for the media index, the evaluator and the normality calibration). */

/** Number of entries in sorted `a` strictly less than `x` (the first index whose value is ≥ x). */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of entries in sorted `a` less than or equal to `x` (the first index whose value is > x). */
export function upperBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
