/**
 * Sparse block-matching motion estimation between consecutive analysed frames, only on blocks the motion
 * model flags as foreground. Gives each moving object a speed measured from its own pixels, which stays right
 * when blobs of neighbouring people merge or split (a blob centroid would jump).
 *
 * Two levels: an exhaustive search at half resolution (cheap, covers large displacements), refined at full
 * resolution, then a parabola fit gives sub-pixel precision (slow walkers move ~1–3 px per analysed frame, so
 * integer vectors would be too coarse).
 */

export interface FlowField {
  /** Block size in analysis pixels. */
  block: number;
  cols: number;
  rows: number;
  /** Per block, pixels per analysed frame (previous → current); NaN where not estimated or unreliable. */
  vx: Float32Array;
  vy: Float32Array;
}

/** 2× box-filter downsample (odd trailing row/column dropped). */
export function halfResolution(src: Uint8Array, w: number, h: number): { data: Uint8Array; width: number; height: number } {
  const hw = w >> 1;
  const hh = h >> 1;
  const out = new Uint8Array(hw * hh);
  for (let y = 0; y < hh; y++) {
    const r0 = 2 * y * w;
    const r1 = r0 + w;
    for (let x = 0; x < hw; x++) {
      const c = 2 * x;
      out[y * hw + x] = (src[r0 + c] + src[r0 + c + 1] + src[r1 + c] + src[r1 + c + 1] + 2) >> 2;
    }
  }
  return { data: out, width: hw, height: hh };
}

/*
 * Absolute differences use Math.abs: the sign of a pixel difference is noise, so a branch on it is
 * mispredicted half the time (Math.abs compiles to branch-free code; twice as fast here).
 */

/**
 * Sum of absolute differences of two size×size blocks starting at offsets ia and ib (row stride w). With
 * a `limit`, abandoned once a row ends above it: the value returned is then only known to exceed it (a
 * block whose sum stays within the limit, or ends exactly on it, is summed in full).
 */
function sad(a: Uint8Array, b: Uint8Array, w: number, ia: number, ib: number, size: number, limit = Infinity): number {
  let s = 0;
  if (size === 8) {
    for (let y = 0; y < 8; y++, ia += w, ib += w) {
      s +=
        Math.abs(a[ia] - b[ib]) +
        Math.abs(a[ia + 1] - b[ib + 1]) +
        Math.abs(a[ia + 2] - b[ib + 2]) +
        Math.abs(a[ia + 3] - b[ib + 3]) +
        Math.abs(a[ia + 4] - b[ib + 4]) +
        Math.abs(a[ia + 5] - b[ib + 5]) +
        Math.abs(a[ia + 6] - b[ib + 6]) +
        Math.abs(a[ia + 7] - b[ib + 7]);
      if (s > limit) return s;
    }
    return s;
  }
  for (let y = 0; y < size; y++, ia += w, ib += w) {
    for (let x = 0; x < size; x++) s += Math.abs(a[ia + x] - b[ib + x]);
    if (s > limit) return s;
  }
  return s;
}

/** Vertex offset of the parabola through (-1, l), (0, c), (1, r), clamped to ±0.5. */
function parabolaOffset(l: number, c: number, r: number): number {
  const den = l - 2 * c + r;
  if (den <= 0) return 0;
  const o = (l - r) / (2 * den);
  return o > 0.5 ? 0.5 : o < -0.5 ? -0.5 : o;
}

export interface FlowInput {
  prev: Uint8Array;
  cur: Uint8Array;
  prevHalf: Uint8Array;
  curHalf: Uint8Array;
  width: number;
  height: number;
  /** Which blocks to estimate (1 = estimate), cols × rows. */
  active: Uint8Array;
  block: number;
  /** Largest displacement searched, in analysis pixels per analysed frame. */
  radius: number;
  /** Per-pixel noise level (gray levels) below which a match is not trusted. */
  noise: number;
}

/** Result of the coarse search of one block: the best displacement, its SAD, and the sum over the window. */
interface Coarse {
  best: number;
  bdx: number;
  bdy: number;
  sum: number;
}

/**
 * Exhaustive coarse search of the current half-resolution block at (cx, cy) in the previous half-res
 * frame, displacements within ±rc (the caller keeps the whole window inside the frame), in rows of dy then
 * dx (ascending). Fills `grid`; on equal SADs the smaller displacement wins (static texture should read as
 * zero motion), then the earlier one.
 */
