import { describe, expect, it } from 'vitest';
import type { Features } from '../../src/analysis/features.js';
import {
  perObjectQuantiles,
  ATTRIBUTE_GROUPS,
  explainObservations,
  fitReferenceModel,
  frameEvidence,
  objectFrameScore,
  scoreObjects,
  selfReferencedScores,
  type FitInput,
} from '../../src/analysis/normality.js';
import type { PerspectiveModel } from '../../src/analysis/perspective.js';

const perspective: PerspectiveModel = { a: 0.2, b: 0, minH: 0.05, maxH: 0.5, yMin: 0, yMax: 1, samples: 100 };

/** Deterministic pseudo-random numbers (tests must not depend on Math.random). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Walkers crossing the frame left to right: one track per entry of `speeds`, `len` observations each, one per
 * frame at 10 fps; `speeds[t][k]` is track t's speed (heights/s) at its k-th observation.
 */
function walkers(speeds: number[][]): { input: FitInput; frames: number } {
  const len = speeds[0].length;
  const n = speeds.length * len;
  const frames = len;
  const f: Features = {
    n,
    time: new Float64Array(n),
    x: new Float32Array(n),
    footY: new Float32Array(n),
    expectedHeight: new Float32Array(n).fill(0.2),
    heightRatio: new Float32Array(n).fill(1),
    aspect: new Float32Array(n).fill(0.4),
    speed: new Float32Array(n),
    vx: new Float32Array(n),
    vy: new Float32Array(n),
    direction: new Float32Array(n),
    accel: new Float32Array(n),
    stationary: new Float32Array(n),
    velocityNoise: 0.01,
    label: new Uint16Array(n),
    appearanceDims: 0,
    appearance: () => false,
    labels: ['person'],
    measured: new Uint8Array(n).fill(1),
    atBorder: new Uint8Array(n),
    index: { byTrack: new Map(), frameStart: new Int32Array(frames + 1), frameOrder: new Int32Array(n) },
  };
  const trackIds = new Int32Array(n);
  speeds.forEach((track, t) => {
    const list: number[] = [];
    track.forEach((v, k) => {
      const i = t * len + k;
      list.push(i);
      trackIds[i] = t + 1;
      f.time[i] = k / 10;
      f.x[i] = 0.1 + 0.8 * (k / len);
      f.footY[i] = 0.3 + 0.4 * ((t * 7) % 10) / 10;
      f.speed[i] = v;
      f.vx[i] = v;
      f.vy[i] = 0;
      f.direction[i] = 0;
    });
    f.index.byTrack.set(t + 1, list);
  });
  // Frame k holds the k-th observation of every track.
  let j = 0;
  for (let k = 0; k < frames; k++) {
    f.index.frameStart[k] = j;
    for (let t = 0; t < speeds.length; t++) f.index.frameOrder[j++] = t * len + k;
  }
  f.index.frameStart[frames] = j;
  return { input: { features: f, trackIds }, frames };
}

const SPEED = ATTRIBUTE_GROUPS.indexOf('speed');

