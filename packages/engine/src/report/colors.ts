/**
 * Colours shared by the burnt-in stills and the vector figures, so a track has the same colour in every
 * image of a report. Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
 */
import type { Rgb } from './raster.js';

const TRACK_PALETTE: readonly Rgb[] = [
  [230, 159, 0],
  [86, 180, 233],
  [0, 158, 115],
  [240, 228, 66],
  [213, 94, 0],
  [204, 121, 167],
  [0, 114, 178],
];

/** Colour of the i-th highlighted track of an event (cycled). */
export const trackColor = (i: number): Rgb => TRACK_PALETTE[((i % TRACK_PALETTE.length) + TRACK_PALETTE.length) % TRACK_PALETTE.length];

/** Boxes of objects that are not part of the event. */
export const CONTEXT_COLOR: Rgb = [190, 190, 190];

export const hex = (c: Rgb): string => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
