/**
 * What is drawn on the footage rather than filmed: a clock burnt into the picture. Its digits switch in
 * place (switching.ts), and when the camera shakes or turns it holds still in the frame while the scene
 * moves (overlay.ts). Either way it is left out: no object, no event. A thing that appears once and stays
 * is still an object (pipeline.test: the object left behind).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OverlayMask } from '../../src/analysis/overlay.js';
import { PATCH, SwitchingPatches } from '../../src/analysis/switching.js';
import type { AnalysisResult } from '../../src/analysis/pipeline.js';
import type { AnomalyEvent, TrackObservation } from '../../src/analysis/types.js';
import { makeTempDir } from '../helpers/media.js';
import { analyseScene, clockBox, makeScene, walkers, type Scene } from './scenes.js';

/** Half-resolution pictures for the unit tests: 64×48, a random texture of 20–80 (a pavement). */
const LW = 64;
const LH = 48;
function ground(seed = 1): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: LW * LH }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return 20 + (s % 61);
  });
}
/** `base` with a w×h rectangle at (x, y) set to `value`. */
function withBlock(base: Uint8Array, x: number, y: number, w: number, h: number, value: number): Uint8Array {
  const out = base.slice();
  for (let v = y; v < y + h; v++) for (let u = x; u < x + w; u++) if (u >= 0 && u < LW && v >= 0 && v < LH) out[v * LW + u] = value;
  return out;
}
const patchOf = (x: number, y: number): number => Math.floor(y / PATCH) * Math.ceil(LW / PATCH) + Math.floor(x / PATCH);

/** Feeds frames to a fresh detector (2 still frames around a step) and returns it. */
function observeAll(frames: Uint8Array[], moved: (k: number) => boolean = () => false): SwitchingPatches {
  const sw = new SwitchingPatches(LW, LH, 2);
  frames.forEach((f, k) => sw.observe(f, k > 0 ? frames[k - 1] : null, 20, moved(k)));
  return sw;
}

describe('switching patches', () => {
  const bg = ground();
  // A digit-sized block near the top edge that switches between two pictures every 10 frames (a clock's
  // seconds, analysed at 10 fps; the detector is given 2 still frames around a step).
  const digit = (k: number) => withBlock(bg, 4, 4, 3, 4, Math.floor(k / 10) % 2 ? 230 : 40);

  it('finds a patch that switches in place: at its second isolated step, not at its first', () => {
    expect(observeAll(Array.from({ length: 13 }, (_, k) => digit(k))).switching[patchOf(4, 4)]).toBe(0);
    const sw = observeAll(Array.from({ length: 23 }, (_, k) => digit(k)));
    expect(sw.switching[patchOf(4, 4)]).toBe(1);
    expect(sw.switchingCount).toBe(1);
  });

  it('takes a patch stepping once beside a switching one at its first step (a clock’s slower digits)', () => {
    // The tens digit, two patches along, steps once at frame 25.
    const frames = Array.from({ length: 30 }, (_, k) => withBlock(digit(k), 12, 4, 3, 4, k >= 25 ? 230 : 40));
    expect(observeAll(frames).switching[patchOf(12, 4)]).toBe(1);
  });

  it('leaves an object that appears and stays, and one moving slowly', () => {
    const once = Array.from({ length: 40 }, (_, k) => (k >= 5 ? withBlock(bg, 4, 4, 4, 4, 200) : bg));
    expect(observeAll(once).switchingCount).toBe(0);
    // A 6×10 object along the top edge moving 0.3 pixel a frame, its edges blurred over a pixel as a
    // camera shows them: few pixels change enough on any one frame, but the picture drifts.
    const slow = Array.from({ length: 120 }, (_, k) => {
      const out = bg.slice();
      const p = 2 + 0.3 * k;
      for (let y = 1; y < 11; y++) {
        for (let x = 0; x < LW; x++) {
          const cover = Math.max(0, Math.min(1, x + 1 - p, p + 6 - x));
          out[y * LW + x] = Math.round(bg[y * LW + x] * (1 - cover) + 180 * cover);
        }
      }
      return out;
    });
    expect(observeAll(slow).switchingCount).toBe(0);
  });

  it('judges only the band along the edges, and not frames on which the camera moved, steps of the whole view, or across a break', () => {
    const mid = (k: number) => withBlock(bg, 30, 22, 3, 4, Math.floor(k / 10) % 2 ? 230 : 40);
    expect(observeAll(Array.from({ length: 43 }, (_, k) => mid(k))).switchingCount).toBe(0);
    const frames = Array.from({ length: 43 }, (_, k) => digit(k));
    // The steps fall on frames 10, 20, 30, 40: the camera moved on each of them.
    expect(observeAll(frames, (k) => k % 10 === 0).switchingCount).toBe(0);
    // Every patch steps together (light over the whole view), twice.
    const light = Array.from({ length: 30 }, (_, k) => (Math.floor(k / 10) % 2 ? bg.map((v) => v + 40) : bg));
    expect(observeAll(light).switchingCount).toBe(0);
    // A break in the recording just before each step.
    const sw = new SwitchingPatches(LW, LH, 2);
    frames.forEach((f, k) => {
      if (k % 10 === 0) sw.markBreak();
      sw.observe(f, k > 0 ? frames[k - 1] : null, 20);
    });
    expect(sw.switchingCount).toBe(0);
  });
});

