/**
 * Minimal PNG encoder (8-bit RGB or RGBA, non-interlaced) on node:zlib, so report images need no native
 * image library. Each row gets the adaptive filter that minimises the sum of absolute residuals (the
 * heuristic the PNG specification recommends), which matters for the nearest-neighbour enlarged stills:
 * their repeated rows filter to zeros with "Up".
 */
import { deflateSync } from 'node:zlib';
import { VigilError } from '../errors.js';

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters one row into `out` (length stride + 1) with the given type; returns the residual cost. */
function filterRow(type: number, row: Uint8Array, prev: Uint8Array | null, bpp: number, out: Uint8Array): number {
  out[0] = type;
  let cost = 0;
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp] : 0;
    const b = prev ? prev[i] : 0;
    const c = prev && i >= bpp ? prev[i - bpp] : 0;
    let v: number;
    switch (type) {
      case 0: v = row[i]; break;
      case 1: v = row[i] - a; break;
      case 2: v = row[i] - b; break;
      case 3: v = row[i] - ((a + b) >> 1); break;
      default: v = row[i] - paeth(a, b, c); break;
    }
    v &= 0xff;
    out[i + 1] = v;
    cost += v < 128 ? v : 256 - v;
  }
  return cost;
}

function rowsEqual(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Encodes interleaved 8-bit pixels (3 channels = RGB, 4 = RGBA) as a PNG file. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 3 | 4 = 3): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new VigilError('invalid_input', `PNG size must be positive integers, got ${width}×${height}.`);
  }
  const stride = width * channels;
  if (pixels.length !== stride * height) {
    throw new VigilError('invalid_input', `PNG pixel buffer has ${pixels.length} bytes, expected ${stride * height} for ${width}×${height}×${channels}.`);
  }
  const raw = new Uint8Array((stride + 1) * height);
  const candidates = [0, 1, 2, 3, 4].map(() => new Uint8Array(stride + 1));
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    // A row equal to the one above (every enlarged source row after its first copy) filters to zeros
    // with "Up": no need to try the others.
    if (prev && rowsEqual(row, prev)) {
      filterRow(2, row, prev, channels, candidates[2]);
      raw.set(candidates[2], y * (stride + 1));
      continue;
    }
    let best = 0;
    let bestCost = Infinity;
    for (let t = 0; t < 5; t++) {
      const cost = filterRow(t, row, prev, channels, candidates[t]);
      if (cost < bestCost) {
        bestCost = cost;
        best = t;
      }
    }
    raw.set(candidates[best], y * (stride + 1));
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 4 ? 6 : 2; // colour type: truecolour (+alpha)
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const idat = deflateSync(raw, { level: 9 });
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const pngDataUri = (png: Uint8Array): string => `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
