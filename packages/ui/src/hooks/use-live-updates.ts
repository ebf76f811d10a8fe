/**
 * One subscription to the engine's event stream per client. `changed` events invalidate the affected
 * queries; `job` events are written straight into the job caches so progress bars move without polling;
 * `resync` (events were lost) invalidates every query.
 */
import { useEffect } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ApiEvent, Job } from '@vigil/engine/contract';
import { useClient } from './client-context';
import { fresherJob, isFinal, upsertJob } from './job-merge';
import { invalidateAll, invalidatePrefixes, opKey, prefixesFor, queriesOf } from './query-keys';

/** What a job of each kind produces (refreshed when it names its product and when it finishes). */
const FINISHED_JOB_AFFECTS: Record<Job['kind'], readonly string[]> = {
  import: prefixesFor('evidence'),
  proxy: prefixesFor('evidence'),
  analysis: prefixesFor('analyses'),
  report: prefixesFor('reports'),
};

/** Writes one job snapshot into every cached job query it belongs to. */
export function applyJobUpdate(qc: QueryClient, job: Job): void {
  const key = opKey('jobs.get', { jobId: job.id });
  const before = qc.getQueryData<Job>(key);
  qc.setQueryData<Job>(key, (old) => fresherJob(old, job));
  for (const { key: listKey, input } of queriesOf(qc, 'jobs.list')) {
    if (input.caseId !== undefined && input.caseId !== job.caseId) continue;
    qc.setQueryData<Job[]>(listKey, (old) => (old ? upsertJob(old, job) : old));
  }
  const finished = isFinal(job) && !(before && isFinal(before));
  // A job names its product (e.g. the evidence row an import recorded) before it finishes.
  const named = job.targetId !== null && before?.targetId !== job.targetId;
  if (finished || named) void invalidatePrefixes(qc, FINISHED_JOB_AFFECTS[job.kind]);
}

export function applyEvent(qc: QueryClient, event: ApiEvent): void {
  if (event.type === 'job') applyJobUpdate(qc, event.job);
  else if (event.type === 'changed') void invalidatePrefixes(qc, prefixesFor(event.what));
  // Updates were lost (e.g. a reconnect after the host's replay buffer moved on): refetch everything.
  else void invalidateAll(qc);
}

export function useLiveUpdates(): void {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(() => client.subscribe((event) => applyEvent(qc, event)), [client, qc]);
}
