import { describe, expect, it } from 'vitest';
import { PixelAucAccumulator, resizeHeatmap } from '../../src/eval/pixel-auc.js';
import { rocAuc } from '../../src/eval/roc.js';
import { expectVigil, rng } from './helpers.js';

describe('PixelAucAccumulator', () => {
  it('equals the exact AUC when scores are integers on the level grid (0..255, 256 bins)', () => {
    const r = rng(5);
    const acc = new PixelAucAccumulator({ bins: 256, min: 0, max: 255 });
    const allScores: number[] = [];
    const allLabels: number[] = [];
    for (let frame = 0; frame < 4; frame++) {
      const n = 32 * 24;
      const scores = Array.from({ length: n }, () => Math.floor(r() * 256));
      const mask = scores.map((s) => (r() < s / 400 ? 255 : 0));
      acc.addPixels(scores, mask);
      allScores.push(...scores);
      allLabels.push(...mask.map((m) => (m ? 1 : 0)));
    }
    expect(acc.frames).toBe(4);
    expect(acc.positives + acc.negatives).toBe(4 * 32 * 24);
    expect(acc.auc()).toBeCloseTo(rocAuc(allScores, allLabels), 12);
  });

  it('equals the exact AUC of the quantised scores for uint16 binning of [0,1] scores', () => {
    const r = rng(9);
    const scores = Array.from({ length: 5000 }, () => r());
    const mask = scores.map((s) => (r() < s ? 1 : 0));
    const acc = new PixelAucAccumulator(); // 65536 levels on [0, 1]
    acc.addPixels(scores, mask);
    const quantised = scores.map((s) => Math.round(s * 65535));
    expect(acc.auc()).toBeCloseTo(rocAuc(quantised, mask), 12);
    expect(Math.abs(acc.auc() - rocAuc(scores, mask))).toBeLessThan(1e-3);
  });

  it('counts scores that fall on the same level as ties and clamps out-of-range scores', () => {
    const acc = new PixelAucAccumulator({ bins: 2 }); // levels 0 and 1
    acc.addPixels([0.6, 0.9], [0, 255]); // both on level 1
    expect(acc.auc()).toBe(0.5);
    const clamp = new PixelAucAccumulator({ bins: 256 });
    expect(clamp.level(-3)).toBe(0);
    expect(clamp.level(7)).toBe(255);
    expect(clamp.level(0.5)).toBe(128); // 127.5 rounds up
  });

  it('upsamples a low-resolution heatmap to the mask before counting', () => {
    // 2×2 heatmap, hot top-left; 4×4 mask with the top-left 2×2 block anomalous
    const mask = new Uint8Array(16);
    for (const i of [0, 1, 4, 5]) mask[i] = 255;
    const nearest = new PixelAucAccumulator({ bins: 256 });
    nearest.addFrame({ data: [1, 0, 0, 0], width: 2, height: 2 }, mask, 4, 4, 'nearest');
    expect(nearest.auc()).toBe(1);
    expect(nearest.positives).toBe(4);
    expect(nearest.negatives).toBe(12);
    const bilinear = new PixelAucAccumulator({ bins: 256 });
    bilinear.addFrame({ data: [1, 0, 0, 0], width: 2, height: 2 }, mask, 4, 4, 'bilinear');
    // bilinear values: 1 at (0,0); 0.75 at (1,0),(0,1); 0.5625 at (1,1); the anomalous block still ranks first
    expect(bilinear.auc()).toBe(1);
  });

  it('merges accumulators and refuses undefined or mismatched input', () => {
    const a = new PixelAucAccumulator({ bins: 16 });
    const b = new PixelAucAccumulator({ bins: 16 });
    a.addPixels([0.1, 0.2], [0, 0]);
    expectVigil(() => a.auc(), 'invalid_input', /0 anomalous and 2 normal/);
    b.addPixels([0.9], [1]);
    a.merge(b);
    expect(a.auc()).toBe(1);
    expect(a.frames).toBe(2);
    expectVigil(() => a.merge(new PixelAucAccumulator({ bins: 8 })), 'invalid_input', /different quantisation/);
    expectVigil(() => a.addPixels([0.1], [0, 1]), 'invalid_input', /1 scores but 2 mask/);
    expectVigil(() => a.addFrame({ data: [1, 2, 3], width: 2, height: 2 }, [0, 0, 0, 0], 2, 2), 'invalid_input', /heatmap has 3/);
    expectVigil(() => new PixelAucAccumulator({ bins: 70000 }), 'invalid_input', /bins/);
    expectVigil(() => a.addPixels([NaN], [0]), 'invalid_input', /NaN/);
  });
});

describe('resizeHeatmap', () => {
  it('nearest replicates cells', () => {
    expect(Array.from(resizeHeatmap([1, 2, 3, 4], 2, 2, 4, 4, 'nearest'))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('bilinear interpolates between pixel centres and clamps at the borders', () => {
    // target centres map to source x = -0.25, 0.25, 0.75, 1.25 → clamp, ¼, ¾, clamp
    expect(Array.from(resizeHeatmap([0, 1], 2, 1, 4, 1, 'bilinear'))).toEqual([0, 0.25, 0.75, 1]);
    expect(Array.from(resizeHeatmap([0, 4, 8, 12], 2, 2, 2, 2, 'bilinear'))).toEqual([0, 4, 8, 12]); // identity size
  });

  it('refuses data that does not fill the stated size', () => {
    expectVigil(() => resizeHeatmap([1, 2, 3], 2, 2, 4, 4), 'invalid_input', /3 values do not fill 2×2/);
  });
});
