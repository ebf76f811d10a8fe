import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuMark, cpuSince, describeCpu } from '../../src/bench/cpu-account.js';

/** Burns CPU until the process has used `seconds` of it (not wall time: a busy host only makes it longer). */
const BURN = (seconds: number) =>
  `const u0 = process.cpuUsage(); let x = 0; while ((process.cpuUsage(u0).user + process.cpuUsage(u0).system) / 1e6 < ${seconds}) x += Math.sqrt(x + 1);`;

describe('cpu accounting for benchmarks', () => {
  it.runIf(existsSync('/proc/self/stat'))("counts a finished child's CPU (ffmpeg's, in the bench) apart from the engine's own", () => {
    const m = cpuMark();
    const r = spawnSync(process.execPath, ['-e', BURN(0.3)]);
    expect(r.status).toBe(0);
    const c = cpuSince(m);
    expect(c.children).not.toBeNull();
    expect(c.children!).toBeGreaterThanOrEqual(0.25); // ticks are 10 ms: 0.3 s reads 0.29 at worst
    expect(c.children!).toBeLessThan(5);
    expect(c.self).toBeLessThan(c.children!); // spawning and waiting costs the parent little
    expect(c.stealShare).not.toBeNull();
    expect(c.stealShare!).toBeGreaterThanOrEqual(0);
    expect(c.stealShare!).toBeLessThanOrEqual(1);
  });

  it("counts the engine's own CPU, all threads", () => {
    const m = cpuMark();
    new Function(BURN(0.2))();
    const c = cpuSince(m);
    expect(c.self).toBeGreaterThanOrEqual(0.2);
    if (c.children !== null) expect(c.children).toBeLessThan(0.05);
  });

  it('says what it knows and leaves out what it does not', () => {
    expect(describeCpu({ self: 7.43, children: 5.71, stealShare: 0.123 })).toBe('13.1 s CPU (engine 7.4, ffmpeg 5.7); host steal 12 %');
    expect(describeCpu({ self: 2, children: null, stealShare: null })).toBe('engine only 2.0 s');
  });
});
