import { describe, expect, it } from 'vitest';
import { Tracker, type Measurement, type TrackedObservation } from '../../src/analysis/tracker.js';
import type { Box } from '../../src/analysis/types.js';

const hist = (bin: number): Float32Array => {
  const h = new Float32Array(16);
  h[bin] = 1;
  return h;
};

function meas(box: Box, o: Partial<Measurement> = {}): Measurement {
  return { box, score: 0.9, label: 'unknown', source: 'motion', ...o };
}

type FlowIn = (box: Box, exclude: readonly Box[]) => { vx: number; vy: number } | null;

/** Runs frames (with each frame's block flow, when given) through a tracker and groups everything it reports by track id. */
function run(frames: Measurement[][], tracker = new Tracker(), flows: FlowIn[] = []): Map<number, TrackedObservation[]> {
  const byTrack = new Map<number, TrackedObservation[]>();
  frames.forEach((m, k) => {
    for (const o of tracker.step(k, m, flows[k])) {
      if (!byTrack.has(o.trackId)) byTrack.set(o.trackId, []);
      byTrack.get(o.trackId)!.push(o);
    }
  });
  for (const l of byTrack.values()) l.sort((a, b) => a.ordinal - b.ordinal);
  return byTrack;
}

/** The track that reports an observation `near` an object's box (`box(k)`) at frame k, if any. */
const ownerOf =
  (tracks: Map<number, TrackedObservation[]>, near: (o: TrackedObservation, b: Box) => boolean) =>
  (k: number, box: (k: number) => Box): number | undefined =>
    [...tracks].find(([, obs]) => obs.some((o) => o.ordinal === k && near(o, box(k))))?.[0];

/** The tracks of two objects at frame k: both found, and not the same one. */
function twoTracks(owner: ReturnType<typeof ownerOf>, k: number, p: (k: number) => Box, q: (k: number) => Box): [number, number] {
  const a = owner(k, p);
  const b = owner(k, q);
  expect(a).toBeDefined();
  expect(b).toBeDefined();
  expect(a).not.toBe(b);
  return [a!, b!];
}

const boxA = (k: number): Box => [10 + 6 * k, 50, 22 + 6 * k, 80];
const boxB = (k: number): Box => [190 - 6 * k, 54, 202 - 6 * k, 84];

