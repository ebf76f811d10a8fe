/**
 * Pictures of a YUV frame (the frame reader's 'yuv420p' / 'yuv422p' formats, full-range samples): the
 * gray picture is its Y plane as is; the colour picture is computed only for the frames that need it.
 *
 * The colour conversion is BT.601, the matrix ffmpeg's swscale applies by default when asked for rgb24
 * (footage that does not declare another one). The samples arrive at full range (ffmpeg converted them
 * from the stream's limited range, which is what makes Y equal to the 'gray' format), so the full-range
 * form of the matrix applies: R = Y + 1.402 V', G = Y − 0.344136 U' − 0.714136 V', B = Y + 1.772 U',
 * with U' = U − 128, V' = V − 128. Each chroma sample covers the 2×2 (4:2:0) or 2×1 (4:2:2) pixels it
 * was sampled from, as in swscale's own rgb24 output.
 *
 * Which layout reproduces ffmpeg's rgb24: swscale makes rgb24 from the chroma it has at the output size.
 * At unchanged size that is the source's 4:2:0 chroma; when resizing it resamples chroma to half the
 * output width but the full output height, i.e. 4:2:2 (a 4:2:0 picture then loses half that vertical
 * chroma detail, visible at sharp colour edges).
 */
import type { Frame, YuvFrame } from './frame-reader.js';

export interface YuvPlanes {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
  chromaWidth: number;
  chromaHeight: number;
}

/** Y, U and V planes of a YUV frame (views into its data). */
export function yuvPlanes(frame: YuvFrame): YuvPlanes {
  const { width: w, height: h, data } = frame;
  const cw = (w + 1) >> 1;
  const ch = frame.format === 'yuv420p' ? (h + 1) >> 1 : h;
  const ySize = w * h;
  const cSize = cw * ch;
  if (data.length !== ySize + 2 * cSize) {
    throw new RangeError(`A ${w}×${h} ${frame.format} frame has ${ySize + 2 * cSize} bytes, not ${data.length}.`);
  }
  return {
    y: data.subarray(0, ySize),
    u: data.subarray(ySize, ySize + cSize),
    v: data.subarray(ySize + cSize, ySize + 2 * cSize),
    chromaWidth: cw,
    chromaHeight: ch,
  };
}

/** The gray picture of a YUV frame: its Y plane (a view, not a copy). */
export function yuvLuma(frame: YuvFrame): Uint8Array {
  return frame.data.subarray(0, frame.width * frame.height);
}

// Chroma terms in 1/65536 units, per 8-bit sample value (integer arithmetic, one rounding per channel).
const FIX = 16;
const HALF = 1 << (FIX - 1);
const R_V = new Int32Array(256);
const G_U = new Int32Array(256);
const G_V = new Int32Array(256);
const B_U = new Int32Array(256);
for (let c = 0; c < 256; c++) {
  R_V[c] = Math.round(1.402 * (c - 128) * (1 << FIX));
  G_U[c] = Math.round(-0.344136 * (c - 128) * (1 << FIX));
  G_V[c] = Math.round(-0.714136 * (c - 128) * (1 << FIX));
  B_U[c] = Math.round(1.772 * (c - 128) * (1 << FIX));
}

const clamp8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** The colour picture of a YUV frame as an rgb24 frame (into `out` when given, width × height × 3 bytes). */
export function yuvToRgb(frame: YuvFrame, out?: Uint8Array): Frame {
  const { width: w, height: h } = frame;
  const { y, u, v, chromaWidth: cw } = yuvPlanes(frame);
  const rowShift = frame.format === 'yuv420p' ? 1 : 0;
  const rgb = out ?? new Uint8Array(w * h * 3);
  if (rgb.length !== w * h * 3) throw new RangeError(`The RGB buffer must hold ${w * h * 3} bytes, not ${rgb.length}.`);
  for (let row = 0; row < h; row++) {
    const cRow = (row >> rowShift) * cw;
    let yi = row * w;
    let o = yi * 3;
    for (let x = 0; x < w; x++, yi++, o += 3) {
      const ci = cRow + (x >> 1);
      const uu = u[ci];
      const vv = v[ci];
      const l = (y[yi] << FIX) + HALF;
      rgb[o] = clamp8((l + R_V[vv]) >> FIX);
      rgb[o + 1] = clamp8((l + G_U[uu] + G_V[vv]) >> FIX);
      rgb[o + 2] = clamp8((l + B_U[uu]) >> FIX);
    }
  }
  return { index: frame.index, time: frame.time, width: w, height: h, channels: 3, data: rgb };
}
