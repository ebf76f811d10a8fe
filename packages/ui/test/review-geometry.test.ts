import { describe, expect, it } from 'vitest';
import { framesAhead, nearestAnalysedFrame, nearestIndex } from '../src/lib/frames';
import { clampPan, clientToSource, containRect, hitBox, IDENTITY, MAX_ZOOM, zoomAt } from '../src/player/view-transform';
import { clampView, curvePath, follow, fullView, MIN_SPAN_S, panView, tickLabel, ticks, tOf, xOf, zoomView } from '../src/timeline/timeline-math';

describe('analysed-frame lookups', () => {
  const frames = [0, 2, 3, 5, 6, 8];
  it('finds the nearest analysed frame, ties to the earlier one', () => {
    expect(nearestAnalysedFrame(frames, 4)).toBe(3);
    expect(nearestAnalysedFrame(frames, 7)).toBe(6);
    expect(nearestAnalysedFrame(frames, 1)).toBe(0);
    expect(nearestAnalysedFrame(frames, 100)).toBe(8);
    expect(nearestAnalysedFrame(frames, -3)).toBe(0);
    expect(nearestAnalysedFrame([], 3)).toBeNull();
    expect(nearestIndex(frames, 5)).toBe(3);
  });
  it('lists the frames after a frame for fetching ahead', () => {
    expect(framesAhead(frames, 3, 2)).toEqual([5, 6]);
    expect(framesAhead(frames, 4, 10)).toEqual([5, 6, 8]);
    expect(framesAhead(frames, 8, 3)).toEqual([]);
  });
});

describe('picture geometry', () => {
  it('fits the source into the stage, centred, keeping its aspect', () => {
    const wide = containRect(800, 400, 320, 240);
    expect(wide.h).toBe(400);
    expect(wide.w).toBeCloseTo(400 * (4 / 3));
    expect(wide.x).toBeCloseTo((800 - 400 * (4 / 3)) / 2);
    expect(wide.y).toBe(0);
    const tall = containRect(300, 900, 320, 240);
    expect(tall.w).toBe(300);
    expect(tall.h).toBeCloseTo(225);
    expect(tall.y).toBeCloseTo((900 - 225) / 2);
  });

  it('zooms around the pointer: the source point under it stays under it', () => {
    const frame = { x: 0, y: 0, w: 640, h: 480 };
    const px = 200;
    const py = 150;
    const before = { ux: (px - IDENTITY.tx) / IDENTITY.scale, uy: (py - IDENTITY.ty) / IDENTITY.scale };
    const z = zoomAt(IDENTITY, 2, px, py, frame);
    expect(z.scale).toBe(2);
    expect(z.tx + before.ux * z.scale).toBeCloseTo(px);
    expect(z.ty + before.uy * z.scale).toBeCloseTo(py);
    // Clamped at both ends, and never panned past the frame's own edges.
    expect(zoomAt(z, 100, px, py, frame).scale).toBe(MAX_ZOOM);
    expect(zoomAt(z, 0.01, px, py, frame)).toEqual({ scale: 1, tx: 0, ty: 0 });
    expect(clampPan({ scale: 2, tx: 50, ty: -5000 }, frame)).toEqual({ scale: 2, tx: 0, ty: -480 });
  });

  it('maps a pointer on the shown (zoomed) frame to source pixels', () => {
    // A 320×240 source shown 2× zoomed at (100, 50) on screen: 1280×960 on screen.
    const shown = { x: 100, y: 50, w: 1280, h: 960 };
    expect(clientToSource(100, 50, shown, 320, 240)).toEqual([0, 0]);
    expect(clientToSource(100 + 640, 50 + 480, shown, 320, 240)).toEqual([160, 120]);
  });

  it('hit-tests boxes, preferring the smallest where they overlap', () => {
    const boxes: [number, number, number, number][] = [
      [0, 0, 100, 100],
      [40, 40, 60, 60],
    ];
    expect(hitBox(boxes, 50, 50)).toBe(1);
    expect(hitBox(boxes, 10, 10)).toBe(0);
    expect(hitBox(boxes, 150, 10)).toBe(-1);
    expect(hitBox(boxes, 102, 50, 3)).toBe(0);
  });
});

describe('timeline window', () => {
  const d = 120;
  it('zooms around a time, keeping it at the same place on screen', () => {
    const v = fullView(d);
    const at = 30;
    const z = zoomView(v, 0.5, at, d);
    expect(z.end - z.start).toBeCloseTo(60);
    expect(xOf(at, z, 1000)).toBeCloseTo(xOf(at, v, 1000));
    expect(tOf(xOf(at, z, 1000), z, 1000)).toBeCloseTo(at);
  });
  it('stays inside the footage and above the minimum span', () => {
    expect(clampView({ start: -10, end: 20 }, d)).toEqual({ start: 0, end: 30 });
    expect(clampView({ start: 110, end: 140 }, d)).toEqual({ start: 90, end: 120 });
    const tiny = zoomView(fullView(d), 1e-6, 60, d);
    expect(tiny.end - tiny.start).toBeCloseTo(MIN_SPAN_S);
    expect(panView({ start: 100, end: 110 }, 50, d)).toEqual({ start: 110, end: 120 });
  });
  it('follows the playhead only when it leaves the window', () => {
    const v = { start: 10, end: 20 };
    expect(follow(v, 15, d)).toBe(v);
    const moved = follow(v, 25, d);
    expect(moved.start).toBeLessThan(25);
    expect(moved.end).toBeGreaterThan(25);
    expect(moved.end - moved.start).toBeCloseTo(10);
  });
  it('spaces ticks at least the minimum apart and labels them', () => {
    const { step, times } = ticks({ start: 0, end: 120 }, 800, 72);
    expect((step / 120) * 800).toBeGreaterThanOrEqual(72);
    expect(times[0]).toBe(0);
    expect(times.at(-1)).toBeLessThanOrEqual(120);
    expect(tickLabel(75, 15)).toBe('1:15');
    expect(tickLabel(2.5, 0.5)).toBe('0:02.5');
  });
  it('draws the curve with one point per pixel column, keeping peaks', () => {
    const times = Array.from({ length: 1000 }, (_, i) => i / 100);
    const values = times.map((_, i) => (i === 501 ? 1 : 0));
    const p = curvePath(times, values, { start: 0, end: 10 }, 100, 50, 1)!;
    const points = p.line.split(/[ML]/).filter(Boolean);
    expect(points.length).toBeLessThanOrEqual(101);
    // The single-sample peak survives decimation at y = 0 (the top).
    expect(points.some((pt) => pt.trim().endsWith(' 0.0'))).toBe(true);
    expect(p.area.endsWith('Z')).toBe(true);
    expect(curvePath([], [], { start: 0, end: 1 }, 100, 50, 1)).toBeNull();
  });
});
