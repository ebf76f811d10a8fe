import { describe, expect, it } from 'vitest';
import { halfResolution } from '../../src/analysis/block-flow.js';
import { alignToFirst, alignsAt, applyShift, estimateShift } from '../../src/analysis/camera-shift.js';
import { shiftPlane } from '../../src/analysis/shift-plane.js';
import { boxBlur } from '../helpers/images.js';

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A rough ground (random `grain`-pixel grain, smoothed by a box of radius `blur`) of w×h, as a scene wider than any frame cut from it. */
function ground(w: number, h: number, seed = 1, grain = 3, blur = 1): Float32Array {
  const r = rng(seed);
  const gw = Math.ceil(w / grain);
  const cells = new Float32Array(gw * Math.ceil(h / grain)).map(() => 60 + 60 * r());
  const g = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) g[y * w + x] = cells[Math.floor(y / grain) * gw + Math.floor(x / grain)];
  return boxBlur(g, w, h, blur);
}

/** The w×h frame a camera sees when its view starts at (ox, oy) of the scene (sw wide), plus noise. */
function view(scene: Float32Array, sw: number, ox: number, oy: number, w: number, h: number, noise = 0, seed = 7): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = Math.round(scene[(y + oy) * sw + x + ox] + noise * (r() - 0.5) * 2);
  return out;
}

const W = 160;
const H = 120;
const M = 20; // scene margin around the camera's rest position
const SW = W + 2 * M;
const scene = ground(SW, H + 2 * M);
const half = (f: Uint8Array) => halfResolution(f, W, H).data;
const rest = view(scene, SW, M, M, W, H);
const bg = Float32Array.from(half(rest));
/** The shift of a full-resolution frame against a half-resolution background, as the motion model asks. */
const shiftOf = (frame: Uint8Array, background = bg, maxShift = 5) => estimateShift(half(frame), background, W >> 1, H >> 1, maxShift, 40, { gray: frame, width: W });