describe('Tracker', () => {
  it('keeps identities of two objects that cross, even while they merge into one blob', () => {
    const frames: Measurement[][] = [];
    for (let k = 0; k < 30; k++) {
      const a = boxA(k);
      const b = boxB(k);
      const overlap = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
      if (overlap > 0) {
        // One merged blob while they overlap (as background subtraction sees it).
        frames.push([meas([Math.min(a[0], b[0]), 50, Math.max(a[2], b[2]), 84], { appearance: hist(8) })]);
      } else {
        frames.push([meas(a, { appearance: hist(14) }), meas(b, { appearance: hist(3) })]);
      }
    }
    const tracks = run(frames);
    // Which track follows A before the crossing, and which after?
    const owner = (k: number, box: (k: number) => Box): number => {
      for (const [id, obs] of tracks) {
        const o = obs.find((x) => x.ordinal === k);
        if (o && Math.abs((o.box[0] + o.box[2]) / 2 - (box(k)[0] + box(k)[2]) / 2) < 3 && o.source !== 'interpolated') return id;
      }
      return -1;
    };
    const aBefore = owner(5, boxA);
    const bBefore = owner(5, boxB);
    expect(aBefore).toBeGreaterThan(0);
    expect(bBefore).toBeGreaterThan(0);
    expect(aBefore).not.toBe(bBefore);
    expect(owner(25, boxA)).toBe(aBefore);
    expect(owner(25, boxB)).toBe(bBefore);
  });

  it('follows each member of a group blob by its own flow: a faster one inside the group stays its own track', () => {
    // A walker (3 px/frame) and a skater (5 px/frame) overtaking just below: from frame 8 to 27
    // background subtraction sees them as one blob; block flow still tells each one's pixels apart.
    const walker = (k: number): Box => [40 + 3 * k, 50, 52 + 3 * k, 80];
    const skater = (k: number): Box => [5 * k, 66, 12 + 5 * k, 96];
    const merged = (k: number) => k >= 8 && k <= 27;
    const frames: Measurement[][] = [];
    const flows: FlowIn[] = [];
    for (let k = 0; k < 40; k++) {
      const w = walker(k);
      const s = skater(k);
      frames.push(merged(k) ? [meas([Math.min(w[0], s[0]), 50, Math.max(w[2], s[2]), 96])] : [meas(w), meas(s)]);
      // The blocks under a box move with the object whose centre is nearer.
      const d = (a: Box, b: Box) => Math.hypot(a[0] + a[2] - b[0] - b[2], a[1] + a[3] - b[1] - b[3]);
      flows.push((b) => (d(b, s) < d(b, w) ? { vx: 5, vy: 0 } : { vx: 3, vy: 0 }));
    }
    const tracks = run(frames, new Tracker(), flows);
    const near = (o: TrackedObservation, b: Box) => Math.abs((o.box[0] + o.box[2]) / 2 - (b[0] + b[2]) / 2) < 4;
    const owner = ownerOf(tracks, near);
    const [w, s] = twoTracks(owner, 4, walker, skater);
    for (let k = 9; k <= 27; k++) {
      // Both are reported inside the group, where they are, with their own speed and their own size.
      const ow = tracks.get(w)!.find((o) => o.ordinal === k)!;
      const os = tracks.get(s)!.find((o) => o.ordinal === k)!;
      expect(near(ow, walker(k)) && near(os, skater(k)), `frame ${k}`).toBe(true);
      expect(ow.flow?.vx).toBe(3);
      expect(os.flow?.vx).toBe(5);
      expect(os.box[2] - os.box[0]).toBeCloseTo(12, 0);
    }
    expect(owner(35, walker)).toBe(w);
    expect(owner(35, skater)).toBe(s);
  });

  it('moves a group member by its own pixels only: one crossing behind another keeps its course and identity', () => {
    // A walks right; B walks down across A's path, behind A (B's feet are higher in the picture), so where
    // they overlap the pixels are A's. While they overlap, background subtraction sees one blob.
    const a = (k: number): Box => [40 + 3 * k, 50, 52 + 3 * k, 80];
    const b = (k: number): Box => [70, 10 + 3 * k, 82, 40 + 3 * k];
    const inside = (x: number, y: number, r: Box): boolean => x >= r[0] && x <= r[2] && y >= r[1] && y <= r[3];
    const touch = (p: Box, q: Box): boolean => p[0] <= q[2] && q[0] <= p[2] && p[1] <= q[3] && q[1] <= p[3];
    const median = (v: number[]): number => v.sort((x, y) => x - y)[v.length >> 1];
    const frames: Measurement[][] = [];
    const flows: FlowIn[] = [];
    let merged = 0;
    for (let k = 0; k < 30; k++) {
      const [ak, bk] = [a(k), b(k)];
      if (touch(ak, bk)) merged++;
      frames.push(touch(ak, bk) ? [meas([Math.min(ak[0], bk[0]), Math.min(ak[1], bk[1]), Math.max(ak[2], bk[2]), Math.max(ak[3], bk[3])])] : [meas(ak), meas(bk)]);
      // Block flow on a 2-px grid: each point moves with the object seen there (A in front), background
      // points have none.
      flows.push((box, exclude) => {
        const vx: number[] = [];
        const vy: number[] = [];
        for (let y = Math.ceil(box[1]); y <= box[3]; y += 2) {
          for (let x = Math.ceil(box[0]); x <= box[2]; x += 2) {
            if (exclude.some((e) => inside(x, y, e))) continue;
            if (inside(x, y, ak)) [vx[vx.length], vy[vy.length]] = [3, 0];
            else if (inside(x, y, bk)) [vx[vx.length], vy[vy.length]] = [0, 3];
          }
        }
        return vx.length ? { vx: median(vx), vy: median(vy) } : null;
      });
    }
    expect(merged).toBeGreaterThan(6);
    const tracks = run(frames, new Tracker(), flows);
    const centre = (r: Box): [number, number] => [(r[0] + r[2]) / 2, (r[1] + r[3]) / 2];
    const near = (o: TrackedObservation, r: Box) => Math.hypot(centre(o.box)[0] - centre(r)[0], centre(o.box)[1] - centre(r)[1]) < 4;
    const owner = ownerOf(tracks, near);
    const [ta, tb] = twoTracks(owner, 2, a, b);
    // Through the crossing each is reported where it is, and afterwards each track still follows its object.
    for (let k = 3; k < 30; k++) {
      expect(owner(k, a), `A at frame ${k}`).toBe(ta);
      expect(owner(k, b), `B at frame ${k}`).toBe(tb);
    }
  });

  it('splits a group that arrived merged once the detector names its members', () => {
    // Two people enter side by side: motion only ever sees one blob. At frame 6 the detector names both.
    const left = (k: number): Box => [20 + 3 * k, 50, 32 + 3 * k, 80];
    const right = (k: number): Box => [30 + 5 * k, 52, 42 + 5 * k, 82];
    const blob = (k: number): Box => [left(k)[0], 50, Math.max(left(k)[2], right(k)[2]), 82];
    const tracker = new Tracker();
    const tracks = new Map<number, TrackedObservation[]>();
    for (let k = 0; k < 20; k++) {
      const m = k === 6 ? [meas(left(k), { source: 'detector', label: 'person' }), meas(right(k), { source: 'detector', label: 'person' })] : [meas(blob(k))];
      const d = (a: Box, b: Box) => Math.abs(a[0] + a[2] - b[0] - b[2]);
      const flow = (b: Box) => (d(b, right(k)) < d(b, left(k)) ? { vx: 5, vy: 0 } : { vx: 3, vy: 0 });
      for (const o of tracker.step(k, m, flow)) tracks.set(o.trackId, [...(tracks.get(o.trackId) ?? []), o]);
    }
    // From the detector frame on, each person is a track of their own, where they are, at their own speed.
    const at = (k: number, box: Box) => [...tracks.values()].find((obs) => obs.some((o) => o.ordinal === k && Math.abs(o.box[0] - box[0]) < 4 && Math.abs(o.box[2] - box[2]) < 4));
    for (const k of [10, 15, 19]) {
      const l = at(k, left(k));
      const r = at(k, right(k));
      expect(l && r && l !== r, `frame ${k}`).toBe(true);
      expect(r!.find((o) => o.ordinal === k)!.flow?.vx).toBe(5);
    }
  });

  it('recovers an object after an occlusion gap and fills the gap with interpolated observations', () => {
    const frames: Measurement[][] = [];
    for (let k = 0; k < 20; k++) frames.push(k >= 8 && k < 12 ? [] : [meas(boxA(k))]);
    const tracks = run(frames);
    expect(tracks.size).toBe(1);
    const obs = [...tracks.values()][0];
    expect(obs.map((o) => o.ordinal)).toEqual(Array.from({ length: 20 }, (_, k) => k));
    const gap = obs.filter((o) => o.source === 'interpolated');
    expect(gap.map((o) => o.ordinal)).toEqual([8, 9, 10, 11]);
    for (const o of gap) expect(Math.abs(o.box[0] - boxA(o.ordinal)[0])).toBeLessThan(1.5);
  });

  it('ends a track that stays lost longer than maxGap', () => {
    const frames: Measurement[][] = [];
    for (let k = 0; k < 30; k++) frames.push(k >= 8 && k < 22 ? [] : [meas(boxA(k))]);
    const tracks = run(frames, new Tracker({ maxGap: 5 }));
    expect(tracks.size).toBe(2);
  });

  it('extends a running track with weak measurements but never starts one from them (low-score recovery)', () => {
    const frames: Measurement[][] = [];
    for (let k = 0; k < 12; k++) frames.push([meas(boxA(k), { score: k < 5 ? 0.9 : 0.3 })]);
    // A weak blob elsewhere, every frame: never an object.
    for (let k = 0; k < 12; k++) frames[k].push(meas([200, 150, 212, 180], { score: 0.3 }));
    const tracks = run(frames);
    expect(tracks.size).toBe(1);
    expect([...tracks.values()][0].length).toBe(12);
  });

  it('does not report single-frame noise, and reports a confirmed track from its first frame', () => {
    const frames: Measurement[][] = [];
    for (let k = 0; k < 10; k++) frames.push([meas(boxA(k))]);
    frames[4].push(meas([150, 10, 160, 30]));
    const tracks = run(frames);
    expect(tracks.size).toBe(1);
    expect([...tracks.values()][0][0].ordinal).toBe(0);
  });

  it('finds a fast object again when its flow tells the tracker where it is going', () => {
    // 20 px per frame with a 12 px wide box: without a velocity prior the boxes never overlap.
    const fast = (k: number): Box => [5 + 20 * k, 100, 17 + 20 * k, 130];
    const frames: Measurement[][] = [];
    for (let k = 0; k < 12; k++) frames.push([meas(fast(k), { flow: { vx: 20, vy: 0 } })]);
    const tracks = run(frames);
    expect(tracks.size).toBe(1);
  });

  it('keeps a person\'s track when the detector names them with the vehicle they ride, but not as another kind of object', () => {
    // A person walks, then the detector sees them on a bicycle (a slightly larger box, named by the vehicle).
    const frames = (second: string): Measurement[][] =>
      Array.from({ length: 12 }, (_, k) => {
        const b = boxA(k);
        const big: Box = [b[0] - 8, b[1], b[2] + 8, b[3] + 15];
        return [k < 6 ? meas(b, { source: 'detector', label: 'person' }) : meas(big, { source: 'detector', label: second })];
      });
    const ride = run(frames('bicycle'));
    expect(ride.size).toBe(1);
    expect([...ride.values()][0]).toHaveLength(12);
    // The same box called a car is a different object.
    expect(run(frames('car')).size).toBe(2);
  });
});

