/**
 * Footage whose picture changes less often than its frames: a recorder storing 3 pictures a second in a
 * 10-fps stream. Analysed at the stream's rate, objects move in jumps and speeds are wrong; the analysis
 * says so, with the rate that reads each picture about once, and at that rate speeds come right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/analysis/pipeline.js';
import type { TrackObservation } from '../../src/analysis/types.js';
import { makeTempDir } from '../helpers/media.js';
import { analyseScene, makeScene, walkers, type Scene } from './scenes.js';

const W = 320;
const SECONDS = 12;
/** Walkers are 30 px tall and walk 0.6 heights a second. */
const WALK = 0.6;

let dir: string;
let cleanup: () => Promise<void>;
let repeated: Scene;
let full: Scene;

/** Share of the measured speeds within a quarter of walking pace. */
function walkingPace(obs: readonly TrackObservation[]): number {
  const speeds = obs.filter((o) => Number.isFinite(o.speed)).map((o) => o.speed);
  expect(speeds.length).toBeGreaterThan(50);
  return speeds.filter((v) => Math.abs(v - WALK) < 0.25 * WALK).length / speeds.length;
}

const repeatNote = (r: AnalysisResult): string | undefined => r.stats.notes.find((n) => /^The picture is repeated on \d+ of the \d+ analysed frames/.test(n));

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vigil-repeats-'));
  const objects = walkers({ width: W, seconds: SECONDS, lanes: [20, 105, 185] });
  const scene = (name: string, contentFps?: number) => makeScene(dir, { name, seconds: SECONDS, fps: 10, width: W, height: 240, objects, ground: 'rough', contentFps });
  [repeated, full] = await Promise.all([scene('repeated.mp4', 3), scene('full.mp4')]);
}, 120_000);

afterAll(async () => {
  await cleanup?.();
});

describe('footage whose picture repeats', () => {
  it('is noted with the rate of its pictures; analysed at that rate, speeds come right', async () => {
    const fast = await analyseScene(repeated);
    const note = repeatNote(fast.r);
    expect(note).toBeDefined();
    const rate = Number(note!.match(/about ([\d.]+) pictures a second/)![1]);
    expect(rate).toBeGreaterThan(2.5);
    expect(rate).toBeLessThan(3.5);
    expect(note).toMatch(/Analysing at 3 frame\(s\) a second/);
    expect(walkingPace(fast.obs)).toBeLessThan(0.2);

    const slow = await analyseScene(repeated, { fps: 3 });
    expect(repeatNote(slow.r)).toBeUndefined();
    expect(walkingPace(slow.obs)).toBeGreaterThan(0.6);
  }, 60_000);

  it('is not noted where every frame is a new picture', async () => {
    const { r, obs } = await analyseScene(full);
    expect(repeatNote(r)).toBeUndefined();
    expect(walkingPace(obs)).toBeGreaterThan(0.8);
  }, 60_000);
});