describe('overlay mask', () => {
  it('finds text that holds still in the frame while the camera moves, and nothing of the scene', () => {
    // A wide textured scene seen through a 64×48 window that moves 6 px a frame, with a bright bar pattern
    // (text) drawn at a fixed place in the window.
    const W2 = LW + 120;
    let s = 7;
    const scene = Uint8Array.from({ length: W2 * LH }, () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return 20 + (s % 61);
    });
    const view = (k: number): Uint8Array => {
      const out = new Uint8Array(LW * LH);
      for (let y = 0; y < LH; y++) for (let x = 0; x < LW; x++) out[y * LW + x] = scene[y * W2 + x + 6 * k];
      for (let x = 8; x < 30; x += 4) for (let y = 36; y < 42; y++) out[y * LW + x] = 235;
      return out;
    };
    const mask = new OverlayMask(LW, LH, 2);
    for (let k = 0; k < 8; k++) mask.observe(view(k), k > 0 ? view(k - 1) : null, [-6, 0], 20, 10);
    expect(mask.active).toBe(true);
    // The strokes and the gaps between them form one band.
    for (let x = 8; x < 30; x++) expect(mask.mask[38 * LW + x]).toBe(1);
    let elsewhere = 0;
    for (let y = 0; y < 30; y++) for (let x = 0; x < LW; x++) elsewhere += mask.mask[y * LW + x];
    expect(elsewhere).toBe(0);
  });
});

const W = 320;
const H = 240;
const SECONDS = 12;
/** 00:55 at the start: the seconds' tens change at 5 s along with the minutes (00:59 → 01:00). */
const CLOCK = { x: 8, y: 8, startS: 55 };

let dir: string;
let cleanup: () => Promise<void>;
let still: Scene;
let shaky: Scene;
let turning: Scene;
let plain: Scene;

/** Observations that lie inside the clock (2 px margin): its digits taken for objects. */
function onClock(obs: readonly TrackObservation[]): number {
  const [x1, y1, x2, y2] = clockBox(CLOCK);
  return obs.filter((o) => o.box[0] >= x1 - 2 && o.box[1] >= y1 - 2 && o.box[2] <= x2 + 2 && o.box[3] <= y2 + 2).length;
}

/**
 * Events whose objects reach the clock (4 px margin) while they last: its digits, or a walker it cuts off
 * into "a small object" (the turning camera's, before the overlay was filled over its box).
 */
function eventsAtClock(r: AnalysisResult, obs: readonly TrackObservation[]): AnomalyEvent[] {
  const [x1, y1, x2, y2] = clockBox(CLOCK);
  const reaches = (b: readonly number[]) => b[0] < x2 + 4 && b[2] > x1 - 4 && b[1] < y2 + 4 && b[3] > y1 - 4;
  return r.events.filter((e) => obs.some((o) => e.trackIds.includes(o.trackId) && o.time >= e.startTime && o.time <= e.endTime && reaches(o.box)));
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vigil-overlay-'));
  // The top lane walks under the clock.
  const objects = walkers({ width: W, seconds: SECONDS, lanes: [20, 105, 185] });
  const scene = (name: string, extra: object) => makeScene(dir, { name, seconds: SECONDS, fps: 10, width: W, height: H, objects, ground: 'rough', clock: CLOCK, ...extra });
  [still, shaky, turning, plain] = await Promise.all([
    scene('still.mp4', {}),
    scene('shaky.mp4', { shake: 6 }),
    scene('turning.mp4', { pan: { startS: 4, endS: 8, dx: 160 } }),
    scene('plain.mp4', { clock: undefined, shake: 6 }),
  ]);
}, 120_000);

afterAll(async () => {
  await cleanup?.();
});

describe('a clock burnt into the footage', () => {
  // Before: the still camera's clock made an event when its tens of seconds changed (9.9-12 s); shaking, it
  // made 15 tracks and an event. (Self-referenced on 12 s of 10 walkers, other events may come and go with
  // the data; none may be the clock's.)
  for (const [name, get] of [['still camera', () => still], ['shaking camera', () => shaky], ['turning camera', () => turning]] as const) {
    it(`is no object, cuts no object into a small one, and raises no event of its own (${name})`, async () => {
      const { r, obs } = await analyseScene(get());
      expect(eventsAtClock(r, obs)).toEqual([]);
      expect(onClock(obs)).toBe(0);
      // One track per walker (10), give or take a fragment.
      expect(r.tracks.length).toBeLessThanOrEqual(12);
      // The investigator is told what was left out, and where (in pixels of the footage: the clock's box).
      const note = r.stats.notes.find((n) => /^Text drawn on the footage .* was left out of the analysis/.test(n));
      expect(note).toBeDefined();
      const [x1, y1, x2, y2] = note!.match(/at (\d+),(\d+) to (\d+),(\d+)/)!.slice(1).map(Number);
      const [cx1, cy1, cx2, cy2] = clockBox(CLOCK);
      expect(x1 < cx2 && x2 > cx1 && y1 < cy2 && y2 > cy1).toBe(true);
    }, 60_000);
  }

  it('is not found where there is none (a shaking camera without one)', async () => {
    const { r } = await analyseScene(plain);
    expect(r.stats.notes.some((n) => /Text drawn on the footage/.test(n))).toBe(false);
  }, 60_000);
});
