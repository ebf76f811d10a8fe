import { describe, expect, it } from 'vitest';
import { KthTrackSearch, strideSample, type VectorPool } from '../../src/analysis/knn.js';

function pool(dims: number, rows: { v: number[]; track: number }[]): VectorPool {
  const trackCount = Math.max(...rows.map((r) => r.track)) + 1;
  return { dims, data: Float32Array.from(rows.flatMap((r) => r.v)), track: Int32Array.from(rows.map((r) => r.track)), size: rows.length, trackCount };
}

/** Reference answer by brute force. */
function brute(p: VectorPool, q: number[], k: number, exclude: number): number {
  const mins = new Array(p.trackCount).fill(Infinity);
  for (let r = 0; r < p.size; r++) {
    if (p.track[r] === exclude) continue;
    let d = 0;
    for (let j = 0; j < p.dims; j++) d += (p.data[r * p.dims + j] - q[j]) ** 2;
    mins[p.track[r]] = Math.min(mins[p.track[r]], Math.sqrt(d));
  }
  mins.sort((a, b) => a - b);
  return mins[k - 1];
}

describe('KthTrackSearch', () => {
  it('measures the distance to the K-th nearest distinct track, not the K-th nearest row', () => {
    // Track 0 has many rows right at the query; tracks 1 and 2 are further away.
    const p = pool(1, [
      { v: [1.0], track: 0 },
      { v: [1.01], track: 0 },
      { v: [0.99], track: 0 },
      { v: [2.0], track: 1 },
      { v: [4.0], track: 2 },
    ]);
    const s = new KthTrackSearch(p, 2);
    expect(s.query([1.0]).distance).toBeCloseTo(1, 5);
    // Leaving track 0 out (the query's own track), the 2nd nearest other track is at distance 3.
    expect(s.query([1.0], 0).distance).toBeCloseTo(3, 5);
    // Too few tracks.
    expect(new KthTrackSearch(p, 4).query([1.0]).distance).toBe(Infinity);
  });

  it('agrees with brute force in 1-D (sorted walk), 2–4-D (grid) and more dimensions (scan)', () => {
    let seed = 11;
    const rand = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (const dims of [1, 2, 3, 4, 6, 20]) {
      // 600 rows: large enough for the grid index (2–4 dimensions), with clusters and empty regions.
      const rows = Array.from({ length: 600 }, (_, i) => ({
        v: Array.from({ length: dims }, (_, j) => (i % 3 === 0 ? 2 + rand() : rand() * 10) * (j === 1 ? 0.3 : 1)),
        track: Math.floor(rand() * 40),
      }));
      const p = pool(dims, rows);
      for (const k of [1, 3, 8]) {
        const s = new KthTrackSearch(p, k);
        for (let t = 0; t < 50; t++) {
          // Queries inside and well outside the data.
          const q = Array.from({ length: dims }, () => rand() * 30 - 10);
          const ex = t % 2 ? Math.floor(rand() * 40) : -1;
          expect(s.query(q, ex).distance).toBeCloseTo(brute(p, q, k, ex), 5);
        }
      }
    }
  });
});

describe('strideSample', () => {
  it('keeps everything under the cap and spreads evenly over it', () => {
    expect(Array.from(strideSample(4, 10))).toEqual([0, 1, 2, 3]);
    expect(Array.from(strideSample(10, 5))).toEqual([0, 2, 4, 6, 8]);
  });
});