function coarseSearch(curHalf: Uint8Array, prevHalf: Uint8Array, hw: number, hb: number, cx: number, cy: number, rc: number, grid: Float64Array, out: Coarse): void {
  const span = 2 * rc + 1;
  let best = Infinity;
  let bdx = 0;
  let bdy = 0;
  let sum = 0;
  const ia = cy * hw + cx;
  if (hb === 4) {
    // The current block in registers; each candidate is 16 loads from the previous frame.
    const r1 = ia + hw;
    const r2 = r1 + hw;
    const r3 = r2 + hw;
    const c00 = curHalf[ia], c01 = curHalf[ia + 1], c02 = curHalf[ia + 2], c03 = curHalf[ia + 3];
    const c10 = curHalf[r1], c11 = curHalf[r1 + 1], c12 = curHalf[r1 + 2], c13 = curHalf[r1 + 3];
    const c20 = curHalf[r2], c21 = curHalf[r2 + 1], c22 = curHalf[r2 + 2], c23 = curHalf[r2 + 3];
    const c30 = curHalf[r3], c31 = curHalf[r3 + 1], c32 = curHalf[r3 + 2], c33 = curHalf[r3 + 3];
    const p = prevHalf;
    for (let dy = -rc; dy <= rc; dy++) {
      let g = (dy + rc) * span;
      let i0 = (cy - dy) * hw + cx + rc;
      for (let dx = -rc; dx <= rc; dx++, g++, i0--) {
        const i1 = i0 + hw;
        const i2 = i1 + hw;
        const i3 = i2 + hw;
        const s =
          Math.abs(c00 - p[i0]) + Math.abs(c01 - p[i0 + 1]) + Math.abs(c02 - p[i0 + 2]) + Math.abs(c03 - p[i0 + 3]) +
          Math.abs(c10 - p[i1]) + Math.abs(c11 - p[i1 + 1]) + Math.abs(c12 - p[i1 + 2]) + Math.abs(c13 - p[i1 + 3]) +
          Math.abs(c20 - p[i2]) + Math.abs(c21 - p[i2 + 1]) + Math.abs(c22 - p[i2 + 2]) + Math.abs(c23 - p[i2 + 3]) +
          Math.abs(c30 - p[i3]) + Math.abs(c31 - p[i3 + 1]) + Math.abs(c32 - p[i3 + 2]) + Math.abs(c33 - p[i3 + 3]);
        grid[g] = s;
        sum += s;
        if (s < best || (s === best && dx * dx + dy * dy < bdx * bdx + bdy * bdy)) {
          best = s;
          bdx = dx;
          bdy = dy;
        }
      }
    }
  } else {
    for (let dy = -rc; dy <= rc; dy++) {
      let g = (dy + rc) * span;
      for (let dx = -rc; dx <= rc; dx++, g++) {
        const s = sad(curHalf, prevHalf, hw, ia, (cy - dy) * hw + cx - dx, hb);
        grid[g] = s;
        sum += s;
        if (s < best || (s === best && dx * dx + dy * dy < bdx * bdx + bdy * bdy)) {
          best = s;
          bdx = dx;
          bdy = dy;
        }
      }
    }
  }
  out.best = best;
  out.bdx = bdx;
  out.bdy = bdy;
  out.sum = sum;
}

/**
 * Fine search order in the 5×5 window around the coarse estimate (row-major index k): nearest the centre
 * first, as the best usually is, so that the others are abandoned early. Ties still go to the smallest k.
 */
const FINE_ORDER = Int32Array.from(
  Array.from({ length: 25 }, (_, k) => k).sort((a, b) => Math.hypot((a % 5) - 2, ((a / 5) | 0) - 2) - Math.hypot((b % 5) - 2, ((b / 5) | 0) - 2) || a - b),
);

