/**
 * estimateBlockFlow is optimised (candidates abandoned once they lose, the best-guess candidate first,
 * unrolled sums); its results must be exactly those of the plain definition, written out here as the
 * oracle: exhaustive coarse search at half resolution, 5×5 full-resolution refinement in row order,
 * acceptance rules, parabola fit.
 */
import { describe, expect, it } from 'vitest';
import { estimateBlockFlow, halfResolution, type FlowInput } from '../../src/analysis/block-flow.js';

function plainSad(a: Uint8Array, b: Uint8Array, w: number, ax: number, ay: number, bx: number, by: number, size: number): number {
  let s = 0;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) s += Math.abs(a[(ay + y) * w + ax + x] - b[(by + y) * w + bx + x]);
  return s;
}

function parabola(l: number, c: number, r: number): number {
  const den = l - 2 * c + r;
  if (den <= 0) return 0;
  return Math.max(-0.5, Math.min(0.5, (l - r) / (2 * den)));
}

/** The definition, candidate by candidate. */
function plainBlockFlow(input: FlowInput): { vx: Float32Array; vy: Float32Array } {
  const { prev, cur, prevHalf, curHalf, width: w, height: h, active, block } = input;
  const cols = Math.floor(w / block);
  const rows = Math.floor(h / block);
  const vx = new Float32Array(cols * rows).fill(NaN);
  const vy = new Float32Array(cols * rows).fill(NaN);
  const hw = w >> 1;
  const hh = h >> 1;
  const hb = block >> 1;
  const rc = Math.max(1, Math.ceil(input.radius / 2));
  const span = 2 * rc + 1;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      const bi = by * cols + bx;
      const cx = bx * hb;
      const cy = by * hb;
      // Only blocks whose whole search window lies inside the frame.
      if (!active[bi] || cx - rc < 0 || cy - rc < 0 || cx + hb + rc > hw || cy + hb + rc > hh) continue;
      const grid: number[] = new Array(span * span).fill(Infinity);
      let best = Infinity;
      let bdx = 0;
      let bdy = 0;
      let sum = 0;
      let count = 0;
      for (let dy = -rc; dy <= rc; dy++) {
        for (let dx = -rc; dx <= rc; dx++) {
          const px = cx - dx;
          const py = cy - dy;
          if (px < 0 || py < 0 || px + hb > hw || py + hb > hh) continue;
          const s = plainSad(curHalf, prevHalf, hw, cx, cy, px, py, hb);
          grid[(dy + rc) * span + dx + rc] = s;
          sum += s;
          count++;
          if (s < best || (s === best && dx * dx + dy * dy < bdx * bdx + bdy * bdy)) [best, bdx, bdy] = [s, dx, dy];
        }
      }
      if (sum / count - best < Math.max(2, input.noise) * hb * hb) continue;
      let second = Infinity;
      for (let gy = 0; gy < span; gy++) {
        for (let gx = 0; gx < span; gx++) {
          if (Math.abs(gy - rc - bdy) > 1 || Math.abs(gx - rc - bdx) > 1) second = Math.min(second, grid[gy * span + gx]);
        }
      }
      const fx = bx * block;
      const fy = by * block;
      const at = (dx: number, dy: number): number =>
        fx - dx < 0 || fy - dy < 0 || fx - dx + block > w || fy - dy + block > h ? Infinity : plainSad(cur, prev, w, fx, fy, fx - dx, fy - dy, block);
      let fbest = Infinity;
      let fdx = 0;
      let fdy = 0;
      for (let dy = 2 * bdy - 2; dy <= 2 * bdy + 2; dy++) {
        for (let dx = 2 * bdx - 2; dx <= 2 * bdx + 2; dx++) {
          const s = at(dx, dy);
          if (s < fbest) [fbest, fdx, fdy] = [s, dx, dy];
        }
      }
      if (!Number.isFinite(fbest)) continue;
      if (fbest > Math.max(4, 2.5 * input.noise) * block * block) {
        const selfShift = fx + block < w && fy + block < h ? (plainSad(cur, cur, w, fx, fy, fx + 1, fy, block) + plainSad(cur, cur, w, fx, fy, fx, fy + 1, block)) / 2 : Infinity;
        if (!(best <= 0.7 * second) || fbest > 0.6 * selfShift) continue;
      }
      const [l, r, u, d] = [at(fdx - 1, fdy), at(fdx + 1, fdy), at(fdx, fdy - 1), at(fdx, fdy + 1)];
      vx[bi] = fdx + (Number.isFinite(l) && Number.isFinite(r) ? parabola(l, fbest, r) : 0);
      vy[bi] = fdy + (Number.isFinite(u) && Number.isFinite(d) ? parabola(u, fbest, d) : 0);
    }
  }
  return { vx, vy };
}

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A pair of frames: textured background with flat patches (equal SADs: ties), textured objects moved by
 * whole and fractional pixels (some across the border), and per-frame noise.
 */
