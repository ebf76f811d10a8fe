import { describe, expect, it } from 'vitest';
import type { FlowField } from '../../src/analysis/block-flow.js';
import { boxFlow, mergeRiders, type DetectionLike } from '../../src/analysis/measurements.js';

const det = (label: string, box: [number, number, number, number], score = 0.6): DetectionLike => ({ label, box, score, classId: label === 'person' ? 0 : 1 });

describe('mergeRiders', () => {
  it('makes a person on a bicycle one object with the union box, named by the vehicle', () => {
    const out = mergeRiders([det('person', [100, 50, 130, 120], 0.8), det('bicycle', [95, 90, 140, 130], 0.5), det('person', [300, 60, 325, 125])]);
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({ label: 'bicycle', box: [95, 50, 140, 130], score: 0.8, classId: 1 });
    expect(out[1].label).toBe('person');
  });

  it('leaves apart a person beside a parked bicycle and a bicycle above a person', () => {
    const beside = mergeRiders([det('person', [100, 50, 130, 120]), det('bicycle', [140, 90, 185, 130])]);
    expect(beside.map((d) => d.label)).toEqual(['person', 'bicycle']);
    const above = mergeRiders([det('person', [100, 50, 130, 120]), det('bicycle', [95, 20, 140, 70])]);
    expect(above.map((d) => d.label)).toEqual(['person', 'bicycle']);
  });

  it('pairs each vehicle with the rider it overlaps most, once', () => {
    const out = mergeRiders([
      det('person', [100, 50, 130, 120]),
      det('person', [140, 50, 170, 120]),
      det('bicycle', [98, 90, 135, 130]),
      det('bicycle', [138, 90, 175, 130]),
    ]);
    expect(out.map((d) => [d.label, d.box[0]])).toEqual([
      ['bicycle', 98],
      ['bicycle', 138],
    ]);
  });
});

describe('boxFlow', () => {
  /** A 4×4-block field (8-px blocks) with the given per-block readings, row-major; null = not estimated. */
  const field = (readings: ([number, number] | null)[]): FlowField => ({
    block: 8,
    cols: 4,
    rows: 4,
    vx: Float32Array.from(readings, (r) => (r ? r[0] : NaN)),
    vy: Float32Array.from(readings, (r) => (r ? r[1] : NaN)),
  });
  const right: [number, number] = [3, 0];
  const wrong: [number, number] = [0, -8];
  // The box [0, 0, 16, 16] holds the four top-left blocks (indices 0, 1, 4, 5).
  const box: [number, number, number, number] = [0, 0, 16, 16];

  it('reads the median of the blocks that agree', () => {
    const f = field([right, right, null, null, right, wrong, null, null, ...Array(8).fill(null)]);
    expect(boxFlow(f, box)).toEqual({ vx: 3, vy: 0 });
  });

  it('gives no reading when the blocks do not agree (half matched something else)', () => {
    const f = field([right, wrong, null, null, wrong, right, null, null, ...Array(8).fill(null)]);
    expect(boxFlow(f, box)).toBeNull();
    // Leaving out where another object in front covers the box restores agreement.
    expect(boxFlow(f, box, [[6, 0, 16, 8], [0, 8, 10, 16]])).toEqual({ vx: 3, vy: 0 });
  });

  it('needs at least two estimated blocks', () => {
    expect(boxFlow(field([right, null, null, null, ...Array(12).fill(null)]), box)).toBeNull();
  });
});
