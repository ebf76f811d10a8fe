/**
 * Drawing into RGB24 buffers for report stills: resampling the source frame, blending a colour-mapped
 * heatmap, boxes, thick (optionally dashed) polylines, dots and bitmap-font labels. Plain rasterisation
 * with clipping; no anti-aliasing, so every drawn pixel is an exact overlay colour and every other pixel
 * is the (resampled) source.
 */
import { GLYPH_ADVANCE, GLYPH_H, GLYPH_W, glyphRows, textWidth } from './bitmap-font.js';

export interface RgbImage {
  width: number;
  height: number;
  /** RGB24, row-major, length width × height × 3. */
  data: Uint8Array;
}

export type Rgb = readonly [number, number, number];

export function createImage(width: number, height: number, fill: Rgb = [0, 0, 0]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = fill[0];
    data[i + 1] = fill[1];
    data[i + 2] = fill[2];
  }
  return { width, height, data };
}

/**
 * Resamples to `outW × outH`. Enlarging by an integer factor is nearest-neighbour (each source pixel
 * becomes a block: nothing is invented between pixels); shrinking averages the source area each output
 * pixel covers.
 */
export function resample(src: RgbImage, outW: number, outH: number): RgbImage {
  const out = createImage(outW, outH);
  const fx = src.width / outW;
  const fy = src.height / outH;
  if (fx <= 1 && fy <= 1) {
    for (let y = 0; y < outH; y++) {
      const sy = Math.min(src.height - 1, Math.floor(y * fy));
      for (let x = 0; x < outW; x++) {
        const sx = Math.min(src.width - 1, Math.floor(x * fx));
        const s = (sy * src.width + sx) * 3;
        const o = (y * outW + x) * 3;
        out.data[o] = src.data[s];
        out.data[o + 1] = src.data[s + 1];
        out.data[o + 2] = src.data[s + 2];
      }
    }
    return out;
  }
  for (let y = 0; y < outH; y++) {
    const y0 = Math.floor(y * fy);
    const y1 = Math.max(y0 + 1, Math.min(src.height, Math.floor((y + 1) * fy)));
    for (let x = 0; x < outW; x++) {
      const x0 = Math.floor(x * fx);
      const x1 = Math.max(x0 + 1, Math.min(src.width, Math.floor((x + 1) * fx)));
      let r = 0, g = 0, b = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let sx = x0; sx < x1; sx++) {
          const s = (sy * src.width + sx) * 3;
          r += src.data[s];
          g += src.data[s + 1];
          b += src.data[s + 2];
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * outW + x) * 3;
      out.data[o] = Math.round(r / n);
      out.data[o + 1] = Math.round(g / n);
      out.data[o + 2] = Math.round(b / n);
    }
  }
  return out;
}

/** Anchors of the heat colour map (score 0 → 1): dark violet through red and orange to pale yellow. */
export const HEAT_ANCHORS: readonly { at: number; rgb: Rgb }[] = [
  { at: 0, rgb: [40, 11, 84] },
  { at: 0.25, rgb: [120, 28, 109] },
  { at: 0.5, rgb: [206, 62, 74] },
  { at: 0.75, rgb: [248, 142, 33] },
  { at: 1, rgb: [252, 255, 164] },
];

export function heatColor(v: number): Rgb {
  const t = Math.max(0, Math.min(1, v));
  for (let i = 1; i < HEAT_ANCHORS.length; i++) {
    const a = HEAT_ANCHORS[i - 1];
    const b = HEAT_ANCHORS[i];
    if (t <= b.at) {
      const u = (t - a.at) / (b.at - a.at);
      const mix = (c: number) => Math.round(a.rgb[c] + (b.rgb[c] - a.rgb[c]) * u);
      return [mix(0), mix(1), mix(2)];
    }
  }
  return HEAT_ANCHORS[HEAT_ANCHORS.length - 1].rgb;
}

export interface HeatBlendOptions {
  /** Heat values (0..1) below this are left transparent. */
  floor?: number;
  /** Opacity at heat 1; opacity grows linearly from the floor. */
  maxAlpha?: number;
}

/**
 * Blends a uint8 heatmap (any grid size covering the whole frame) over the image, bilinearly
 * interpolated to image pixels, colour-mapped, with opacity growing with the heat.
 */
