import { describe, expect, it } from 'vitest';
import { gaussianSmooth, macroAuc, microAuc, microAucShortfall, perClipAnchoredAucs } from '../../src/eval/frame-auc.js';
import { rocAuc } from '../../src/eval/roc.js';
import { expectVigil, rng } from './helpers.js';

describe('microAuc', () => {
  it('is one ROC over all frames concatenated', () => {
    // positives {0.9, 0.5}, negatives {0.1, 0.6}: 3 of 4 pairs ordered correctly
    const clips = [
      { scores: [0.1, 0.9], labels: [0, 1] },
      { scores: [0.5, 0.6], labels: [1, 0] },
    ];
    expect(microAuc(clips)).toBe(0.75);
    // differs from the mean of per-clip AUCs (1 and 0)
    expect(rocAuc(clips[1].scores, clips[1].labels)).toBe(0);
  });

  it('is defined when every individual clip has one class', () => {
    expect(microAuc([{ scores: [0.2, 0.3], labels: [0, 0] }, { scores: [0.8], labels: [1] }])).toBe(1);
  });

  it('names the clip whose lengths differ', () => {
    expectVigil(() => microAuc([{ name: 'Test003', scores: [0.1], labels: [0, 1] }]), 'invalid_input', /Test003.*1 scores but 2 labels/);
    expectVigil(() => microAuc([]), 'invalid_input', /no clips/);
    expectVigil(() => microAuc([{ scores: [0.1, 0.2], labels: [0, 0] }]), 'invalid_input', /all 2 labels are normal/);
  });
});

describe('microAucShortfall', () => {
  it('charges each misordered pair to the clip of its abnormal frame, and separately of its normal frame', () => {
    // The one misordered pair of 4 (see microAuc above): clip 1's abnormal 0.5 below clip 1's normal 0.6.
    const clips = [
      { scores: [0.1, 0.9], labels: [0, 1] },
      { scores: [0.5, 0.6], labels: [1, 0] },
    ];
    expect(microAucShortfall(clips)).toEqual([
      { abnormal: 0, normal: 0 },
      { abnormal: 0.25, normal: 0.25 },
    ]);
    // Across clips, and a tie (½): clip 0's normal 0.7 is above clip 1's abnormal 0.5 and ties its 0.7.
    const across = [
      { scores: [0.7, 0.9], labels: [0, 1] },
      { scores: [0.5, 0.7, 0.2], labels: [1, 1, 0] },
    ];
    // Pairs: 3 abnormal × 2 normal = 6; misordered: (0.5 < 0.7) 1, (0.7 = 0.7) ½.
    expect(microAucShortfall(across)).toEqual([
      { abnormal: 0, normal: 1.5 / 6 },
      { abnormal: 1.5 / 6, normal: 0 },
    ]);
    expect(1 - microAuc(across)).toBeCloseTo(1.5 / 6, 12);
  });

  it('sums to 1 − micro AUC in both splits', () => {
    const r = rng(5);
    const clips = Array.from({ length: 6 }, (_, c) => {
      const n = 20 + c * 7;
      const labels = Array.from({ length: n }, (_, i) => (c === 2 ? 1 : c === 4 ? 0 : +(i > n / 2)));
      // Quantised scores, so ties occur.
      return { scores: labels.map((l) => Math.round((r() + 0.4 * l) * 10) / 10), labels };
    });
    const split = microAucShortfall(clips);
    const gap = 1 - microAuc(clips);
    expect(split.reduce((s, x) => s + x.abnormal, 0)).toBeCloseTo(gap, 12);
    expect(split.reduce((s, x) => s + x.normal, 0)).toBeCloseTo(gap, 12);
    // A clip without abnormal frames loses nothing by its anomalies, one without normal frames nothing by those.
    expect(split[4].abnormal).toBe(0);
    expect(split[2].normal).toBe(0);
  });

  it('needs both classes', () => {
    expectVigil(() => microAucShortfall([{ scores: [0.2, 0.3], labels: [0, 0] }]), 'invalid_input', /both normal and abnormal/);
  });
});

