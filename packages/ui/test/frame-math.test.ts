import { describe, expect, it } from 'vitest';
import { clockFor, formatTimecode, frameAtPosition, frameAtPts, seekTimeForFrame } from '../src/player/frame-math';

const clock = { fps: 25, startS: 0, frameCount: 75 };

describe('frame math', () => {
  it('a seek to a frame centre reads back as that frame, for every frame and common rates', () => {
    for (const fps of [25, 30, 29.97002997, 24, 23.976023976, 50, 59.94005994, 7.5]) {
      const c = { fps, startS: 0, frameCount: 2000 };
      for (let n = 0; n < c.frameCount; n++) {
        expect(frameAtPosition(seekTimeForFrame(n, c), c)).toBe(n);
      }
    }
  });

  it('rounds presentation timestamps carrying float noise to the right frame', () => {
    expect(frameAtPts(0.04 - 1e-9, clock)).toBe(1);
    expect(frameAtPts(1.08 + 1e-9, clock)).toBe(27);
    // A position just short of a boundary is still the earlier frame, but float noise is tolerated.
    expect(frameAtPosition(0.079, clock)).toBe(1);
    expect(frameAtPosition(0.08 - 1e-9, clock)).toBe(2);
  });

  it('counts from the stream start time', () => {
    const c = { fps: 25, startS: 1.4, frameCount: 100 };
    expect(frameAtPts(1.4, c)).toBe(0);
    expect(frameAtPts(1.48, c)).toBe(2);
    expect(seekTimeForFrame(0, c)).toBeCloseTo(1.42, 10);
    expect(frameAtPosition(seekTimeForFrame(37, c), c)).toBe(37);
  });

  it('clamps to the first and last frame', () => {
    expect(frameAtPts(-3, clock)).toBe(0);
    expect(frameAtPts(99, clock)).toBe(74);
    expect(seekTimeForFrame(500, clock)).toBeCloseTo(74.5 / 25, 10);
    expect(seekTimeForFrame(-2, clock)).toBeCloseTo(0.5 / 25, 10);
  });

  it('formats HH:MM:SS.mmm', () => {
    expect(formatTimecode(0)).toBe('00:00:00.000');
    expect(formatTimecode(1.08)).toBe('00:00:01.080');
    expect(formatTimecode(3723.0456)).toBe('01:02:03.046');
    expect(formatTimecode(59.9996)).toBe('00:01:00.000');
    expect(formatTimecode(-0.5)).toBe('-00:00:00.500');
    expect(formatTimecode(Number.NaN)).toBe('--:--:--.---');
  });

  it('builds a clock from evidence; the probe start time counts only when the original plays', () => {
    const ev = { fps: 25, frameCount: 75, durationS: 3, probe: { startTimeS: 0.5 } };
    expect(clockFor({ ...ev, playback: 'original' })).toEqual({ fps: 25, startS: 0.5, frameCount: 75 });
    expect(clockFor({ ...ev, playback: 'ready' })).toEqual({ fps: 25, startS: 0, frameCount: 75 });
    expect(clockFor({ fps: 0, frameCount: 90, durationS: 3, probe: {}, playback: 'original' })).toEqual({ fps: 30, startS: 0, frameCount: 90 });
    expect(clockFor({ fps: 0, frameCount: 0, durationS: 0, probe: {}, playback: 'original' })).toBeNull();
    expect(clockFor({ fps: 25, frameCount: 75, durationS: 3, probe: { startTimeS: 'x' }, playback: 'original' })?.startS).toBe(0);
  });
});
