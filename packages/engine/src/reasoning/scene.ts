/**
 * Positions in scene terms: where in the picture a box is (left/centre/right × top/middle/bottom), how
 * near the camera (for the usual elevated camera, lower in the picture is nearer), and which user zones
 * contain it. Zones and boxes are in source pixels; an object is "in" a zone when its ground point (the
 * bottom-centre of its box) is inside the polygon, because that is where it stands.
 */
import type { Box } from '../analysis/types.js';

export type Point = [number, number];

export interface ScenePosition {
  horizontal: 'left' | 'centre' | 'right';
  vertical: 'top' | 'middle' | 'bottom';
  depth: 'far' | 'middle distance' | 'near';
  /** "the lower left of the view, near the camera". */
  text: string;
}

export function groundPoint(b: Box): Point {
  return [(b[0] + b[2]) / 2, b[3]];
}

export function boxCentre(b: Box): Point {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}

export function describePosition(b: Box, width: number, height: number): ScenePosition {
  const [cx, cy] = boxCentre(b);
  const gy = b[3];
  const horizontal = cx < width / 3 ? 'left' : cx > (2 * width) / 3 ? 'right' : 'centre';
  const vertical = cy < height / 3 ? 'top' : cy > (2 * height) / 3 ? 'bottom' : 'middle';
  const depth = gy < height * 0.4 ? 'far' : gy > height * 0.75 ? 'near' : 'middle distance';
  const vWord = vertical === 'top' ? 'upper' : vertical === 'bottom' ? 'lower' : '';
  let area: string;
  if (horizontal === 'centre' && vertical === 'middle') area = 'the centre of the view';
  else if (horizontal === 'centre') area = `the ${vWord} middle of the view`;
  else if (vertical === 'middle') area = `the ${horizontal} part of the view`;
  else area = `the ${vWord} ${horizontal} of the view`;
  const depthText = depth === 'far' ? 'far from the camera' : depth === 'near' ? 'near the camera' : 'at middle distance';
  return { horizontal, vertical, depth, text: `${area}, ${depthText}` };
}

/** Whether a scene position matches a side word from a question ("left", "top", "near", ...). */
export function positionMatchesSide(p: ScenePosition, side: string): boolean {
  switch (side) {
    case 'left':
    case 'right':
      return p.horizontal === side;
    case 'centre':
      return p.horizontal === 'centre' || p.vertical === 'middle';
    case 'top':
      return p.vertical === 'top';
    case 'bottom':
      return p.vertical === 'bottom';
    case 'near':
      return p.depth === 'near';
    case 'far':
      return p.depth === 'far';
    default:
      return false;
  }
}

/** Even-odd rule point-in-polygon (the polygon is closed implicitly). */
export function pointInPolygon(p: Point, poly: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function polygonArea(poly: readonly Point[]): number {
  let a = 0;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) a += (poly[j][0] + poly[i][0]) * (poly[j][1] - poly[i][1]);
  return Math.abs(a) / 2;
}

/** Heading name of a direction in degrees (0 = right, 90 = down in image coordinates). */
export function headingName(deg: number): string {
  const names = ['right', 'lower right', 'down', 'lower left', 'left', 'upper left', 'up', 'upper right'];
  return names[Math.round((((deg % 360) + 360) % 360) / 45) % 8];
}

/** Smallest absolute difference of two directions, degrees 0..180. */
export function angleDiff(a: number, b: number): number {
  const d = Math.abs((((a - b) % 360) + 540) % 360 - 180);
  return d;
}

export { iou as boxIou } from '../analysis/geometry.js';
