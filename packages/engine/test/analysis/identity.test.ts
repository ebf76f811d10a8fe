import { describe, expect, it } from 'vitest';
import { computeFeatures } from '../../src/analysis/features.js';
import { linkIdentities } from '../../src/analysis/identity.js';
import { ObservationTable, SOURCE_MOTION } from '../../src/analysis/observations.js';

const W = 320;
const H = 240;
const FPS = 10;
const perspective = { a: 0.125, b: 0, minH: 0.05, maxH: 0.5, yMin: 0, yMax: 1, samples: 1 };

/** An object walking right at 20 px/s, seen as `trackId` from frame a to b (inclusive). */
function walk(t: ObservationTable, trackId: number, a: number, b: number, y = 100, x0 = 10): void {
  for (let k = a; k <= b; k++) {
    const x = x0 + 2 * k;
    t.push({ trackId, ordinal: k, box: [x, y, x + 12, y + 30], confidence: 0.9, source: SOURCE_MOTION, label: 'unknown', vx: 20, vy: 0, flowMeasured: true });
  }
}

describe('linkIdentities', () => {
  it('links a fragment that resumes where an object was heading, and nothing else', () => {
    const t = new ObservationTable();
    walk(t, 1, 0, 30); // lost at frame 30 (t = 3 s) ...
    walk(t, 2, 45, 80); // ... back 1.5 s later, 30 px further along its path
    walk(t, 3, 45, 80, 190); // another object, in another lane
    walk(t, 4, 50, 60, 100, 200); // 2 s after 1 was lost, but far ahead of where it was going
    const times = Float64Array.from({ length: 100 }, (_, k) => k / FPS);
    const f = computeFeatures(t, 100, { width: W, height: H, perspective, times, movingSpeed: 0.2, stayRadius: 0.5, velocityWindowS: 0.25, minLabelVotes: 2 });
    const id = linkIdentities(t, f, H);
    const of = (track: number): number => id[t.trackId.findIndex((v) => v === track)];
    expect(of(1)).toBe(1);
    expect(of(2)).toBe(1);
    expect(of(3)).toBe(3);
    expect(of(4)).not.toBe(1);
  });
});
