/**
 * Camera shake: a camera on a pole in the wind, or held by hand, moves the whole picture by a few pixels
 * from frame to frame. Against a still background every textured edge then reads as foreground, blobs
 * appear everywhere and the objects' speeds carry the shake. Before the motion model sees a frame, its
 * translation against the background model is measured (coarse to fine on the half-resolution pictures the
 * model keeps, then to the full-resolution pixel) and undone; the analysis then works in the background's
 * coordinates, and boxes and maps are moved back to the frame's own before they are stored.
 *
 * Only a translation is sought, within ±maxShift: shake. A pan soon leaves that reach; the motion model
 * then measures the view's move against the last frame and has the background follow it (motion.ts).
 */

import { shiftPlane } from './shift-plane.js';

export interface Shift {
  /** frame(x + dx, y + dy) ≈ background(x, y), in half-resolution pixels. */
  dx: number;
  dy: number;
  /** Exposure offset, frame − background (gray levels). */
  bright: number;
  /** The shift in full-resolution pixels, to the nearest pixel (sub-pixel refined): what to undo. */
  sx: number;
  sy: number;
}

/** Scratch planes reused across frames (one stream's frames share a size). */
const scratch: Float32Array[] = [];
function plane(slot: number, size: number): Float32Array {
  if (!scratch[slot] || scratch[slot].length !== size) scratch[slot] = new Float32Array(size);
  return scratch[slot];
}

/** 2×2 box average of a w×h plane into `out` (the last odd row/column is dropped). */
function halve(src: Float32Array, w: number, h: number, out: Float32Array): Float32Array {
  const hw = w >> 1;
  const hh = h >> 1;
  for (let y = 0; y < hh; y++) {
    const r0 = 2 * y * w;
    const r1 = r0 + w;
    for (let x = 0; x < hw; x++) {
      const c = 2 * x;
      out[y * hw + x] = (src[r0 + c] + src[r0 + c + 1] + src[r1 + c] + src[r1 + c + 1]) / 4;
    }
  }
  return out;
}

const diffHist = new Uint32Array(511);

/**
 * Exposure offset: the median of (frame − background), to the gray level, on a sparse grid, over the pixels
 * within `cap` of the background (an object in view is no change of exposure), or over all of them when
 * fewer than half are (the whole picture changed).
 */
function brightnessOffset(frame: Float32Array, bg: Float32Array, cap: number): number {
  diffHist.fill(0);
  let n = 0;
  for (let i = 0; i < frame.length; i += 7, n++) diffHist[Math.round(frame[i] - bg[i]) + 255]++;
  const lo = Math.max(0, 255 - Math.floor(cap));
  const hi = Math.min(diffHist.length - 1, 255 + Math.floor(cap));
  let near = 0;
  for (let k = lo; k <= hi; k++) near += diffHist[k];
  const [from, to, count] = 2 * near >= n ? [lo, hi, near] : [0, diffHist.length - 1, n];
  for (let k = from, acc = 0; k <= to; k++) {
    acc += diffHist[k];
    if (2 * acc >= count) return k - 255;
  }
  return 0;
}

/**
 * Mean truncated absolute difference between frame shifted by (u, v) and background over the pixels at
 * least `margin` inside (every `step`-th in both axes). Truncation keeps moving objects, which match no
 * shift, from pulling the estimate: each pixel can cost at most `cap`. A sum past `limit` (the best mean so
 * far, times the count) is abandoned at the end of a row: Infinity.
 */
function cost(f: Float32Array, bg: Float32Array, w: number, h: number, u: number, v: number, margin: number, step: number, bright: number, cap: number, limit = Infinity): number {
  let sum = 0;
  const perRow = Math.ceil((w - 2 * margin) / step);
  const rows = Math.ceil((h - 2 * margin) / step);
  const bound = limit * perRow * rows;
  for (let y = margin; y < h - margin; y += step) {
    const rb = y * w;
    const rf = (y + v) * w + u;
    for (let x = margin; x < w - margin; x += step) {
      const d = Math.abs(f[rf + x] - bg[rb + x] - bright);
      sum += d < cap ? d : cap;
    }
    if (sum > bound) return Infinity;
  }
  return sum / (perRow * rows);
}

/** Regions per axis of the veto in beatsNoShift. */
const REGIONS = 8;
const regionSums = new Float64Array(3 * REGIONS * REGIONS);

/**
 * Whether `moved` aligns with the background better than the unmoved picture beyond doubt, on the same
 * pixels (every other one, `margin` inside): the mean per-pixel gain must exceed five standard errors.
 * A camera that shook moves the whole picture, so the moved picture must also be worse in no region of an
 * 8×8 grid by as many standard errors: a large object passing a still camera can pull the overall best
 * shift its way, but the ground still in view then matches worse. `moved(i, x, y)` is the moved picture's
 * value at half-resolution pixel i = (x, y).
 */
