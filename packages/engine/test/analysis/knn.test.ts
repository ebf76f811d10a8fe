import { describe, expect, it } from 'vitest';
import { KthTrackSearch, logBinomialCdf, strideSample, type EvidenceRule, type VectorPool } from '../../src/analysis/knn.js';

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

describe('queryEvidence (an attribute judged among the objects at the same place)', () => {
  // Rows: place (x, y), then a unit heading. Each track passes the place (0, 0) in five rows.
  const passing = (headings: number[], x = 0): { v: number[]; track: number }[] =>
    headings.flatMap((deg, track) =>
      Array.from({ length: 5 }, (_, k) => ({ v: [x + 0.2 * (k - 2), 0, Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)], track })),
    );
  const rule: EvidenceRule = { radius: 1, tolerance: 2 * Math.sin(Math.PI / 8), share: 0.25, alpha: 0.01 };
  const left = [0, 0, -1, 0];

  it('computes the binomial tail by hand', () => {
    expect(Math.exp(logBinomialCdf(0, 3, 0.5))).toBeCloseTo(1 / 8, 12);
    expect(Math.exp(logBinomialCdf(1, 3, 0.5))).toBeCloseTo(4 / 8, 12);
    // 0.75^10 + 10·0.25·0.75^9 + 45·0.25²·0.75^8
    expect(Math.exp(logBinomialCdf(2, 10, 0.25))).toBeCloseTo(0.0563135 + 0.1877117 + 0.2815676, 6);
    expect(logBinomialCdf(5, 5, 0.3)).toBe(0);
    expect(logBinomialCdf(0, 0, 0.3)).toBe(0);
    // Far in the tail without underflow: ln(0.9^2000).
    expect(logBinomialCdf(0, 2000, 0.1)).toBeCloseTo(2000 * Math.log(0.9), 6);
  });

  it('grows with the number of others at the place that went the other way, and is 0 for their way', () => {
    const s = (n: number): KthTrackSearch => new KthTrackSearch(pool(4, passing(Array(n).fill(0))), 3);
    // None of n heading right went left: P = 0.75^n, on the scale where P = 0.01 is 1.
    for (const n of [5, 20, 40]) expect(s(n).queryEvidence(left, -1, 2, rule)).toBeCloseTo((n * Math.log(0.75)) / Math.log(0.01), 6);
    expect(s(20).queryEvidence(left, -1, 2, rule)).toBeGreaterThan(1);
    expect(s(5).queryEvidence(left, -1, 2, rule)).toBeLessThan(0.4); // five are too few to tell
    expect(s(40).queryEvidence([0, 0, 1, 0], -1, 2, rule)).toBe(0);
    // Within the tolerance (40° off) is the same way; 60° off is not.
    const at = (deg: number): number[] => [0, 0, Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
    expect(s(40).queryEvidence(at(40), -1, 2, rule)).toBe(0);
    expect(s(40).queryEvidence(at(60), -1, 2, rule)).toBeGreaterThan(1);
  });

  it('finds the same tracks at the place through the grid index as by brute force', () => {
    let seed = 3;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    // 900 rows (grid-indexed) of 60 tracks over a 6 × 4 area, headings spread around the circle.
    const rows = Array.from({ length: 900 }, () => {
      const a = rand() * 2 * Math.PI;
      return { v: [rand() * 6, rand() * 4, Math.cos(a), Math.sin(a)], track: Math.floor(rand() * 60) };
    });
    const p = pool(4, rows);
    const s = new KthTrackSearch(p, 3);
    for (let i = 0; i < 60; i++) {
      const a = rand() * 2 * Math.PI;
      const q = [rand() * 8 - 1, rand() * 6 - 1, Math.cos(a), Math.sin(a)];
      const ex = i % 2 ? Math.floor(rand() * 60) : -1;
      const near = new Map<number, boolean>();
      for (const r of rows) {
        if (r.track === ex || Math.hypot(r.v[0] - q[0], r.v[1] - q[1]) > rule.radius) continue;
        const alike = Math.hypot(r.v[2] - q[2], r.v[3] - q[3]) <= rule.tolerance;
        near.set(r.track, (near.get(r.track) ?? false) || alike);
      }
      const m = [...near.values()].filter(Boolean).length;
      const want = Math.max(0, logBinomialCdf(m, near.size, rule.share) / Math.log(rule.alpha));
      expect(s.queryEvidence(q, ex, 2, rule)).toBeCloseTo(want, 9);
    }
  });

  it('calls a minority direction normal, counts only the place, and never the object itself', () => {
    // 32 head right and 8 left (a fifth): with a tenth as the smallest normal minority, left is normal.
    const twoWay = new KthTrackSearch(pool(4, passing([...Array(32).fill(0), ...Array(8).fill(180)])), 3);
    expect(twoWay.queryEvidence(left, 39, 2, { ...rule, share: 0.1 })).toBeLessThan(0.05);
    // With a half as the smallest normal share, 7 of 39 is evidence.
    expect(twoWay.queryEvidence(left, 39, 2, { ...rule, share: 0.5 })).toBeGreaterThan(1);
    // One walker going left among 40 going right: its own rows do not count for it.
    const lone = new KthTrackSearch(pool(4, passing([...Array(40).fill(0), 180])), 3);
    expect(lone.queryEvidence(left, 40, 2, rule)).toBeCloseTo((40 * Math.log(0.75)) / Math.log(0.01), 6);
    expect(lone.queryEvidence(left, -1, 2, rule)).toBeLessThan(lone.queryEvidence(left, 40, 2, rule));
    // Far from where anyone passed there is no evidence either way (the position group judges the place).
    expect(lone.queryEvidence([5, 0, -1, 0], 40, 2, rule)).toBe(0);
  });
});

describe('strideSample', () => {
  it('keeps everything under the cap and spreads evenly over it', () => {
    expect(Array.from(strideSample(4, 10))).toEqual([0, 1, 2, 3]);
    expect(Array.from(strideSample(10, 5))).toEqual([0, 2, 4, 6, 8]);
  });
});
