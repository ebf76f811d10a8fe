import { beforeAll, describe, expect, it } from 'vitest';
import type { Box, TrackObservation } from '../../src/analysis/types.js';
import { measureTrackAppearance } from '../../src/reasoning/appearance.js';
import { citeInterval, validateCitation } from '../../src/reasoning/citations.js';
import { measureColours, nameOfPixel } from '../../src/reasoning/colour.js';
import { evidenceModelFromDb, type EvidenceModel } from '../../src/reasoning/evidence-model.js';
import { pairInteractions, trackInteractions } from '../../src/reasoning/interactions.js';
import { describePosition, pointInPolygon } from '../../src/reasoning/scene.js';
import { addZone } from '../../src/reasoning/zones.js';
import { buildAnalysisFixture, type AnalysisFixture } from '../helpers/analysis-fixture.js';
import { tempDir } from '../helpers/tmp.js';

describe('evidence model of a stored analysis', () => {
  const dir = tempDir();
  let fx: AnalysisFixture;
  let m: EvidenceModel;

  beforeAll(async () => {
    fx = await buildAnalysisFixture(dir);
    addZone(fx.db, { caseId: fx.caseId, evidenceId: fx.evidenceId, name: 'Walkway', polygon: [[0, 170], [320, 170], [320, 240], [0, 240]] });
    m = evidenceModelFromDb(fx.db, fx.analysisId);
  });

  it('knows the footage and the scene: labels, majority, speed distribution', () => {
    expect(m.info).toMatchObject({ width: 320, height: 240, fps: 10, frameCount: 300 });
    expect(m.analysedSpan[0]).toBe(0);
    expect(m.analysedSpan[1]).toBeCloseTo(30, 5);
    expect(m.scene.majorityLabel).toBe('person');
    expect(m.scene.labels[0]).toEqual({ label: 'person', tracks: 9 });
    expect(m.scene.speeds.length).toBe(12);
    // The bicycle (38 px/s, 20 px high = 1.9 heights/s) is the fastest object here.
    expect(m.speedPercentile(1.9)).toBeGreaterThan(90);
  });

  it('derives entry, exit, heading, percentile and position of a track from its observations', () => {
    const f = m.facts(10);
    expect(f.entry.side).toBe('left');
    expect(f.entry.start).toBeCloseTo(6.1, 5);
    // Entering lasts while the box touches the left border (26 px wide at 38 px/s: under a second).
    expect(f.entry.end).toBeGreaterThan(6.3);
    expect(f.entry.end).toBeLessThan(7.1);
    expect(f.exit.side).toBe('right');
    expect(f.exit.end).toBeGreaterThan(15);
    expect(f.heading).toBe('right');
    expect(f.meanSpeed).toBeCloseTo(1.9, 5);
    expect(f.speedPercentile).toBeGreaterThan(90);
    expect(f.positions.first.horizontal).toBe('left');
    expect(f.positions.first.depth).toBe('near');
    expect(f.zones.map((z) => z.zone.name)).toEqual(['Walkway']);
  });

  it('finds stationary periods and leaves moving objects without them', () => {
    const still = m.facts(20).stationary;
    expect(still).toHaveLength(1);
    expect(still[0].start).toBe(0);
    expect(still[0].end).toBeCloseTo(30, 5);
    expect(m.facts(1).stationary).toEqual([]);
    expect(m.facts(20).heading).toBeNull();
  });

  it('measures interactions: a rider with the bicycle, a person with a backpack, and no false company', () => {
    const bike = trackInteractions(m, 10);
    expect(bike.some((x) => x.kind === 'with' && (x.a === 11 || x.b === 11))).toBe(true);
    const carrier = trackInteractions(m, 12);
    expect(carrier.filter((x) => x.kind === 'with').map((x) => (x.a === 12 ? x.b : x.a))).toEqual([13]);
    // The fast cyclist passes slow walkers on other rows of the plaza: neither following nor company.
    expect(bike.filter((x) => x.kind === 'follow' || (x.kind === 'with' && x.a !== 11 && x.b !== 11))).toEqual([]);
  });

  it('validates citations against the stored analysis and rejects invented ones', () => {
    const o = fx.observations.find((x) => x.trackId === 10 && x.frame === 100)!;
    const good = citeInterval(m, 9, 11, { frame: 100, trackIds: [10], boxes: [{ trackId: 10, box: o.box }] });
    expect(validateCitation(m, good)).toEqual({ ok: true });
    const bad: [string, typeof good][] = [
      ['evidence', { ...good, evidenceId: 'ev_aaaaaaaaaaaaaaaa' }],
      ['outside', { ...good, startTime: 40, endTime: 41 }],
      ['reversed', { ...good, startTime: 11, endTime: 9 }],
      ['frame', { ...good, frame: 150 }],
      ['track', { ...good, trackIds: [99] }],
      ['not present', { ...good, trackIds: [10], startTime: 0, endTime: 2, frame: 10, boxes: undefined }],
      ['box', { ...good, boxes: [{ trackId: 10, box: [0, 0, 10, 10] as Box }] }],
    ];
    for (const [what, c] of bad) expect(validateCitation(m, c).ok, what).toBe(false);
  });
});

