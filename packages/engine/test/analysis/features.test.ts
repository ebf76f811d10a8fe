import { describe, expect, it } from 'vitest';
import { computeFeatures } from '../../src/analysis/features.js';
import { ObservationTable, SOURCE_DETECTOR, SOURCE_MOTION } from '../../src/analysis/observations.js';

const W = 320;
const H = 240;
const FPS = 10;
// Expected object height 30 px everywhere (0.125 of the frame).
const perspective = { a: 0.125, b: 0, minH: 0.05, maxH: 0.5, yMin: 0, yMax: 1, samples: 1 };

/**
 * An object 36 × 30 px entering from the left at 60 px/s (2 heights/s): cut by the edge for its first six
 * frames. `flow` says whether those edge frames carry a block-flow velocity (the object's pixels) or only
 * the tracker's box velocity, which a box growing out of the edge halves.
 */
function entering(t: ObservationTable, trackId: number, flow: boolean, y = 100): void {
  for (let k = 0; k < 12; k++) {
    const right = 6 * (k + 1);
    const box: [number, number, number, number] = [Math.max(0, right - 36), y, right, y + 30];
    const cut = box[0] <= 1;
    t.push({ trackId, ordinal: k, box, confidence: 0.9, source: SOURCE_MOTION, label: 'unknown', vx: cut && !flow ? 30 : 60, vy: 0, flowMeasured: !cut || flow });
  }
}

describe('computeFeatures', () => {
  it('measures the speed of an object cut by the side of the frame from its pixels, never from its growing box or without its foot', () => {
    const t = new ObservationTable();
    entering(t, 1, true);
    entering(t, 2, false);
    entering(t, 3, true, H - 30); // feet on the bottom edge
    const times = Float64Array.from({ length: 12 }, (_, k) => k / FPS);
    const f = computeFeatures(t, 12, { width: W, height: H, perspective, times, movingSpeed: 0.2, stayRadius: 0.5, velocityWindowS: 0.25, minLabelVotes: 2 });
    const first = (track: number): number => t.trackId.findIndex((v) => v === track);
    expect(f.atBorder[first(1)]).toBe(1);
    expect(f.speed[first(1)]).toBeCloseTo(2, 5); // 60 px/s over 30 px
    expect(f.speed[first(2)]).toBeNaN(); // only the box's velocity while cut: not measured
    expect(f.speed[first(2) + 11]).toBeCloseTo(2, 5); // fully in view
    expect(f.speed[first(3)]).toBeNaN();
    expect(f.speed[first(3) + 11]).toBeNaN();
  });

  it('names a walker a person even when its track later goes on as a vehicle, but keeps a rider one object', () => {
    // One detector vote every 10 frames, motion blobs in between; each track is 100 frames long.
    const tracks: Record<number, string[]> = {
      1: ['person', 'person', 'person', 'bicycle', 'bicycle', 'bicycle'], // a walker, then a bicycle from vote 4 on
      2: ['bicycle', 'person', 'bicycle', 'bicycle', 'person', 'person', 'bicycle'], // a rider, sometimes named a person
      3: ['person', 'person', 'bicycle', 'bicycle', 'person', 'person'], // flip-flopping: no clear hand-over
    };
    const t = new ObservationTable();
    for (const [id, votes] of Object.entries(tracks)) {
      for (let k = 0; k < 100; k++) {
        const vote = k % 10 === 5 ? votes[(k - 5) / 10] : undefined;
        const box: [number, number, number, number] = [20 + 2 * k, 100, 40 + 2 * k, 130];
        t.push({ trackId: Number(id), ordinal: k, box, confidence: 0.9, source: vote ? SOURCE_DETECTOR : SOURCE_MOTION, label: vote ?? 'unknown', vx: 20, vy: 0, flowMeasured: true });
      }
    }
    const times = Float64Array.from({ length: 100 }, (_, k) => k / FPS);
    const f = computeFeatures(t, 100, { width: W, height: H, perspective, times, movingSpeed: 0.2, stayRadius: 0.5, velocityWindowS: 0.25, minLabelVotes: 2 });
    const labelAt = (track: number, k: number): string => f.labels[f.label[t.trackId.findIndex((v) => v === track) + k]];
    expect(labelAt(1, 0)).toBe('person');
    expect(labelAt(1, 29)).toBe('person'); // the last person vote is at 25, the first bicycle vote at 35
    expect(labelAt(1, 30)).toBe('bicycle');
    expect(labelAt(1, 99)).toBe('bicycle');
    for (const k of [0, 50, 99]) expect(labelAt(2, k)).toBe('bicycle');
    for (const k of [0, 50, 99]) expect(labelAt(3, k)).toBe('person'); // the track's majority, throughout
  });
});
