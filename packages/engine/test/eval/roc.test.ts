import { describe, expect, it } from 'vitest';
import { aucFromGroupedCounts, rocAuc, rocCurve, trapezoidArea } from '../../src/eval/roc.js';
import { expectVigil, rng } from './helpers.js';

const expectInvalid = (fn: () => unknown, pattern: RegExp): void => expectVigil(fn, 'invalid_input', pattern);

/** Independent O(n²) definition: fraction of (positive, negative) pairs ranked correctly, ties half. */
function pairwiseAuc(s: number[], y: number[]): number {
  let u = 0;
  let pairs = 0;
  for (let i = 0; i < s.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < s.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      u += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return u / pairs;
}

describe('rocAuc', () => {
  it('is 1 for perfectly separated and 0 for inverted scores', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('matches the textbook example (0.75)', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it('counts tied scores half', () => {
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // positives {2, 3}, negatives {1, 2}: 2>1 (1) + 2=2 (½) + 3>1 (1) + 3>2 (1) = 3.5 of 4 pairs
    expect(rocAuc([1, 2, 2, 3], [0, 0, 1, 1])).toBe(0.875);
  });

  it('accepts booleans and typed arrays, in any order', () => {
    expect(rocAuc(Float32Array.from([3, 1, 2, 2]), [true, false, true, false])).toBe(0.875);
    expect(rocAuc([3, 1, 2, 2], Uint8Array.from([1, 0, 1, 0]))).toBe(0.875);
  });

  it('equals the pairwise definition on random data with many ties', () => {
    const r = rng(7);
    for (let trial = 0; trial < 5; trial++) {
      const n = 300;
      const s = Array.from({ length: n }, () => Math.floor(r() * 6));
      const y = s.map((v) => (r() < 0.2 + v * 0.1 ? 1 : 0));
      expect(rocAuc(s, y)).toBeCloseTo(pairwiseAuc(s, y), 12);
    }
  });

  it('refuses mismatched lengths, a single class, non-binary labels and non-finite scores', () => {
    expectInvalid(() => rocAuc([0.1, 0.2], [0, 1, 1]), /2 scores but 3 labels/);
    expectInvalid(() => rocAuc([0.1, 0.2], [0, 0]), /all 2 labels are normal/);
    expectInvalid(() => rocAuc([0.1, 0.2], [1, true]), /all 2 labels are abnormal/);
    expectInvalid(() => rocAuc([0.1, 0.2], [0, 2]), /Label at index 1 is 2/);
    expectInvalid(() => rocAuc([0.1, NaN], [0, 1]), /score at index 1 is NaN/);
  });
});

describe('rocCurve', () => {
  it('has one point per distinct score, starting at (0,0), and its area equals rocAuc', () => {
    const s = [1, 2, 2, 3];
    const y = [0, 0, 1, 1];
    const c = rocCurve(s, y);
    expect(c.thresholds).toEqual([Infinity, 3, 2, 1]);
    expect(c.tpr).toEqual([0, 0.5, 1, 1]);
    expect(c.fpr).toEqual([0, 0, 0.5, 1]);
    expect(trapezoidArea(c.fpr, c.tpr)).toBe(rocAuc(s, y));
  });

  it('area equals rocAuc on random data', () => {
    const r = rng(11);
    const s = Array.from({ length: 500 }, () => Math.round(r() * 40) / 40);
    const y = s.map((v) => (r() < v ? 1 : 0));
    const c = rocCurve(s, y);
    expect(trapezoidArea(c.fpr, c.tpr)).toBeCloseTo(rocAuc(s, y), 12);
    expect(c.fpr[c.fpr.length - 1]).toBe(1);
    expect(c.tpr[c.tpr.length - 1]).toBe(1);
  });
});

describe('aucFromGroupedCounts', () => {
  it('treats each group as one tied score', () => {
    // groups ascending: (pos 0, neg 2), (pos 1, neg 1), (pos 2, neg 0) → U = 1·(2+½) + 2·3 = 8.5 of 3·3
    expect(aucFromGroupedCounts([0, 1, 2], [2, 1, 0])).toBeCloseTo(8.5 / 9, 14);
    expect(aucFromGroupedCounts([0, 0], [1, 1])).toBeNaN();
  });
});
