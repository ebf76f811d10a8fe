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

/** The rule of KthTrackSearch.queryEvidence. */
export interface EvidenceRule {
  /** Place distance (in context units) within which a track was "at the place". */
  radius: number;
  /** Attribute distance within which a track behaved alike. */
  tolerance: number;
  /** Smallest share of the objects passing a place that makes an attribute a normal minority there. */
  share: number;
  /** Probability that maps to 1 (the edge of normal). */
  alpha: number;
}

/** ln P(X ≤ m) for X ~ Binomial(n, p), 0 < p < 1 (a sum in log space: n is at most a pool's track count). */
export function logBinomialCdf(m: number, n: number, p: number): number {
  if (m >= n) return 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  // Terms ln[C(n, j) p^j q^(n−j)] for j = 0..m, summed with the largest factored out.
  let term = n * lq;
  const terms = [term];
  for (let j = 1; j <= m; j++) {
    term += Math.log((n - j + 1) / j) + lp - lq;
    terms.push(term);
  }
  const top = Math.max(...terms);
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - top);
  return Math.min(0, top + Math.log(sum));
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

  /** 1-D pools: values sorted ascending with their tracks, for a search that walks outward from the query. */
  private readonly sorted: Float64Array | null = null;
  private readonly sortedTrack: Int32Array | null = null;
  private readonly sortedRow: Int32Array | null = null;
  private readonly seen: Int32Array;
  private stamp = 0;
  private qbuf = new Float64Array(8);
  private readonly grid: Grid | null = null;
  private touched: number[] = [];
  /** queryEvidence's per-track state: 0 not near the place, 1 near, 2 near with a like attribute. */
  private nearState: Uint8Array | null = null;

  constructor(
    readonly pool: VectorPool,
    readonly k: number,
  ) {
    this.mins = new Float64Array(pool.trackCount);
    this.kbest = new Float64Array(Math.max(1, k));
    this.seen = new Int32Array(pool.trackCount);
    if (pool.dims >= 2 && pool.dims <= 4 && pool.size > 256) this.grid = buildGrid(pool);
    if (pool.dims === 1) {
      const order = Int32Array.from({ length: pool.size }, (_, i) => i).sort((a, b) => pool.data[a] - pool.data[b]);
      this.sorted = Float64Array.from(order, (r) => pool.data[r]);
      this.sortedTrack = Int32Array.from(order, (r) => pool.track[r]);
      this.sortedRow = order;
    }
  }

  /**
   * Low dimensions: rows are bucketed on a grid over their first two coordinates; the search visits rings of
   * cells outward from the query and stops once the K-th nearest distinct track is closer than anything an
   * unvisited ring could hold (every row there is at least that far in the first two coordinates alone).
   */
  private queryGrid(q: ArrayLike<number>, excludeTrack: number, dims: number): KthResult {
    const g = this.grid!;
    const { data, track } = this.pool;
    const stride = this.pool.dims;
    const qb = this.qbuf;
    for (let j = 0; j < dims; j++) qb[j] = q[j];
    const cx = Math.min(g.cols - 1, Math.max(0, Math.floor((qb[0] - g.x0) / g.cell)));
    const cy = Math.min(g.rows - 1, Math.max(0, Math.floor((qb[1] - g.y0) / g.cell)));
    // Rows outside the first `ring` rings are at least ring × cell away (in the first two coordinates alone),
    // and every row is at least as far as the grid is from a query that lies outside it.
    const outside = Math.max(0, g.x0 - qb[0], qb[0] - (g.x0 + g.cols * g.cell), g.y0 - qb[1], qb[1] - (g.y0 + g.rows * g.cell));
    this.stamp++;
    if (this.stamp === 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const mins = this.mins;
    const touched = this.touched;
    touched.length = 0;
    let nearest = -1;
    let nearestD = Infinity;
    const k = this.k;
    const best = this.kbest;
    const maxRing = Math.max(cx, g.cols - 1 - cx, cy, g.rows - 1 - cy);
    for (let ring = 0; ring <= maxRing; ring++) {
      for (let y = cy - ring; y <= cy + ring; y++) {
        if (y < 0 || y >= g.rows) continue;
        const edge = y === cy - ring || y === cy + ring;
        for (let x = cx - ring; x <= cx + ring; x += edge ? 1 : 2 * ring || 1) {
          if (x < 0 || x >= g.cols) continue;
          const c = y * g.cols + x;
          for (let j = g.start[c]; j < g.start[c + 1]; j++) {
            const r = g.rows_[j];
            const t = track[r];
            if (t === excludeTrack) continue;
            const o = r * stride;
            let d2 = 0;
            for (let m = 0; m < dims; m++) {
              const d = data[o + m] - qb[m];
              d2 += d * d;
            }
            if (this.seen[t] !== this.stamp) {
              this.seen[t] = this.stamp;
              mins[t] = d2;
              touched.push(t);
            } else if (d2 < mins[t]) mins[t] = d2;
            if (d2 < nearestD) {
              nearestD = d2;
              nearest = r;
            }
          }
        }
      }
      if (touched.length < k) continue;
      best.fill(Infinity);
      for (const t of touched) {
        const v = mins[t];
        if (v >= best[k - 1]) continue;
        let j = k - 1;
        while (j > 0 && best[j - 1] > v) {
          best[j] = best[j - 1];
          j--;
        }
        best[j] = v;
      }
      const reach = Math.max(outside, ring * g.cell);
      if (best[k - 1] <= reach * reach) return { distance: Math.sqrt(best[k - 1]), nearest };
    }
    if (touched.length < k) return { distance: Infinity, nearest };
    return { distance: Math.sqrt(best[k - 1]), nearest };
  }

  /**
   * 1-D: walk outward from the query's position in the sorted values, taking the nearer side each step;
   * the K-th new track met is the answer (the first row of each track met is its nearest).
   */
  private query1d(q: number, excludeTrack: number): KthResult {
    const v = this.sorted!;
    const tr = this.sortedTrack!;
    const n = v.length;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid] < q) lo = mid + 1;
      else hi = mid;
    }
    let l = lo - 1;
    let r = lo;
    this.stamp++;
    if (this.stamp === 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    let found = 0;
    let nearest = -1;
    while (l >= 0 || r < n) {
      const useLeft = r >= n || (l >= 0 && q - v[l] <= v[r] - q);
      const i = useLeft ? l-- : r++;
      const t = tr[i];
      if (t === excludeTrack || this.seen[t] === this.stamp) continue;
      this.seen[t] = this.stamp;
      if (nearest < 0) nearest = this.sortedRow![i];
      if (++found === this.k) return { distance: Math.abs(v[i] - q), nearest };
    }
    return { distance: Infinity, nearest };
  }

  /**
   * `q` has pool.dims values; rows of track `excludeTrack` (a dense pool index, or -1) are skipped. With
   * `useDims` < pool.dims only the first `useDims` coordinates are compared.
   */
  query(q: ArrayLike<number>, excludeTrack = -1, useDims = this.pool.dims): KthResult {
    if (this.sorted && useDims === 1) return this.query1d(q[0], excludeTrack);
    if (this.grid && useDims >= 2 && useDims <= 4) return this.queryGrid(q, excludeTrack, useDims);
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
    } else if (dims === 2) {
      const q0 = q[0];
      const q1 = q[1];
      for (let r = 0, o = 0; r < size; r++, o += stride) {
        const t = track[r];
        if (t === excludeTrack) continue;
        const a = data[o] - q0;
        const b = data[o + 1] - q1;
        const d2 = a * a + b * b;
        if (d2 < mins[t]) mins[t] = d2;
        if (d2 < nearestD) {
          nearestD = d2;
          nearest = r;
        }
      }
    } else if (dims === 4) {
      const q0 = q[0];
      const q1 = q[1];
      const q2 = q[2];
      const q3 = q[3];
      for (let r = 0, o = 0; r < size; r++, o += stride) {
        const t = track[r];
        if (t === excludeTrack) continue;
        const a = data[o] - q0;
        const b = data[o + 1] - q1;
        const c = data[o + 2] - q2;
        const e = data[o + 3] - q3;
        const d2 = a * a + b * b + c * c + e * e;
        if (d2 < mins[t]) mins[t] = d2;
        if (d2 < nearestD) {
          nearestD = d2;
          nearest = r;
        }
      }
    } else {
      const qb = this.qbuf.length >= dims ? this.qbuf : (this.qbuf = new Float64Array(dims));
      for (let j = 0; j < dims; j++) qb[j] = q[j];
      // Long vectors (appearance): a row is abandoned part-way once its partial distance can no longer
      // lower its track's minimum or matter to the answer. `bound`, the K-th smallest per-track minimum so
      // far, only falls as rows are seen, so a row at or beyond a stale bound cannot change the K-th
      // distance, nor be the nearest row. Exact: the same result as the full scan.
      let bound = Infinity;
      for (let r = 0, o = 0; r < size; r++, o += stride) {
        const t = track[r];
        if (t === excludeTrack) continue;
        const limit = mins[t] < bound ? mins[t] : bound;
        let d2 = 0;
        let j = 0;
        while (j < dims) {
          const end = j + 8 < dims ? j + 8 : dims;
          for (; j < end; j++) {
            const d = data[o + j] - qb[j];
            d2 += d * d;
          }
          if (d2 >= limit) break;
        }
        if (d2 >= limit) continue;
        mins[t] = d2;
        if (d2 < nearestD) {
          nearestD = d2;
          nearest = r;
        }
        if ((r & 63) === 63) bound = this.kthSmallest(mins);
      }
    }
    return { distance: Math.sqrt(this.kthSmallest(mins)), nearest };
  }

  /**
   * How unusual an attribute is among the objects that were at the query's place, as evidence rather than
   * distance: the pool's first `contextDims` coordinates are the place, the rest the attribute. Of the n
   * other tracks that came within `rule.radius` of the place, m were there with an attribute within
   * `rule.tolerance` of the query's. Were this attribute a normal minority, taken by at least a share
   * `rule.share` of the objects passing, fewer than m + 1 of n would do so with probability
   * P = BinomialCDF(m; n, share). The answer is ln P / ln rule.alpha: 1 when P = alpha, 0 when P = 1. So an
   * object no one else at its place behaves like counts for more the more others passed there, and a
   * minority one tenth of the traffic takes (two-way paths) is not an anomaly.
   */
  queryEvidence(q: ArrayLike<number>, excludeTrack: number, contextDims: number, rule: EvidenceRule): number {
    const { data, track, size, trackCount } = this.pool;
    const stride = this.pool.dims;
    const near = (this.nearState ??= new Uint8Array(trackCount));
    near.fill(0);
    const r2 = rule.radius * rule.radius;
    const t2 = rule.tolerance * rule.tolerance;
    const visit = (r: number): void => {
      const t = track[r];
      if (t === excludeTrack || near[t] === 2) return;
      const o = r * stride;
      let dp = 0;
      for (let j = 0; j < contextDims; j++) dp += (data[o + j] - q[j]) ** 2;
      if (dp > r2) return;
      let da = 0;
      for (let j = contextDims; j < stride; j++) da += (data[o + j] - q[j]) ** 2;
      near[t] = da <= t2 ? 2 : 1;
    };
    const g = this.grid;
    if (g && contextDims === 2) {
      // Only the grid cells (over the place coordinates) within the radius can hold rows at the place.
      const cell = (v: number, v0: number, n: number): number => Math.min(n - 1, Math.max(0, Math.floor((v - v0) / g.cell)));
      const cx0 = cell(q[0] - rule.radius, g.x0, g.cols);
      const cx1 = cell(q[0] + rule.radius, g.x0, g.cols);
      const cy0 = cell(q[1] - rule.radius, g.y0, g.rows);
      const cy1 = cell(q[1] + rule.radius, g.y0, g.rows);
      for (let cy = cy0; cy <= cy1; cy++) {
        for (let cx = cx0; cx <= cx1; cx++) {
          const c = cy * g.cols + cx;
          for (let j = g.start[c]; j < g.start[c + 1]; j++) visit(g.rows_[j]);
        }
      }
    } else {
      for (let r = 0; r < size; r++) visit(r);
    }
    let n = 0;
    let m = 0;
    for (let t = 0; t < trackCount; t++) {
      if (near[t] > 0) n++;
      if (near[t] === 2) m++;
    }
    return Math.max(0, logBinomialCdf(m, n, rule.share) / Math.log(rule.alpha));
  }

  /** K-th smallest of the per-track minima (K is small: insertion into a sorted buffer). */
  private kthSmallest(mins: Float64Array): number {
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
    return best[k - 1];
  }
}

