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

/**
 * Writes the model input for `frame` into `out` (one batch item) and returns the coordinate map.
 */
export function letterbox(frame: Frame, spec: InputSpec, out: Float32Array | Int32Array): LetterboxMap {
  validateFrame(frame);
  const [inH, inW] = spec.size;
  const map = letterboxMap(frame.width, frame.height, spec);
  const w = Math.round(frame.width * map.scaleX);
  const h = Math.round(frame.height * map.scaleY);
  const ch = frame.channels;
  const src = frame.data;
  const tx = taps(frame.width, w);
  const ty = taps(frame.height, h);

  // Horizontal pass: src rows → tmp (h_src × w × ch).
  const tmp = new Float32Array(frame.height * w * ch);
  for (let y = 0; y < frame.height; y++) {
    const rowIn = y * frame.width * ch;
    const rowOut = y * w * ch;
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < ch; c++) {
        let acc = 0;
        for (let k = 0; k < tx.n; k++) acc += tx.weight[x * tx.n + k] * src[rowIn + tx.index[x * tx.n + k] * ch + c];
        tmp[rowOut + x * ch + c] = acc;
      }
    }
  }

  // Model channel m reads source channel srcCh[m] (RGB source; gray replicates).
  const srcCh = [0, 1, 2].map((m) => (ch === 1 ? 0 : spec.channelOrder === 'BGR' ? 2 - m : m));
  const isInt = spec.dtype === 'int32';
  const norm = (v: number, m: number) => {
    const r = (v - spec.mean[m]) / spec.std[m];
    return isInt ? Math.round(r) : r;
  };
  const plane = inH * inW;
  const nchw = spec.layout === 'NCHW';
  const at = (y: number, x: number, m: number) => (nchw ? m * plane + y * inW + x : (y * inW + x) * 3 + m);
  const padVals = [0, 1, 2].map((m) => norm(spec.padValue, m));
  if (map.padX > 0 || map.padY > 0 || w < inW || h < inH) {
    for (let m = 0; m < 3; m++) {
      for (let i = 0; i < plane; i++) out[nchw ? m * plane + i : i * 3 + m] = padVals[m];
    }
  }
  // Vertical pass straight into the model input.
  for (let y = 0; y < h; y++) {
    const oy = y + map.padY;
    for (let x = 0; x < w; x++) {
      const ox = x + map.padX;
      for (let m = 0; m < 3; m++) {
        const c = srcCh[m];
        let acc = 0;
        for (let k = 0; k < ty.n; k++) acc += ty.weight[y * ty.n + k] * tmp[(ty.index[y * ty.n + k] * w + x) * ch + c];
        out[at(oy, ox, m)] = norm(acc, m);
      }
    }
  }
  return map;
}