function scene(w: number, h: number, seed: number): { prev: Uint8Array; cur: Uint8Array } {
  const r = rng(seed);
  const tex = (x: number, y: number, s: number): number => {
    const v = Math.sin(x * 12.9898 + y * 78.233 + s * 37.719) * 43758.5453;
    return v - Math.floor(v);
  };
  const objects = Array.from({ length: 6 }, (_, k) => ({
    x: r() * w - 8,
    y: r() * h - 8,
    ow: 10 + Math.floor(r() * 24),
    oh: 10 + Math.floor(r() * 30),
    dx: Math.round((r() * 2 - 1) * 12 * 2) / 2,
    dy: Math.round((r() * 2 - 1) * 8 * 2) / 2,
    seed: k + 1,
  }));
  const draw = (t: number): Uint8Array => {
    const f = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const flat = (x >> 4) % 3 === 0 && (y >> 4) % 2 === 0;
        let v = flat ? 90 : 60 + 40 * tex(x >> 1, y >> 1, 0);
        for (const o of objects) {
          const u = x - (o.x + t * o.dx);
          const q = y - (o.y + t * o.dy);
          if (u >= 0 && u < o.ow && q >= 0 && q < o.oh) v = 140 + 50 * Math.sin(u / 2.3 + o.seed) * Math.cos(q / 3.1) + 30 * tex(Math.floor(u), Math.floor(q), o.seed);
        }
        f[y * w + x] = Math.max(0, Math.min(255, Math.round(v + (r() - 0.5) * 6)));
      }
    }
    return f;
  };
  return { prev: draw(0), cur: draw(1) };
}

/** Flow input for two frames with every block active. */
function flowInput(prev: Uint8Array, cur: Uint8Array, w: number, h: number, block: number, radius: number, noise: number): FlowInput {
  return {
    prev,
    cur,
    prevHalf: halfResolution(prev, w, h).data,
    curHalf: halfResolution(cur, w, h).data,
    width: w,
    height: h,
    active: new Uint8Array(Math.floor(w / block) * Math.floor(h / block)).fill(1),
    block,
    radius,
    noise,
  };
}

describe('estimateBlockFlow', () => {
  it('gives exactly the results of the plain exhaustive definition', () => {
    let withFlow = 0;
    let rejected = 0;
    for (const [w, h, block, radius, noise] of [
      [160, 96, 8, 13, 1.7],
      [150, 94, 8, 7, 0.5],
      [126, 90, 6, 9, 3],
    ] as const) {
      for (let seed = 1; seed <= 6; seed++) {
        const { prev, cur } = scene(w, h, seed * 31 + block);
        const input = flowInput(prev, cur, w, h, block, radius, noise);
        const fast = estimateBlockFlow(input);
        const plain = plainBlockFlow(input);
        expect(Array.from(fast.vx), `${w}×${h} block ${block} seed ${seed}`).toEqual(Array.from(plain.vx));
        expect(Array.from(fast.vy)).toEqual(Array.from(plain.vy));
        for (const v of plain.vx) if (Number.isNaN(v)) rejected++;
        else withFlow++;
      }
    }
    // Both outcomes occur often enough for the comparison to mean something.
    expect(withFlow).toBeGreaterThan(300);
    expect(rejected).toBeGreaterThan(300);
  });

  it('leaves blocks within its reach of the frame edge undecided: an object coming into view there has no counterpart', () => {
    const w = 96;
    const h = 64;
    const block = 8;
    const radius = 8;
    // A textured object 48 px wide moving 3 px right per frame, coming in through the left edge; its
    // outline (a strong vertical edge) is what a cut search window matches when the object's true source
    // lies outside the frame.
    const draw = (left: number): Uint8Array => {
      const f = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const u = x - left;
          const inside = u >= 0 && u < 48 && y >= 8 && y < 56;
          const t = Math.sin((inside ? u : x) * 12.9898 + y * 78.233) * 43758.5453;
          f[y * w + x] = inside ? 150 + Math.round(60 * (t - Math.floor(t))) : 50 + Math.round(20 * (t - Math.floor(t)));
        }
      }
      return f;
    };
    const prev = draw(-30);
    const cur = draw(-27);
    const cols = w / block;
    const rows = h / block;
    const flow = estimateBlockFlow(flowInput(prev, cur, w, h, block, radius, 2));
    // Reach 8 px = one block: every block of the outer ring is left undecided, whatever it shows (the
    // object coming in at the left, still background elsewhere).
    for (let by = 0; by < rows; by++) {
      for (let bx = 0; bx < cols; bx++) {
        if (bx === 0 || by === 0 || bx === cols - 1 || by === rows - 1) expect(flow.vx[by * cols + bx], `block ${bx},${by}`).toBeNaN();
      }
    }
    // The object's blocks deeper inside read its true motion, and the background beside it none.
    for (const [bx, by] of [[1, 2], [2, 2], [1, 3], [2, 3]]) {
      expect(flow.vx[by * cols + bx], `block ${bx},${by}`).toBeCloseTo(3, 0);
      expect(flow.vy[by * cols + bx]).toBeCloseTo(0, 0);
    }
    expect(flow.vx[3 * cols + 8]).toBeCloseTo(0, 0);
  });
});
