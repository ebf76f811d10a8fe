import { describe, expect, it } from 'vitest';
import { borderSide, summarizeTrajectory, type TrajectoryPoint } from '../../src/analysis/trajectory.js';

const W = 320;
const H = 240;
const box = (cx: number, cy: number): [number, number, number, number] => [cx - 6, cy - 15, cx + 6, cy + 15];

/** Points along a polyline at `speed` px per frame, 10 frames per second. */
function path(vertices: [number, number][], speed = 4): TrajectoryPoint[] {
  const pts: TrajectoryPoint[] = [];
  let t = 0;
  for (let v = 0; v + 1 < vertices.length; v++) {
    const [x0, y0] = vertices[v];
    const [x1, y1] = vertices[v + 1];
    const n = Math.max(1, Math.round(Math.hypot(x1 - x0, y1 - y0) / speed));
    for (let k = 0; k < n; k++) {
      pts.push({ time: t, box: box(x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n) });
      t += 0.1;
    }
  }
  const [xl, yl] = vertices[vertices.length - 1];
  pts.push({ time: t, box: box(xl, yl) });
  return pts;
}

const ctx = { width: W, height: H, startsWithFootage: false, endsWithFootage: false };

describe('summarizeTrajectory', () => {
  it('enters from the right, heads left, turns toward the upper-right and exits at the top', () => {
    const s = summarizeTrajectory(path([[314, 150], [160, 150], [250, 60], [250, 15]]), ctx);
    expect(s.entry).toBe('right');
    expect(s.exit).toBe('top');
    expect(s.turns).toEqual(['upper-right', 'up']);
    expect(s.text).toBe('enters from the right → heads left → turns toward the upper-right → turns toward the top → exits at the top');
  });

  it('reports stopping and staying, and an object still in view at the end', () => {
    const pts = path([[6, 120], [160, 120]]);
    const last = pts[pts.length - 1];
    for (let k = 1; k <= 60; k++) pts.push({ time: last.time + k * 0.1, box: box(160 + (k % 2), 120) });
    const s = summarizeTrajectory(pts, { ...ctx, endsWithFootage: true });
    expect(s.entry).toBe('left');
    expect(s.exit).toBe('inside');
    expect(s.turns).toEqual([]);
    expect(s.text).toBe('enters from the left → heads right → stops and stays 6 s → is still in view at the end');
  });

  it('keeps counting a stay through a brief jump of the box, and ends it at a real departure', () => {
    // Walks in, stays 30 s; at 20 s into the stay its box jumps 40 px down for 0.8 s (someone passing
    // merged with it). The stay is 30 s, not the 9 s since the jump.
    const pts = path([[6, 120], [160, 120]]);
    const t0 = pts[pts.length - 1].time;
    for (let k = 1; k <= 300; k++) pts.push({ time: t0 + k * 0.1, box: box(160, k > 200 && k <= 208 ? 160 : 120) });
    const s = summarizeTrajectory(pts, { ...ctx, endsWithFootage: true });
    expect(s.text).toContain('stops and stays 30 s → is still in view at the end');
    // Away for longer than stopS (2 s) is a departure: there the stay restarts.
    const moved = path([[6, 120], [160, 120]]);
    const t1 = moved[moved.length - 1].time;
    for (let k = 1; k <= 300; k++) moved.push({ time: t1 + k * 0.1, box: box(160, k > 200 && k <= 230 ? 200 : 120) });
    expect(summarizeTrajectory(moved, { ...ctx, endsWithFootage: true }).text).toContain('stops and stays 7 s');
  });

  it('ignores jitter: a straight walk with noisy boxes has no turns', () => {
    const pts = path([[6, 100], [314, 100]], 3).map((p, k) => ({ ...p, box: box((p.box[0] + p.box[2]) / 2, 100 + (k % 3) - 1) }));
    const s = summarizeTrajectory(pts, ctx);
    expect(s.turns).toEqual([]);
    expect(s.text).toBe('enters from the left → heads right → exits at the right');
  });

  it('calls an object present from the first frame "in view from the start"', () => {
    const s = summarizeTrajectory(path([[100, 100], [100, 200]]), { ...ctx, startsWithFootage: true });
    expect(s.entry).toBe('inside');
    expect(s.text.startsWith('is in view from the start → heads down')).toBe(true);
  });
});

describe('borderSide', () => {
  it('names the nearest touched side or inside', () => {
    expect(borderSide([0, 100, 12, 130], W, H)).toBe('left');
    expect(borderSide([300, 100, 320, 130], W, H)).toBe('right');
    expect(borderSide([100, 0, 112, 30], W, H)).toBe('top');
    expect(borderSide([100, 210, 112, 240], W, H)).toBe('bottom');
    expect(borderSide([100, 100, 112, 130], W, H)).toBe('inside');
  });
});