describe('camera shift', () => {
  it('finds how far the picture moved, to the pixel (odd shifts are half a step of the half-resolution search), through noise', () => {
    for (const [sx, sy] of [[4, -6], [-7, 3], [2, 0], [0, -3], [8, 8], [-9, -5], [1, 0], [0, -1], [1, 1], [-1, 1]]) {
      for (const seed of [7, 8]) {
        // The camera looks (sx, sy) further into the scene: frame(x − sx) = rest(x), so frame(x + dx) = rest(x) for dx = −sx.
        const frame = view(scene, SW, M + sx, M + sy, W, H, 3, seed);
        const s = shiftOf(frame);
        expect([s.sx, s.sy]).toEqual([0 - sx, 0 - sy]);
        expect(Math.abs(s.bright)).toBeLessThan(2);
        // From the half-resolution picture alone, a shift of one pixel is half a step: not found.
        if (Math.max(Math.abs(sx), Math.abs(sy)) === 1) expect(estimateShift(half(frame), bg, W >> 1, H >> 1, 5, 40)).toMatchObject({ sx: 0, sy: 0 });
      }
    }
  });

  it('is not fooled by a change of exposure or by an object moving across the view', () => {
    const frame = view(scene, SW, M + 3, M - 5, W, H, 2);
    for (let i = 0; i < frame.length; i++) frame[i] = Math.min(255, frame[i] + 25);
    // A bright object covering a tenth of the view.
    for (let y = 30; y < 90; y++) for (let x = 60; x < 92; x++) frame[y * W + x] = 230;
    const s = shiftOf(frame);
    expect([s.sx, s.sy]).toEqual([-3, 5]);
    expect(s.bright).toBeGreaterThan(20);
  });

  it('aligns on the ground around a large object, and not on a view the object fills for the most part', () => {
    const frame = view(scene, SW, M + 4, M, W, H, 2);
    const r = rng(5);
    // A lorry passing close covers 60 % of the view.
    for (let y = 0; y < H; y++) for (let x = 0; x < Math.round(0.6 * W); x++) frame[y * W + x] = 150 + Math.round(80 * r());
    expect(shiftOf(frame)).toMatchObject({ sx: 0, sy: 0 });
    // With most of the ground in view, the same shift is found.
    const most = view(scene, SW, M + 4, M, W, H, 2);
    for (let y = 0; y < H; y++) for (let x = 0; x < Math.round(0.3 * W); x++) most[y * W + x] = 150 + Math.round(80 * r());
    expect(shiftOf(most)).toMatchObject({ sx: -4, sy: 0 });
  });

  it('does not take a large object moving past a still camera for the camera moving', () => {
    // The background learned a large textured object (a bus that stood, 75 % of the view); it has moved on
    // by 6 px, the ground has not. Most pixels then prefer the bus's shift, but the ground's prefer none.
    const bus = ground(SW, H + 2 * M, 9);
    const withBus = (at: number): Uint8Array => {
      const f = view(scene, SW, M, M, W, H, 2, at + 20);
      for (let y = 0; y < H; y++) for (let x = 0; x < Math.round(0.75 * W); x++) f[y * W + x] = Math.round(bus[(y + M) * SW + x + M - at]);
      return f;
    };
    const learned = Float32Array.from(half(withBus(0)));
    expect(shiftOf(withBus(6), learned)).toMatchObject({ sx: 0, sy: 0 });
    // The same move of the whole picture is undone.
    const busView = withBus(0);
    const moved = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) moved[y * W + x] = busView[y * W + Math.min(W - 1, Math.max(0, x - 6))];
    expect(shiftOf(moved, learned)).toMatchObject({ sx: 6, sy: 0 });
  });

  it('searches around a given shift when asked (a turn under way), while no shift still competes', () => {
    // The view turned 17 px right and 3 up: the frame lies 8.5 and 1.5 half-resolution pixels off the
    // background, beyond a reach of 5 around no shift.
    const turned = view(scene, SW, M + 17, M - 3, W, H, 2);
    const around = (c: [number, number], f = turned) => estimateShift(half(f), bg, W >> 1, H >> 1, 5, 40, undefined, c);
    expect(around([0, 0])).toMatchObject({ sx: 0, sy: 0 });
    expect(around([-7, 0])).toMatchObject({ sx: -17, sy: 3 });
    // A picture that did not move is not moved, wherever the search looks.
    expect(around([-7, 0], rest)).toMatchObject({ sx: 0, sy: 0 });
    // Nor is one that lies beyond the window moved to its edge.
    expect(around([7, 0])).toMatchObject({ sx: 0, sy: 0 });
  });

  it('checks a shift found elsewhere (a turn beyond the reach) against the background', () => {
    // The view turned 16 px right and 6 px down (8 and 3 half-resolution pixels), beyond any reach here.
    const frame = half(view(scene, SW, M + 16, M + 6, W, H, 2));
    const at = (dx: number, dy: number) => alignsAt(frame, bg, W / 2, H / 2, dx, dy, 0, 40);
    expect(at(-8, -3)).toBe(true);
    expect(at(-8, 0)).toBe(false);
    expect(at(-5, -3)).toBe(false);
    expect(at(0, 0)).toBe(false);
    // Past a quarter of the picture nothing is tested.
    expect(at(-16, 0)).toBe(false);
    // A large object moving 8 px between frames over a still ground: its move is no turn of the camera.
    const bus = ground(SW, H + 2 * M, 9);
    const f = view(scene, SW, M, M, W, H, 2);
    for (let y = 0; y < H; y++) for (let x = 0; x < Math.round(0.6 * W); x++) f[y * W + x] = Math.round(bus[(y + M) * SW + x + M - 8]);
    expect(alignsAt(half(f), bg, W / 2, H / 2, -4, 0, 0, 40)).toBe(false);
  });

  it('does not trust a best shift on the edge of the search', () => {
    // A coarse ground moved beyond the reach (5 half-resolution pixels: 10 px) still matches best at the
    // edge; that may be a partial match or an object's pull, and is left alone.
    const coarse = ground(SW, H + 2 * M, 1, 8, 4);
    const rested = Float32Array.from(half(view(coarse, SW, M, M, W, H)));
    for (const d of [12, 16]) expect(shiftOf(view(coarse, SW, M + d, M, W, H, 2), rested)).toMatchObject({ sx: 0, sy: 0 });
    expect(shiftOf(view(coarse, SW, M + 8, M, W, H, 2), rested)).toMatchObject({ sx: -8, sy: 0 });
  });

  it('never moves a still picture, nor a view with nothing to align on', () => {
    for (const seed of [1, 2, 3, 4]) expect(shiftOf(view(scene, SW, M, M, W, H, 4, seed))).toMatchObject({ dx: 0, dy: 0, sx: 0, sy: 0 });
    const flat = new Float32Array((W >> 1) * (H >> 1)).fill(100);
    const noisy = view(new Float32Array(SW * (H + 2 * M)).fill(100), SW, 0, 0, W, H, 6);
    expect(shiftOf(noisy, flat)).toMatchObject({ sx: 0, sy: 0 });
    // Noise over noise, 50 times: the best of the hundred shifts tried often beats no shift by chance, and
    // the vertex around no shift often points a pixel away; never by enough.
    const r = rng(11);
    const noise = () => new Uint8Array(W * H).map(() => Math.round(100 + 16 * (r() - 0.5)));
    for (let k = 0; k < 50; k++) {
      const b = Float32Array.from(half(noise()));
      const f = noise();
      expect(shiftOf(f, b)).toMatchObject({ sx: 0, sy: 0 });
      expect(estimateShift(half(f), b, W >> 1, H >> 1, 5, 40)).toMatchObject({ sx: 0, sy: 0 });
    }
    // Turned off, or a frame too small for the reach.
    const moved = view(scene, SW, M + 4, M, W, H);
    expect(shiftOf(moved, bg, 0)).toMatchObject({ sx: 0, sy: 0 });
    expect(shiftOf(moved, bg, 20)).toMatchObject({ sx: 0, sy: 0 });
  });

  it('undoes the shift, the uncovered strip filled from the background', () => {
    const frame = view(scene, SW, M + 4, M - 2, W, H);
    const out = applyShift(frame, W, H, -4, 2, () => 77);
    // out(x, y) = frame(x − 4, y + 2) = rest(x, y) wherever that is inside the frame.
    for (let y = 0; y < H - 2; y++) for (let x = 4; x < W; x++) expect(out[y * W + x]).toBe(rest[y * W + x]);
    for (let y = 0; y < H; y++) for (let x = 0; x < 4; x++) expect(out[y * W + x]).toBe(77);
    for (let x = 0; x < W; x++) expect(out[(H - 1) * W + x]).toBe(77);
  });

  it('moves a plane by whole cells, filling only the uncovered strip (a value, or one per cell), into a new plane', () => {
    const plane = Float32Array.from({ length: 4 * 3 }, (_, i) => i);
    expect([...shiftPlane(plane, 4, 3, 1, -1, NaN)]).toEqual([NaN, 4, 5, 6, NaN, 8, 9, 10, NaN, NaN, NaN, NaN]);
    expect([...shiftPlane(plane, 4, 3, -2, 0, (x, y) => 100 + 10 * y + x)]).toEqual([2, 3, 102, 103, 6, 7, 112, 113, 10, 11, 122, 123]);
    expect([...plane]).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(shiftPlane(Uint8Array.of(1, 2, 3, 4), 2, 2, 0, 5, 9)).toEqual(Uint8Array.of(9, 9, 9, 9));
  });

  it('aligns the frames the first background is learned from', () => {
    const frames = [[0, 0], [4, 2], [-2, 4], [4, -6]].map(([sx, sy]) => half(view(scene, SW, M + sx, M + sy, W, H, 2)));
    const aligned = alignToFirst(frames, W >> 1, H >> 1, 5, 40);
    expect(aligned[0]).toBe(frames[0]);
    const lw = W >> 1;
    const diff = (a: Uint8Array, b: Uint8Array) => {
      let s = 0;
      let n = 0;
      for (let y = 6; y < (H >> 1) - 6; y++) for (let x = 6; x < lw - 6; x++, n++) s += Math.abs(a[y * lw + x] - b[y * lw + x]);
      return s / n;
    };
    for (let k = 1; k < frames.length; k++) {
      expect(diff(aligned[k], frames[0])).toBeLessThan(4);
      expect(diff(frames[k], frames[0])).toBeGreaterThan(8);
    }
  });
});
