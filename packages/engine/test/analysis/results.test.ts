import { describe, expect, it } from 'vitest';
import { rankActors } from '../../src/analysis/results.js';

describe('event actors', () => {
  it('puts first the track that tops most of the event, not the one that peaked once', () => {
    // Track 10 (a walker whose box was misjudged for a frame) peaks higher; track 41 (the cyclist) tops 30
    // of the event's frames.
    const topped = new Map([
      [10, 2],
      [41, 30],
    ]);
    const peak = new Map([
      [10, 0.9],
      [41, 0.7],
    ]);
    expect(rankActors([10, 41], topped, (id) => peak.get(id)!)).toEqual([41, 10]);
    // Tracks that top no frame (or as many) are ordered by their peak.
    expect(rankActors([7, 10, 41, 8], new Map([[41, 3]]), (id) => ({ 7: 0.6, 8: 0.8, 10: 0.9, 41: 0.5 })[id]!)).toEqual([41, 10, 8, 7]);
  });
});