function beatsNoShift(hf: Float32Array, bg: Float32Array, lw: number, lh: number, margin: number, bright: number, cap: number, moved: (i: number, x: number, y: number) => number): boolean {
  regionSums.fill(0);
  const rw = (lw - 2 * margin) / REGIONS;
  const rh = (lh - 2 * margin) / REGIONS;
  for (let y = margin; y < lh - margin; y += 2) {
    const row = Math.min(REGIONS - 1, Math.floor((y - margin) / rh)) * REGIONS;
    for (let x = margin; x < lw - margin; x += 2) {
      const i = y * lw + x;
      const a = Math.min(cap, Math.abs(hf[i] - bg[i] - bright));
      const b = Math.min(cap, Math.abs(moved(i, x, y) - bg[i] - bright));
      const r = 3 * (row + Math.min(REGIONS - 1, Math.floor((x - margin) / rw)));
      regionSums[r] += a - b;
      regionSums[r + 1] += (a - b) * (a - b);
      regionSums[r + 2]++;
    }
  }
  /** Mean gain over its standard error, of sums s, s2 over n pixels. */
  const z = (s: number, s2: number, n: number): number => {
    const mean = s / n;
    const sd = Math.sqrt(Math.max(0, s2 / n - mean * mean));
    return sd > 0 ? mean / (sd / Math.sqrt(n)) : mean > 0 ? Infinity : mean < 0 ? -Infinity : 0;
  };
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let r = 0; r < regionSums.length; r += 3) {
    if (regionSums[r + 2] > 0 && z(regionSums[r], regionSums[r + 1], regionSums[r + 2]) < -5) return false;
    s += regionSums[r];
    s2 += regionSums[r + 1];
    n += regionSums[r + 2];
  }
  return n > 0 && z(s, s2, n) > 5;
}

/**
 * The shift (within ±maxShift half-resolution pixels) that best aligns `half` (lw×lh) with the background
 * `bg`, or none unless it aligns better than no shift beyond doubt (beatsNoShift; the best of about a
 * hundred shifts is picked, so the bar is set for that many tries), so sensor noise on a still camera, or
 * a textureless view, never moves the picture. `cap` bounds a pixel's cost (about twice the foreground
 * threshold). With the full-resolution frame (`full`, `half` is its halving), a shake of one pixel, half
 * a step of the search, is found too. `around` moves the search window (half-resolution pixels): a
 * turning camera's next move is sought around its last one, while no shift still competes.
 */
