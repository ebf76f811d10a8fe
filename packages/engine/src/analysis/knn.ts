/**
 * Distance to the K-th nearest *other track* in a pool of attribute vectors. Observations of one track are
 * strongly correlated, so counting neighbours per observation would let one unusual object (or two similar
 * ones) look "dense" on its own; asking that K distinct other objects behaved like this is what "normal"
 * means here, and it keeps self-reference robust when a few anomalous objects resemble each other.
 */

export interface VectorPool {
  dims: number;
  /** Row-major size × dims. */
  data: Float32Array;
  /** Dense track index (0..trackCount-1) of each row. */
  track: Int32Array;
  size: number;
  trackCount: number;
}

export interface KthResult {
  /** Euclidean distance to the K-th nearest distinct track (Infinity when fewer than K tracks qualify). */
  distance: number;
  /** Pool row nearest to the query among the qualifying tracks (-1 if none). */
  nearest: number;
}

/** Reusable scratch space for repeated queries against one pool. */
export class KthTrackSearch {
  private readonly mins: Float64Array;
  private readonly kbest: Float64Array;

  constructor(
    readonly pool: VectorPool,
    readonly k: number,
  ) {
    this.mins = new Float64Array(pool.trackCount);
    this.kbest = new Float64Array(Math.max(1, k));
  }

  /**
   * `q` has pool.dims values; rows of track `excludeTrack` (a dense pool index, or -1) are skipped. With
   * `useDims` < pool.dims only the first `useDims` coordinates are compared.
   */
  query(q: ArrayLike<number>, excludeTrack = -1, useDims = this.pool.dims): KthResult {
    const { data, track, size } = this.pool;
    const stride = this.pool.dims;
    const dims = useDims;
    const mins = this.mins;
    mins.fill(Infinity);
    let nearest = -1;
    let nearestD = Infinity;
    if (stride === 1) {
      const q0 = q[0];
      for (let r = 0; r < size; r++) {
        const t = track[r];
        if (t === excludeTrack) continue;
        const d = data[r] - q0;
        const d2 = d * d;
        if (d2 < mins[t]) mins[t] = d2;
        if (d2 < nearestD) {
          nearestD = d2;
          nearest = r;
        }
      }
    } else {
      for (let r = 0, o = 0; r < size; r++, o += stride) {
        const t = track[r];
        if (t === excludeTrack) continue;
        let d2 = 0;
        for (let j = 0; j < dims; j++) {
          const d = data[o + j] - q[j];
          d2 += d * d;
        }
        if (d2 < mins[t]) mins[t] = d2;
        if (d2 < nearestD) {
          nearestD = d2;
          nearest = r;
        }
      }
    }
    // K smallest of the per-track minima (K is small: insertion into a sorted buffer).
    const k = this.k;
    const best = this.kbest;
    best.fill(Infinity);
    for (let t = 0; t < mins.length; t++) {
      const v = mins[t];
      if (v >= best[k - 1]) continue;
      let j = k - 1;
      while (j > 0 && best[j - 1] > v) {
        best[j] = best[j - 1];
        j--;
      }
      best[j] = v;
    }
    return { distance: Math.sqrt(best[k - 1]), nearest };
  }
}

/** Deterministic row subsample keeping at most `max` rows, spread evenly over the input order. */
export function strideSample(count: number, max: number): Int32Array {
  if (count <= max) return Int32Array.from({ length: count }, (_, i) => i);
  const out = new Int32Array(max);
  for (let i = 0; i < max; i++) out[i] = Math.floor((i * count) / max);
  return out;
}
