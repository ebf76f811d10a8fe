import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/api/engine.js';
import { makeClip } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';

describe('engine operations: playback copies and thumbnails', () => {
  const dir = tempDir();
  let engine: Engine;
  let caseId = '';
  const call = (op: string, input: unknown) => engine.call(op, input) as Promise<any>;
  const importAndWait = async (path: string) => {
    const { jobId } = await call('evidence.import', { caseId, path });
    await engine.jobs.idle();
    const job = await call('jobs.get', { jobId });
    expect(job.state, job.error ?? '').toBe('done');
    return call('evidence.get', { evidenceId: job.targetId });
  };

  beforeAll(async () => {
    engine = new Engine({ dbPath: join(dir, 'v.db'), transport: 'http' });
    caseId = (await call('cases.create', { name: 'ops' })).id;
  });
  afterAll(() => engine.close());

  it('remakes the playback copy of footage the viewer cannot play, and refuses it for playable footage', async () => {
    const avi = await makeClip(dir, { name: 'cam.avi', codec: 'mjpeg', seconds: 1, fps: 10, width: 96, height: 64 });
    const ev = await importAndWait(avi);
    expect(ev.playback).toBe('ready');
    const { jobId } = await call('evidence.makeProxy', { evidenceId: ev.id });
    await engine.jobs.idle();
    expect((await call('jobs.get', { jobId })).state).toBe('done');
    expect(engine.playbackFile(ev.id).contentType).toBe('video/mp4');

    const mp4 = await importAndWait(await makeClip(dir, { name: 'ok.mp4', seconds: 1, fps: 10, width: 96, height: 64 }));
    expect(mp4.playback).toBe('original');
    await expect(call('evidence.makeProxy', { evidenceId: mp4.id })).rejects.toThrow(/needs no playback copy/);
  });

  it('returns a JPEG thumbnail of the requested width, clamping frames past the end', async () => {
    const [ev] = (await call('evidence.list', { caseId })) as { id: string; frameCount: number }[];
    const t = await call('evidence.thumbnail', { evidenceId: ev.id, frame: 10_000, width: 64 });
    expect(t.frame).toBe(ev.frameCount - 1);
    const jpeg = Buffer.from(t.data, 'base64');
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    // SOF0 marker carries the height and width: width must be 64.
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    expect(jpeg.readUInt16BE(sof + 7)).toBe(64);
  });
});
