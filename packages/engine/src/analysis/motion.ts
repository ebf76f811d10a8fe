/**
 * Class-agnostic motion model: a per-pixel background with its own noise level, foreground blobs, block flow,
 * and a compact per-frame foreground map for heatmaps. Anything that moves and is not the background becomes
 * a blob, whatever it is (a thrown bag, smoke, an unusual vehicle): the detector is not needed to see it.
 *
 * The background adapts quickly where the scene is background and very slowly under foreground, so an object
 * that stops stays foreground for a long time (loitering stays visible) while lighting drifts are absorbed.
 * A global offset (median difference) is removed first, which absorbs camera gain changes.
 */
import { estimateBlockFlow, halfResolution, type FlowField } from './block-flow.js';
import { labelComponents } from './components.js';
import type { Box } from './types.js';

export interface MotionParams {
  width: number;
  height: number;
  /** Foreground grid cell (pixels) used for blobs. */
  cell: number;
  /** Flow block (pixels). */
  block: number;
  /** Heat-map cell (pixels): the foreground map is stored at width/heatCell × height/heatCell. */
  heatCell: number;
  /** Blobs with fewer foreground pixels are noise. */
  minBlobArea: number;
  /** Foreground when |frame − background| > max(minThreshold, thresholdSigmas · σ_pixel). */
  thresholdSigmas: number;
  minThreshold: number;
  /** Background learning rate per analysed frame where the scene is background / under foreground. */
  backgroundRate: number;
  foregroundRate: number;
  /** Largest flow displacement searched (analysis pixels per analysed frame). */
  flowRadius: number;
}

export interface Blob {
  box: Box;
  /** Foreground pixels. */
  area: number;
  /** Foreground pixels / box area. */
  fill: number;
  /** 0..1: grows with size relative to the noise floor (small blobs cannot start tracks on their own). */
  confidence: number;
}

export interface MotionFrame {
  blobs: Blob[];
  /** Block flow from the previous analysed frame (null on the first). */
  flow: FlowField | null;
  /** Foreground fraction per heat cell, 0..255, heatCols × heatRows (a fresh array per frame). */
  heat: Uint8Array;
  heatCols: number;
  heatRows: number;
  /** Share of pixels in the foreground. */
  foregroundFraction: number;
}

/** Per-pixel median and robust noise (1.4826 · MAD) of a few frames sampled over time: a clean initial background. */
export function medianBackground(frames: readonly Uint8Array[], size: number): { background: Float32Array; sigma: Float32Array } {
  const background = new Float32Array(size);
  const sigma = new Float32Array(size);
  const n = frames.length;
  if (n === 0) return { background, sigma };
  const v = new Float64Array(n);
  const d = new Float64Array(n);
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < n; k++) v[k] = frames[k][i];
    v.sort();
    const med = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    for (let k = 0; k < n; k++) d[k] = Math.abs(v[k] - med);
    d.sort();
    const mad = n % 2 ? d[(n - 1) / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
    background[i] = med;
    sigma[i] = 1.4826 * mad;
  }
  return { background, sigma };
}

export class MotionModel {
  readonly params: MotionParams;
  private background: Float32Array | null = null;
  private sigma: Float32Array | null = null;
  private prev: Uint8Array | null = null;
  private prevHalf: Uint8Array | null = null;
  private readonly fgPixels: Uint8Array;
  private readonly cellCount: Uint8Array;
  private readonly cellMask: Uint8Array;
  private readonly cellCols: number;
  private readonly cellRows: number;
  private readonly heatCols: number;
  private readonly heatRows: number;
  private readonly blockCols: number;
  private readonly blockRows: number;
  private readonly blockActive: Uint8Array;
  private readonly diffHist = new Uint32Array(511);

  constructor(params: MotionParams, init?: { background: Float32Array; sigma: Float32Array }) {
    this.params = params;
    const { width: w, height: h } = params;
    this.fgPixels = new Uint8Array(w * h);
    this.cellCols = Math.ceil(w / params.cell);
    this.cellRows = Math.ceil(h / params.cell);
    this.cellCount = new Uint8Array(this.cellCols * this.cellRows);
    this.cellMask = new Uint8Array(this.cellCols * this.cellRows);
    this.heatCols = Math.ceil(w / params.heatCell);
    this.heatRows = Math.ceil(h / params.heatCell);
    this.blockCols = Math.floor(w / params.block);
    this.blockRows = Math.floor(h / params.block);
    this.blockActive = new Uint8Array(this.blockCols * this.blockRows);
    if (init) {
      this.background = Float32Array.from(init.background);
      this.sigma = Float32Array.from(init.sigma);
    }
  }

  get heatSize(): { cols: number; rows: number } {
    return { cols: this.heatCols, rows: this.heatRows };
  }