export function estimateBlockFlow(input: FlowInput): FlowField {
  const { prev, cur, prevHalf, curHalf, width: w, height: h, active, block } = input;
  const cols = Math.floor(w / block);
  const rows = Math.floor(h / block);
  const vx = new Float32Array(cols * rows).fill(NaN);
  const vy = new Float32Array(cols * rows).fill(NaN);
  const hw = w >> 1;
  const hh = h >> 1;
  const hb = block >> 1;
  const rc = Math.max(1, Math.ceil(input.radius / 2));
  // A match must beat the search window's average by more than noise would explain.
  const minGainCoarse = Math.max(2, input.noise) * hb * hb;
  // Mean absolute residual per pixel that noise (and the codec) alone leave in a genuine match.
  const noiseResidual = Math.max(4, 2.5 * input.noise);
  const span = 2 * rc + 1;
  const grid = new Float64Array(span * span);
  const coarse: Coarse = { best: 0, bdx: 0, bdy: 0, sum: 0 };
  // Full-resolution SADs of the fine window (NaN: not known in full).
  const fine = new Float64Array(25);
  const sadAt = (fx: number, fy: number, dx: number, dy: number): number => {
    const px = fx - dx;
    const py = fy - dy;
    if (px < 0 || py < 0 || px + block > w || py + block > h) return Infinity;
    return sad(cur, prev, w, fy * w + fx, py * w + px, block);
  };

  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      const bi = by * cols + bx;
      if (!active[bi]) continue;
      // Coarse: the current block at half resolution, searched in the previous half-res frame.
      const cx = bx * hb;
      const cy = by * hb;
      // A block nearer a frame edge than the search reaches is not estimated: what came into view through
      // that edge has no counterpart inside the previous frame, and the best match a cut window offers is
      // then a wrong one (an object coming in, matched along its own outline, read as moving fast sideways).
      if (cx < rc || cy < rc || cx + hb + rc > hw || cy + hb + rc > hh) continue;
      coarseSearch(curHalf, prevHalf, hw, hb, cx, cy, rc, grid, coarse);
      const { best, bdx, bdy, sum } = coarse;
      if (sum / grid.length - best < minGainCoarse) continue; // flat or ambiguous block
      // Distinctiveness: the best displacement must clearly beat every displacement that is not its
      // neighbour (an edge or a repetitive pattern matches equally well elsewhere: no reliable motion).
      let second = Infinity;
      const nx0 = bdx + rc - 1; // the best's 3×3 neighbourhood in grid coordinates
      const ny0 = bdy + rc - 1;
      for (let gy = 0, g = 0; gy < span; gy++) {
        const near = gy >= ny0 && gy <= ny0 + 2;
        for (let gx = 0; gx < span; gx++, g++) {
          if (near && gx >= nx0 && gx <= nx0 + 2) continue;
          second = Math.min(second, grid[g]);
        }
      }
      const distinct = best <= 0.7 * second;

      // Fine: full resolution around the coarse estimate; the lowest SAD wins, the first in row order
      // on ties. A candidate is abandoned once it is known to lose.
      const fx = bx * block;
      const fy = by * block;
      const ia = fy * w + fx;
      const cdx = 2 * bdx;
      const cdy = 2 * bdy;
      let fbest = Infinity;
      let fk = -1;
      fine.fill(NaN);
      for (let o = 0; o < 25; o++) {
        const k = FINE_ORDER[o];
        const px = fx - (cdx + (k % 5) - 2);
        const py = fy - (cdy + ((k / 5) | 0) - 2);
        if (px < 0 || py < 0 || px + block > w || py + block > h) {
          fine[k] = Infinity;
          continue;
        }
        const s = sad(cur, prev, w, ia, py * w + px, block, fbest);
        if (s <= fbest) fine[k] = s; // summed in full
        if (s < fbest || (s === fbest && k < fk)) {
          fbest = s;
          fk = k;
        }
      }
      if (!Number.isFinite(fbest)) continue;
      const fdx = cdx + (fk % 5) - 2;
      const fdy = cdy + ((fk / 5) | 0) - 2;
      // A true match leaves only noise and sub-pixel interpolation error behind: at most about half of what
      // shifting the block by one pixel against itself costs (its texture), plus noise. A larger residual
      // means the block has no counterpart in the previous frame (occlusion boundary, uncovered background).
      // A residual within what noise leaves is always a match; a larger one is accepted only for a distinct
      // match of a textured block (sub-pixel motion of sharp texture leaves up to ~half a pixel's worth).
      if (fbest > noiseResidual * block * block) {
        const selfShift =
          fx + block < w && fy + block < h ? (sad(cur, cur, w, ia, ia + 1, block) + sad(cur, cur, w, ia, ia + w, block)) / 2 : Infinity;
        if (!distinct || fbest > 0.6 * selfShift) continue;
      }
      // Neighbours of the best for the sub-pixel fit: from the window when summed in full there.
      const fineAt = (dx: number, dy: number): number => {
        const gx = dx - cdx + 2;
        const gy = dy - cdy + 2;
        const known = gx >= 0 && gx < 5 && gy >= 0 && gy < 5 ? fine[gy * 5 + gx] : NaN;
        return Number.isNaN(known) ? sadAt(fx, fy, dx, dy) : known;
      };
      const l = fineAt(fdx - 1, fdy);
      const r = fineAt(fdx + 1, fdy);
      const u = fineAt(fdx, fdy - 1);
      const d = fineAt(fdx, fdy + 1);
      const ox = Number.isFinite(l) && Number.isFinite(r) ? parabolaOffset(l, fbest, r) : 0;
      const oy = Number.isFinite(u) && Number.isFinite(d) ? parabolaOffset(u, fbest, d) : 0;
      vx[bi] = fdx + ox;
      vy[bi] = fdy + oy;
    }
  }
  return { block, cols, rows, vx, vy };
}