describe('normality model', () => {
  // 200 normal walkers at 0.3 ± 0.03 heights/s; three of them show a brief measurement spike to 0.6
  // (0.7 s, where the fast query walks).
  const r = rng(7);
  const normal = Array.from({ length: 200 }, (_, t) =>
    Array.from({ length: 30 }, (_, k) => (t % 10 === 0 && t < 30 && k >= 12 && k <= 18 ? 0.6 : 0.3 + 0.06 * (r() - 0.5))),
  );
  const reference = walkers(normal);
  const query = walkers([Array(30).fill(0.6), Array(30).fill(0.3)]);
  const fitOpts = { perspective, aspect: 1.5, detector: 'none', movingSpeed: 0.2 };
  const speedZ = (kShare: number): { fast: number; walker: number; k: number } => {
    const model = fitReferenceModel([reference.input], [reference.frames], { ...fitOpts, kShare });
    const s = scoreObjects(model, query.input.features, query.input.trackIds);
    const G = ATTRIBUTE_GROUPS.length;
    return { fast: s.z[15 * G + SPEED], walker: s.z[(30 + 15) * G + SPEED], k: model.k };
  };

  it('does not let a few noisy normal tracks make a sustained rare speed look normal (K grows with the reference)', () => {
    const z = speedZ(0.04);
    expect(z.k).toBe(8); // 4 % of 200 tracks
    expect(z.fast).toBeGreaterThan(1); // beyond the edge of normal
    expect(z.walker).toBeLessThan(0.5);
  });

  it('with a fixed small K the same speed hides behind the three spikes (why K must scale)', () => {
    const z = speedZ(0);
    expect(z.k).toBe(3);
    expect(z.fast).toBeLessThan(0.5);
  });

  it('scores a kind of object no normal object was on the frame scale, but never "unknown"', () => {
    const model = fitReferenceModel([reference.input], [reference.frames], fitOpts);
    // A bicycle walked along at walking pace, an unnamed object, a bicycle ridden at four times walking pace.
    const q = walkers([Array(30).fill(0.3), Array(30).fill(0.3), Array(30).fill(1.2)]);
    const f = q.input.features;
    f.labels = ['person', 'bicycle', 'unknown'];
    for (let i = 0; i < 30; i++) f.label[i] = 1;
    for (let i = 30; i < 60; i++) f.label[i] = 2;
    for (let i = 60; i < 90; i++) f.label[i] = 1;
    const s = scoreObjects(model, f, q.input.trackIds);
    const L = ATTRIBUTE_GROUPS.length;
    expect(s.z[15 * L + L - 1]).toBe(3); // unseen label
    expect(objectFrameScore(model, s, 15)).toBeCloseTo(0.75, 5); // z 3 → 0.75 whatever the frame calibration
    expect(s.objectZ[15]).toBeLessThan(0.5); // its attributes are normal
    expect(s.z[45 * L + L - 1]).toBe(0);
    expect(objectFrameScore(model, s, 45)).toBeLessThan(0.5);
    // Evidence adds up: ridden fast, the bicycle is more anomalous than walked, on both scales.
    expect(s.objectZ[75]).toBeGreaterThan(1);
    expect(s.score[75]).toBeGreaterThan(s.score[15] + 0.05);
    expect(objectFrameScore(model, s, 75)).toBeGreaterThan(objectFrameScore(model, s, 15) + 0.05);
  });

  it('judges dwell time on a relative scale: 25 s where people wait up to 20 s is normal, 3 s where nobody stays 1 s is not', () => {
    const STAY = ATTRIBUTE_GROUPS.indexOf('stationary');
    const G = ATTRIBUTE_GROUPS.length;
    /** Tracks whose stay timer ramps to each entry of `dwells` (seconds) over their 30 observations. */
    const dwellers = (dwells: number[]): { input: FitInput; frames: number } => {
      const w = walkers(dwells.map(() => Array(30).fill(0)));
      dwells.forEach((d, t) => {
        for (let k = 0; k < 30; k++) w.input.features.stationary[t * 30 + k] = (d * k) / 29;
      });
      return w;
    };
    const stayZ = (normalDwells: number[], dwell: number): number => {
      const ref = dwellers(normalDwells);
      const model = fitReferenceModel([ref.input], [ref.frames], fitOpts);
      const q = dwellers([dwell]);
      return scoreObjects(model, q.input.features, q.input.trackIds).z[29 * G + STAY];
    };
    const waiting = Array.from({ length: 200 }, (_, t) => (20 * t) / 199); // a stop where people wait 0–20 s
    const passing = Array.from({ length: 200 }, (_, t) => t / 199); // a path where nobody stays over 1 s
    expect(stayZ(waiting, 25)).toBeLessThan(1);
    expect(stayZ(passing, 3)).toBeGreaterThan(1);
  });

  it('adds the evidence of the worst object and of the motion map', () => {
    expect(frameEvidence(0, 0)).toBe(0);
    expect(frameEvidence(0.5, 0)).toBeCloseTo(0.5, 12); // object at the edge of normal, no fast motion
    expect(frameEvidence(0, 1)).toBeCloseTo(0.5, 12); // and the reverse
    expect(frameEvidence(0.5, 1)).toBeCloseTo(2 / 3, 12); // both: z 1 + 1
    expect(frameEvidence(0.75, 0.5)).toBeGreaterThan(Math.max(frameEvidence(0.75, 0), frameEvidence(0, 0.5)));
  });

  it('judges speed against normal objects in the same place when fit on reference footage', () => {
    // A footpath across the upper part of the view (walkers, 0.3 heights/s) and a cycle lane across the
    // lower part (0.9 heights/s).
    const r2 = rng(11);
    const atPlace = (w: { input: FitInput }, footY: (t: number) => number): void => {
      const f = w.input.features;
      for (let i = 0; i < f.n; i++) f.footY[i] = footY(Math.floor(i / 30));
    };
    const speeds = Array.from({ length: 200 }, (_, t) => Array.from({ length: 30 }, () => (t % 2 ? 0.9 : 0.3) + 0.06 * (r2() - 0.5)));
    const ref = walkers(speeds);
    atPlace(ref, (t) => (t % 2 ? 0.8 : 0.3));
    const model = fitReferenceModel([ref.input], [ref.frames], fitOpts);
    const q = walkers([Array(30).fill(0.9), Array(30).fill(0.9)]);
    atPlace(q, (t) => (t === 0 ? 0.3 : 0.8));
    const s = scoreObjects(model, q.input.features, q.input.trackIds);
    const G = ATTRIBUTE_GROUPS.length;
    expect(s.z[15 * G + SPEED]).toBeGreaterThan(1); // cycling speed on the footpath
    expect(s.z[45 * G + SPEED]).toBeLessThan(0.5); // the same speed in the cycle lane
  });

  it('reads speed for moving objects only: standing where people walk is a matter of dwell time, running is not', () => {
    const model = fitReferenceModel([reference.input], [reference.frames], fitOpts);
    // Standing (0.02 heights/s, under movingSpeed 0.2), a slow walker (0.22) and a runner (0.6), all
    // where the reference walks at 0.3.
    const q = walkers([Array(30).fill(0.02), Array(30).fill(0.22), Array(30).fill(0.6)]);
    const s = scoreObjects(model, q.input.features, q.input.trackIds);
    const G = ATTRIBUTE_GROUPS.length;
    expect(s.z[15 * G + SPEED]).toBe(0);
    expect(explainObservations(model, q.input.features, [15], s).map((c) => c.attribute)).not.toContain('speed');
    expect(s.z[(30 + 15) * G + SPEED]).toBeGreaterThan(0); // moving, slower than anyone: read, if mildly
    expect(s.z[(60 + 15) * G + SPEED]).toBeGreaterThan(1);
    expect(s.z[(30 + 15) * G + SPEED]).toBeLessThan(s.z[(60 + 15) * G + SPEED]);
  });

  it('reports objects on the object scale and lets only the frame score see the frame calibration', () => {
    const model = fitReferenceModel([reference.input], [reference.frames], fitOpts);
    const s = scoreObjects(model, query.input.features, query.input.trackIds);
    const G = ATTRIBUTE_GROUPS.length;
    const z = Math.max(...Array.from(s.z.subarray(15 * G, 16 * G)));
    expect(s.score[15]).toBeCloseTo(z / (1 + z), 5); // the fast walker: its own largest z
    const harsh = { ...model, frameCalibration: { median: 0.5 * s.objectZ[15], high: 2 * s.objectZ[15] } };
    expect(objectFrameScore(harsh, s, 15)).toBeLessThan(s.score[15]); // many objects per frame: a frame needs more
    expect(scoreObjects(harsh, query.input.features, query.input.trackIds).score[15]).toBeCloseTo(s.score[15], 6);
  });

  /** Sets observations of walkers() heading left (they keep their places). */
  const headLeft = (f: Features, obs: readonly number[]): void => {
    for (const i of obs) {
      f.vx[i] = -f.speed[i];
      f.direction[i] = 180;
    }
  };

  it('self-referenced, never quotes the object itself as what is normal', () => {
    // 80 walkers heading right along the path, spread over its width; one of them leaves it for half a
    // second far below it, then turns back left on it. Mostly normal, that object stays in the pool it is
    // judged by.
    const r3 = rng(5);
    const w = walkers(Array.from({ length: 81 }, () => Array.from({ length: 30 }, () => 0.3 + 0.03 * (r3() - 0.5))));
    const f = w.input.features;
    const odd = f.index.byTrack.get(81)!.slice(20);
    for (const i of odd.slice(0, 5)) f.footY[i] = 0.95;
    headLeft(f, odd.slice(5));
    const { model, scores: [scores] } = selfReferencedScores([w.input], [w.frames], fitOpts);
    const why = explainObservations(model, f, odd, scores);
    const position = why.find((c) => c.attribute === 'position');
    expect(position?.value).toMatch(/, 0\.95\)$/);
    expect(position?.normal).not.toMatch(/, 0\.95\)$/); // the nearest *other* object's place
    const direction = why.find((c) => c.attribute === 'direction');
    expect(direction?.normal).toBe('right'); // heading left where the others head right
  });

  it('self-referenced, judges a heading by the evidence of those who passed the same place', () => {
    const r5 = rng(3);
    const paths = (n: number): number[][] => Array.from({ length: n }, () => Array.from({ length: 30 }, () => 0.3 + 0.03 * (r5() - 0.5)));
    const directionZ = (w: { input: FitInput; frames: number }, track: number): number => {
      const { scores: [s] } = selfReferencedScores([w.input], [w.frames], fitOpts);
      const G = ATTRIBUTE_GROUPS.length;
      return Math.max(...w.input.features.index.byTrack.get(track)!.map((i) => s.z[i * G + ATTRIBUTE_GROUPS.indexOf('direction')]));
    };
    // One walker against 80, in the middle of the path (64 of them pass its place): found, on direction.
    const lone = walkers(paths(81));
    headLeft(lone.input.features, lone.input.features.index.byTrack.get(6)!);
    expect(directionZ(lone, 6)).toBeGreaterThan(1);
    // A fifth of 80 walking left (a two-way path): a normal minority, though fewer than K (a quarter).
    const twoWay = walkers(paths(80));
    for (let t = 1; t <= 80; t += 5) headLeft(twoWay.input.features, twoWay.input.features.index.byTrack.get(t)!);
    for (let t = 1; t <= 80; t += 5) expect(directionZ(twoWay, t)).toBeLessThan(0.2);
    // One against ten: too few passed to tell (the K-th nearest heading alone would call it far out).
    const few = walkers(paths(11));
    headLeft(few.input.features, few.input.features.index.byTrack.get(11)!);
    expect(directionZ(few, 11)).toBeLessThan(0.5);
  });

  it('self-referenced, a lasting anomaly its track does not give away still stands out among frames', () => {
    // 30 walkers over 60 frames; one of them walks for 48 frames, then speeds up to four times walking pace
    // for the last 12 (a fifth of the frames): mostly normal, its track is not suspected.
    const r4 = rng(9);
    const speeds = Array.from({ length: 31 }, (_, t) => Array.from({ length: 60 }, (_, k) => (t === 30 && k >= 48 ? 1.2 : 0.3 + 0.03 * (r4() - 0.5))));
    const w = walkers(speeds);
    const { model, scores: [scores] } = selfReferencedScores([w.input], [w.frames], fitOpts);
    expect(model.excludedTracks).toBe(0);
    const fast = 30 * 60 + 55; // track 31, frame 55
    expect(objectFrameScore(model, scores, fast)).toBeGreaterThan(0.5);
    const walking = Array.from({ length: 30 * 60 }, (_, i) => objectFrameScore(model, scores, i));
    expect(walking.filter((v) => v > 0.5).length).toBeLessThan(0.02 * walking.length);
  });
});

