import { beforeAll, describe, expect, it } from 'vitest';
import { listAudit, verifyAudit } from '../../src/store/audit.js';
import { getEvent, getObservations } from '../../src/store/analyses.js';
import { categorizeEvent, categorizeResultEvents } from '../../src/reasoning/categorize.js';
import { validateCitation } from '../../src/reasoning/citations.js';
import { addDefinition, listDefinitions, matchDefinition, parseDefinition, removeDefinition } from '../../src/reasoning/definitions.js';
import { evidenceModelFromDb, type EvidenceModel } from '../../src/reasoning/evidence-model.js';
import { explainEvent } from '../../src/reasoning/explain.js';
import { addZone, listZones, removeZone } from '../../src/reasoning/zones.js';
import { buildAnalysisFixture, type AnalysisFixture, type FixtureObject } from '../helpers/analysis-fixture.js';
import { tempDir } from '../helpers/tmp.js';

describe('anomaly definitions: grammar', () => {
  const zones = ['Walkway', 'Loading bay'];
  it('reads labels, groups, zones, behaviour and times', () => {
    expect(parseDefinition('bicycle', zones)).toEqual({ labels: ['bicycle'] });
    expect(parseDefinition('any vehicle in zone Walkway', zones)).toEqual({ labels: ['bicycle', 'car', 'motorcycle', 'bus', 'truck', 'train', 'airplane', 'boat'], zone: 'Walkway' });
    expect(parseDefinition('person stationary > 60 s', zones)).toEqual({ labels: ['person'], stationaryMinS: 60 });
    expect(parseDefinition('person standing still for more than 2 minutes in the loading bay', zones)).toEqual({ labels: ['person'], stationaryMinS: 120, zone: 'Loading bay' });
    expect(parseDefinition('person loitering', zones)).toEqual({ labels: ['person'], stationaryMinS: 20 });
    expect(parseDefinition('bicycle or skateboard', zones)).toEqual({ labels: ['bicycle', 'skateboard'] });
    expect(parseDefinition('cyclist', zones)).toEqual({ labels: ['bicycle'], role: 'rider' });
    expect(parseDefinition('person running after 00:30', zones)).toEqual({ labels: ['person'], speedAbove: { value: 90, unit: 'percentile' }, from: 30 });
    expect(parseDefinition('anything faster than 2.5', zones)).toEqual({ labels: 'any', speedAbove: { value: 2.5, unit: 'heights/s' } });
    expect(parseDefinition('car moving left between 00:10 and 1:00', zones)).toEqual({ labels: ['car'], heading: 'left', from: 10, to: 60 });
    expect(parseDefinition('person entering from the top', zones)).toEqual({ labels: ['person'], entry: 'top' });
    expect(parseDefinition('truck leaving at the bottom', zones)).toEqual({ labels: ['truck'], exit: 'bottom' });
    expect(parseDefinition('person carrying a suitcase', zones)).toEqual({ labels: ['person'], carrying: ['suitcase'] });
    expect(parseDefinition('more than 5 people in zone Walkway', zones)).toEqual({ labels: ['person'], minCount: 6, zone: 'Walkway' });
    expect(parseDefinition('at least 3 people', zones)).toEqual({ labels: ['person'], minCount: 3 });
  });

  it('rejects what the models cannot see, unknown zones and unreadable text, with the reason', () => {
    const bad: [string, RegExp][] = [
      ['wheelchair', /"wheelchair" is not among the installed detector's object classes \(COCO-80\)/],
      ['person with a gun', /"gun" is not among the installed detector's object classes/],
      ['any vehicle in zone Parking', /no zone named "parking"\. Draw the zone on the evidence first \(zones: Walkway, Loading bay\)/],
      ['person on the lawn', /no zone named "lawn"/],
      ['angry person', /"angry" is a state of mind/],
      ['person stationary > 60', /"60" needs a unit/],
      ['bicycle between 00:40 and 00:10', /ends \(10 s\) before it starts \(40 s\)/],
      ['blue flurbs', /could not read "blue"|could not read "flurbs"/],
      ['', /needs some text/],
      ['x'.repeat(301), /limited to 300 characters/],
    ];
    for (const [text, re] of bad) expect(() => parseDefinition(text, zones), text).toThrow(re);
  });
});

describe('categories, definitions, zones and explanations on a stored analysis', () => {
  const dir = tempDir();
  let fx: AnalysisFixture;
  let m: EvidenceModel;

  beforeAll(async () => {
    fx = await buildAnalysisFixture(dir);
    m = evidenceModelFromDb(fx.db, fx.analysisId);
  });

  it('built-in taxonomy: the cyclist and the loiterer, with Observation → Comparison → Conclusion steps', () => {
    const [e1, e2] = m.events;
    const c1 = categorizeEvent(m, e1);
    expect(c1).toMatchObject({ category: 'cyclist or skater on a walkway', source: 'taxonomy' });
    expect(c1.confidence).toBeGreaterThan(0.7);
    expect(c1.steps.map((s) => s.kind)).toEqual(['observation', 'observation', 'comparison', 'comparison', 'comparison', 'conclusion']);
    expect(c1.steps[1].text).toMatch(/^During the event it is ridden by track 11 \(person\) \[6\.\d, 1[45]\.\d+\] s\.$/);
    expect(c1.steps[2].text).toMatch(/^What deviates most from normal here: speed 1\.9 object heights per second where 0\.6 object heights per second is typical/);
    expect(c1.steps[3].text).toMatch(/Bicycles make up 1 of the 12 tracked objects in this footage; most are people \(9\)\./);
    const c2 = categorizeEvent(m, e2);
    expect(c2.category).toBe('loitering');
    for (const c of [c1, c2]) for (const s of c.steps) {
      expect(s.citations.length).toBeGreaterThan(0);
      for (const cit of s.citations) expect(validateCitation(m, cit), s.text).toEqual({ ok: true });
    }
  });

  it('user definitions come first; matches are cited intervals', () => {
    const defBike = { id: 'def_x', caseId: fx.caseId, text: 'bicycle faster than 1.5', rule: parseDefinition('bicycle faster than 1.5', []), createdAt: '' };
    const c = categorizeEvent(m, m.events[0], [defBike]);
    expect(c).toMatchObject({ category: 'bicycle faster than 1.5', source: 'definition', definitionId: 'def_x', confidence: 0.95 });
    expect(c.steps.find((s) => s.text.startsWith('It matches your definition'))?.text).toMatch(/track 10 \(bicycle\) \[6\.1, 15\.\d+\] s/);
    // A definition that does not match this event leaves the taxonomy in charge.
    const slow = { ...defBike, text: 'bicycle slower than 1', rule: parseDefinition('bicycle slower than 1', []) };
    expect(categorizeEvent(m, m.events[0], [slow]).category).toBe('cyclist or skater on a walkway');
    const stops = matchDefinition(m, parseDefinition('person stationary > 20 s', []));
    expect(stops.map((x) => x.trackIds)).toEqual([[20]]);
    expect(matchDefinition(m, parseDefinition('at least 8 people', [])).length).toBeGreaterThan(0);
    expect(matchDefinition(m, parseDefinition('at least 20 people', []))).toEqual([]);
    expect(matchDefinition(m, parseDefinition('person carrying a bag', [])).map((x) => x.trackIds)).toEqual([[12]]);
  });

  it('zones and definitions are stored per case with audit rows; a zone definition matches inside the zone only', () => {
    const z = addZone(fx.db, { caseId: fx.caseId, evidenceId: fx.evidenceId, name: 'Walkway', polygon: [[0, 170], [320, 170], [320, 240], [0, 240]] });
    expect(() => addZone(fx.db, { caseId: fx.caseId, evidenceId: fx.evidenceId, name: 'walkway', polygon: [[0, 0], [10, 0], [10, 10]] })).toThrow(/already has a zone named "walkway"/);
    expect(() => addZone(fx.db, { caseId: fx.caseId, evidenceId: fx.evidenceId, name: 'Line', polygon: [[0, 0], [10, 10], [20, 20]] })).toThrow(/has no area/);
    expect(() => addZone(fx.db, { caseId: fx.caseId, evidenceId: fx.evidenceId, name: 'Far', polygon: [[0, 0], [5000, 0], [0, 10]] })).toThrow(/far outside the 320×240 frame/);
    const d = addDefinition(fx.db, { caseId: fx.caseId, text: 'any vehicle in zone Walkway' });
    expect(d.rule).toMatchObject({ zone: 'Walkway' });
    expect(() => addDefinition(fx.db, { caseId: fx.caseId, text: 'wheelchair in zone Walkway' })).toThrow(/wheelchair/);
    expect(listDefinitions(fx.db, fx.caseId).map((x) => x.text)).toEqual(['any vehicle in zone Walkway']);
    const m2 = evidenceModelFromDb(fx.db, fx.analysisId);
    // The bicycle rides along the bottom (inside the walkway); the parked car is at the top (outside).
    expect(matchDefinition(m2, d.rule).map((x) => x.trackIds)).toEqual([[10]]);
    const ex = explainEvent(fx.db, fx.eventIds[0]);
    expect(ex).toMatchObject({ category: 'any vehicle in zone Walkway', source: 'definition', storedCategory: null, startTime: 6, endTime: 15.2 });
    removeDefinition(fx.db, d.id);
    removeZone(fx.db, z.id);
    expect(listZones(fx.db, { caseId: fx.caseId })).toEqual([]);
    expect(explainEvent(fx.db, fx.eventIds[0]).category).toBe('cyclist or skater on a walkway');
    const actions = listAudit(fx.db, fx.caseId, 20).map((a) => a.action);
    expect(actions.slice(0, 4)).toEqual(['zone.remove', 'definition.remove', 'definition.add', 'zone.add']);
    expect(verifyAudit(fx.db).ok).toBe(true);
    expect(() => explainEvent(fx.db, 'evt_aaaaaaaaaaaaaaaa')).toThrow(/No event with id/);
  });

  it('categorizeResultEvents: categories for a result not yet committed (observations already streamed)', () => {
    const stored = getEvent(fx.db, fx.eventIds[1]);
    const events = categorizeResultEvents(fx.db, fx.analysisId, { frames: fx.frames, tracks: fx.tracks, events: [stored] });
    expect(events[0].category).toBe('loitering');
    expect(getObservations(fx.db, fx.analysisId, 0, 0).length).toBeGreaterThan(0);
  });
});

describe('other built-in categories on constructed scenes', () => {
  const walker = (id: number, y0: number, vx: number, x0 = vx > 0 ? -10 : 330): FixtureObject => ({ id, label: 'person', w: 10, h: 24, x0, y0, vx, color: '0xa0a0a0' });
  const crowd = [walker(1, 40, 14), walker(2, 80, -13), walker(3, 120, 12), walker(4, 160, -15), walker(5, 200, 13)];

  it('vehicle in a pedestrian area, running, abandoned object, unknown object', async () => {
    const dir = tempDir();
    const objects: FixtureObject[] = [
      ...crowd,
      { id: 10, label: 'car', w: 40, h: 22, x0: -40, y0: 100, vx: 60, color: 'blue' },
      { id: 11, label: 'person', w: 10, h: 24, x0: 330, y0: 20, vx: -90, color: 'white' },
      { id: 12, label: 'suitcase', w: 10, h: 10, x0: 200, y0: 210, vx: 0, color: 'green' },
      { id: 13, label: 'unknown', w: 30, h: 30, x0: 140, y0: 60, vx: 4, color: 'yellow' },
    ];
    const events = [
      { trackIds: [10], startTime: 1, endTime: 5, topAttributes: [{ attribute: 'label', value: 'car', normal: 'person', score: 3 }] },
      { trackIds: [11], startTime: 0.2, endTime: 3.5, topAttributes: [{ attribute: 'speed', value: 3.75, normal: 0.55, score: 4 }] },
      { trackIds: [12], startTime: 2, endTime: 14, topAttributes: [{ attribute: 'stationary', value: 14, normal: 0.5, score: 2 }] },
      { trackIds: [13], startTime: 4, endTime: 8, topAttributes: [{ attribute: 'size', value: 2.4, normal: 1, score: 2 }] },
    ];
    const fx = await buildAnalysisFixture(dir, { seconds: 15, objects, events });
    const m = evidenceModelFromDb(fx.db, fx.analysisId);
    expect(m.events.map((e) => categorizeEvent(m, e).category)).toEqual(['running', 'vehicle in a pedestrian area', 'abandoned object', 'unknown object']);
  });

  it('fall: an upright box that turns into a lying one', async () => {
    const dir = tempDir();
    // Two boxes at the same place: upright until 4 s, lying afterwards (drawn as two objects, one track).
    const fx = await buildAnalysisFixture(dir, { seconds: 8, objects: [...crowd, { id: 20, label: 'person', w: 10, h: 26, x0: 150, y0: 100, vx: 0, color: 'white' }], events: [] });
    const obs = fx.observations.map((o) => (o.trackId === 20 && o.time >= 4 ? { ...o, box: [142, 116, 170, 126] as [number, number, number, number] } : o));
    const { analysisDataFromResult, EvidenceModel: EM } = await import('../../src/reasoning/evidence-model.js');
    const frames = fx.frames;
    const ev = { seq: 1, startTime: 3.5, endTime: 6, startFrame: 35, endFrame: 60, peakFrame: 42, peakTime: 4.2, peakScore: 0.9, confidence: 0.8, trackIds: [20], topAttributes: [{ attribute: 'size', value: 0.4, normal: 1, score: 2 }], trajectories: [], boxes: [] };
    const m = new EM(m0Info(fx), analysisDataFromResult({ frames, tracks: fx.tracks, events: [ev], observations: obs }));
    expect(categorizeEvent(m, ev).category).toBe('fall');
  });

  it('crowd forming: many people in one event', async () => {
    const dir = tempDir();
    const fx = await buildAnalysisFixture(dir, { seconds: 6, objects: crowd, events: [{ trackIds: [1, 2, 3, 4, 5], startTime: 1, endTime: 4 }] });
    const m = evidenceModelFromDb(fx.db, fx.analysisId);
    expect(categorizeEvent(m, m.events[0]).category).toBe('crowd forming');
  });
});

function m0Info(fx: AnalysisFixture) {
  return evidenceModelFromDb(fx.db, fx.analysisId).info;
}
