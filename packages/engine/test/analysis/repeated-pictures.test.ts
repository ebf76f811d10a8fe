/**
 * Footage whose picture changes less often than its frames: a recorder storing 3 pictures a second in a
 * 10-fps stream. Analysed at the stream's rate, objects move in jumps and speeds are wrong. Left to choose
 * its rate, the analysis reads such footage again at the rate of its pictures and says so; at a rate the
 * caller sets, it keeps that rate and says which one reads each picture about once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitNormality, type AnalysisResult } from '../../src/analysis/pipeline.js';
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
let stops: Scene;

/** Share of the measured speeds within a quarter of walking pace. */
function walkingPace(obs: readonly TrackObservation[]): number {
  const speeds = obs.filter((o) => Number.isFinite(o.speed)).map((o) => o.speed);
  expect(speeds.length).toBeGreaterThan(50);
  return speeds.filter((v) => Math.abs(v - WALK) < 0.25 * WALK).length / speeds.length;
}

const repeatNote = (r: AnalysisResult): string | undefined => r.stats.notes.find((n) => /^The picture is repeated on \d+ of the \d+ analysed frames/.test(n));
const rereadNote = (r: AnalysisResult): string | undefined => r.stats.notes.find((n) => /^The picture was repeated on \d+ of the first \d+ frames/.test(n));

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vigil-repeats-'));
  const objects = walkers({ width: W, seconds: SECONDS, lanes: [20, 105, 185] });
  const scene = (name: string, contentFps?: number) => makeScene(dir, { name, seconds: SECONDS, fps: 10, width: W, height: 240, objects, ground: 'rough', contentFps });
  [repeated, full] = await Promise.all([scene('repeated.mp4', 3), scene('full.mp4')]);
  // One walker who stops after 3 s and stands for 15 s in a scene without sensor noise: once nothing
  // moves, each frame decodes to the last one's picture, yet the stream is not repeating pictures.
  stops = await makeScene(dir, {
    name: 'stops.mp4', seconds: 18, fps: 10, width: W, height: 240, ground: 'smooth',
    objects: [{ w: 12, h: 30, x0: 40, y0: 100, vx: 18, stopAtS: 3 }],
  });
}, 120_000);

afterAll(async () => {
  await cleanup?.();
});

describe('footage whose picture repeats', () => {
  it('is read again at the rate of its pictures unless the rate is set, and speeds come right', async () => {
    const progress: number[] = [];
    const auto = await analyseScene(repeated, { onProgress: (f) => progress.push(f) });
    expect(auto.r.params.fps).toBe(3);
    // The second reading goes on from where the first stopped.
    expect(progress.every((f, i) => i === 0 || f >= progress[i - 1])).toBe(true);
    expect(progress.at(-1)).toBe(1);
    expect(rereadNote(auto.r)).toMatch(/read at 10 frames a second: the footage holds about [\d.]+ pictures a second, so it was analysed at 3 frame\(s\) a second/);
    expect(repeatNote(auto.r)).toBeUndefined();
    expect(walkingPace(auto.obs)).toBeGreaterThan(0.6);
    // Every analysed frame is a new picture: the frames hold the footage's 12 s at 3 a second.
    expect(auto.r.frames.length).toBeGreaterThan(33);
    expect(auto.r.frames.length).toBeLessThan(39);

    // Reference footage is read the same way.
    const fitted = await fitNormality([repeated.path], { params: {} });
    expect(fitted.fps).toBe(3);
  }, 60_000);

  it('keeps a rate the caller set and names the rate that reads each picture about once', async () => {
    const fast = await analyseScene(repeated, { fps: 10 });
    expect(fast.r.params.fps).toBe(10);
    expect(rereadNote(fast.r)).toBeUndefined();
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
    expect(r.params.fps).toBe(10);
    expect(repeatNote(r)).toBeUndefined();
    expect(rereadNote(r)).toBeUndefined();
    expect(walkingPace(obs)).toBeGreaterThan(0.8);
  }, 60_000);

  it('is not taken from an object standing still in a still scene', async () => {
    const { r, obs } = await analyseScene(stops);
    // The walker was tracked standing (so the frames that repeat had an object in view).
    expect(obs.some((o) => o.time > 10 && o.speed < 0.1)).toBe(true);
    expect(r.params.fps).toBe(10);
    expect(repeatNote(r)).toBeUndefined();
    expect(rereadNote(r)).toBeUndefined();
  }, 60_000);
});
