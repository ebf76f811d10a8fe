/**
 * A camera that turns (a pan), end to end, on footage generated here: walkers both ways on rough ground, the
 * view sliding by half its width over 4 s. The background follows the view, so the turn is not taken for an
 * anomaly; tracks and speeds stay on the scene (a walker keeps walking pace while the picture slides), and
 * boxes are stored where the footage shows the walkers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iou } from '../../src/analysis/geometry.js';
import type { AnalysisResult } from '../../src/analysis/pipeline.js';
import type { TrackObservation } from '../../src/analysis/types.js';
import { makeTempDir } from '../helpers/media.js';
import { analyseScene, makeScene, type Scene, type SceneObject } from './scenes.js';

const W = 320;
const H = 240;
const SECONDS = 12;
const PAN = { startS: 4, endS: 8 };
/** A pan-tilt head's turn: half again the steady speed mid-way, here 16 px a frame, beyond twice the reach. */
const EASED = { startS: 4, endS: 7, dx: 320, eased: true };
/** A tilt down, eased the same way: its first moves stay within the reach, the view drifts out of it. */
const TILT = { startS: 4, endS: 7, dx: 0, dy: 100, eased: true };
/** Walkers are 30 px tall and walk 18 px/s: 0.6 heights per second. */
const WALK = 0.6;

let dir: string;
let cleanup: () => Promise<void>;
let right: Scene;
let left: Scene;
let filled: Scene;
let eased: Scene;
let tilt: Scene;

/** Frames above the edge of normal while the camera turns (and a second after). */
const alarmsDuringPan = (r: AnalysisResult, pan = PAN): number => r.frames.filter((f) => f.time >= pan.startS && f.time <= pan.endS + 1 && f.smoothed > 0.5).length;

/**
 * Share of the observations mid-pan measured at walking pace (±25 %). On the screen the walkers slide by
 * 40 px/s on top of their 18 px/s: 22 px/s one way, 58 px/s the other.
 */
function walkingPace(obs: readonly TrackObservation[], from = PAN.startS + 0.5, to = PAN.endS - 0.5): number {
  const speeds = obs.filter((o) => o.time > from && o.time < to && Number.isFinite(o.speed)).map((o) => o.speed);
  expect(speeds.length).toBeGreaterThan(100);
  return speeds.filter((v) => Math.abs(v - WALK) < 0.25 * WALK).length / speeds.length;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vigil-pan-'));
  // Four lanes, alternate lanes walking the other way, spread over the whole scene the pan sweeps.
  const objects: SceneObject[] = [];
  [20, 75, 130, 185].forEach((y, li) => {
    for (let x = -300 + li * 23, k = 0; x < 700; x += 90, k++) {
      const back = li % 2 === 1;
      objects.push({ w: 12, h: 30, x0: back ? x + 300 : x, y0: y, vx: (back ? -1 : 1) * WALK * 30, shade: 200 + ((k + li) % 3) * 20 });
    }
  });
  const scene = (name: string, dx: number) => makeScene(dir, { name, seconds: SECONDS, fps: 10, width: W, height: H, objects, ground: 'rough', pan: { ...PAN, dx } });
  // A still camera; a box nearly as large as the view (86 %) drives slowly through, over smooth ground.
  const box: SceneObject = { w: 300, h: 220, x0: -300, y0: 10, vx: 25, shade: 200 };
  [right, left, filled, eased, tilt] = await Promise.all([
    scene('right.mp4', 160),
    scene('left.mp4', -160),
    makeScene(dir, { name: 'filled.mp4', seconds: 20, fps: 10, width: W, height: H, objects: [...objects, box], ground: 'smooth' }),
    makeScene(dir, { name: 'eased.mp4', seconds: SECONDS, fps: 10, width: W, height: H, objects, ground: 'rough', pan: EASED }),
    makeScene(dir, { name: 'tilt.mp4', seconds: SECONDS, fps: 10, width: W, height: H, objects, ground: 'rough', pan: TILT }),
  ]);
}, 120_000);

