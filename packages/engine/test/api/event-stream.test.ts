/**
 * The event stream's replay after a reconnect: the numbered log on its own, then the web host's
 * /api/events over real HTTP (raw requests, so the test sets Last-Event-ID exactly as EventSource does).
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, Job } from '../../src/api/contract.js';
import { Engine } from '../../src/api/engine.js';
import { EventReplayLog } from '../../src/api/event-replay.js';
import { startWebHost, type WebHost } from '../../src/api/http-server.js';
import { makeClip } from '../helpers/media.js';
import { tempDir } from '../helpers/tmp.js';

const changed = (caseId: string, what: 'cases' | 'notes' = 'cases'): ApiEvent => ({ type: 'changed', caseId, what });
const job = (id: string, progress: number): ApiEvent => ({
  type: 'job',
  job: { id, caseId: null, kind: 'import', state: 'running', progress, stage: null, error: null, targetId: null, createdAt: 't', startedAt: 't', finishedAt: null, etaS: null } as Job,
});

describe('numbered event log', () => {
  it('numbers events in order and tells a client what it missed', () => {
    const log = new EventReplayLog(10, 'abc');
    expect(log.lastId()).toBe('abc-0');
    const ids = [changed('a'), changed('b'), changed('c')].map((e) => log.push(e).id);
    expect(ids).toEqual(['abc-1', 'abc-2', 'abc-3']);
    expect(log.since('abc-0')!.map((n) => n.id)).toEqual(['abc-1', 'abc-2', 'abc-3']);
    expect(log.since('abc-2')!.map((n) => n.event)).toEqual([changed('c')]);
    expect(log.since('abc-3')).toEqual([]);
  });

  it('refuses ids it cannot answer for: another log, malformed, from the future', () => {
    const log = new EventReplayLog(10, 'abc');
    log.push(changed('a'));
    for (const id of ['def-1', 'abc-2', 'abc--1', 'abc-01', 'abc-1.5', 'abc', '1', '', 'abc-1\n', 'ABC-1', `abc-${'9'.repeat(30)}`]) expect(log.since(id), id).toBeNull();
  });

  it('keeps the last `capacity` events; a client that missed a dropped one must resync', () => {
    const log = new EventReplayLog(3, 'e');
    for (const c of ['a', 'b', 'c', 'd', 'e']) log.push(changed(c));
    // Events 1 and 2 were dropped for room: a client that saw 2 missed only 3..5, all kept.
    expect(log.since('e-2')!.map((n) => n.seq)).toEqual([3, 4, 5]);
    expect(log.since('e-1')).toBeNull();
    expect(log.since('e-0')).toBeNull();
  });

  it('drops an event a newer one makes redundant (job snapshots, identical change notices) without forcing a resync', () => {
    const log = new EventReplayLog(2, 'e');
    log.push(job('job_a', 0.1)); // 1
    log.push(changed('x')); // 2
    log.push(job('job_a', 0.5)); // 3 supersedes 1
    log.push(job('job_a', 0.9)); // 4 supersedes 3
    log.push(changed('x')); // 5 supersedes 2
    expect(log.since('e-0')!.map((n) => [n.seq, n.event.type === 'job' ? n.event.job.progress : n.event.type])).toEqual([
      [4, 0.9],
      [5, 'changed'],
    ]);
    expect(log.since('e-4')!.map((n) => n.seq)).toEqual([5]);
    // A different job or a different change is not redundant: now one event is dropped for room.
    log.push(job('job_b', 0.2)); // 6, drops 4
    expect(log.since('e-3')).toBeNull();
    expect(log.since('e-4')!.map((n) => n.seq)).toEqual([5, 6]);
  });
});

interface Block {
  id?: string;
  data?: ApiEvent;
  comments: string[];
}

interface Stream {
  status: number;
  headers: IncomingHttpHeaders;
  blocks: Block[];
  /** Data-carrying blocks (dispatched events). */
  events(): Block[];
  /** Resolves once `n` blocks arrived (fails the test if the stream ends first). */
  untilBlocks(n: number): Promise<Block[]>;
  /** Resolves once `n` event blocks arrived (fails the test if the stream ends first). */
  untilEvents(n: number): Promise<Block[]>;
  close(): void;
}