/** Deterministic row subsample keeping at most `max` rows, spread evenly over the input order. */
export function strideSample(count: number, max: number): Int32Array {
  if (count <= max) return Int32Array.from({ length: count }, (_, i) => i);
  const out = new Int32Array(max);
  for (let i = 0; i < max; i++) out[i] = Math.floor((i * count) / max);
  return out;
}

interface Grid {
  x0: number;
  y0: number;
  cell: number;
  cols: number;
  rows: number;
  /** CSR: rows of cell c are rows_[start[c]..start[c+1]). */
  start: Int32Array;
  rows_: Int32Array;
}

/** Square grid over the first two coordinates with about 4 rows per occupied cell on average. */
function buildGrid(pool: VectorPool): Grid {
  const { data, size, dims } = pool;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let r = 0; r < size; r++) {
    const x = data[r * dims];
    const y = data[r * dims + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  const area = Math.max(1e-12, (x1 - x0) * (y1 - y0));
  let cell = Math.sqrt((4 * area) / size);
  if (!(cell > 0) || !Number.isFinite(cell)) cell = Math.max(1e-6, Math.max(x1 - x0, y1 - y0) / 16);
  const cols = Math.max(1, Math.min(512, Math.ceil((x1 - x0) / cell) + 1));
  const rows = Math.max(1, Math.min(512, Math.ceil((y1 - y0) / cell) + 1));
  cell = Math.max((x1 - x0) / Math.max(1, cols - 1), (y1 - y0) / Math.max(1, rows - 1), cell);
  const cellOf = (r: number): number => {
    const cx = Math.min(cols - 1, Math.floor((data[r * dims] - x0) / cell));
    const cy = Math.min(rows - 1, Math.floor((data[r * dims + 1] - y0) / cell));
    return cy * cols + cx;
  };
  const start = new Int32Array(cols * rows + 1);
  for (let r = 0; r < size; r++) start[cellOf(r) + 1]++;
  for (let c = 0; c < cols * rows; c++) start[c + 1] += start[c];
  const fill = start.slice(0, cols * rows);
  const rows_ = new Int32Array(size);
  for (let r = 0; r < size; r++) rows_[fill[cellOf(r)]++] = r;
  return { x0, y0, cell, cols, rows, start, rows_ };
}