  process(gray: Uint8Array): MotionFrame {
    const p = this.params;
    const { width: w, height: h } = p;
    if (gray.length !== w * h) throw new RangeError(`MotionModel: frame has ${gray.length} pixels, expected ${w}×${h}`);
    if (!this.background || !this.sigma) {
      // No bootstrap: the first frame is the background (objects in it will leave ghosts for a while).
      this.background = Float32Array.from(gray);
      this.sigma = new Float32Array(w * h).fill(p.minThreshold / p.thresholdSigmas);
    }
    const bg = this.background;
    const sg = this.sigma;

    // Global offset: median of (frame − background) on a sparse grid, absorbing gain/exposure changes.
    const hist = this.diffHist;
    hist.fill(0);
    let samples = 0;
    for (let i = 0; i < w * h; i += 7) {
      hist[Math.round(gray[i] - bg[i]) + 255]++;
      samples++;
    }
    let acc = 0;
    let offset = 0;
    for (let k = 0; k < hist.length; k++) {
      acc += hist[k];
      if (acc * 2 >= samples) {
        offset = k - 255;
        break;
      }
    }

    // Foreground pixels and their count per cell.
    const fg = this.fgPixels;
    const cc = this.cellCount;
    cc.fill(0);
    const cell = p.cell;
    let fgTotal = 0;
    for (let y = 0; y < h; y++) {
      const crow = ((y / cell) | 0) * this.cellCols;
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const d = Math.abs(gray[i] - bg[i] - offset);
        const t = Math.max(p.minThreshold, p.thresholdSigmas * sg[i]);
        if (d > t) {
          fg[i] = 1;
          cc[crow + ((x / cell) | 0)]++;
          fgTotal++;
        } else {
          fg[i] = 0;
        }
      }
    }
    // A cell is foreground when at least half of its pixels are (isolated noise pixels do not count).
    const need = Math.max(1, (cell * cell) >> 1);
    const mask = this.cellMask;
    for (let i = 0; i < mask.length; i++) mask[i] = cc[i] >= need ? 1 : 0;

    // Background update: fast on background, slow under foreground (cells touched by foreground count as
    // foreground, so object edges do not leak into the background).
    for (let y = 0; y < h; y++) {
      const crow = ((y / cell) | 0) * this.cellCols;
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const under = cc[crow + ((x / cell) | 0)] > 0;
        const target = gray[i] - offset;
        const diff = target - bg[i];
        if (under) {
          bg[i] += p.foregroundRate * diff;
        } else {
          bg[i] += p.backgroundRate * diff;
          // Running robust σ (mean absolute deviation × 1.25 ≈ σ for Gaussian noise).
          sg[i] += p.backgroundRate * (1.25 * Math.abs(diff) - sg[i]);
        }
      }
    }

    const blobs = this.extractBlobs();

    // Heat map: foreground share per heat cell.
    const heat = new Uint8Array(this.heatCols * this.heatRows);
    const hc = p.heatCell;
    for (let y = 0; y < h; y++) {
      const hrow = ((y / hc) | 0) * this.heatCols;
      for (let x = 0; x < w; x++) if (fg[y * w + x]) heat[hrow + ((x / hc) | 0)]++;
    }
    for (let hy = 0; hy < this.heatRows; hy++) {
      const ch = Math.min(hc, h - hy * hc);
      for (let hx = 0; hx < this.heatCols; hx++) {
        const cw = Math.min(hc, w - hx * hc);
        const i = hy * this.heatCols + hx;
        heat[i] = Math.min(255, Math.round((heat[i] * 255) / (cw * ch)));
      }
    }

    // Flow on blocks with enough foreground.
    const half = halfResolution(gray, w, h).data;
    let flow: FlowField | null = null;
    if (this.prev && this.prevHalf) {
      const active = this.blockActive;
      const b = p.block;
      const minFg = (b * b) >> 2;
      for (let by = 0; by < this.blockRows; by++) {
        for (let bx = 0; bx < this.blockCols; bx++) {
          let n = 0;
          for (let y = by * b; y < by * b + b; y++) for (let x = bx * b; x < bx * b + b; x++) n += fg[y * w + x];
          active[by * this.blockCols + bx] = n >= minFg ? 1 : 0;
        }
      }
      let noise = 0;
      for (let i = 0; i < sg.length; i += 11) noise += sg[i];
      noise /= Math.ceil(sg.length / 11);
      flow = estimateBlockFlow({
        prev: this.prev,
        cur: gray,
        prevHalf: this.prevHalf,
        curHalf: half,
        width: w,
        height: h,
        active,
        block: b,
        radius: p.flowRadius,
        noise,
      });
    }
    this.prev = Uint8Array.from(gray);
    this.prevHalf = half;

    return { blobs, flow, heat, heatCols: this.heatCols, heatRows: this.heatRows, foregroundFraction: fgTotal / (w * h) };
  }

  private extractBlobs(): Blob[] {
    const p = this.params;
    const { components } = labelComponents(this.cellMask, this.cellCols, this.cellRows, this.cellCount);
    const cell = p.cell;
    let boxes: { box: Box; area: number }[] = components.map((c) => ({
      box: [c.minX * cell, c.minY * cell, Math.min(p.width, (c.maxX + 1) * cell), Math.min(p.height, (c.maxY + 1) * cell)] as Box,
      area: c.weight,
    }));
    boxes = mergeFragments(boxes, cell);
    const out: Blob[] = [];
    for (const b of boxes) {
      if (b.area < p.minBlobArea) continue;
      const boxArea = (b.box[2] - b.box[0]) * (b.box[3] - b.box[1]);
      out.push({
        box: b.box,
        area: b.area,
        fill: boxArea > 0 ? b.area / boxArea : 0,
        confidence: 1 - Math.exp(-b.area / (2 * p.minBlobArea)),
      });
    }
    return out;
  }
}

/**
 * Joins fragments of one object split by the foreground threshold (head and legs, a body cut by a thin
 * occluder): pieces stacked vertically with a small gap and mostly overlapping horizontally.
 */
function mergeFragments(items: { box: Box; area: number }[], cell: number): { box: Box; area: number }[] {
  const list = items.slice();
  let merged = true;
  while (merged) {
    merged = false;
    outer: for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i].box;
        const b = list[j].box;
        const overlapX = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        const gapY = Math.max(a[1], b[1]) - Math.min(a[3], b[3]);
        const narrower = Math.min(a[2] - a[0], b[2] - b[0]);
        if (overlapX >= 0.5 * narrower && gapY <= 2 * cell) {
          list[i] = {
            box: [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])],
            area: list[i].area + list[j].area,
          };
          list.splice(j, 1);
          merged = true;
          break outer;
        }
      }
    }
  }
  return list;
}