/** Opens /api/events like EventSource: the token in the query, Last-Event-ID as a header when given. */
function openStream(host: WebHost, headers: Record<string, string> = {}, path = `/api/events?token=${host.token}`): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const blocks: Block[] = [];
    const waiters: (() => void)[] = [];
    let ended = false;
    const req = request({ host: '127.0.0.1', port: host.port, path, headers: { host: `127.0.0.1:${host.port}`, accept: 'text/event-stream', ...headers } }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block: Block = { comments: [] };
          for (const line of buf.slice(0, i).split('\n')) {
            if (line.startsWith(':')) block.comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) block.id = line.slice(4);
            else if (line.startsWith('data: ')) block.data = JSON.parse(line.slice(6)) as ApiEvent;
            else throw new Error(`unexpected SSE line ${JSON.stringify(line)}`);
          }
          blocks.push(block);
          buf = buf.slice(i + 2);
        }
        for (const w of waiters.splice(0)) w();
      });
      res.on('close', () => {
        ended = true;
        for (const w of waiters.splice(0)) w();
      });
      const events = () => blocks.filter((b) => b.data !== undefined);
      const until = async (have: () => Block[], n: number) => {
        while (have().length < n) {
          if (ended) throw new Error(`stream ended after ${have().length} of ${n} blocks`);
          await new Promise<void>((w) => waiters.push(w));
        }
        return have().slice(0, n);
      };
      resolve({
        status: res.statusCode!,
        headers: res.headers,
        blocks,
        events,
        untilBlocks: (n) => until(() => blocks, n),
        untilEvents: (n) => until(events, n),
        close: () => req.destroy(),
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end();
  });
}