export function blendHeatmap(img: RgbImage, heat: { width: number; height: number; data: Uint8Array }, o: HeatBlendOptions = {}): void {
  const floor = o.floor ?? 0.06;
  const maxAlpha = o.maxAlpha ?? 0.65;
  const lut = Array.from({ length: 256 }, (_, i) => heatColor(i / 255));
  const sx = heat.width / img.width;
  const sy = heat.height / img.height;
  for (let y = 0; y < img.height; y++) {
    const hy = Math.max(0, Math.min(heat.height - 1, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(hy);
    const y1 = Math.min(heat.height - 1, y0 + 1);
    const wy = hy - y0;
    for (let x = 0; x < img.width; x++) {
      const hx = Math.max(0, Math.min(heat.width - 1, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(hx);
      const x1 = Math.min(heat.width - 1, x0 + 1);
      const wx = hx - x0;
      const top = heat.data[y0 * heat.width + x0] * (1 - wx) + heat.data[y0 * heat.width + x1] * wx;
      const bot = heat.data[y1 * heat.width + x0] * (1 - wx) + heat.data[y1 * heat.width + x1] * wx;
      const v = (top * (1 - wy) + bot * wy) / 255;
      if (v < floor) continue;
      const a = maxAlpha * Math.min(1, (v - floor) / (1 - floor) + 0.25);
      const c = lut[Math.round(v * 255)];
      const i = (y * img.width + x) * 3;
      img.data[i] = Math.round(img.data[i] * (1 - a) + c[0] * a);
      img.data[i + 1] = Math.round(img.data[i + 1] * (1 - a) + c[1] * a);
      img.data[i + 2] = Math.round(img.data[i + 2] * (1 - a) + c[2] * a);
    }
  }
}

/** Darkens or tints the whole image towards `toward` by `amount` (0..1). */
export function fade(img: RgbImage, amount: number, toward: Rgb = [0, 0, 0]): void {
  for (let i = 0; i < img.data.length; i += 3) {
    for (let c = 0; c < 3; c++) img.data[i + c] = Math.round(img.data[i + c] * (1 - amount) + toward[c] * amount);
  }
}

export function fillRect(img: RgbImage, x1: number, y1: number, x2: number, y2: number, color: Rgb, alpha = 1): void {
  const xa = Math.max(0, Math.floor(Math.min(x1, x2)));
  const xb = Math.min(img.width, Math.ceil(Math.max(x1, x2)));
  const ya = Math.max(0, Math.floor(Math.min(y1, y2)));
  const yb = Math.min(img.height, Math.ceil(Math.max(y1, y2)));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const i = (y * img.width + x) * 3;
      if (alpha >= 1) {
        img.data[i] = color[0];
        img.data[i + 1] = color[1];
        img.data[i + 2] = color[2];
      } else {
        img.data[i] = Math.round(img.data[i] * (1 - alpha) + color[0] * alpha);
        img.data[i + 1] = Math.round(img.data[i + 1] * (1 - alpha) + color[1] * alpha);
        img.data[i + 2] = Math.round(img.data[i + 2] * (1 - alpha) + color[2] * alpha);
      }
    }
  }
}

/** Rectangle outline drawn inside [x1,x2)×[y1,y2) with the given stroke width, clipped to the image. */
export function strokeRect(img: RgbImage, x1: number, y1: number, x2: number, y2: number, color: Rgb, width: number): void {
  const w = Math.max(1, Math.round(width));
  const l = Math.round(Math.min(x1, x2));
  const r = Math.round(Math.max(x1, x2));
  const t = Math.round(Math.min(y1, y2));
  const b = Math.round(Math.max(y1, y2));
  fillRect(img, l, t, r, Math.min(b, t + w), color);
  fillRect(img, l, Math.max(t, b - w), r, b, color);
  fillRect(img, l, t, Math.min(r, l + w), b, color);
  fillRect(img, Math.max(l, r - w), t, r, b, color);
}

/** Filled disc of radius r centred at (cx, cy). */
export function fillDisc(img: RgbImage, cx: number, cy: number, r: number, color: Rgb): void {
  const r2 = r * r;
  for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
    if (y < 0 || y >= img.height) continue;
    for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
      if (x < 0 || x >= img.width) continue;
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      if (dx * dx + dy * dy <= r2) {
        const i = (y * img.width + x) * 3;
        img.data[i] = color[0];
        img.data[i + 1] = color[1];
        img.data[i + 2] = color[2];
      }
    }
  }
}

export interface StrokeOptions {
  width: number;
  /** On/off lengths in pixels along the path; none = solid. */
  dash?: readonly [number, number];
}

