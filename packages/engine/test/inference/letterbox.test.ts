/**
 * The letterbox against a plain per-pixel reference written from its definition: aspect-preserving
 * resize (bilinear with half-pixel centres down to half size, box averaging below), centred, border of the
 * pad value, channel order, normalisation, layout and dtype from the input spec.
 */
import { describe, expect, it } from 'vitest';
import { letterbox, letterboxMap } from '../../src/inference/letterbox.js';
import type { InputSpec } from '../../src/inference/manifest.js';
import type { Frame } from '../../src/media/frame-reader.js';
import { seeded } from '../models/reference.js';

/** Weights of source samples for output sample o of an axis (src → dst samples). */
function axisWeights(src: number, dst: number, o: number): Map<number, number> {
  const wts = new Map<number, number>();
  const scale = dst / src;
  if (scale >= 0.5) {
    const s = Math.min(Math.max((o + 0.5) / scale - 0.5, 0), src - 1);
    const i0 = Math.floor(s);
    const f = s - i0;
    wts.set(i0, 1 - f);
    const i1 = Math.min(i0 + 1, src - 1);
    wts.set(i1, (wts.get(i1) ?? 0) + f);
    return wts;
  }
  const a = o / scale;
  const b = (o + 1) / scale;
  for (let i = Math.floor(a); i < Math.min(Math.ceil(b), src); i++) wts.set(i, (Math.min(b, i + 1) - Math.max(a, i)) * scale);
  return wts;
}

function reference(frame: Frame, spec: InputSpec): Float64Array {
  const [inH, inW] = spec.size;
  const map = letterboxMap(frame.width, frame.height, spec);
  const w = Math.round(frame.width * map.scaleX);
  const h = Math.round(frame.height * map.scaleY);
  const out = new Float64Array(inH * inW * 3);
  for (let m = 0; m < 3; m++) {
    const c = frame.channels === 1 ? 0 : spec.channelOrder === 'BGR' ? 2 - m : m;
    for (let y = 0; y < inH; y++) {
      for (let x = 0; x < inW; x++) {
        const sy = y - map.padY;
        const sx = x - map.padX;
        let v = spec.padValue;
        if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
          v = 0;
          for (const [iy, wy] of axisWeights(frame.height, h, sy)) {
            for (const [ix, wx] of axisWeights(frame.width, w, sx)) v += wy * wx * frame.data[(iy * frame.width + ix) * frame.channels + c];
          }
        }
        const r = (v - spec.mean[m]) / spec.std[m];
        out[spec.layout === 'NCHW' ? m * inH * inW + y * inW + x : (y * inW + x) * 3 + m] = spec.dtype === 'int32' ? Math.round(r) : r;
      }
    }
  }
  return out;
}

const rnd = seeded(11);
function noiseFrame(width: number, height: number, channels: 1 | 3): Frame {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rnd() * 256);
  return { index: 0, time: 0, width, height, channels, data };
}

const nanodetLike: InputSpec = {
  name: 'input', shape: [1, 3, 64, 64], dtype: 'float32', layout: 'NCHW', size: [64, 64], channelOrder: 'BGR',
  mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395], resize: 'letterbox', padValue: 0,
};
const nhwcInt: InputSpec = {
  name: 'input', shape: [1, 48, 80, 3], dtype: 'int32', layout: 'NHWC', size: [48, 80], channelOrder: 'RGB',
  mean: [0, 0, 0], std: [1, 1, 1], resize: 'letterbox', padValue: 114,
};

describe('letterbox', () => {
  // Frames that enlarge, shrink mildly, shrink by more than 2× (box averaging), and are taller than wide.
  const sizes: Array<[number, number]> = [[48, 27], [96, 54], [200, 90], [30, 100], [64, 64]];

  for (const spec of [nanodetLike, nhwcInt]) {
    it(`matches the per-pixel reference (${spec.layout}, ${spec.dtype}, ${spec.channelOrder})`, () => {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      for (const [w, h] of sizes) {
        for (const ch of [3, 1] as const) {
          const frame = noiseFrame(w, h, ch);
          const out = spec.dtype === 'int32' ? new Int32Array(n).fill(-999) : new Float32Array(n).fill(Number.NaN);
          expect(letterbox(frame, spec, out)).toEqual(letterboxMap(w, h, spec));
          const ref = reference(frame, spec);
          let worst = 0;
          for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(out[i] - ref[i]));
          // float32 storage of the intermediate pass and of the input: ~1e-5 after normalisation; int32
          // inputs may round a value lying on .5 the other way.
          expect(worst, `${w}×${h}×${ch}`).toBeLessThanOrEqual(spec.dtype === 'int32' ? 1 : 1e-4);
        }
      }
    });
  }

  it('gives the same input whatever frame came before (reused scratch)', () => {
    const n = 3 * 64 * 64;
    const a = noiseFrame(96, 54, 3);
    const first = new Float32Array(n);
    letterbox(a, nanodetLike, first);
    letterbox(noiseFrame(200, 90, 3), nanodetLike, new Float32Array(n));
    letterbox(noiseFrame(30, 100, 1), nanodetLike, new Float32Array(n));
    const again = new Float32Array(n);
    letterbox(a, nanodetLike, again);
    expect(again).toEqual(first);
  });
});