export function estimateShift(
  half: Uint8Array,
  bg: Float32Array,
  lw: number,
  lh: number,
  maxShift: number,
  cap: number,
  full?: { gray: Uint8Array; width: number },
  around: readonly [number, number] = [0, 0],
): Shift {
  const [ax, ay] = around;
  const far = Math.max(Math.abs(ax), Math.abs(ay));
  if (maxShift < 1 || lw < 8 * maxShift || lh < 8 * maxShift || 4 * (maxShift + far + 1) > Math.min(lw, lh)) return { dx: 0, dy: 0, bright: 0, sx: 0, sy: 0 };
  // Coarse: quarter resolution, the whole range.
  const qw = lw >> 1;
  const qh = lh >> 1;
  const hf = plane(0, lw * lh);
  hf.set(half);
  const q = halve(hf, lw, lh, plane(1, qw * qh));
  const qb = halve(bg, lw, lh, plane(2, qw * qh));
  const bright = brightnessOffset(q, qb, cap);
  const none = { dx: 0, dy: 0, bright, sx: 0, sy: 0 };
  const r = Math.ceil(maxShift / 2);
  const qx = Math.round(ax / 2);
  const qy = Math.round(ay / 2);
  const qm = r + Math.max(Math.abs(qx), Math.abs(qy));
  let best = { u: 0, v: 0, c: cost(q, qb, qw, qh, 0, 0, qm, 1, bright, cap) };
  for (let v = qy - r; v <= qy + r; v++) {
    for (let u = qx - r; u <= qx + r; u++) {
      if (u === 0 && v === 0) continue;
      const c = cost(q, qb, qw, qh, u, v, qm, 1, bright, cap, best.c);
      if (c < best.c) best = { u, v, c };
    }
  }
  // Fine: half resolution, ±1 around the coarse answer, on every other pixel.
  const margin = maxShift + 1 + far;
  const still = cost(hf, bg, lw, lh, 0, 0, margin, 2, bright, cap);
  let fine = { dx: 0, dy: 0, c: still };
  for (let v = 2 * best.v - 1; v <= 2 * best.v + 1; v++) {
    for (let u = 2 * best.u - 1; u <= 2 * best.u + 1; u++) {
      if (Math.abs(u - ax) > maxShift || Math.abs(v - ay) > maxShift || (u === 0 && v === 0)) continue;
      const c = cost(hf, bg, lw, lh, u, v, margin, 2, bright, cap, fine.c);
      if (c < fine.c) fine = { dx: u, dy: v, c };
    }
  }
  // Sub-pixel: the cost is a sum of absolute differences, V-shaped near its minimum, so two lines through it
  // and its neighbours on each axis place the vertex (a parabola is biased toward whole pixels). The
  // full-resolution shift is then right to the pixel: half-resolution steps alone leave up to a pixel of
  // shake, which on fine texture reads as foreground.
  const at = (u: number, v: number): number => (Math.abs(u - ax) > maxShift || Math.abs(v - ay) > maxShift ? NaN : cost(hf, bg, lw, lh, u, v, margin, 2, bright, cap));
  const vertex = (lo: number, mid: number, hi: number): number => {
    const rise = Math.max(lo, hi) - mid;
    return Number.isFinite(rise) && rise > 0 ? Math.max(-0.5, Math.min(0.5, (lo - hi) / (2 * rise))) : 0;
  };
  // `|| 0`: no −0 for a shift of nothing.
  const toFull = (dx: number, dy: number, c: number): [number, number] => [
    Math.round(2 * (dx + vertex(at(dx - 1, dy), c, at(dx + 1, dy)))) || 0,
    Math.round(2 * (dy + vertex(at(dx, dy - 1), c, at(dx, dy + 1)))) || 0,
  ];
  const { dx, dy } = fine;
  // A best shift on the edge of the search is not known to be a minimum: the match may lie beyond the reach,
  // or be a large object's own motion pulling the search to its limit. It is not trusted.
  const inside = Math.abs(dx - ax) < maxShift && Math.abs(dy - ay) < maxShift;
  if ((dx || dy) && inside && beatsNoShift(hf, bg, lw, lh, margin, bright, cap, (i) => hf[i + dy * lw + dx])) {
    const [sx, sy] = toFull(dx, dy, fine.c);
    return { dx, dy, bright, sx, sy };
  }
  // No whole half-resolution step beats none, but the frame may lie a full-resolution pixel away (half a
  // step: the steps either side of it tie; a best step further out says the shift is not that small). The
  // vertex around no shift says which way; the frame moved by that pixel and halved must then beat no
  // shift in the same test.
  if (!full || Math.abs(dx) > 1 || Math.abs(dy) > 1) return none;
  const [sx, sy] = toFull(0, 0, still);
  if (!sx && !sy) return none;
  const { gray: g, width: w } = full;
  const movedHalf = (_i: number, x: number, y: number): number => {
    const p = (2 * y + sy) * w + 2 * x + sx;
    return (g[p] + g[p + 1] + g[p + w] + g[p + w + 1] + 2) >> 2;
  };
  return beatsNoShift(hf, bg, lw, lh, margin, bright, cap, movedHalf) ? { dx: 0, dy: 0, bright, sx, sy } : none;
}

/**
 * Whether the frame moved by (dx, dy) half-resolution pixels, a shift found some other way (against the last
 * frame), aligns with the background `bg` beyond doubt, by the test estimateShift's own shifts pass
 * (beatsNoShift): a large object's motion between frames is no move of the camera, since the ground then
 * matches the background worse. A shift past a quarter of the picture is not tested: false.
 */
export function alignsAt(half: Uint8Array, bg: Float32Array, lw: number, lh: number, dx: number, dy: number, bright: number, cap: number): boolean {
  const margin = Math.max(Math.abs(dx), Math.abs(dy)) + 1;
  if (4 * margin > Math.min(lw, lh)) return false;
  const hf = plane(0, lw * lh);
  hf.set(half);
  return beatsNoShift(hf, bg, lw, lh, margin, bright, cap, (i) => hf[i + dy * lw + dx]);
}

/**
 * The w×h frame moved by (sx, sy) pixels so that out(x, y) = gray(x + sx, y + sy); where that falls
 * outside the frame, `background(x, y)` fills in, so the strip the shake uncovers is never foreground.
 */
export function applyShift(gray: Uint8Array, w: number, h: number, sx: number, sy: number, background: (x: number, y: number) => number): Uint8Array {
  return shiftPlane(gray, w, h, -sx, -sy, (x, y) => Math.min(255, Math.max(0, Math.round(background(x, y)))));
}

/**
 * Bootstrap frames (half resolution) moved onto the first one's coordinates before their median is taken:
 * under shake the median of unaligned frames is a blurred background that every later frame differs from.
 */
export function alignToFirst(frames: readonly Uint8Array[], lw: number, lh: number, maxShift: number, cap: number): Uint8Array[] {
  if (frames.length < 2 || maxShift < 1) return [...frames];
  const ref = Float32Array.from(frames[0]);
  return frames.map((f, k) => {
    if (k === 0) return f;
    const s = estimateShift(f, ref, lw, lh, maxShift, cap);
    return s.dx || s.dy ? applyShift(f, lw, lh, s.dx, s.dy, (x, y) => ref[y * lw + x] + s.bright) : f;
  });
}
