import { describe, expect, it } from 'vitest';
import { estimateBlockFlow, halfResolution } from '../../src/analysis/block-flow.js';
import { labelComponents } from '../../src/analysis/components.js';
import { MotionModel, medianBackground, type MotionParams } from '../../src/analysis/motion.js';
import { boxBlur } from '../helpers/images.js';

const W = 160;
const H = 120;

/** Static textured background (deterministic hash) with textured rectangles drawn on it. */
function frame(rects: { x: number; y: number; w: number; h: number; seed: number }[]): Uint8Array {
  const f = new Uint8Array(W * H);
  const hash = (x: number, y: number, s: number): number => {
    const v = Math.sin(x * 12.9898 + y * 78.233 + s * 37.719) * 43758.5453;
    return v - Math.floor(v);
  };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) f[y * W + x] = 60 + Math.round(20 * hash(x >> 2, y >> 2, 0));
  for (const r of rects) {
    for (let y = Math.max(0, Math.floor(r.y)); y < Math.min(H, Math.floor(r.y) + r.h); y++) {
      for (let x = Math.max(0, Math.floor(r.x)); x < Math.min(W, Math.floor(r.x) + r.w); x++) {
        // Texture fixed to the object (moves with it).
        f[y * W + x] = 150 + Math.round(90 * hash(x - Math.floor(r.x), y - Math.floor(r.y), r.seed));
      }
    }
  }
  return f;
}

/** Initial background (half resolution, as the model keeps it) from one still frame. */
const initFrom = (f: Uint8Array) => {
  const half = halfResolution(f, W, H).data;
  return medianBackground([half, half, half], (W / 2) * (H / 2));
};

const params: MotionParams = {
  width: W,
  height: H,
  cell: 2,
  block: 8,
  heatCell: 4,
  minBlobArea: 20,
  thresholdSigmas: 3.5,
  minThreshold: 10,
  backgroundRate: 0.05,
  foregroundRate: 0.001,
  flowRadius: 12,
  maxShift: 5,
  stillFrames: 2,
};

describe('labelComponents', () => {
  it('finds 8-connected components with their bounds and weights', () => {
    const g = [
      1, 1, 0, 0, 0,
      0, 1, 0, 0, 1,
      0, 0, 1, 0, 1,
      0, 0, 0, 0, 0,
    ];
    const { components, labels } = labelComponents(g, 5, 4, g.map((v) => v * 2));
    expect(components).toHaveLength(2);
    expect(components[0]).toMatchObject({ minX: 0, minY: 0, maxX: 2, maxY: 2, area: 4, weight: 8 });
    expect(components[1]).toMatchObject({ minX: 4, minY: 1, maxX: 4, maxY: 2, area: 2 });
    expect(labels[0]).toBe(1);
    expect(labels[9]).toBe(2);
  });
});