describe('perObjectQuantiles', () => {
  it('weighs every object the same, however many values it has', () => {
    // Object 7 has six values of 10, objects 1 and 2 one value each: by observation the median would be
    // 10; by object the three objects weigh 1/3 each, at midpoints 1/6 (value 1), 1/2 (value 2) and, for
    // object 7's six values, 2/3 + (k + 0.5)/18.
    const at = perObjectQuantiles([10, 1, 10, 10, 2, 10, 10, NaN, 10], [7, 1, 7, 7, 2, 7, 7, 3, 7]);
    expect(at(0.5)).toBeCloseTo(2, 12);
    expect(at(1 / 6)).toBeCloseTo(1, 12);
    expect(at(1 / 3)).toBeCloseTo(1.5, 12); // halfway between the midpoints 1/6 and 1/2
    expect(at(0.9)).toBe(10);
    expect(at(0)).toBe(1);
    expect(at(1)).toBe(10);
    // With one value per object it is the plain interpolated quantile between midpoints (i + 0.5) / n.
    const plain = perObjectQuantiles([4, 0, 2, 6], [0, 1, 2, 3]);
    expect(plain(0.5)).toBeCloseTo(3, 12);
    expect(plain(0.375)).toBeCloseTo(2, 12);
    expect(Number.isNaN(perObjectQuantiles([NaN, Infinity], [0, 1])(0.5))).toBe(true);
  });
});
