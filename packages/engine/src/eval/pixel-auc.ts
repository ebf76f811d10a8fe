/**
 * Pixel-level AUC: one ROC over every pixel of every evaluated frame, at ground-truth mask resolution
 * (METRICS.md § "Pixel AUC"). This is NOT the old UCSD pixel criterion (a frame counts as detected when
 * ≥ 40 % of its anomalous GT pixels are covered); that is a different, frame-level metric.
 *
 * Millions of pixels per clip cannot be kept, so scores are quantised to `bins` evenly spaced levels and only
 * two histograms (positives, negatives per level) are kept. The AUC of the quantised scores is then exact,
 * with pixels that share a level counted as ties (half). Whenever the scores already lie on the level grid
 * (e.g. integer scores 0..255 with bins 256, min 0, max 255) it equals the exact AUC of the raw scores.
 */
import { VigilError } from '../errors.js';
import { aucFromGroupedCounts } from './roc.js';

export type Interpolation = 'nearest' | 'bilinear';

export interface PixelAucOptions {
  /** Number of quantisation levels, 2..65536 (256 ≈ uint8, 65536 ≈ uint16). Default 65536. */
  bins?: number;
  /** Score mapped to the lowest level (smaller scores are clamped). Default 0. */
  min?: number;
  /** Score mapped to the highest level (larger scores are clamped). Default 1. */
  max?: number;
}