describe('MotionModel', () => {
  it('finds a moving object as one blob near its true box, and measures its flow', () => {
    const bg = frame([]);
    const init = initFrom(bg);
    const m = new MotionModel(params, init);
    let last = null;
    for (let k = 0; k < 6; k++) last = m.process(frame([{ x: 20 + 3 * k, y: 40, w: 14, h: 30, seed: 1 }]));
    expect(last!.blobs).toHaveLength(1);
    const b = last!.blobs[0].box;
    expect(Math.abs(b[0] - 35)).toBeLessThanOrEqual(2);
    expect(Math.abs(b[1] - 40)).toBeLessThanOrEqual(2);
    expect(Math.abs(b[2] - 49)).toBeLessThanOrEqual(2);
    expect(Math.abs(b[3] - 70)).toBeLessThanOrEqual(2);
    const flow = last!.flow!;
    const vx: number[] = [];
    for (let i = 0; i < flow.vx.length; i++) if (Number.isFinite(flow.vx[i])) vx.push(flow.vx[i]);
    expect(vx.length).toBeGreaterThan(2);
    vx.sort((a, c) => a - c);
    expect(vx[vx.length >> 1]).toBeCloseTo(3, 0);
  });

  it('sees nothing in a still scene, and keeps a stopped object in the foreground', () => {
    const bg = frame([]);
    const m = new MotionModel(params, initFrom(bg));
    for (let k = 0; k < 5; k++) expect(m.process(bg).blobs).toHaveLength(0);
    // An object walks in and stops: it stays a blob for many frames (loitering stays visible).
    for (let k = 0; k < 5; k++) m.process(frame([{ x: 30 + 4 * k, y: 40, w: 14, h: 30, seed: 2 }]));
    const stopped = frame([{ x: 50, y: 40, w: 14, h: 30, seed: 2 }]);
    let blobs = 0;
    for (let k = 0; k < 100; k++) blobs = m.process(stopped).blobs.length;
    expect(blobs).toBe(1);
  });

  it('removes the ghost of an object that was in the initial background and then left', () => {
    const withObject = frame([{ x: 60, y: 40, w: 14, h: 30, seed: 4 }]);
    // The object stood there while the background was learned; now it is gone.
    const m = new MotionModel(params, initFrom(withObject));
    const empty = frame([]);
    const first = m.process(empty);
    expect(first.blobs).toHaveLength(0);
    for (let k = 0; k < 3; k++) expect(m.process(empty).blobs).toHaveLength(0);
    // A real object appearing in the same place is still seen.
    expect(m.process(frame([{ x: 58, y: 42, w: 14, h: 30, seed: 9 }])).blobs).toHaveLength(1);
  });

  it('undoes camera shake: the ground does not become foreground, an object is found where the background has it', () => {
    // Ground as a lens renders it: the hash texture smoothed (a 4-pixel-block texture has no sub-pixel
    // position to find: its costs are flat between block edges).
    const smooth = (f: Uint8Array) => Uint8Array.from(boxBlur(f, W, H, 2), Math.round);
    const bg = smooth(frame([]));
    const withObject = smooth(frame([{ x: 70, y: 40, w: 14, h: 30, seed: 5 }]));
    // The camera moved: the picture slides 4 px right and 2 px up, new ground (flat 200) comes in at the edges.
    const shaken = (f: Uint8Array) => {
      const out = new Uint8Array(W * H).fill(200);
      for (let y = 0; y < H - 2; y++) for (let x = 4; x < W; x++) out[y * W + x] = f[(y + 2) * W + x - 4];
      return out;
    };
    const m = new MotionModel(params, initFrom(bg));
    const still = m.stabilise(bg);
    expect(still.gray).toBe(bg);
    expect([still.sx, still.sy]).toEqual([0, 0]);
    const st = m.stabilise(shaken(bg));
    expect([st.sx, st.sy]).toEqual([4, -2]);
    const undone = m.process(st.gray);
    expect(undone.blobs).toHaveLength(0);
    expect(undone.foregroundFraction).toBeLessThan(0.005);
    const o = m.stabilise(shaken(withObject));
    const blobs = m.process(o.gray).blobs;
    expect(blobs).toHaveLength(1);
    expect(Math.abs(blobs[0].box[0] - 70)).toBeLessThanOrEqual(2);
    expect(Math.abs(blobs[0].box[1] - 40)).toBeLessThanOrEqual(2);
    // Left as it is, the same shake is foreground along the ground's texture, ten times as much at least.
    expect(new MotionModel(params, initFrom(bg)).process(shaken(bg)).foregroundFraction).toBeGreaterThan(0.02);
  });

  it('absorbs a global brightness change instead of calling the whole frame foreground', () => {
    const bg = frame([]);
    const m = new MotionModel(params, initFrom(bg));
    const brighter = bg.map((v) => v + 25);
    const r = m.process(brighter);
    expect(r.blobs).toHaveLength(0);
    expect(r.foregroundFraction).toBeLessThan(0.01);
  });
});

describe('estimateBlockFlow', () => {
  it('recovers a known shift with sub-pixel precision and leaves untextured blocks undecided', () => {
    // A smooth pattern sampled at a sub-pixel offset: an exact (2.5, -1) px shift of the object.
    const smooth = (ox: number, oy: number): Uint8Array => {
      const f = frame([]);
      for (let y = 32; y < 72; y++) {
        for (let x = 40; x < 84; x++) {
          const u = x - ox;
          const v = y - oy;
          f[y * W + x] = Math.round(150 + 35 * Math.sin(u / 5.1 + v / 9.3) + 30 * Math.cos(u / 3.7 - v / 6.2) + 20 * Math.sin((u * v) / 60));
        }
      }
      return f;
    };
    const a = smooth(0, 0);
    const b = smooth(2.5, -1);
    const cols = W / 8;
    const rows = H / 8;
    const active = new Uint8Array(cols * rows);
    active[(48 / 8) * cols + 56 / 8] = 1; // a block inside the object
    active[1 * cols + 1] = 1; // background: nothing moved there
    const f = estimateBlockFlow({
      prev: a,
      cur: b,
      prevHalf: halfResolution(a, W, H).data,
      curHalf: halfResolution(b, W, H).data,
      width: W,
      height: H,
      active,
      block: 8,
      radius: 12,
      noise: 2,
    });
    const i = (48 / 8) * cols + 56 / 8;
    expect(f.vx[i]).toBeGreaterThan(2.1);
    expect(f.vx[i]).toBeLessThan(2.9);
    expect(f.vy[i]).toBeCloseTo(-1, 0);
    const j = cols + 1;
    if (Number.isFinite(f.vx[j])) expect(Math.hypot(f.vx[j], f.vy[j])).toBeLessThan(0.6);
  });
});
