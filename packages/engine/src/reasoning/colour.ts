/**
 * Dominant colour names of an object, measured from the pixels inside its box. Each pixel of the inner
 * part of the box (the border is mostly background) is converted to HSV and named; names holding at
 * least `minShare` of the pixels are the object's colours, strongest first. Footage whose pixels carry no
 * chroma (gray cameras, IR at night) is reported as such instead of being called "gray".
 */
import type { Box } from '../analysis/types.js';
import type { ColourName } from './lexicon.js';

export interface ColourMeasure {
  /** Names holding ≥ minShare of the measured pixels, strongest first, with their share 0..1. */
  colours: { name: ColourName; share: number }[];
  /** The whole measured region has (almost) no chroma: the footage is monochrome. */
  monochrome: boolean;
  /** Mean brightness 0..1 (useful on monochrome footage: "dark" / "light"). */
  brightness: number;
  pixels: number;
}

function hsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max / 255;
  const d = max - min;
  const s = max === 0 ? 0 : d / max;
  let h = 0;
  if (d > 0) {
    if (max === r) h = ((g - b) / d) % 6;
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
    h *= 60;
    if (h < 0) h += 360;
  }
  return [h, s, v];
}

/** Colour name of one RGB pixel. */
export function nameOfPixel(r: number, g: number, b: number): ColourName {
  const [h, s, v] = hsv(r, g, b);
  if (v < 0.18) return 'black';
  if (s < 0.18 || (v < 0.3 && s < 0.35)) return v > 0.82 ? 'white' : 'gray';
  if (h < 15 || h >= 345) return v < 0.45 ? 'brown' : s < 0.5 && v > 0.7 ? 'pink' : 'red';
  if (h < 40) return v < 0.6 ? 'brown' : 'orange';
  if (h < 70) return v < 0.45 ? 'brown' : 'yellow';
  if (h < 165) return 'green';
  if (h < 260) return 'blue';
  if (h < 300) return 'purple';
  return 'pink';
}

export interface RgbImage {
  width: number;
  height: number;
  /** Packed RGB24. */
  data: Uint8Array;
}

/** Chroma of a pixel below this (max − min of R, G, B) counts as neutral. */
const NEUTRAL_CHROMA = 12;

/**
 * Colours inside `box` of one or more frames (boxes in the frames' pixel coordinates). `inner` is the part
 * of the box kept on each side (0.6 keeps the central 60 %).
 */
export function measureColours(samples: { image: RgbImage; box: Box }[], opts: { inner?: number; minShare?: number } = {}): ColourMeasure {
  const inner = opts.inner ?? 0.6;
  const minShare = opts.minShare ?? 0.2;
  const counts = new Map<ColourName, number>();
  let n = 0;
  let chromatic = 0;
  let bright = 0;
  for (const { image, box } of samples) {
    const w = box[2] - box[0];
    const h = box[3] - box[1];
    const x0 = Math.max(0, Math.floor(box[0] + (w * (1 - inner)) / 2));
    const x1 = Math.min(image.width, Math.ceil(box[2] - (w * (1 - inner)) / 2));
    const y0 = Math.max(0, Math.floor(box[1] + (h * (1 - inner)) / 2));
    const y1 = Math.min(image.height, Math.ceil(box[3] - (h * (1 - inner)) / 2));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const o = (y * image.width + x) * 3;
        const r = image.data[o];
        const g = image.data[o + 1];
        const b = image.data[o + 2];
        if (Math.max(r, g, b) - Math.min(r, g, b) > NEUTRAL_CHROMA) chromatic++;
        bright += (r + g + b) / 765;
        const name = nameOfPixel(r, g, b);
        counts.set(name, (counts.get(name) ?? 0) + 1);
        n++;
      }
    }
  }
  if (n === 0) return { colours: [], monochrome: false, brightness: 0, pixels: 0 };
  const colours = [...counts.entries()]
    .map(([name, c]) => ({ name, share: c / n }))
    .filter((c) => c.share >= minShare)
    .sort((a, b) => b.share - a.share);
  return { colours, monochrome: chromatic / n < 0.02, brightness: bright / n, pixels: n };
}

/** Whether a frame carries colour at all (share of pixels with visible chroma). */
export function frameIsMonochrome(image: RgbImage): boolean {
  let chromatic = 0;
  const n = image.width * image.height;
  // Every 7th pixel is plenty for a whole-frame decision.
  let seen = 0;
  for (let i = 0; i < n; i += 7) {
    const o = i * 3;
    if (Math.max(image.data[o], image.data[o + 1], image.data[o + 2]) - Math.min(image.data[o], image.data[o + 1], image.data[o + 2]) > NEUTRAL_CHROMA) chromatic++;
    seen++;
  }
  return chromatic / seen < 0.01;
}
