/**
 * Camera shake, end to end, on footage generated here: walkers on rough ground filmed by a camera that
 * wobbles. Undone, the scene reads like a still camera's (one track per walker, no event) and the stored
 * boxes are where the footage shows the walkers; left as it is, a strong shake moves every grain of the
 * ground and the analysis sees objects that are not there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iou } from '../../src/analysis/geometry.js';
import { defaultParams, resolveParams } from '../../src/analysis/params.js';
import { makeTempDir } from '../helpers/media.js';
import { analyseScene, makeScene, walkers, type Scene } from './scenes.js';

const W = 320;
const H = 240;
const SECONDS = 12;

let dir: string;
let cleanup: () => Promise<void>;
let shaky: Scene;
let strong: Scene;
let slight: Scene;
let bus: Scene;

/** How many of the scene's walkers are in view at some time. */
function inView(scene: Scene): number {
  const seen = new Set<number>();
  for (let t = 0; t < SECONDS; t += 0.5) scene.objects.forEach((_, i) => scene.boxAt(i, t) && seen.add(i));
  return seen.size;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vigil-shake-'));
  const objects = walkers({ width: W, seconds: SECONDS, lanes: [20, 105, 185] });
  const scene = (name: string, shake: number) => makeScene(dir, { name, seconds: SECONDS, fps: 10, width: W, height: H, objects, shake, ground: 'rough' });
  // 6 pixels each way, 2 % of the width (within the default reach, 3 %); 14 pixels, 4 %, beyond it; 2 pixels,
  // where the picture is a pixel off on many frames.
  [shaky, strong, slight] = await Promise.all([scene('shaky.mp4', 6), scene('strong.mp4', 14), scene('slight.mp4', 2)]);
  // A still camera; a bus-sized box (56 % of the view) drives through among the walkers.
  const withBus = [...objects, { w: 240, h: 180, x0: -240, y0: 30, vx: 40, shade: 200 }];
  bus = await makeScene(dir, { name: 'bus.mp4', seconds: SECONDS, fps: 10, width: W, height: H, objects: withBus, ground: 'rough' });
}, 120_000);

afterAll(async () => {
  await cleanup?.();
});

describe('camera shake', () => {
  it('is undone: walkers are tracked as on a still camera, no event, boxes where the footage shows them', async () => {
    const { r, obs } = await analyseScene(shaky);
    expect(r.events).toEqual([]);
    expect(r.tracks.length).toBeLessThanOrEqual(inView(shaky) + 2);
    expect(r.stats.notes.some((n) => /camera shook/.test(n))).toBe(true);
    // Every walker fully in view mid-clip is found in the frame's own coordinates, shake and all.
    let checked = 0;
    for (const t of [3, 6, 9]) {
      const frameObs = obs.filter((o) => Math.abs(o.time - t) < 0.05);
      shaky.objects.forEach((ob, i) => {
        const truth = shaky.boxAt(i, t);
        if (!truth || truth[2] - truth[0] < ob.w || truth[3] - truth[1] < ob.h) return;
        checked++;
        expect(Math.max(0, ...frameObs.map((o) => iou(o.box, truth)))).toBeGreaterThan(0.5);
      });
    }
    expect(checked).toBeGreaterThan(10);
  }, 60_000);

  it('is undone to the pixel: a shake of a pixel or two leaves no trace either', async () => {
    // A pixel is half a step of the half-resolution search; left on the frames where the shake is one pixel,
    // it made twice as many tracks as walkers.
    const { r } = await analyseScene(slight);
    expect(r.events).toEqual([]);
    expect(r.tracks.length).toBeLessThanOrEqual(inView(slight) + 2);
  }, 60_000);

  it('does not take a large object passing a still camera for a shake', async () => {
    // Its own motion can pull the best shift, or the cost curve around no shift, its way; the ground around
    // it then matches worse, and the shift is refused. Each wrong move also teaches the background a
    // misaligned picture (the first version made 83 tracks here).
    const on = await analyseScene(bus);
    const off = await analyseScene(bus, { maxShakeShare: 0 });
    expect(on.r.tracks.length).toBeLessThanOrEqual(off.r.tracks.length + 2);
    expect(on.r.events.length).toBeLessThanOrEqual(off.r.events.length);
  }, 60_000);

  it('left as it is, a strong shake makes objects out of the ground (undone with a longer reach, it does not)', async () => {
    const off = await analyseScene(strong, { maxShakeShare: 0 });
    const on = await analyseScene(strong, { maxShakeShare: 0.05 });
    expect(off.r.stats.notes.some((n) => /camera shook/.test(n))).toBe(false);
    expect(on.r.stats.notes.some((n) => /camera shook/.test(n))).toBe(true);
    expect(on.r.events).toEqual([]);
    expect(on.r.tracks.length).toBeLessThanOrEqual(inView(strong) + 2);
    expect(off.r.tracks.length).toBeGreaterThan(inView(strong) + 8);
  }, 60_000);

  it('refuses a reach that is not a share of the frame between 0 and 0.1, naming the parameter', () => {
    const geometry = { width: W, height: H, fpsAvg: 10 };
    const motion = defaultParams(geometry).motion;
    for (const bad of ['x', -0.01, 2, Number.NaN]) {
      expect(() => resolveParams(geometry, { motion: { ...motion, maxShakeShare: bad as number } })).toThrow(/motion\.maxShakeShare must be between 0 \(off\) and 0\.1/);
    }
    expect(resolveParams(geometry, { motion: { ...motion, maxShakeShare: 0 } }).motion.maxShakeShare).toBe(0);
  });
});
