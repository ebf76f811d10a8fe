import { describe, expect, it } from 'vitest';
import { decimate, timelineSvg, trajectorySvg } from '../../src/report/charts.js';

describe('report figures', () => {
  it('decimates a long score series to a bounded size while keeping every local extreme', () => {
    const pts: [number, number][] = Array.from({ length: 100_000 }, (_, i) => [i / 10, Math.sin(i / 50) * 0.3 + 0.3]);
    pts[54_321][1] = 5; // a one-sample spike
    pts[77_777][1] = -1;
    const out = decimate(pts, 500);
    expect(out.length).toBeLessThanOrEqual(2000);
    expect(out).toContainEqual([5432.1, 5]);
    expect(out).toContainEqual([7777.7, -1]);
    expect(out[0]).toEqual(pts[0]);
    expect(out.at(-1)).toEqual(pts.at(-1));
    for (let i = 1; i < out.length; i++) expect(out[i][0]).toBeGreaterThan(out[i - 1][0]);
  });

  it('draws events as labelled bands, thresholds as dashed lines, and escapes labels', () => {
    const scores = Array.from({ length: 200 }, (_, i) => ({ frame: i, time: i / 10, raw: i > 100 && i < 120 ? 0.9 : 0.1, smoothed: i > 100 && i < 120 ? 0.8 : 0.1 }));
    const svg = timelineSvg({
      scores, durationS: 20, enterThreshold: 0.6, exitThreshold: 0.4,
      events: [{ label: 'E<1>', startTime: 10.1, endTime: 11.9, reviewState: 'confirmed' }],
    });
    expect(svg).toContain('E&lt;1&gt;');
    expect(svg).not.toContain('E<1>');
    expect(svg).toMatch(/event threshold 0\.6/);
    expect(svg).toMatch(/exit threshold 0\.4/);
    expect((svg.match(/<polyline/g) ?? []).length).toBe(2);
    expect((svg.match(/stroke-dasharray/g) ?? []).length).toBe(2);
  });

  it('labels crowded events without overlap and leaves out what does not fit', () => {
    const events = Array.from({ length: 30 }, (_, i) => ({ label: `E${i + 1}`, startTime: i * 0.1, endTime: i * 0.1 + 0.05, reviewState: 'unreviewed' as const }));
    const svg = timelineSvg({ scores: [], durationS: 600, enterThreshold: null, exitThreshold: null, events });
    expect((svg.match(/<rect [^>]*fill-opacity="0.22"/g) ?? []).length).toBe(30);
    const labels = svg.match(/>E\d+</g) ?? [];
    expect(labels.length).toBeGreaterThanOrEqual(1);
    expect(labels.length).toBeLessThan(30);
  });

  it('draws event tracks in colour with arrow heads and context tracks in white', () => {
    const svg = trajectorySvg({
      width: 320, height: 240, background: null, printWidthMm: 140,
      paths: [
        { trackId: 4, label: 'person', points: [[10, 10], [100, 50], [200, 60]], event: 'E2', colorIndex: 0 },
        { trackId: 9, label: 'car', points: [[0, 200], [300, 200]], event: null, colorIndex: 0 },
      ],
    });
    expect(svg).toContain('marker-end="url(#arrow-4)"');
    expect(svg).toContain('>E2 #4<');
    expect(svg).toContain('stroke="#ffffff"');
    expect(svg).toContain('stroke="#e69f00"');
  });
});
