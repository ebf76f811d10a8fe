import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../src/errors.js';
import {
  MEDIA_TOOL_RESOLUTION_ORDER,
  clearMediaToolCache,
  resolveFfmpeg,
  resolveFfprobe,
  unpackedAsarPath,
} from '../../src/media/ffmpeg-path.js';
import { makeTempDir } from '../helpers/media.js';

let dir: string;
let cleanup: () => Promise<void>;
const saved = { ffmpeg: process.env.VIGIL_FFMPEG, ffprobe: process.env.VIGIL_FFPROBE };

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterAll(() => cleanup());
afterEach(() => {
  for (const [k, v] of [['VIGIL_FFMPEG', saved.ffmpeg], ['VIGIL_FFPROBE', saved.ffprobe]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  clearMediaToolCache();
});

describe('media tool resolution', () => {
  it('resolves working ffmpeg and ffprobe binaries by default', () => {
    delete process.env.VIGIL_FFMPEG;
    delete process.env.VIGIL_FFPROBE;
    clearMediaToolCache();
    const ff = resolveFfmpeg();
    const fp = resolveFfprobe();
    expect(ff.source).not.toBe('env');
    expect(execFileSync(ff.path, ['-version']).toString()).toMatch(/^ffmpeg version/);
    expect(execFileSync(fp.path, ['-version']).toString()).toMatch(/^ffprobe version/);
    // Cached: the same object comes back.
    expect(resolveFfmpeg()).toBe(ff);
  });

  it('exports the resolution order with env first and PATH last', () => {
    expect(MEDIA_TOOL_RESOLUTION_ORDER.map((s) => s.source)).toEqual(['env', 'static', 'installer', 'path']);
    expect(MEDIA_TOOL_RESOLUTION_ORDER[0].ffmpeg).toContain('VIGIL_FFMPEG');
  });

  it('an env override wins', () => {
    clearMediaToolCache();
    const real = resolveFfmpeg().path;
    const link = path.join(dir, 'my ffmpeg link');
    symlinkSync(real, link);
    process.env.VIGIL_FFMPEG = link;
    clearMediaToolCache();
    const r = resolveFfmpeg();
    expect(r).toEqual({ path: link, source: 'env' });
    expect(execFileSync(r.path, ['-version']).toString()).toMatch(/^ffmpeg version/);

    const probeCopy = path.join(dir, 'ffprobe-copy');
    copyFileSync(resolveFfprobe().path, probeCopy);
    chmodSync(probeCopy, 0o755);
    process.env.VIGIL_FFPROBE = probeCopy;
    clearMediaToolCache();
    expect(resolveFfprobe()).toEqual({ path: probeCopy, source: 'env' });
  });

  it('a bogus env path is a clear error, not a silent fallback', () => {
    process.env.VIGIL_FFMPEG = path.join(dir, 'no-such-ffmpeg');
    clearMediaToolCache();
    let err: unknown;
    try {
      resolveFfmpeg();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('not_found');
    expect((err as VigilError).message).toMatch(/VIGIL_FFMPEG .*no-such-ffmpeg.*does not exist/);
  });

  it('a non-executable env path is refused', () => {
    const f = path.join(dir, 'not-exec');
    writeFileSync(f, 'hello');
    chmodSync(f, 0o644);
    process.env.VIGIL_FFPROBE = f;
    clearMediaToolCache();
    expect(() => resolveFfprobe()).toThrow(/VIGIL_FFPROBE .*is not executable/);
  });

  it('rewrites app.asar paths to app.asar.unpacked', () => {
    const p = ['', 'opt', 'Vigil', 'resources', 'app.asar', 'node_modules', 'x', 'ffmpeg'].join(path.sep);
    expect(unpackedAsarPath(p)).toBe(['', 'opt', 'Vigil', 'resources', 'app.asar.unpacked', 'node_modules', 'x', 'ffmpeg'].join(path.sep));
    expect(unpackedAsarPath('/a/app.asar.unpacked/b')).toBe('/a/app.asar.unpacked/b');
  });
});