/** A heatmap (row-major, width × height) whose resolution may differ from the mask's. */
export interface Heatmap {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

/**
 * Resamples a row-major single-channel image to dstW × dstH, treating pixels as cells with centres at
 * (x + ½, y + ½) (the align_corners = false convention). 'nearest' takes the cell containing the target centre;
 * 'bilinear' interpolates between the four nearest source centres, clamping at the borders.
 */
export function resizeHeatmap(
  src: ArrayLike<number>,
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  mode: Interpolation = 'bilinear',
): Float32Array {
  for (const [name, v] of [['srcW', srcW], ['srcH', srcH], ['dstW', dstW], ['dstH', dstH]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new VigilError('invalid_input', `resizeHeatmap: ${name} must be a positive integer (got ${v}).`);
  }
  if (src.length !== srcW * srcH) {
    throw new VigilError('invalid_input', `resizeHeatmap: ${src.length} values do not fill ${srcW}×${srcH}.`);
  }
  const out = new Float32Array(dstW * dstH);
  const sx = srcW / dstW;
  const sy = srcH / dstH;
  if (mode === 'nearest') {
    const xs = new Int32Array(dstW);
    for (let x = 0; x < dstW; x++) xs[x] = Math.min(srcW - 1, Math.floor((x + 0.5) * sx));
    for (let y = 0; y < dstH; y++) {
      const row = Math.min(srcH - 1, Math.floor((y + 0.5) * sy)) * srcW;
      for (let x = 0; x < dstW; x++) out[y * dstW + x] = src[row + xs[x]];
    }
    return out;
  }
  if (mode !== 'bilinear') throw new VigilError('invalid_input', `resizeHeatmap: unknown interpolation "${String(mode)}".`);
  const x0 = new Int32Array(dstW);
  const x1 = new Int32Array(dstW);
  const wx = new Float64Array(dstW);
  for (let x = 0; x < dstW; x++) {
    const fx = Math.min(srcW - 1, Math.max(0, (x + 0.5) * sx - 0.5));
    x0[x] = Math.floor(fx);
    x1[x] = Math.min(srcW - 1, x0[x] + 1);
    wx[x] = fx - x0[x];
  }
  for (let y = 0; y < dstH; y++) {
    const fy = Math.min(srcH - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(srcH - 1, y0 + 1);
    const wy = fy - y0;
    const r0 = y0 * srcW;
    const r1 = y1 * srcW;
    for (let x = 0; x < dstW; x++) {
      const top = src[r0 + x0[x]] * (1 - wx[x]) + src[r0 + x1[x]] * wx[x];
      const bottom = src[r1 + x0[x]] * (1 - wx[x]) + src[r1 + x1[x]] * wx[x];
      out[y * dstW + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}

/**
 * Accumulates (pixel score, pixel label) pairs frame by frame into per-level histograms and reports the
 * pixel-level ROC AUC over everything added. Memory is 2 × bins doubles, independent of the number of pixels.
 */
export class PixelAucAccumulator {
  readonly bins: number;
  readonly min: number;
  readonly max: number;
  private readonly pos: Float64Array;
  private readonly neg: Float64Array;
  private readonly scale: number;
  private framesAdded = 0;

  constructor(opts: PixelAucOptions = {}) {
    this.bins = opts.bins ?? 65536;
    this.min = opts.min ?? 0;
    this.max = opts.max ?? 1;
    if (!Number.isInteger(this.bins) || this.bins < 2 || this.bins > 65536) {
      throw new VigilError('invalid_input', `PixelAucAccumulator: bins must be an integer in 2..65536 (got ${this.bins}).`);
    }
    if (!Number.isFinite(this.min) || !Number.isFinite(this.max) || !(this.max > this.min)) {
      throw new VigilError('invalid_input', `PixelAucAccumulator: need finite min < max (got ${this.min}, ${this.max}).`);
    }
    this.pos = new Float64Array(this.bins);
    this.neg = new Float64Array(this.bins);
    this.scale = (this.bins - 1) / (this.max - this.min);
  }

  /** Level of a score: nearest of `bins` evenly spaced levels from min to max; out-of-range scores clamp. */
  level(score: number): number {
    if (Number.isNaN(score)) throw new VigilError('invalid_input', 'PixelAucAccumulator: a pixel score is NaN.');
    const l = Math.round((score - this.min) * this.scale);
    return l < 0 ? 0 : l >= this.bins ? this.bins - 1 : l;
  }

  /**
   * Adds one frame. `mask` is the GT mask at its own resolution (maskWidth × maskHeight, row-major); a pixel is
   * anomalous when its mask value is non-zero (Ped2 masks use 255). `heatmap` is resampled to the mask size
   * with `interpolation` when the sizes differ.
   */
  addFrame(heatmap: Heatmap, mask: ArrayLike<number>, maskWidth: number, maskHeight: number, interpolation: Interpolation = 'bilinear'): void {
    if (mask.length !== maskWidth * maskHeight) {
      throw new VigilError('invalid_input', `PixelAucAccumulator: mask has ${mask.length} values, expected ${maskWidth}×${maskHeight}.`);
    }
    if (heatmap.data.length !== heatmap.width * heatmap.height) {
      throw new VigilError(
        'invalid_input',
        `PixelAucAccumulator: heatmap has ${heatmap.data.length} values, expected ${heatmap.width}×${heatmap.height}.`,
      );
    }
    const scores =
      heatmap.width === maskWidth && heatmap.height === maskHeight
        ? heatmap.data
        : resizeHeatmap(heatmap.data, heatmap.width, heatmap.height, maskWidth, maskHeight, interpolation);
    this.addPixels(scores, mask);
  }

  /** Adds pixels whose scores are already at mask resolution (same length and order as `mask`). */
  addPixels(scores: ArrayLike<number>, mask: ArrayLike<number>): void {
    if (scores.length !== mask.length) {
      throw new VigilError('invalid_input', `PixelAucAccumulator: ${scores.length} scores but ${mask.length} mask pixels.`);
    }
    for (let i = 0; i < scores.length; i++) {
      const l = this.level(scores[i]);
      if (mask[i] !== 0) this.pos[l]++;
      else this.neg[l]++;
    }
    this.framesAdded++;
  }

  /** Adds another accumulator's counts (same bins/min/max), e.g. from a parallel worker. */
  merge(other: PixelAucAccumulator): void {
    if (other.bins !== this.bins || other.min !== this.min || other.max !== this.max) {
      throw new VigilError('invalid_input', 'PixelAucAccumulator.merge: accumulators use different quantisation.');
    }
    for (let i = 0; i < this.bins; i++) {
      this.pos[i] += other.pos[i];
      this.neg[i] += other.neg[i];
    }
    this.framesAdded += other.framesAdded;
  }

  get frames(): number {
    return this.framesAdded;
  }

  get positives(): number {
    return this.pos.reduce((a, b) => a + b, 0);
  }

  get negatives(): number {
    return this.neg.reduce((a, b) => a + b, 0);
  }

  /** Pixel AUC of the quantised scores (ties within a level count half). Throws if a class has no pixel. */
  auc(): number {
    const p = this.positives;
    const n = this.negatives;
    if (p === 0 || n === 0) {
      throw new VigilError(
        'invalid_input',
        `Pixel AUC is undefined: ${p} anomalous and ${n} normal pixels accumulated; both classes are needed.`,
        { positives: p, negatives: n },
      );
    }
    return aucFromGroupedCounts(this.pos, this.neg);
  }
}
