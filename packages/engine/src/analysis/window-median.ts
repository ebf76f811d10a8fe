/**
 * The short-window median that object deviations and the motion term share: a deviation must persist for
 * a few frames to count (one-frame spikes come from blob merges and splits, flow mismatches and coding
 * noise), while a real anomaly lasts. The window is centred, so an onset stays where it is.
 */

/** Fewest values a window should hold; it widens (up to 4×) until it does, for sparse samples. */
const MIN_VALUES = 3;
const MAX_WIDEN = 4;

/**
 * Median of the values whose times lie within ±`windowS` of each value's time (`times` ascending). NaN
 * values (not measured there) are left out; the window widens until it holds 3 values or is 4× as wide.
 * The result is NaN where the window holds no value at all. `windowS` 0 copies the values.
 */
export function windowMedian(values: ArrayLike<number>, times: ArrayLike<number>, windowS: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  const buf: number[] = [];
  for (let k = 0; k < n; k++) {
    if (!(windowS > 0)) {
      out[k] = values[k];
      continue;
    }
    const t = times[k];
    let lo = k;
    let hi = k;
    for (let w = windowS; ; w *= 2) {
      while (lo > 0 && t - times[lo - 1] <= w) lo--;
      while (hi + 1 < n && times[hi + 1] - t <= w) hi++;
      buf.length = 0;
      for (let j = lo; j <= hi; j++) if (!Number.isNaN(values[j])) buf.push(values[j]);
      if (buf.length >= MIN_VALUES || w >= MAX_WIDEN * windowS) break;
    }
    out[k] = median(buf);
  }
  return out;
}

/** Median of `v` (sorted in place); NaN when empty. */
export function median(v: number[]): number {
  const n = v.length;
  if (n === 0) return NaN;
  v.sort((a, b) => a - b);
  return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
