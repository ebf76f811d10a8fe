/**
 * Colour maps for the anomaly heatmap, as 256-entry RGBA lookup tables built from key stops (linear
 * interpolation in sRGB). Low scores fade to transparent so the picture stays readable under the map.
 */

const STOPS = {
  // matplotlib "inferno" (perceptually uniform, dark to bright: reads as intensity)
  inferno: ['#000004', '#160b39', '#420a68', '#6a176e', '#932667', '#bc3754', '#dd513a', '#f37819', '#fca50a', '#f6d746', '#fcffa4'],
  // Google "turbo" (rainbow-like, high contrast between levels)
  turbo: ['#30123b', '#4669d9', '#3aa3fc', '#1ae4b6', '#72fe5e', '#c8ef34', '#faba39', '#e4460a', '#7a0403'],
  // thermal camera style: black → red → yellow → white
  hot: ['#000000', '#8f0000', '#ff1a00', '#ff8c00', '#ffe100', '#ffffff'],
} as const;

export type ColormapName = keyof typeof STOPS;
export const COLORMAPS: Record<ColormapName, string> = { inferno: 'Inferno', turbo: 'Turbo', hot: 'Thermal' };

/** Below this normalised score a heat cell is fully transparent (noise floor of the map). */
export const HEAT_FLOOR = 0.04;
/** At and above this normalised score a cell gets the full chosen opacity. */
const HEAT_FULL = 0.5;

function hex(c: string): [number, number, number] {
  const n = parseInt(c.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const luts = new Map<ColormapName, Uint8Array>();

/** RGB lookup table (256 × 3) of a colour map. */
export function colormapLut(name: ColormapName): Uint8Array {
  let lut = luts.get(name);
  if (lut) return lut;
  const stops = STOPS[name].map(hex);
  lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const pos = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(pos));
    const f = pos - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k][c] + (stops[k + 1][c] - stops[k][c]) * f);
  }
  luts.set(name, lut);
  return lut;
}

/** Opacity (0..1) of a heat value 0..255 at the user's overall opacity. */
export function heatAlpha(value: number, opacity: number): number {
  const v = value / 255;
  if (v <= HEAT_FLOOR) return 0;
  const t = Math.min(1, (v - HEAT_FLOOR) / (HEAT_FULL - HEAT_FLOOR));
  return opacity * t * t * (3 - 2 * t);
}

/** A heat grid (uint8, row-major) as RGBA pixels, ready for an ImageData of the same size. */
export function heatToRgba(grid: Uint8Array, name: ColormapName, opacity: number, out?: Uint8ClampedArray): Uint8ClampedArray {
  const lut = colormapLut(name);
  const px = out && out.length === grid.length * 4 ? out : new Uint8ClampedArray(grid.length * 4);
  const alpha = new Uint8Array(256);
  for (let v = 0; v < 256; v++) alpha[v] = Math.round(heatAlpha(v, opacity) * 255);
  for (let i = 0; i < grid.length; i++) {
    const v = grid[i];
    const o = i * 4;
    px[o] = lut[v * 3];
    px[o + 1] = lut[v * 3 + 1];
    px[o + 2] = lut[v * 3 + 2];
    px[o + 3] = alpha[v];
  }
  return px;
}

/** CSS gradient stops of a colour map (for the legend). */
export function colormapCss(name: ColormapName): string {
  const s = STOPS[name];
  return `linear-gradient(to right, ${s.map((c, i) => `${c} ${Math.round((i / (s.length - 1)) * 100)}%`).join(', ')})`;
}

/** Decodes the engine's base64 heat grid. */
export function decodeBase64(data: string): Uint8Array {
  const bin = atob(data);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
