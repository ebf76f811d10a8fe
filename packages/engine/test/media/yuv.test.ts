/**
 * The 'yuv420p' frame format against ffmpeg's own outputs: its Y plane is the 'gray' picture byte for
 * byte, and yuvToRgb reproduces ffmpeg's rgb24 conversion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFrames, type Frame, type YuvFrame } from '../../src/media/frame-reader.js';
import { yuvLuma, yuvPlanes, yuvToRgb } from '../../src/media/yuv.js';
import { makeClip, makeTempDir } from '../helpers/media.js';

let cleanup: () => Promise<void>;
let colour: string; // testsrc2: saturated colour bars and sharp colour edges
beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = await makeTempDir());
  colour = await makeClip(dir, { name: 'colour.mp4', seconds: 0.2, fps: 25, width: 320, height: 180, content: 'testsrc2' });
});
afterAll(() => cleanup());

async function collect<F extends Frame | YuvFrame>(it: AsyncIterable<F>): Promise<F[]> {
  const out: F[] = [];
  for await (const f of it) out.push(f);
  return out;
}

/** Absolute differences of two byte arrays: largest and mean. */
function diff(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

describe('yuv frames', () => {
  it('have planes of the documented sizes and a Y plane identical to the gray format', async () => {
    for (const size of [{}, { width: 96 }, { width: 150 }]) {
      const gray = await collect(readFrames(colour, { format: 'gray', ...size }));
      for (const format of ['yuv420p', 'yuv422p'] as const) {
        const yuv = await collect(readFrames(colour, { format, ...size }));
        expect(yuv.map((f) => [f.index, f.time, f.format])).toEqual(gray.map((f) => [f.index, f.time, format]));
        yuv.forEach((f, i) => {
          const { u, v, chromaWidth, chromaHeight } = yuvPlanes(f);
          expect([chromaWidth, chromaHeight]).toEqual([(f.width + 1) >> 1, format === 'yuv420p' ? (f.height + 1) >> 1 : f.height]);
          expect(u.length + v.length).toBe(2 * chromaWidth * chromaHeight);
          expect(Buffer.compare(Buffer.from(yuvLuma(f)), Buffer.from(gray[i].data))).toBe(0);
        });
      }
    }
  });

  // Bounds against ffmpeg's own rgb24: the full-range samples are rounded to 8 bits (±0.5 each, through
  // coefficients up to 1.772: up to ±1.4 per channel) and ffmpeg's fixed-point conversion rounds too (±1),
  // so 3 levels at unchanged size; when resizing, swscale converts from its higher-precision scaled
  // samples instead of 8-bit ones, which adds up to about 2 levels more.
  it('4:2:0 converts to RGB like ffmpeg does at unchanged size (within 3 levels)', async () => {
    const rgb = await collect(readFrames(colour, { format: 'rgb24' }));
    const yuv = await collect(readFrames(colour, { format: 'yuv420p' }));
    yuv.forEach((f, i) => {
      const mine = yuvToRgb(f);
      expect([mine.index, mine.time, mine.width, mine.height, mine.channels]).toEqual([rgb[i].index, rgb[i].time, rgb[i].width, rgb[i].height, 3]);
      const d = diff(mine.data, rgb[i].data);
      expect(d.max).toBeLessThanOrEqual(3);
      expect(d.mean).toBeLessThan(1);
    });
  });

  it('4:2:2 converts to RGB like ffmpeg does when shrinking (within 5 levels); 4:2:0 loses chroma rows there', async () => {
    for (const width of [160, 96]) {
      const rgb = await collect(readFrames(colour, { format: 'rgb24', width }));
      const yuv422 = await collect(readFrames(colour, { format: 'yuv422p', width }));
      const yuv420 = await collect(readFrames(colour, { format: 'yuv420p', width }));
      yuv422.forEach((f, i) => {
        const d422 = diff(yuvToRgb(f).data, rgb[i].data);
        expect(d422.max).toBeLessThanOrEqual(5);
        expect(d422.mean).toBeLessThan(1.5);
        // testsrc2's sharp colour edges: half the chroma rows cannot reproduce them.
        expect(diff(yuvToRgb(yuv420[i]).data, rgb[i].data).max).toBeGreaterThan(20);
      });
    }
  });

  it('refuses buffers of the wrong size', async () => {
    const [f] = await collect(readFrames(colour, { format: 'yuv420p', endFrame: 0 }));
    expect(() => yuvToRgb({ ...f, data: f.data.subarray(1) })).toThrow(/yuv420p frame has/);
    expect(() => yuvToRgb({ ...f, format: 'yuv422p' })).toThrow(/yuv422p frame has/);
    expect(() => yuvToRgb(f, new Uint8Array(5))).toThrow(/RGB buffer/);
  });
});
