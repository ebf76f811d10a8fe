/**
 * A lamp switched on: the ground it lights changes at once and stays changed, but it is the same ground,
 * brighter, texture for texture (motion.ts `relit`). It is taken into the background, not kept as an object
 * standing there; an object put down in the same place has a texture of its own and stays one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackObservation } from '../../src/analysis/types.js';
import { makeTempDir } from '../helpers/media.js';
import { analyseScene, makeScene, walkers, type Scene } from './scenes.js';

const W = 320;
const H = 240;
const SECONDS = 12;
/** A lit patch between the two lanes, clear of the walkers, from 5 s on. */
const LIGHT = { x: 120, y: 66, w: 100, h: 30, atS: 5, alpha: 0.3 };

let dir: string;
let cleanup: () => Promise<void>;
let lamp: Scene;
let bag: Scene;

/** Observations after `from` s whose box lies mostly inside the lit patch. */
function inLight(obs: readonly TrackObservation[], from: number): number {
  const inside = (b: readonly number[]) => {
    const ix = Math.max(0, Math.min(b[2], LIGHT.x + LIGHT.w) - Math.max(b[0], LIGHT.x));
    const iy = Math.max(0, Math.min(b[3], LIGHT.y + LIGHT.h) - Math.max(b[1], LIGHT.y));
    return ix * iy > 0.5 * (b[2] - b[0]) * (b[3] - b[1]);
  };
  return obs.filter((o) => o.time >= from && inside(o.box)).length;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vigil-relit-'));
  const objects = walkers({ width: W, seconds: SECONDS, lanes: [20, 150] });
  lamp = await makeScene(dir, { name: 'lamp.mp4', seconds: SECONDS, fps: 10, width: W, height: H, objects, ground: 'rough', light: LIGHT });
  // The same place, where a case appears at 5 s instead and stays.
  const withBag = [...objects, { w: 16, h: 12, x0: 160, y0: 75, vx: 0, startS: 5, shade: 90 }];
  bag = await makeScene(dir, { name: 'bag.mp4', seconds: SECONDS, fps: 10, width: W, height: H, objects: withBag, ground: 'rough' });
}, 120_000);

afterAll(async () => {
  await cleanup?.();
});

describe('a lamp switched on', () => {
  it('is taken into the background: no object stands in its light, and no event', async () => {
    const { r, obs } = await analyseScene(lamp);
    expect(inLight(obs, 6)).toBe(0);
    expect(r.events).toEqual([]);
  }, 60_000);

  it('while an object that appears there stays an object', async () => {
    const { obs } = await analyseScene(bag);
    expect(inLight(obs, 6)).toBeGreaterThan(30);
  }, 60_000);
});
