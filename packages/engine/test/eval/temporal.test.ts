import { describe, expect, it } from 'vitest';
import { eventF1, f1FromCounts, groundingMetrics, labelsToIntervals, temporalIou } from '../../src/eval/temporal.js';
import { expectVigil } from './helpers.js';

describe('temporalIou', () => {
  it('is intersection over union of [s, e]', () => {
    expect(temporalIou([0, 10], [5, 15])).toBeCloseTo(1 / 3, 14);
    expect(temporalIou([2, 4], [0, 10])).toBeCloseTo(0.2, 14);
    expect(temporalIou([1.5, 7.5], [1.5, 7.5])).toBe(1);
    expect(temporalIou([0, 5], [5, 10])).toBe(0);
    expect(temporalIou([0, 5], [8, 10])).toBe(0);
  });

  it('scores degenerate, reversed and missing predictions 0', () => {
    expect(temporalIou([3, 3], [0, 6])).toBe(0);
    expect(temporalIou([6, 0], [0, 6])).toBe(0);
    expect(temporalIou(null, [0, 6])).toBe(0);
    expect(temporalIou([0, NaN], [0, 6])).toBe(0);
  });
});

describe('groundingMetrics', () => {
  it('scores only abnormal GT rows: mIoU and R@{0.3,0.5,0.7}', () => {
    const r = groundingMetrics([
      { pred: [0, 10], gt: [5, 15] }, // 1/3
      { pred: [0, 10], gt: [0, 10] }, // 1
      { pred: null, gt: [1, 2] }, // unparsed: 0
      { pred: [3, 3], gt: [0, 6] }, // s == e: 0
      { pred: [0, 4], gt: [0, 0] }, // normal video: skipped
      { pred: [0, 4], gt: [-1, -1] }, // unavailable: skipped
    ]);
    expect(r.scored).toBe(4);
    expect(r.skipped).toBe(2);
    expect(r.mIoU).toBeCloseTo((1 / 3 + 1) / 4, 14);
    expect(r.recall).toEqual({ '0.3': 0.5, '0.5': 0.25, '0.7': 0.25 });
  });

  it('refuses a set without abnormal rows', () => {
    expectVigil(() => groundingMetrics([{ pred: [0, 1], gt: [0, 0] }]), 'invalid_input', /no row has an abnormal GT/);
  });
});

describe('eventF1', () => {
  it('matches events one-to-one at IoU ≥ 0.3 on inclusive frame intervals', () => {
    // [0,9]~[5,14]: 5/15; [20,29]~[20,24]: 5/10; [50,55] matches nothing
    const r = eventF1([[0, 9], [20, 29], [50, 55]], [[5, 14], [20, 24]]);
    expect([r.tp, r.fp, r.fn]).toEqual([2, 1, 0]);
    expect(r.precision).toBeCloseTo(2 / 3, 14);
    expect(r.recall).toBe(1);
    expect(r.f1).toBeCloseTo(0.8, 14);
    expect(r.matches.map((m) => [m.pred, m.gt])).toEqual([[1, 1], [0, 0]]);
  });

  it('lets one prediction match only one GT event', () => {
    const r = eventF1([[0, 19]], [[0, 9], [10, 19]]);
    expect([r.tp, r.fp, r.fn]).toEqual([1, 0, 1]);
    expect(r.f1).toBeCloseTo(2 / 3, 14);
  });

  it('treats [s, s] as one frame when inclusive, and refuses it for continuous intervals', () => {
    expect(eventF1([[5, 5]], [[5, 5]]).f1).toBe(1);
    expect(eventF1([[5, 5]], [[5, 6]]).tp).toBe(1); // IoU ½
    expect(eventF1([[0, 1]], [[0, 4]], { inclusive: false }).tp).toBe(0); // IoU ¼
    expect(eventF1([[0, 1]], [[0, 4]], { inclusive: false, iouThreshold: 0.25 }).tp).toBe(1);
    expectVigil(() => eventF1([[5, 5]], [], { inclusive: false }), 'invalid_input', /prediction 0/);
    expectVigil(() => eventF1([], [[9, 3]]), 'invalid_input', /GT event 0/);
  });

  it('defines the empty cases', () => {
    expect(eventF1([], [])).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(eventF1([], [[0, 3]])).toMatchObject({ precision: 1, recall: 0, f1: 0 });
    expect(eventF1([[0, 3]], [])).toMatchObject({ precision: 0, recall: 1, f1: 0 });
    expect(f1FromCounts({ tp: 3, fp: 1, fn: 2 })).toEqual({ precision: 0.75, recall: 0.6, f1: (2 * 0.75 * 0.6) / 1.35 });
  });
});

describe('labelsToIntervals', () => {
  it('returns inclusive runs of abnormal frames', () => {
    expect(labelsToIntervals([0, 1, 1, 0, 0, 1])).toEqual([[1, 2], [5, 5]]);
    expect(labelsToIntervals([true, true, false])).toEqual([[0, 1]]);
    expect(labelsToIntervals([0, 0])).toEqual([]);
  });
});
