import { describe, expect, it } from 'vitest';
import {
  boxIou,
  linkGtTracks,
  ped2BoxesToRegions,
  rbdcTbdc,
  type Box,
  type RegionPrediction,
} from '../../src/eval/rbdc.js';
import { expectVigil } from './helpers.js';

const pred = (frame: number, box: Box, score: number, clip = 'c'): RegionPrediction => ({ clip, frame, box, score });

describe('boxIou', () => {
  it('computes intersection over union of [x1,y1,x2,y2] boxes', () => {
    expect(boxIou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(boxIou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / 150, 14);
    expect(boxIou([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0); // touching edges
    expect(boxIou([0, 0, 30, 10], [0, 0, 10, 10])).toBeCloseTo(1 / 3, 14);
  });
});

describe('ped2BoxesToRegions', () => {
  it('converts [x, y, w, h, area] to [x, y, x+w, y+h]', () => {
    const r = ped2BoxesToRegions({ '60': [[0, 95, 23, 33, 488]], '7': [[5, 6, 1, 2, 2], [10, 10, 4, 4, 16]] });
    expect(r.get(60)).toEqual([[0, 95, 23, 128]]);
    expect(r.get(7)).toEqual([[5, 6, 6, 8], [10, 10, 14, 14]]);
  });

  it('refuses bad keys and boxes', () => {
    expectVigil(() => ped2BoxesToRegions({ x: [[0, 0, 1, 1, 1]] }), 'invalid_input', /frame key "x"/);
    expectVigil(() => ped2BoxesToRegions({ '1': [[0, 0, 0, 5, 0]] }), 'invalid_input', /frame 1 box 0/);
  });
});

describe('linkGtTracks', () => {
  it('links overlapping regions in consecutive frames; a gap or no overlap starts a new track', () => {
    const regions = new Map<number, Box[]>([
      [0, [[0, 0, 10, 10], [50, 50, 60, 60]]],
      [1, [[52, 50, 62, 60], [2, 0, 12, 10]]], // both continue, listed in the other order
      [2, [[100, 100, 110, 110]]], // overlaps nothing: new track
      [4, [[100, 100, 110, 110]]], // frame 3 missing: new track
    ]);
    const tracks = linkGtTracks(regions);
    expect(tracks.map((t) => t.regions)).toEqual([
      [{ frame: 0, index: 0 }, { frame: 1, index: 1 }],
      [{ frame: 0, index: 1 }, { frame: 1, index: 0 }],
      [{ frame: 2, index: 0 }],
      [{ frame: 4, index: 0 }],
    ]);
  });

  it('continues a track with at most one region (the best-overlapping), the other starts a new track', () => {
    const regions = new Map<number, Box[]>([
      [0, [[0, 0, 20, 10]]],
      [1, [[0, 0, 8, 10], [10, 0, 20, 10]]], // blob split in two: IoU 0.4 and 0.5
    ]);
    expect(linkGtTracks(regions).map((t) => t.regions)).toEqual([
      [{ frame: 0, index: 0 }, { frame: 1, index: 1 }],
      [{ frame: 1, index: 0 }],
    ]);
  });
});

describe('rbdcTbdc', () => {
  // Frame 0: regions R1, R2 (separate tracks T0 and T1); frame 1: R3 continues T0. 10 frames in all.
  const clip = {
    clip: 'c',
    frameCount: 10,
    regions: new Map<number, Box[]>([
      [0, [[0, 0, 10, 10], [20, 0, 30, 10]]],
      [1, [[0, 0, 10, 10]]],
    ]),
  };

  it('follows the matching rules and integrates the curve over FPR 0..1', () => {
    const r = rbdcTbdc({
      clips: [clip],
      predictions: [
        pred(1, [0, 0, 10, 10], 0.5), // TP on R3
        pred(0, [0, 0, 30, 10], 0.9), // IoU 1/3 with R1 and R2: two TPs
        pred(5, [0, 0, 10, 10], 0.7), // frame without GT: FP
        pred(0, [0, 0, 10, 10], 0.8), // only R1, already matched: neither TP nor FP
        pred(1, [100, 100, 110, 110], 0.6), // IoU 0 with R3: FP
      ],
    });
    expect(r.regions).toBe(3);
    expect(r.tracks).toBe(2);
    expect(r.frames).toBe(10);
    expect(r.curve.thresholds).toEqual([Infinity, 0.9, 0.8, 0.7, 0.6, 0.5, NaN]);
    expect(r.curve.fpr).toEqual([0, 0, 0, 0.1, 0.2, 0.2, 1]);
    expect(r.curve.rbdr).toEqual([0, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 1, 1]);
    expect(r.curve.tbdr).toEqual([0, 1, 1, 1, 1, 1, 1]);
    expect(r.rbdc).toBeCloseTo(0.2 * (2 / 3) + 0.8, 14); // 14/15
    expect(r.tbdc).toBeCloseTo(1, 14);
  });

  it('extends a curve that ends before FPR 1 flat to 1', () => {
    const r = rbdcTbdc({ clips: [clip], predictions: [pred(5, [0, 0, 1, 1], 0.9), pred(1, [0, 0, 10, 10], 0.1)] });
    expect(r.curve.fpr).toEqual([0, 0.1, 0.1, 1]);
    expect(r.curve.rbdr).toEqual([0, 0, 1 / 3, 1 / 3]);
    expect(r.rbdc).toBeCloseTo(0.9 / 3, 14);
    expect(r.tbdc).toBeCloseTo(0.9 / 2, 14); // T0 detected through R3 (1 of 2 regions ≥ 10 %)
  });

  it('cuts the curve at FPR 1: detections after that point do not count', () => {
    const two = { clip: 'c', frameCount: 2, regions: new Map<number, Box[]>([[0, [[0, 0, 10, 10]]]]) };
    const r = rbdcTbdc({
      clips: [two],
      predictions: [pred(1, [0, 0, 5, 5], 0.9), pred(1, [0, 0, 5, 5], 0.8), pred(1, [0, 0, 5, 5], 0.7), pred(0, [0, 0, 10, 10], 0.6)],
    });
    expect(r.curve.fpr).toEqual([0, 0.5, 1]);
    expect(r.curve.rbdr).toEqual([0, 0, 0]);
    expect(r.rbdc).toBe(0);
  });

  it('interpolates a tied step that crosses FPR 1', () => {
    const one = { clip: 'c', frameCount: 1, regions: new Map<number, Box[]>([[0, [[0, 0, 10, 10]]]]) };
    // one threshold: 2 FPs (FPR 2) and the TP together → diagonal (0,0)→(2,1), cut at (1, 0.5)
    const r = rbdcTbdc({
      clips: [one],
      predictions: [pred(0, [50, 50, 60, 60], 0.5), pred(0, [0, 0, 10, 10], 0.5), pred(0, [70, 70, 80, 80], 0.5)],
    });
    expect(r.curve.fpr).toEqual([0, 1]);
    expect(r.curve.rbdr).toEqual([0, 0.5]);
    expect(r.rbdc).toBeCloseTo(0.25, 14);
  });

  it('moves tied predictions together (one diagonal step)', () => {
    const four = { clip: 'c', frameCount: 4, regions: new Map<number, Box[]>([[0, [[0, 0, 10, 10]]]]) };
    const r = rbdcTbdc({ clips: [four], predictions: [pred(1, [0, 0, 10, 10], 0.5), pred(0, [0, 0, 10, 10], 0.5)] });
    expect(r.curve.fpr).toEqual([0, 0.25, 1]);
    expect(r.curve.rbdr).toEqual([0, 1, 1]);
    expect(r.rbdc).toBeCloseTo(0.25 * 0.5 + 0.75, 14);
  });

  it('detects a track once ≥ 10 % of its regions are detected', () => {
    const track = (n: number): Map<number, Box[]> => new Map(Array.from({ length: n }, (_, f) => [f, [[0, 0, 10, 10] as Box]]));
    const hit = (clipName: string, f: number, score: number): RegionPrediction => pred(f, [0, 0, 10, 10], score, clipName);
    const r = rbdcTbdc({
      clips: [
        { clip: 'eleven', frameCount: 20, regions: track(11) },
        { clip: 'ten', frameCount: 20, regions: track(10) },
      ],
      predictions: [hit('eleven', 0, 0.9), hit('ten', 0, 0.8), hit('eleven', 1, 0.7)],
    });
    expect(r.tracks).toBe(2);
    // 1/11 < 10 %: not yet; 1/10 = 10 %: detected; 2/11 ≥ 10 %: detected
    expect(r.curve.tbdr).toEqual([0, 0, 0.5, 1, 1]);
    expect(r.curve.rbdr).toEqual([0, 1 / 21, 2 / 21, 3 / 21, 3 / 21]);
    expect(r.tbdc).toBe(1);
  });

  it('counts the frames of clips without GT in the FPR', () => {
    const withEmpty = rbdcTbdc({
      clips: [clip, { clip: 'normal', frameCount: 30, regions: new Map() }],
      predictions: [pred(3, [0, 0, 5, 5], 0.9, 'normal'), pred(0, [0, 0, 10, 10], 0.5)],
    });
    expect(withEmpty.frames).toBe(40);
    expect(withEmpty.curve.fpr).toEqual([0, 0.025, 0.025, 1]);
  });

  it('refuses unknown clips, frames out of range and GT without regions', () => {
    expectVigil(() => rbdcTbdc({ clips: [clip], predictions: [pred(0, [0, 0, 1, 1], 1, 'x')] }), 'invalid_input', /clip "x"/);
    expectVigil(() => rbdcTbdc({ clips: [clip], predictions: [pred(10, [0, 0, 1, 1], 1)] }), 'invalid_input', /frame 10/);
    expectVigil(() => rbdcTbdc({ clips: [clip], predictions: [pred(0, [5, 0, 1, 1], 1)] }), 'invalid_input', /prediction 0/);
    expectVigil(
      () => rbdcTbdc({ clips: [{ clip: 'n', frameCount: 3, regions: new Map() }], predictions: [] }),
      'invalid_input',
      /no anomalous region/,
    );
  });
});
