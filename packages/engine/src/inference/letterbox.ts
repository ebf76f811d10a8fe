/**
 * Fits a frame into a model's input: aspect-preserving resize, centred, border of `padValue`, then
 * channel order, normalisation and layout from the manifest. Resampling is separable: bilinear when
 * enlarging or shrinking mildly, area averaging when shrinking by more than 2× (plain bilinear would
 * alias fine detail such as distant people in HD footage).
 */
import { VigilError } from '../errors.js';
import type { Frame } from '../media/frame-reader.js';
import type { InputSpec } from './manifest.js';

export interface LetterboxMap {
  srcWidth: number;
  srcHeight: number;
  /** Input pixels per source pixel, per axis. */
  scaleX: number;
  scaleY: number;
  padX: number;
  padY: number;
}

/** Model-input pixel coordinates → source pixel coordinates, clamped to the frame. */
export function toSource(map: LetterboxMap, x: number, y: number): [number, number] {
  const sx = (x - map.padX) / map.scaleX;
  const sy = (y - map.padY) / map.scaleY;
  return [Math.min(Math.max(sx, 0), map.srcWidth), Math.min(Math.max(sy, 0), map.srcHeight)];
}

export function validateFrame(frame: Frame, what = 'frame'): void {
  if (!frame || typeof frame !== 'object') throw new VigilError('invalid_input', `The ${what} is not a frame object.`);
  const { width, height, channels, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new VigilError('invalid_input', `The ${what} has an invalid size ${String(width)}×${String(height)}.`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new VigilError('invalid_input', `The ${what} has ${String(channels)} channels; only 1 (gray) or 3 (RGB) are supported.`);
  }
  if (!(data instanceof Uint8Array)) {
    throw new VigilError('invalid_input', `The ${what}'s pixel data must be a Uint8Array of 8-bit samples.`);
  }
  if (data.length !== width * height * channels) {
    throw new VigilError(
      'invalid_input',
      `The ${what} claims ${width}×${height}×${channels} = ${width * height * channels} bytes but holds ${data.length}.`,
    );
  }
}

interface Taps {
  index: Int32Array;
  weight: Float32Array;
  /** Taps per output sample. */
  n: number;
}

/** Resampling taps for one axis, src → dst samples. */
function axisTaps(src: number, dst: number): Taps {
  const scale = dst / src;
  if (scale >= 0.5) {
    const index = new Int32Array(dst * 2);
    const weight = new Float32Array(dst * 2);
    for (let o = 0; o < dst; o++) {
      const s = Math.min(Math.max((o + 0.5) / scale - 0.5, 0), src - 1);
      const i0 = Math.floor(s);
      const i1 = Math.min(i0 + 1, src - 1);
      const f = s - i0;
      index[2 * o] = i0;
      index[2 * o + 1] = i1;
      weight[2 * o] = 1 - f;
      weight[2 * o + 1] = f;
    }
    return { index, weight, n: 2 };
  }
  const span = 1 / scale;
  const n = Math.ceil(span) + 1;
  const index = new Int32Array(dst * n);
  const weight = new Float32Array(dst * n);
  for (let o = 0; o < dst; o++) {
    const a = o * span;
    const b = a + span;
    let k = 0;
    for (let i = Math.floor(a); i < Math.min(Math.ceil(b), src) && k < n; i++, k++) {
      index[o * n + k] = i;
      weight[o * n + k] = (Math.min(b, i + 1) - Math.max(a, i)) / span;
    }
    for (; k < n; k++) {
      index[o * n + k] = Math.min(Math.floor(a), src - 1);
      weight[o * n + k] = 0;
    }
  }
  return { index, weight, n };
}

const tapCache = new Map<string, Taps>();
function taps(src: number, dst: number): Taps {
  const key = `${src}>${dst}`;
  let t = tapCache.get(key);
  if (!t) {
    if (tapCache.size > 64) tapCache.clear();
    t = axisTaps(src, dst);
    tapCache.set(key, t);
  }
  return t;
}

export function letterboxMap(srcWidth: number, srcHeight: number, spec: InputSpec): LetterboxMap {
  const [inH, inW] = spec.size;
  const scale = Math.min(inW / srcWidth, inH / srcHeight);
  const w = Math.max(1, Math.min(inW, Math.round(srcWidth * scale)));
  const h = Math.max(1, Math.min(inH, Math.round(srcHeight * scale)));
  return { srcWidth, srcHeight, scaleX: w / srcWidth, scaleY: h / srcHeight, padX: Math.floor((inW - w) / 2), padY: Math.floor((inH - h) / 2) };
}

// Horizontal-pass scratch, reused across calls (frames of one stream share a size); float32 like the
// model input, so the result does not depend on whether the buffer was reused.
let scratch = new Float32Array(0);
function scratchOf(size: number): Float32Array {
  if (scratch.length < size) scratch = new Float32Array(size);
  return scratch;
}

/**
 * Writes the model input for `frame` into `out` (one batch item) and returns the coordinate map.
 *
 * Two passes over precomputed taps, straight from the 8-bit frame to the model layout: a horizontal pass
 * that also splits the interleaved channels into planes, then a vertical pass that normalises and writes
 * each model channel (in the model's channel order and layout) inside the border; only the border itself
 * is filled with the pad value.
 */
export function letterbox(frame: Frame, spec: InputSpec, out: Float32Array | Int32Array): LetterboxMap {
  validateFrame(frame);
  const [inH, inW] = spec.size;
  const map = letterboxMap(frame.width, frame.height, spec);
  const srcW = frame.width;
  const srcH = frame.height;
  const w = Math.round(srcW * map.scaleX);
  const h = Math.round(srcH * map.scaleY);
  const ch = frame.channels;
  const src = frame.data;
  const tx = taps(srcW, w);
  const ty = taps(srcH, h);

  // Horizontal pass: source rows → one plane per source channel (srcH × w each).
  const planeSize = srcH * w;
  const tmp = scratchOf(planeSize * ch);
  const { index: xi, weight: xw, n: xn } = tx;
  for (let y = 0; y < srcH; y++) {
    const rowIn = y * srcW * ch;
    const rowOut = y * w;
    for (let c = 0; c < ch; c++) {
      const base = rowIn + c;
      const dst = c * planeSize + rowOut;
      if (xn === 2) {
        for (let x = 0, t = 0; x < w; x++, t += 2) {
          tmp[dst + x] = xw[t] * src[base + xi[t] * ch] + xw[t + 1] * src[base + xi[t + 1] * ch];
        }
      } else {
        for (let x = 0, t = 0; x < w; x++, t += xn) {
          let acc = 0;
          for (let k = 0; k < xn; k++) acc += xw[t + k] * src[base + xi[t + k] * ch];
          tmp[dst + x] = acc;
        }
      }
    }
  }

  const isInt = spec.dtype === 'int32';
  const plane = inH * inW;
  const nchw = spec.layout === 'NCHW';
  // Where model channel m's pixel (y, x) goes: m·chanStep + (y·inW + x)·pixStep.
  const chanStep = nchw ? plane : 1;
  const pixStep = nchw ? 1 : 3;
  const { index: yi, weight: yw, n: yn } = ty;
  for (let m = 0; m < 3; m++) {
    // Model channel m reads source channel c (RGB source; gray replicates).
    const c = ch === 1 ? 0 : spec.channelOrder === 'BGR' ? 2 - m : m;
    const mean = spec.mean[m];
    const std = spec.std[m];
    const chanBase = m * chanStep;
    const pad = isInt ? Math.round((spec.padValue - mean) / std) : (spec.padValue - mean) / std;
    const fill = (y: number, x0: number, x1: number): void => {
      for (let x = x0, o = chanBase + (y * inW + x0) * pixStep; x < x1; x++, o += pixStep) out[o] = pad;
    };
    for (let y = 0; y < inH; y++) {
      const sy = y - map.padY;
      if (sy < 0 || sy >= h) {
        fill(y, 0, inW);
        continue;
      }
      fill(y, 0, map.padX);
      fill(y, map.padX + w, inW);
      // Vertical pass for this output row, straight into the model input.
      const cBase = c * planeSize;
      const t = sy * yn;
      let o = chanBase + (y * inW + map.padX) * pixStep;
      if (yn === 2) {
        const r0 = cBase + yi[t] * w;
        const r1 = cBase + yi[t + 1] * w;
        const w0 = yw[t];
        const w1 = yw[t + 1];
        for (let x = 0; x < w; x++, o += pixStep) {
          const r = (w0 * tmp[r0 + x] + w1 * tmp[r1 + x] - mean) / std;
          out[o] = isInt ? Math.round(r) : r;
        }
      } else {
        for (let x = 0; x < w; x++, o += pixStep) {
          let acc = 0;
          for (let k = 0; k < yn; k++) acc += yw[t + k] * tmp[cBase + yi[t + k] * w + x];
          const r = (acc - mean) / std;
          out[o] = isInt ? Math.round(r) : r;
        }
      }
    }
  }
  return map;
}
