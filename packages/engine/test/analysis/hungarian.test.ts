import { describe, expect, it } from 'vitest';
import { assignMinCost } from '../../src/analysis/hungarian.js';

/** Exhaustive optimum (max number of admissible pairs, then min cost) for small matrices. */
function bruteForce(cost: number[][], maxCost: number): { pairs: number; total: number } {
  const rows = cost.length;
  const cols = cost[0].length;
  let best = { pairs: -1, total: Infinity };
  const used = new Array(cols).fill(false);
  const rec = (r: number, pairs: number, total: number): void => {
    if (r === rows) {
      if (pairs > best.pairs || (pairs === best.pairs && total < best.total - 1e-9)) best = { pairs, total };
      return;
    }
    rec(r + 1, pairs, total); // row unmatched
    for (let c = 0; c < cols; c++) {
      if (used[c] || cost[r][c] > maxCost) continue;
      used[c] = true;
      rec(r + 1, pairs + 1, total + cost[r][c]);
      used[c] = false;
    }
  };
  rec(0, 0, 0);
  return best;
}

function evaluate(cost: number[][], assignment: Int32Array, maxCost: number): { pairs: number; total: number } {
  let pairs = 0;
  let total = 0;
  const seen = new Set<number>();
  assignment.forEach((c, r) => {
    if (c < 0) return;
    expect(seen.has(c)).toBe(false);
    seen.add(c);
    expect(cost[r][c]).toBeLessThanOrEqual(maxCost);
    pairs++;
    total += cost[r][c];
  });
  return { pairs, total };
}

describe('assignMinCost', () => {
  it('finds the optimum where greedy matching fails', () => {
    // Greedy takes (0,0)=1 and is then forced into (1,1)=10; the optimum is 2 + 2.
    const cost = [
      [1, 2],
      [2, 10],
    ];
    const a = assignMinCost(cost.flat(), 2, 2);
    expect(Array.from(a)).toEqual([1, 0]);
  });

  it('matches brute force on random rectangular matrices, with gating', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 200; trial++) {
      const rows = 1 + Math.floor(rand() * 5);
      const cols = 1 + Math.floor(rand() * 5);
      const cost = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round(rand() * 100) / 10));
      const maxCost = rand() < 0.5 ? Infinity : 5;
      const got = evaluate(cost, assignMinCost(cost.flat(), rows, cols, maxCost), maxCost);
      const want = bruteForce(cost, maxCost);
      expect(got.pairs).toBe(want.pairs);
      expect(got.total).toBeCloseTo(want.total, 9);
    }
  });

  it('leaves rows unmatched when every pair is too costly, and handles empty inputs', () => {
    expect(Array.from(assignMinCost([9, 9, 9], 1, 3, 1))).toEqual([-1]);
    expect(Array.from(assignMinCost([], 0, 4))).toEqual([]);
    expect(Array.from(assignMinCost([], 3, 0))).toEqual([-1, -1, -1]);
    expect(() => assignMinCost([1, 2, 3], 2, 2)).toThrow(RangeError);
  });
});