describe('/api/events replay over HTTP', () => {
  const dir = tempDir('vigil-events-');
  let engine: Engine;
  let host: WebHost;
  const emitted: ApiEvent[] = [];
  const newCase = async (name: string) => ((await engine.call('cases.create', { name })) as { id: string }).id;

  beforeAll(async () => {
    engine = new Engine({ dbPath: join(dir, 'events.db'), transport: 'http' });
    engine.on((e) => emitted.push(e));
    host = await startWebHost({ engine, port: 0 });
  });
  afterAll(async () => {
    await engine.jobs.idle();
    await host.close();
    engine.close();
  });

  it('replays exactly the missed events, in order, after Last-Event-ID, then streams live ones', async () => {
    const first = await openStream(host);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/event-stream');
    expect(first.headers['content-security-policy']).toContain("default-src 'self'");
    const caseId = await newCase('Before the drop');
    const [seen] = await first.untilEvents(1);
    expect(seen.data).toEqual(changed(caseId));
    // The fresh connection got the current id first, in a block that dispatches no event.
    expect(first.blocks[0]).toEqual({ comments: ['connected'], id: expect.stringMatching(/^[0-9a-f]+-\d+$/) });
    const [epoch, n] = seen.id!.split('-');
    expect(first.blocks[0].id).toBe(`${epoch}-${Number(n) - 1}`);
    first.close();

    const missedFrom = emitted.length;
    const a = await newCase('While away A');
    await engine.call('notes.add', { caseId: a, title: 'x' });
    await newCase('While away B');
    const missed = emitted.slice(missedFrom);
    expect(missed).toHaveLength(3);

    const again = await openStream(host, { 'last-event-id': seen.id! });
    const replayed = await again.untilEvents(3);
    expect(replayed.map((b) => b.id)).toEqual([1, 2, 3].map((k) => `${epoch}-${Number(n) + k}`));
    expect(replayed.map((b) => b.data)).toEqual(missed);
    // Live events follow the replay without a gap or a repeat.
    const live = await newCase('After the reconnect');
    const all = await again.untilEvents(4);
    expect(all[3]).toEqual({ comments: [], id: `${epoch}-${Number(n) + 4}`, data: changed(live) });
    expect(again.events()).toHaveLength(4);

    // Resuming from the newest id replays nothing.
    const current = await openStream(host, { 'last-event-id': all[3].id! });
    // The host writes at once even with nothing to replay (else the headers would wait for the first ping).
    expect((await current.untilBlocks(1))[0]).toEqual({ comments: ['connected'] });
    const next = await newCase('Next');
    expect(await current.untilEvents(1)).toEqual([{ comments: [], id: `${epoch}-${Number(n) + 5}`, data: changed(next) }]);
    again.close();
    current.close();
  });

  it('replays only the newest snapshot of a job that progressed while the client was away', async () => {
    const caseId = await newCase('Import while away');
    const s = await openStream(host);
    const lastId = (await s.untilBlocks(1))[0].id!;
    s.close();

    const from = emitted.length;
    const clip = await makeClip(dir, { name: 'away.mp4', seconds: 1, fps: 10, width: 64, height: 48 });
    const { jobId } = (await engine.call('evidence.import', { caseId, path: clip })) as { jobId: string };
    await engine.jobs.idle();
    const snapshots = emitted.slice(from).filter((e) => e.type === 'job' && e.job.id === jobId);
    expect(snapshots.length).toBeGreaterThan(1);

    // What the client needs: the newest event of each job and of each kind of change, in the order of
    // those newest events.
    const missed = emitted.slice(from);
    const key = (e: ApiEvent) => (e.type === 'job' ? `job ${e.job.id}` : JSON.stringify(e));
    const newest = missed.filter((e, i) => !missed.slice(i + 1).some((later) => key(later) === key(e)));
    expect(newest.length).toBeLessThan(missed.length);

    const back = await openStream(host, { 'last-event-id': lastId });
    const replayed = (await back.untilEvents(newest.length)).map((b) => b.data!);
    expect(replayed).toEqual(newest);
    const jobEvents = replayed.filter((e) => e.type === 'job');
    expect(jobEvents).toEqual([snapshots.at(-1)]);
    expect((jobEvents[0] as { job: Job }).job.state).toBe('done');
    expect(replayed).toContainEqual({ type: 'changed', caseId, what: 'evidence' });
    // Nothing more was queued for it: the next block is a live event.
    const live = await newCase('Live after the import');
    expect((await back.untilEvents(newest.length + 1)).at(-1)!.data).toEqual(changed(live));
    back.close();
  });

  it('sends one resync event when the missed events are gone or the id is not this host’s', async () => {
    const small = await startWebHost({ engine, port: 0, replayCapacity: 3 });
    try {
      const s = await openStream(small);
      const baseline = (await s.untilBlocks(1))[0].id!;
      const [epoch, n] = baseline.split('-');
      s.close();
      for (let i = 0; i < 5; i++) await newCase(`Flood ${i}`);

      const late = await openStream(small, { 'last-event-id': baseline });
      const [resync] = await late.untilEvents(1);
      expect(resync.data).toMatchObject({ type: 'resync' });
      expect(resync.id).toBe(`${epoch}-${Number(n) + 5}`);
      // Nothing else is replayed; live events continue after it.
      const live = await newCase('After the resync');
      expect((await late.untilEvents(2))[1]).toEqual({ comments: [], id: `${epoch}-${Number(n) + 6}`, data: changed(live) });
      late.close();

      // The resync's id is a good place to resume from.
      const resumed = await openStream(small, { 'last-event-id': resync.id! });
      expect((await resumed.untilEvents(1))[0].data).toEqual(changed(live));
      resumed.close();

      for (const foreign of [`${epoch}x-1`, 'ffffff-1', `${epoch}-999999`, 'garbage']) {
        const f = await openStream(small, { 'last-event-id': foreign });
        expect((await f.untilEvents(1))[0].data, foreign).toMatchObject({ type: 'resync' });
        f.close();
      }
    } finally {
      await small.close();
    }
  });

  it('keeps the token and Host/Origin checks on the stream', async () => {
    for (const [headers, path] of [
      [{}, '/api/events'],
      [{}, `/api/events?token=${host.token.slice(1)}`],
      [{ 'last-event-id': 'x-1' }, '/api/events'],
      [{ host: `evil.example:${host.port}` }, `/api/events?token=${host.token}`],
      [{ origin: 'http://evil.example' }, `/api/events?token=${host.token}`],
    ] as [Record<string, string>, string][]) {
      const s = await openStream(host, headers, path);
      expect(s.status, `${JSON.stringify(headers)} ${path.replace(host.token.slice(1), '<token>')}`).toBe(403);
      expect(s.headers['content-type']).toMatch(/^application\/json/);
      s.close();
    }
    const bearer = await openStream(host, { authorization: `Bearer ${host.token}` }, '/api/events');
    expect(bearer.status).toBe(200);
    bearer.close();
  });
});
