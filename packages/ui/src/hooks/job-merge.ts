/**
 * Jobs only move forward (queued → running → a final state; progress does not shrink within a run),
 * but a fetched snapshot and a pushed event can arrive in either order. Merging by "which is further
 * along" makes the cache converge on the newest state whatever the arrival order.
 */
import type { Job } from '@vigil/engine/contract';

const FINAL_STATES: ReadonlySet<Job['state']> = new Set(['done', 'failed', 'cancelled', 'interrupted']);

export function isFinal(job: Pick<Job, 'state'>): boolean {
  return FINAL_STATES.has(job.state);
}

export function isActive(job: Pick<Job, 'state'>): boolean {
  return job.state === 'queued' || job.state === 'running';
}

function rank(state: Job['state']): number {
  if (FINAL_STATES.has(state)) return 2;
  return state === 'running' ? 1 : 0;
}

/** The more advanced of two snapshots of the same job; on a tie the incoming one. */
export function fresherJob(current: Job | undefined, incoming: Job): Job {
  if (!current || current.id !== incoming.id) return incoming;
  const dr = rank(incoming.state) - rank(current.state);
  if (dr !== 0) return dr > 0 ? incoming : current;
  if (rank(current.state) === 2) return incoming.finishedAt && current.finishedAt && incoming.finishedAt < current.finishedAt ? current : incoming;
  return incoming.progress >= current.progress ? incoming : current;
}

/** A fetched list merged with what the cache already knows about each job. */
export function mergeJobList(current: Job[] | undefined, incoming: Job[]): Job[] {
  if (!current) return incoming;
  const known = new Map(current.map((j) => [j.id, j]));
  return incoming.map((j) => fresherJob(known.get(j.id), j));
}

/** A list after one pushed job update: replaced in place, or added at the top (lists are newest first). */
export function upsertJob(list: Job[], job: Job): Job[] {
  const i = list.findIndex((j) => j.id === job.id);
  if (i < 0) return [job, ...list];
  const merged = fresherJob(list[i], job);
  if (merged === list[i]) return list;
  const next = list.slice();
  next[i] = merged;
  return next;
}