afterAll(async () => {
  await cleanup?.();
});

describe('camera pan', () => {
  it('is followed: no alarm while the camera turns, walkers keep walking pace, and the turn is reported', async () => {
    for (const scene of [right, left]) {
      const { r, obs } = await analyseScene(scene);
      expect(alarmsDuringPan(r)).toBe(0);
      expect(r.stats.notes.some((n) => /camera turned between 4\.\d s and 8\.\d s \(the view moved up to 160 pixels/.test(n))).toBe(true);
      expect(walkingPace(obs)).toBeGreaterThan(0.9);
    }
  }, 60_000);

  it('follows a turn that speeds up past the reach of a frame, as a pan-tilt head does', async () => {
    // Sought around its last move, the next one may be larger by up to the reach (without that, this turn
    // was lost after 8 px: 11 % of the speeds at walking pace, an event at its start).
    const { r, obs } = await analyseScene(eased);
    expect(alarmsDuringPan(r, EASED)).toBe(0);
    expect(r.stats.notes.some((n) => /camera turned between 4\.\d s and [67]\.\d s \(the view moved up to 3[12]\d pixels/.test(n)), r.stats.notes.join(' | ')).toBe(true);
    expect(walkingPace(obs, EASED.startS, EASED.endS)).toBeGreaterThan(0.85);
  }, 60_000);

  it('follows a tilt from its slow start, where the view drifts to the edge of the reach', async () => {
    // The background's own search misses the view near the edge of its reach; the move measured frame to
    // frame, further out, is followed (without that: 23 frames above 0.5, 60 of the 100 px followed).
    const { r, obs } = await analyseScene(tilt);
    expect(alarmsDuringPan(r, TILT)).toBe(0);
    expect(r.stats.notes.some((n) => /camera turned between 4\.\d s and [67]\.\d s \(the view moved up to (9\d|10\d) pixels/.test(n)), r.stats.notes.join(' | ')).toBe(true);
    expect(walkingPace(obs, TILT.startS, TILT.endS)).toBeGreaterThan(0.8);
  }, 60_000);

  it('stores boxes where the footage shows the walkers while the view slides', async () => {
    const { obs } = await analyseScene(right);
    let checked = 0;
    let found = 0;
    for (const t of [5, 6, 7]) {
      const frameObs = obs.filter((o) => Math.abs(o.time - t) < 0.05);
      right.objects.forEach((ob, i) => {
        const truth = right.boxAt(i, t);
        // Fully in view, and clear of the edge the view turns toward (a walker there is uncovered this instant).
        if (!truth || truth[2] - truth[0] < ob.w || truth[3] - truth[1] < ob.h || truth[2] > W - 20) return;
        checked++;
        if (Math.max(0, ...frameObs.map((o) => iou(o.box, truth))) > 0.5) found++;
      });
    }
    expect(checked).toBeGreaterThan(15);
    expect(found).toBeGreaterThanOrEqual(checked - 1);
  }, 60_000);

  it('does not take an object that fills the view for a turn of the camera', async () => {
    // Between frames it moves like a turning view, and it can pull the shift against the background its way
    // too (the first version followed it 20 px, and made two events of the ground it then misplaced).
    const { r } = await analyseScene(filled);
    const off = await analyseScene(filled, { maxShakeShare: 0 });
    expect(r.stats.notes.some((n) => /camera turned/.test(n))).toBe(false);
    expect(r.events.length).toBeLessThanOrEqual(off.r.events.length);
  }, 60_000);

  it('left alone (no shift correction), speeds are those on the screen: half the walkers seem to rush or crawl', async () => {
    const { r, obs } = await analyseScene(right, { maxShakeShare: 0 });
    expect(walkingPace(obs)).toBeLessThan(0.7);
    expect(r.stats.notes.some((n) => /camera turned/.test(n))).toBe(false);
  }, 60_000);
});