describe('macroAuc', () => {
  it('appends a normal frame scored 0 and an abnormal frame scored 1 to every clip', () => {
    const separated = { scores: [0.1, 0.9], labels: [0, 1] }; // anchored: still 1
    const allNormalLow = { scores: [0.2, 0.7], labels: [0, 0] }; // pos {1} vs neg {0.2, 0.7, 0}: 1
    const allNormalHigh = { scores: [1, 0.3], labels: [0, 0] }; // pos {1} vs neg {1, 0.3, 0}: (½+1+1)/3
    const allAbnormal = { scores: [0.4, 0], labels: [1, 1] }; // pos {0.4, 0, 1} vs neg {0}: (1+½+1)/3
    expect(perClipAnchoredAucs([separated, allNormalLow, allNormalHigh, allAbnormal])).toEqual([1, 1, 5 / 6, 5 / 6]);
    expect(macroAuc([separated, allNormalLow, allNormalHigh])).toBeCloseTo(17 / 18, 14);
  });

  it('differs from micro AUC when clips are scaled differently', () => {
    const clips = [
      { scores: [0.1, 0.2], labels: [0, 1] },
      { scores: [0.8, 0.9], labels: [0, 1] },
    ];
    expect(macroAuc(clips)).toBe(1);
    expect(microAuc(clips)).toBe(0.75);
  });
});

describe('gaussianSmooth', () => {
  it('returns a copy for sigma 0', () => {
    const x = [0.3, 0.1, 0.9];
    const y = gaussianSmooth(x, 0);
    expect(Array.from(y)).toEqual(x);
    y[0] = 5;
    expect(x[0]).toBe(0.3);
  });

  it('preserves constants, also when the kernel is longer than the signal', () => {
    for (const [n, sigma] of [[50, 3], [10, 3], [1, 2], [3, 10]] as const) {
      const y = gaussianSmooth(new Array(n).fill(0.42), sigma);
      for (const v of y) expect(v).toBeCloseTo(0.42, 14);
    }
  });

  it('spreads an impulse into normalised Gaussian weights (σ = 1, radius 4)', () => {
    const x = new Array(21).fill(0);
    x[10] = 1;
    const y = gaussianSmooth(x, 1);
    const z = [0, 1, 2, 3, 4].reduce((s, k) => s + (k === 0 ? 1 : 2) * Math.exp(-(k * k) / 2), 0);
    expect(y[10]).toBeCloseTo(0.3989434, 6); // 1 / Σ exp(-k²/2), k = -4..4
    expect(y[11]).toBeCloseTo(Math.exp(-0.5) / z, 14);
    expect(y[9]).toBeCloseTo(y[11], 14);
    expect(y[14]).toBeCloseTo(Math.exp(-8) / z, 14);
    expect(y[15]).toBe(0); // truncated beyond 4σ
  });

  it('reflects at the borders (d c b a | a b c d), conserving the total', () => {
    const x = new Array(10).fill(0);
    x[0] = 1;
    const y = gaussianSmooth(x, 1);
    const z = [0, 1, 2, 3, 4].reduce((s, k) => s + (k === 0 ? 1 : 2) * Math.exp(-(k * k) / 2), 0);
    expect(y[0]).toBeCloseTo((1 + Math.exp(-0.5)) / z, 14); // x[-1] reflects to x[0]
    expect(y.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it('keeps the mean of a random signal and reduces its variance', () => {
    const r = rng(3);
    const x = Array.from({ length: 400 }, () => r());
    const y = gaussianSmooth(x, 3);
    const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    const variance = (a: ArrayLike<number>): number => {
      const m = mean(a);
      return Array.from(a).reduce((s, v) => s + (v - m) ** 2, 0) / a.length;
    };
    expect(mean(y)).toBeCloseTo(mean(x), 12);
    expect(variance(y)).toBeLessThan(variance(x) / 5);
  });

  it('refuses a negative or non-finite sigma', () => {
    expectVigil(() => gaussianSmooth([1, 2], -1), 'invalid_input', /sigma/);
    expectVigil(() => gaussianSmooth([1, 2], NaN), 'invalid_input', /sigma/);
  });
});
