import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/media/ffmpeg-path.js';
import { crc32, encodePng } from '../../src/report/png.js';
import { blendHeatmap, createImage, drawText, heatColor, resample, strokePolyline, strokeRect } from '../../src/report/raster.js';
import { composeStill, stillSize } from '../../src/report/still.js';
import { frameRuns } from '../../src/report/keyframes.js';
import { trackColor, CONTEXT_COLOR } from '../../src/report/colors.js';
import { tempDir } from '../helpers/tmp.js';

/** Decodes a PNG with ffmpeg (an independent decoder) into packed RGB24 bytes. */
function decodeWithFfmpeg(file: string): Buffer {
  return execFileSync(resolveFfmpeg().path, ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });
}

const px = (img: { width: number; data: Uint8Array }, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

describe('PNG encoder', () => {
  const dir = tempDir();

  it('computes the standard CRC-32 check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips noisy, flat and gradient pixels exactly through an independent decoder', () => {
    const w = 67; // odd width: rows are not word aligned
    const h = 41;
    const data = new Uint8Array(w * h * 3);
    let seed = 12345;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 3;
        seed = (seed * 1103515245 + 12345) >>> 0;
        if (y < 14) data.set([seed & 255, (seed >> 8) & 255, (seed >> 16) & 255], i); // noise
        else if (y < 28) data.set([200, 30, 90], i); // flat
        else data.set([x * 3, y * 5, (x + y) & 255], i); // gradient
      }
    }
    const file = join(dir, 'rt.png');
    writeFileSync(file, encodePng(data, w, h));
    expect(Buffer.compare(decodeWithFfmpeg(file), Buffer.from(data))).toBe(0);
  });

  it('compresses an enlarged frame far below its raw size and still decodes exactly (repeated rows)', () => {
    const src = createImage(40, 30);
    for (let i = 0; i < src.data.length; i++) src.data[i] = (i * 37) & 255;
    const big = resample(src, 240, 180);
    const png = encodePng(big.data, big.width, big.height);
    expect(png.length).toBeLessThan(big.data.length / 10);
    const file = join(dir, 'big.png');
    writeFileSync(file, png);
    expect(Buffer.compare(decodeWithFfmpeg(file), Buffer.from(big.data))).toBe(0);
  });

  it('refuses a buffer that does not match the size', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2)).toThrow(/expected 12/);
  });
});

describe('raster drawing', () => {
  it('enlarges by pixel repetition without inventing values', () => {
    const src = createImage(2, 1);
    src.data.set([10, 20, 30, 200, 210, 220]);
    const out = resample(src, 8, 4);
    expect(px(out, 0, 0)).toEqual([10, 20, 30]);
    expect(px(out, 3, 3)).toEqual([10, 20, 30]);
    expect(px(out, 4, 0)).toEqual([200, 210, 220]);
    expect(new Set(Array.from(out.data)).size).toBe(6);
  });

  it('reduces by area averaging', () => {
    const src = createImage(4, 2, [0, 0, 0]);
    src.data.set([100, 100, 100], 0); // one of the four pixels of the left output pixel
    const out = resample(src, 2, 1);
    expect(px(out, 0, 0)).toEqual([25, 25, 25]);
    expect(px(out, 1, 0)).toEqual([0, 0, 0]);
  });

  it('maps heat low to dark violet and high to pale yellow, and leaves cold pixels untouched', () => {
    expect(heatColor(0)).toEqual([40, 11, 84]);
    expect(heatColor(1)).toEqual([252, 255, 164]);
    const img = createImage(20, 10, [50, 50, 50]);
    const heat = { width: 2, height: 1, data: Uint8Array.from([0, 255]) };
    blendHeatmap(img, heat);
    expect(px(img, 0, 5)).toEqual([50, 50, 50]);
    const hot = px(img, 19, 5);
    expect(hot[0]).toBeGreaterThan(150);
    expect(hot[1]).toBeGreaterThan(150);
  });

  it('draws clipped rectangles, dashed lines and text', () => {
    const img = createImage(50, 50);
    strokeRect(img, -10, 10, 20, 30, [255, 0, 0], 2);
    expect(px(img, 19, 20)).toEqual([255, 0, 0]); // right edge
    expect(px(img, 10, 20)).toEqual([0, 0, 0]); // inside stays
    strokePolyline(img, [[0, 45], [49, 45]], [0, 255, 0], { width: 1, dash: [5, 5] });
    expect(px(img, 2, 45)).toEqual([0, 255, 0]);
    expect(px(img, 7, 45)).toEqual([0, 0, 0]);
    const t = createImage(20, 10);
    drawText(t, 0, 0, '1', [255, 255, 255], 1);
    // Glyph '1' has its stem in column 2 on every row but the last.
    for (let y = 0; y < 7; y++) expect(px(t, 2, y)).toEqual([255, 255, 255]);
    expect(px(t, 0, 3)).toEqual([0, 0, 0]);
  });
});

describe('keyframe decoding plan', () => {
  it('groups wanted frames into runs decoded in one pass when they are close', () => {
    expect(frameRuns([300, 10, 12, 10, 140, 900], 130)).toEqual([[10, 140], [300, 300], [900, 900]]);
    expect(frameRuns([300, 10, 12, 10, 140, 900], 127)).toEqual([[10, 12], [140, 140], [300, 300], [900, 900]]);
    expect(frameRuns([], 10)).toEqual([]);
  });
});

describe('report stills', () => {
  it('picks an integer enlargement for small footage and caps large footage', () => {
    expect(stillSize(160, 120)).toEqual({ width: 960, height: 720 });
    expect(stillSize(238, 158)).toEqual({ width: 952, height: 632 });
    expect(stillSize(1920, 1080)).toEqual({ width: 1280, height: 720 });
  });

  it('burns in the event box in its track colour, context boxes in grey, and keeps other pixels', () => {
    const src = createImage(160, 120, [16, 16, 16]);
    const still = composeStill(src, {
      heat: null,
      observations: [
        { trackId: 7, frame: 10, time: 0.4, box: [100, 60, 120, 80], label: 'person', confidence: 1, score: 0.9, speed: 1, direction: 0 },
        { trackId: 3, frame: 10, time: 0.4, box: [20, 90, 40, 110], label: 'car', confidence: 1, score: 0.1, speed: 1, direction: 0 },
      ],
      paths: [{ trackId: 7, label: 'person', points: [[0, 10, 70], [10, 110, 70], [20, 150, 70]] }],
      highlight: [7],
      frame: 10,
    });
    expect(still.width).toBe(960);
    const s = 6;
    expect(px(still, 120 * s - 1, 75 * s)).toEqual([...trackColor(0)]); // right edge of the event box
    expect(px(still, 20 * s, 100 * s)).toEqual([...CONTEXT_COLOR]); // left edge of the context box
    expect(px(still, 60 * s, 20 * s)).toEqual([16, 16, 16]); // untouched background
    // The path: solid to the left of the current position at y = 70.
    expect(px(still, 50 * s, 70 * s)).toEqual([...trackColor(0)]);
  });
});
