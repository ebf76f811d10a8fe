import { describe, expect, it } from 'vitest';
import { hysteresisSegments } from '../../src/analysis/events.js';
import { eventConfidence } from '../../src/analysis/results.js';

const times = (n: number, fps = 10): Float64Array => Float64Array.from({ length: n }, (_, k) => k / fps);
const hp = { enterThreshold: 0.6, exitThreshold: 0.4, minEventS: 0.5, mergeGapS: 0.35 };

function signal(n: number, spans: [number, number, number][]): Float64Array {
  const s = new Float64Array(n).fill(0.1);
  for (const [a, b, v] of spans) for (let k = a; k <= b; k++) s[k] = v;
  return s;
}

describe('hysteresisSegments', () => {
  it('enters at the enter threshold and extends while above the exit threshold', () => {
    // Rises to 0.5 (not enough to enter) at 10, enters at 14, stays above exit until 25.
    const s = signal(60, [[10, 13, 0.5], [14, 18, 0.8], [19, 25, 0.45]]);
    const segs = hysteresisSegments(s, times(60), 0.1, hp);
    expect(segs).toEqual([{ start: 10, end: 25, peak: 14 }]);
  });

  it('never starts an event below the enter threshold', () => {
    const s = signal(60, [[10, 40, 0.55]]);
    expect(hysteresisSegments(s, times(60), 0.1, hp)).toEqual([]);
  });

  it('drops events shorter than the minimum duration', () => {
    // 3 frames at 10 fps = 0.3 s < 0.5 s; 6 frames = 0.6 s kept.
    const s = signal(80, [[10, 12, 0.9], [40, 45, 0.9]]);
    const segs = hysteresisSegments(s, times(80), 0.1, hp);
    expect(segs.map((x) => [x.start, x.end])).toEqual([[40, 45]]);
  });

  it('merges events separated by a gap shorter than mergeGapS, then applies the minimum length', () => {
    // Two 3-frame bursts 3 frames apart (gap 0.2 s < 0.35 s): merged into one 0.9 s event.
    // A third burst 10 frames later stays separate and is too short on its own.
    const s = signal(80, [[10, 12, 0.7], [16, 18, 0.9], [29, 30, 0.9]]);
    const segs = hysteresisSegments(s, times(80), 0.1, hp);
    expect(segs).toEqual([{ start: 10, end: 18, peak: 16 }]);
  });

  it('uses real timestamps (a pause in recording is a gap, not a few frames)', () => {
    const t = times(40);
    for (let k = 20; k < 40; k++) t[k] += 5; // 5 s pause between frames 19 and 20
    const s = signal(40, [[14, 19, 0.9], [20, 26, 0.9]]);
    const segs = hysteresisSegments(s, t, 0.1, hp);
    expect(segs.map((x) => [x.start, x.end])).toEqual([[14, 19], [20, 26]]);
  });

  it('refuses an exit threshold above the enter threshold', () => {
    expect(() => hysteresisSegments([0.9], [0], 0.1, { ...hp, exitThreshold: 0.7 })).toThrow(RangeError);
  });
});

describe('eventConfidence', () => {
  it('grows with the peak and with the duration, within 0..1', () => {
    const weak = eventConfidence(0.62, 2, hp);
    const strong = eventConfidence(0.9, 2, hp);
    const brief = eventConfidence(0.9, 0.5, hp);
    expect(strong).toBeGreaterThan(weak);
    expect(strong).toBeGreaterThan(brief);
    for (const v of [weak, strong, brief]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });
});