describe('scene terms', () => {
  it('names positions by thirds and depth by the ground point', () => {
    expect(describePosition([10, 200, 30, 235], 320, 240)).toMatchObject({ horizontal: 'left', vertical: 'bottom', depth: 'near', text: 'the lower left of the view, near the camera' });
    expect(describePosition([150, 100, 170, 130], 320, 240)).toMatchObject({ horizontal: 'centre', vertical: 'middle', text: 'the centre of the view, at middle distance' });
    expect(describePosition([280, 10, 300, 40], 320, 240).text).toBe('the upper right of the view, far from the camera');
  });

  it('point in polygon (concave too)', () => {
    const l: [number, number][] = [[0, 0], [10, 0], [10, 2], [2, 2], [2, 10], [0, 10]];
    expect(pointInPolygon([1, 5], l)).toBe(true);
    expect(pointInPolygon([5, 5], l)).toBe(false);
    expect(pointInPolygon([5, 1], l)).toBe(true);
  });
});

describe('pairwise interactions on constructed tracks', () => {
  const fd = 0.1;
  const track = (id: number, f: (t: number) => [number, number], speed: (t: number) => number, dir: number | null, n = 60): TrackObservation[] =>
    Array.from({ length: n }, (_, k) => {
      const t = k * fd;
      const [x, y] = f(t);
      return { trackId: id, frame: k, time: t, box: [x - 5, y - 10, x + 5, y + 10] as Box, label: 'person', confidence: 1, score: 0, speed: speed(t), direction: dir };
    });

  it('follow: same path, same pace, one behind', () => {
    const a = track(1, (t) => [20 + 20 * t, 100], () => 1, 0);
    const b = track(2, (t) => [70 + 20 * t, 100], () => 1, 0);
    const xs = pairInteractions(a, b, fd);
    expect(xs.map((x) => [x.kind, x.a, x.b])).toEqual([['follow', 1, 2]]);
  });

  it('overtake: same direction, the faster one passes close by', () => {
    const a = track(1, (t) => [20 + 60 * t, 100], () => 3, 0);
    const b = track(2, (t) => [80 + 10 * t, 110], () => 0.5, 0);
    const xs = pairInteractions(a, b, fd);
    expect(xs.find((x) => x.kind === 'overtake')).toMatchObject({ a: 1, b: 2 });
    expect(xs.some((x) => x.kind === 'follow')).toBe(false);
  });

  it('approach and meet: one walks up to the other, both stand together', () => {
    const a = track(1, (t) => [t < 3 ? 20 + 30 * t : 110, 100], (t) => (t < 3 ? 1.5 : 0), 0);
    const b = track(2, () => [130, 100], () => 0, null);
    const kinds = pairInteractions(a, b, fd).map((x) => [x.kind, x.a, x.b]);
    expect(kinds).toContainEqual(['approach', 1, 2]);
    expect(kinds).toContainEqual(['meet', 1, 2]);
  });

  it('no relation between objects far apart', () => {
    const a = track(1, (t) => [20 + 20 * t, 30], () => 1, 0);
    const b = track(2, (t) => [300 - 20 * t, 220], () => 1, 180);
    expect(pairInteractions(a, b, fd)).toEqual([]);
  });
});

describe('colour measurement', () => {
  it('names pixels', () => {
    expect(nameOfPixel(220, 30, 30)).toBe('red');
    expect(nameOfPixel(30, 60, 200)).toBe('blue');
    expect(nameOfPixel(40, 160, 60)).toBe('green');
    expect(nameOfPixel(240, 240, 240)).toBe('white');
    expect(nameOfPixel(10, 10, 10)).toBe('black');
    expect(nameOfPixel(128, 128, 128)).toBe('gray');
    expect(nameOfPixel(240, 200, 30)).toBe('yellow');
    expect(nameOfPixel(110, 70, 30)).toBe('brown');
  });

  it('dominant colours of a box, and monochrome footage', () => {
    const w = 20;
    const h = 20;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.set(i % w < 14 ? [200, 20, 20] : [20, 20, 200], i * 3);
    const r = measureColours([{ image: { width: w, height: h, data }, box: [0, 0, 20, 20] }], { inner: 1 });
    expect(r.colours.map((c) => c.name)).toEqual(['red', 'blue']);
    expect(r.colours[0].share).toBeCloseTo(0.7, 5);
    expect(r.monochrome).toBe(false);
    const gray = new Uint8Array(w * h * 3).fill(90);
    expect(measureColours([{ image: { width: w, height: h, data: gray }, box: [0, 0, 20, 20] }]).monochrome).toBe(true);
  });

  it('measures a track\'s colour from the real frames of the footage', async () => {
    const dir = tempDir();
    const fx = await buildAnalysisFixture(dir);
    const m = evidenceModelFromDb(fx.db, fx.analysisId);
    const bike = await measureTrackAppearance(m, 10);
    expect(bike.colours[0].name).toBe('red');
    expect(bike.samples.length).toBeGreaterThan(0);
    for (const s of bike.samples) expect(validateCitation(m, citeInterval(m, s.time, s.time, { frame: s.frame, trackIds: [10], boxes: [{ trackId: 10, box: s.box }] })).ok).toBe(true);
    const car = await measureTrackAppearance(m, 30);
    expect(car.colours[0].name).toBe('blue');
    const walker = await measureTrackAppearance(m, 1);
    expect(walker.colours[0].name).toBe('gray');
  });
});
