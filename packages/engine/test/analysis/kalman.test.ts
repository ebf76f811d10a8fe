import { describe, expect, it } from 'vitest';
import { BoxKalman } from '../../src/analysis/kalman.js';
import type { Box } from '../../src/analysis/types.js';

const boxAt = (k: number, vx: number, vy: number): Box => [10 + vx * k, 50 + vy * k, 22 + vx * k, 80 + vy * k];

describe('BoxKalman', () => {
  it('learns a constant velocity from positions and extrapolates it', () => {
    const kf = new BoxKalman(boxAt(0, 3, -1));
    for (let k = 1; k <= 25; k++) {
      kf.predict();
      kf.update(boxAt(k, 3, -1));
    }
    const [vx, vy] = kf.velocity();
    expect(Math.abs(vx - 3)).toBeLessThan(0.1);
    expect(Math.abs(vy + 1)).toBeLessThan(0.1);
    // Two frames without measurements: the prediction keeps moving.
    kf.predict();
    kf.predict();
    const b = kf.box();
    const want = boxAt(27, 3, -1);
    for (let i = 0; i < 4; i++) expect(Math.abs(b[i] - want[i])).toBeLessThan(1);
  });

  it('smooths measurement noise and grows uncertainty while predicting blind', () => {
    const kf = new BoxKalman(boxAt(0, 2, 0));
    let seed = 3;
    const noise = (): number => {
      seed = (seed * 16807) % 2147483647;
      return (seed / 2147483647 - 0.5) * 4; // ±2 px
    };
    for (let k = 1; k <= 30; k++) {
      kf.predict();
      const b = boxAt(k, 2, 0);
      kf.update([b[0] + noise(), b[1] + noise(), b[2] + noise(), b[3] + noise()]);
    }
    expect(kf.velocity()[0]).toBeGreaterThan(1.5);
    expect(kf.velocity()[0]).toBeLessThan(2.5);
    const before = kf.P[0];
    kf.predict();
    kf.predict();
    expect(kf.P[0]).toBeGreaterThan(before);
  });
});