/** A thick polyline: discs stamped every half pixel along each segment (round joins and caps). */
export function strokePolyline(img: RgbImage, points: readonly (readonly [number, number])[], color: Rgb, o: StrokeOptions): void {
  const r = Math.max(0.5, o.width / 2);
  let travelled = 0;
  const period = o.dash ? o.dash[0] + o.dash[1] : 0;
  if (points.length === 1) fillDisc(img, points[0][0], points[0][1], r, color);
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    const len = Math.hypot(x1 - x0, y1 - y0);
    const steps = Math.max(1, Math.ceil(len * 2));
    for (let s = 0; s <= steps; s++) {
      const u = s / steps;
      const along = travelled + u * len;
      if (o.dash && along % period >= o.dash[0]) continue;
      fillDisc(img, x0 + (x1 - x0) * u, y0 + (y1 - y0) * u, r, color);
    }
    travelled += len;
  }
}

/** Filled triangle arrow head at `tip`, pointing along the direction from `from` to `tip`. */
export function arrowHead(img: RgbImage, from: readonly [number, number], tip: readonly [number, number], size: number, color: Rgb): void {
  const dx = tip[0] - from[0];
  const dy = tip[1] - from[1];
  const len = Math.hypot(dx, dy);
  if (len < 1e-6) return;
  const ux = dx / len;
  const uy = dy / len;
  const bx = tip[0] - ux * size;
  const by = tip[1] - uy * size;
  const p1: [number, number] = [bx - uy * size * 0.55, by + ux * size * 0.55];
  const p2: [number, number] = [bx + uy * size * 0.55, by - ux * size * 0.55];
  const xs = [tip[0], p1[0], p2[0]];
  const ys = [tip[1], p1[1], p2[1]];
  const area = (ax: number, ay: number, bx2: number, by2: number, cx: number, cy: number) => (bx2 - ax) * (cy - ay) - (by2 - ay) * (cx - ax);
  const total = area(xs[0], ys[0], xs[1], ys[1], xs[2], ys[2]);
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y <= Math.min(img.height - 1, Math.ceil(Math.max(...ys))); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x <= Math.min(img.width - 1, Math.ceil(Math.max(...xs))); x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const a = area(xs[1], ys[1], xs[2], ys[2], px, py) / total;
      const b = area(xs[2], ys[2], xs[0], ys[0], px, py) / total;
      const c = area(xs[0], ys[0], xs[1], ys[1], px, py) / total;
      if (a >= 0 && b >= 0 && c >= 0) {
        const i = (y * img.width + x) * 3;
        img.data[i] = color[0];
        img.data[i + 1] = color[1];
        img.data[i + 2] = color[2];
      }
    }
  }
}

/** Draws `text` with its top-left corner at (x, y); each font pixel becomes a scale × scale block. */
export function drawText(img: RgbImage, x: number, y: number, text: string, color: Rgb, scale: number): void {
  const s = Math.max(1, Math.round(scale));
  let cx = Math.round(x);
  const top = Math.round(y);
  for (const ch of text) {
    const rows = glyphRows(ch);
    for (let gy = 0; gy < GLYPH_H; gy++) {
      for (let gx = 0; gx < GLYPH_W; gx++) {
        if (rows[gy] & (1 << (GLYPH_W - 1 - gx))) fillRect(img, cx + gx * s, top + gy * s, cx + (gx + 1) * s, top + (gy + 1) * s, color);
      }
    }
    cx += GLYPH_ADVANCE * s;
  }
}

/**
 * A label on a filled plate, placed above (x, y) when there is room, else below it; kept inside the
 * image horizontally. Returns the plate rectangle.
 */
export function drawLabel(img: RgbImage, x: number, y: number, text: string, fg: Rgb, bg: Rgb, scale: number, belowY?: number): [number, number, number, number] {
  const s = Math.max(1, Math.round(scale));
  const pad = s;
  const w = textWidth(text, s) + pad * 2;
  const h = GLYPH_H * s + pad * 2;
  let left = Math.round(x);
  if (left + w > img.width) left = Math.max(0, img.width - w);
  let top = Math.round(y) - h;
  if (top < 0) top = Math.round(belowY ?? y);
  if (top + h > img.height) top = Math.max(0, img.height - h);
  fillRect(img, left, top, left + w, top + h, bg);
  drawText(img, left + pad, top + pad, text, fg, s);
  return [left, top, left + w, top + h];
}
