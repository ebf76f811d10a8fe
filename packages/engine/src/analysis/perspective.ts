/**
 * Ground-plane perspective from the footage itself: for a camera looking down at a floor, the height of an
 * upright object grows roughly linearly with how low its feet are in the image. Fitting h(y) = a + b·y on the
 * observed boxes lets speeds and sizes be expressed in "object heights" with an estimate that does not jump
 * when a blob merges with a neighbour or loses its legs, so near and far objects compare.
 *
 * Coordinates are normalised: y and h are fractions of the frame height.
 */
import { median } from './window-median.js';

export interface PerspectiveModel {
  /** Expected height (fraction of frame height) = a + b · footY, clamped to [minH, maxH]. */
  a: number;
  b: number;
  minH: number;
  maxH: number;
  /** Foot positions the fit saw; outside them the line is not extrapolated (held at the edge value). */
  yMin: number;
  yMax: number;
  /** Observations the fit used. */
  samples: number;
}

export function expectedHeight(m: PerspectiveModel, footY: number): number {
  const y = footY < m.yMin ? m.yMin : footY > m.yMax ? m.yMax : footY;
  const h = m.a + m.b * y;
  return h < m.minH ? m.minH : h > m.maxH ? m.maxH : h;
}

/**
 * Most common value of positive samples: peak of a smoothed histogram of their logarithms (bins of ~10 %).
 * Blobs of people walking together are taller or wider than one person and fragments are smaller, so the
 * mode, not the median, is the height of a single object.
 */
export function logMode(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const logs = values.map((v) => Math.log(v));
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of logs) {
    if (l < lo) lo = l;
    if (l > hi) hi = l;
  }
  const width = 0.1;
  const bins = Math.max(1, Math.ceil((hi - lo) / width) + 1);
  const hist = new Float64Array(bins);
  for (const l of logs) hist[Math.min(bins - 1, Math.floor((l - lo) / width))]++;
  let best = 0;
  let bestV = -1;
  for (let b = 0; b < bins; b++) {
    const v = 2 * hist[b] + (b > 0 ? hist[b - 1] : 0) + (b + 1 < bins ? hist[b + 1] : 0);
    if (v > bestV) {
      bestV = v;
      best = b;
    }
  }
  return Math.exp(lo + (best + 0.5) * width);
}

/**
 * Robust fit on one sample per object: the median height in bands of foot position (a band needs enough
 * samples to count), then a weighted least-squares line through the band values. Falls back to a constant (the overall median) when the
 * objects span too little of the frame to see perspective, and never lets the slope make heights collapse.
 */
export function fitPerspective(footY: ArrayLike<number>, height: ArrayLike<number>, bands = 10, minPerBand = 5): PerspectiveModel {
  const n = footY.length;
  const all: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(height[i]) && height[i] > 0 && Number.isFinite(footY[i])) all.push(height[i]);
  if (all.length === 0) return { a: 0.1, b: 0, minH: 0.02, maxH: 1, yMin: 0, yMax: 1, samples: 0 };
  const overall = median(all);
  const buckets: number[][] = Array.from({ length: bands }, () => []);
  for (let i = 0; i < n; i++) {
    const y = footY[i];
    const h = height[i];
    if (!(Number.isFinite(h) && h > 0 && Number.isFinite(y))) continue;
    const k = Math.min(bands - 1, Math.max(0, Math.floor(y * bands)));
    buckets[k].push(h);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  buckets.forEach((b, k) => {
    if (b.length < minPerBand) return;
    xs.push((k + 0.5) / bands);
    ys.push(median(b));
    ws.push(Math.sqrt(b.length));
  });
  let a = overall;
  let b = 0;
  if (xs.length >= 3) {
    let sw = 0;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < xs.length; i++) {
      sw += ws[i];
      sx += ws[i] * xs[i];
      sy += ws[i] * ys[i];
    }
    const mx = sx / sw;
    const my = sy / sw;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < xs.length; i++) {
      sxx += ws[i] * (xs[i] - mx) ** 2;
      sxy += ws[i] * (xs[i] - mx) * (ys[i] - my);
    }
    if (sxx > 0) {
      b = sxy / sxx;
      a = my - b * mx;
    }
  }
  // Heights anywhere in the frame stay within a plausible factor of the typical one.
  const minH = Math.max(0.01, overall / 4);
  const maxH = Math.min(1, overall * 4);
  const yMin = xs.length >= 3 ? xs[0] : 0;
  const yMax = xs.length >= 3 ? xs[xs.length - 1] : 1;
  return { a, b, minH, maxH, yMin, yMax, samples: all.length };
}
