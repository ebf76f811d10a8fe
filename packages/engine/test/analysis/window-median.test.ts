import { describe, expect, it } from 'vitest';
import { median, windowMedian } from '../../src/analysis/window-median.js';

const at10fps = (n: number): number[] => Array.from({ length: n }, (_, k) => k / 10);

describe('windowMedian', () => {
  it('removes a one-frame spike and keeps a step where it is', () => {
    // ±0.25 s at 10 fps: five frames.
    const v = [0, 0, 0, 9, 0, 0, 0, 5, 5, 5, 5, 5];
    const m = Array.from(windowMedian(v, at10fps(v.length), 0.25));
    expect(m).toEqual([0, 0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5]);
  });

  it('leaves out values that were not measured and widens the window for sparse ones', () => {
    const v = [NaN, 4, NaN, NaN, NaN, NaN, NaN, 1, NaN, 7];
    const m = Array.from(windowMedian(v, at10fps(v.length), 0.1));
    // Frame 0 sees 4 within ±0.1 s and ±0.2 s, then 4 alone at ±0.4 s (the widest): 4.
    expect(m[0]).toBe(4);
    // Frame 8: ±0.1 s holds 1 and 7 (2 values), ±0.2 s the same, ±0.4 s also; 4× reached → median of 1, 7.
    expect(m[8]).toBe(4);
    // Frame 4 sees nothing within ±0.4 s but frame 1 (0.3 s away) and frame 7 (0.3 s away): 4 and 1.
    expect(m[4]).toBe(2.5);
  });

  it('is NaN where nothing was measured nearby, and copies the values with a zero window', () => {
    const v = [NaN, NaN, NaN, NaN, NaN, NaN, 3];
    expect(Number.isNaN(windowMedian(v, at10fps(v.length), 0.1)[0])).toBe(true);
    expect(Array.from(windowMedian([3, 1, 2], at10fps(3), 0))).toEqual([3, 1, 2]);
  });

  it('uses times, not positions: a gap in the footage is not bridged', () => {
    const v = [0, 0, 0, 8, 8, 8];
    const t = [0, 0.1, 0.2, 10, 10.1, 10.2];
    expect(Array.from(windowMedian(v, t, 0.25))).toEqual([0, 0, 0, 8, 8, 8]);
  });
});

describe('median', () => {
  it('averages the middle pair of an even count and is NaN for none', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});
