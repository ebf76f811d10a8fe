import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import type { Job } from '@vigil/engine/contract';
import { applyEvent } from '../src/hooks/use-live-updates';
import { fresherJob, mergeJobList } from '../src/hooks/job-merge';
import { opKey } from '../src/hooks/query-keys';

const job = (over: Partial<Job>): Job => ({
  id: 'job_aaaaaaaaaaaa',
  caseId: 'case_aaaaaaaaaaaa',
  kind: 'import',
  state: 'running',
  progress: 0.2,
  stage: 'hash',
  error: null,
  targetId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  etaS: null,
  ...over,
});

describe('job snapshots', () => {
  it('keep the most advanced state whatever the arrival order', () => {
    const running = job({ progress: 0.6 });
    const older = job({ progress: 0.3 });
    const done = job({ state: 'done', progress: 1, finishedAt: '2026-01-01T00:00:05.000Z' });
    expect(fresherJob(running, older)).toBe(running);
    expect(fresherJob(older, running)).toBe(running);
    expect(fresherJob(done, running)).toBe(done);
    expect(fresherJob(running, done)).toBe(done);
    expect(fresherJob(job({ state: 'queued', progress: 0 }), older)).toBe(older);
  });

  it('merge a fetched list without rolling back pushed progress', () => {
    const pushed = job({ progress: 0.9 });
    const other = job({ id: 'job_bbbbbbbbbbbb', progress: 0 });
    const merged = mergeJobList([pushed], [job({ progress: 0.4 }), other]);
    expect(merged.map((j) => j.progress)).toEqual([0.9, 0]);
  });
});

describe('engine events into the query cache', () => {
  it('job events update jobs.get and every matching jobs.list, newest first', () => {
    const qc = new QueryClient();
    const caseId = 'case_aaaaaaaaaaaa';
    const existing = job({ id: 'job_cccccccccccc', state: 'done', progress: 1 });
    qc.setQueryData(opKey('jobs.list', { caseId }), [existing]);
    qc.setQueryData(opKey('jobs.list', { caseId: 'case_zzzzzzzzzzzz' }), []);
    qc.setQueryData(opKey('jobs.list', {}), [existing]);

    applyEvent(qc, { type: 'job', job: job({ progress: 0.5 }) });
    expect(qc.getQueryData<Job[]>(opKey('jobs.list', { caseId }))!.map((j) => [j.id, j.progress])).toEqual([
      ['job_aaaaaaaaaaaa', 0.5],
      ['job_cccccccccccc', 1],
    ]);
    expect(qc.getQueryData<Job[]>(opKey('jobs.list', {}))).toHaveLength(2);
    expect(qc.getQueryData<Job[]>(opKey('jobs.list', { caseId: 'case_zzzzzzzzzzzz' }))).toEqual([]);
    expect(qc.getQueryData<Job>(opKey('jobs.get', { jobId: 'job_aaaaaaaaaaaa' }))!.progress).toBe(0.5);

    // A late, older event does not move the bar back.
    applyEvent(qc, { type: 'job', job: job({ progress: 0.3 }) });
    expect(qc.getQueryData<Job>(opKey('jobs.get', { jobId: 'job_aaaaaaaaaaaa' }))!.progress).toBe(0.5);
  });

  it('import progress, its finish and changed events invalidate exactly the affected queries', async () => {
    const qc = new QueryClient();
    const caseId = 'case_aaaaaaaaaaaa';
    for (const [op, input] of [
      ['evidence.list', { caseId }],
      ['cases.list', {}],
      ['notes.list', { caseId }],
      ['app.info', {}],
    ] as const) {
      qc.setQueryData(opKey(op, input), []);
    }
    const stale = () =>
      qc
        .getQueryCache()
        .getAll()
        .filter((q) => q.state.isInvalidated)
        .map((q) => q.queryKey[1])
        .sort();

    applyEvent(qc, { type: 'job', job: job({ progress: 0.3 }) });
    expect(stale()).toEqual([]);
    // The import names the evidence row it recorded (before its proxy stage): lists refresh then.
    applyEvent(qc, { type: 'job', job: job({ progress: 0.7, stage: 'proxy', targetId: 'ev_aaaaaaaaaaaa' }) });
    expect(stale()).toEqual(['cases.list', 'evidence.list']);
    for (const [op, input] of [['evidence.list', { caseId }], ['cases.list', {}]] as const) qc.setQueryData(opKey(op, input), []);
    expect(stale()).toEqual([]);
    applyEvent(qc, { type: 'job', job: job({ progress: 0.8, stage: 'proxy', targetId: 'ev_aaaaaaaaaaaa' }) });
    expect(stale()).toEqual([]);
    applyEvent(qc, { type: 'job', job: job({ state: 'done', progress: 1, targetId: 'ev_aaaaaaaaaaaa' }) });
    expect(stale()).toEqual(['cases.list', 'evidence.list']);

    applyEvent(qc, { type: 'changed', caseId, what: 'notes' });
    expect(stale()).toEqual(['cases.list', 'evidence.list', 'notes.list']);
  });

  it('zone changes refresh zones and event explanations (they place objects in zones)', () => {
    const qc = new QueryClient();
    const caseId = 'case_aaaaaaaaaaaa';
    qc.setQueryData(opKey('zones.list', { caseId }), []);
    qc.setQueryData(opKey('events.explain', { eventId: 'evt_aaaaaaaaaaaa' }), {});
    qc.setQueryData(opKey('events.list', { caseId }), []);
    applyEvent(qc, { type: 'changed', caseId, what: 'zones' });
    const stale = qc.getQueryCache().getAll().filter((q) => q.state.isInvalidated).map((q) => q.queryKey[1]).sort();
    expect(stale).toEqual(['events.explain', 'zones.list']);
  });

  it('a resync (events lost on the way) refreshes every engine query and nothing else', () => {
    const qc = new QueryClient();
    const caseId = 'case_aaaaaaaaaaaa';
    for (const [op, input] of [['cases.list', {}], ['notes.list', { caseId }], ['zones.list', { caseId }], ['jobs.list', {}], ['app.info', {}]] as const) qc.setQueryData(opKey(op, input), []);
    qc.setQueryData(['not-the-engine'], 1);
    applyEvent(qc, { type: 'resync', reason: 'test' });
    const all = qc.getQueryCache().getAll();
    expect(all.filter((q) => q.state.isInvalidated).map((q) => q.queryKey[1]).sort()).toEqual(['app.info', 'cases.list', 'jobs.list', 'notes.list', 'zones.list']);
    expect(all.find((q) => q.queryKey[0] === 'not-the-engine')!.state.isInvalidated).toBe(false);
  });
});
