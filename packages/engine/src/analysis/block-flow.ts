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

function sad(a: Uint8Array, b: Uint8Array, w: number, ax: number, ay: number, bx: number, by: number, size: number): number {
  let s = 0;
  for (let y = 0; y < size; y++) {
    let ia = (ay + y) * w + ax;
    let ib = (by + y) * w + bx;
    for (let x = 0; x < size; x++, ia++, ib++) {
      const d = a[ia] - b[ib];
      s += d < 0 ? -d : d;
    }
  }
  return s;
}

/** SAD of two 4×4 blocks starting at offsets a and b (the coarse search's inner loop, unrolled). */
function sad4(a: Uint8Array, b: Uint8Array, w: number, ia: number, ib: number): number {
  let s = 0;
  for (let y = 0; y < 4; y++, ia += w, ib += w) {
    let d = a[ia] - b[ib];
    s += d < 0 ? -d : d;
    d = a[ia + 1] - b[ib + 1];
    s += d < 0 ? -d : d;
    d = a[ia + 2] - b[ib + 2];
    s += d < 0 ? -d : d;
    d = a[ia + 3] - b[ib + 3];
    s += d < 0 ? -d : d;
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

  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      const bi = by * cols + bx;
      if (!active[bi]) continue;
      // Coarse: the current block at half resolution, searched in the previous half-res frame.
      const cx = bx * hb;
      const cy = by * hb;
      if (cx + hb > hw || cy + hb > hh) continue;
      let best = Infinity;
      let bdx = 0;
      let bdy = 0;
      let sum = 0;
      let count = 0;
      grid.fill(Infinity);
      for (let dy = -rc; dy <= rc; dy++) {
        const py = cy - dy;
        if (py < 0 || py + hb > hh) continue;
        for (let dx = -rc; dx <= rc; dx++) {
          const px = cx - dx;
          if (px < 0 || px + hb > hw) continue;
          const s = hb === 4 ? sad4(curHalf, prevHalf, hw, cy * hw + cx, py * hw + px) : sad(curHalf, prevHalf, hw, cx, cy, px, py, hb);
          grid[(dy + rc) * span + dx + rc] = s;
          sum += s;
          count++;
          // Prefer the smaller displacement on ties (static texture should read as zero motion).
          if (s < best || (s === best && dx * dx + dy * dy < bdx * bdx + bdy * bdy)) {
            best = s;
            bdx = dx;
            bdy = dy;
          }
        }
      }
      if (count < 9 || sum / count - best < minGainCoarse) continue; // flat or ambiguous block
      // Distinctiveness: the best displacement must clearly beat every displacement that is not its
      // neighbour (an edge or a repetitive pattern matches equally well elsewhere: no reliable motion).
      let second = Infinity;
      for (let gy = 0; gy < span; gy++) {
        for (let gx = 0; gx < span; gx++) {
          if (Math.abs(gy - rc - bdy) <= 1 && Math.abs(gx - rc - bdx) <= 1) continue;
          const v = grid[gy * span + gx];
          if (v < second) second = v;
        }
      }
      const distinct = best <= 0.7 * second;

      // Fine: full resolution around the coarse estimate.
      const fx = bx * block;
      const fy = by * block;
      let fbest = Infinity;
      let fdx = 2 * bdx;
      let fdy = 2 * bdy;
      const cdx = fdx;
      const cdy = fdy;
      const sadAt = (dx: number, dy: number): number => {
        const px = fx - dx;
        const py = fy - dy;
        if (px < 0 || py < 0 || px + block > w || py + block > h) return Infinity;
        return sad(cur, prev, w, fx, fy, px, py, block);
      };
      for (let dy = cdy - 2; dy <= cdy + 2; dy++) {
        for (let dx = cdx - 2; dx <= cdx + 2; dx++) {
          const s = sadAt(dx, dy);
          if (s < fbest) {
            fbest = s;
            fdx = dx;
            fdy = dy;
          }
        }
      }
      if (!Number.isFinite(fbest)) continue;
      // A true match leaves only noise and sub-pixel interpolation error behind: at most about half of what
      // shifting the block by one pixel against itself costs (its texture), plus noise. A larger residual
      // means the block has no counterpart in the previous frame (occlusion boundary, uncovered background).
      // A residual within what noise leaves is always a match; a larger one is accepted only for a distinct
      // match of a textured block (sub-pixel motion of sharp texture leaves up to ~half a pixel's worth).
      if (fbest > noiseResidual * block * block) {
        const selfShift =
          fx + block < w && fy + block < h
            ? (sad(cur, cur, w, fx, fy, fx + 1, fy, block) + sad(cur, cur, w, fx, fy, fx, fy + 1, block)) / 2
            : Infinity;
        if (!distinct || fbest > 0.6 * selfShift) continue;
      }
      const l = sadAt(fdx - 1, fdy);
      const r = sadAt(fdx + 1, fdy);
      const u = sadAt(fdx, fdy - 1);
      const d = sadAt(fdx, fdy + 1);
      const ox = Number.isFinite(l) && Number.isFinite(r) ? parabolaOffset(l, fbest, r) : 0;
      const oy = Number.isFinite(u) && Number.isFinite(d) ? parabolaOffset(u, fbest, d) : 0;
      vx[bi] = fdx + ox;
      vy[bi] = fdy + oy;
    }
  }
  return { block, cols, rows, vx, vy };
}
