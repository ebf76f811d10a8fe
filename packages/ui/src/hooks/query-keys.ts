/**
 * Query keys and invalidation rules: the single place that knows how cached operation results relate
 * to the engine's `changed` events.
 */
import type { ApiEvent, OpName } from '@vigil/engine/contract';
import type { Query, QueryClient } from '@tanstack/react-query';

export const KEY_ROOT = 'vigil';

export function opKey(op: OpName, input: unknown): readonly [typeof KEY_ROOT, OpName, unknown] {
  return [KEY_ROOT, op, input ?? {}] as const;
}

type ChangedWhat = Extract<ApiEvent, { type: 'changed' }>['what'];

/**
 * Operation-name prefixes whose results may change when `what` changes (operation names, e.g.
 * `analysis.list`, not the event's plural). Case rows carry evidence counts, so evidence changes also
 * refresh cases; every change is audited.
 */
const AFFECTS: Record<ChangedWhat, readonly string[]> = {
  cases: ['cases.'],
  evidence: ['evidence.', 'cases.'],
  notes: ['notes.'],
  // A new analysis brings its own scores, tracks, overlays and a new set of events.
  analyses: ['analysis.', 'events.'],
  events: ['events.'],
  conversations: ['chat.'],
  reports: ['reports.'],
  // Explanations place objects in zones by name and outline.
  zones: ['zones.', 'events.explain'],
};
const ALWAYS = ['audit.'];

export function prefixesFor(what: ChangedWhat): readonly string[] {
  return [...AFFECTS[what], ...ALWAYS];
}

function opOf(query: Query): string | null {
  const [root, op] = query.queryKey;
  return root === KEY_ROOT && typeof op === 'string' ? op : null;
}

export function invalidatePrefixes(qc: QueryClient, prefixes: readonly string[]): Promise<void> {
  return qc.invalidateQueries({
    predicate: (q) => {
      const op = opOf(q);
      return op !== null && prefixes.some((p) => op.startsWith(p));
    },
  });
}

/** Every engine query (after lost events nothing cached can be trusted). */
export function invalidateAll(qc: QueryClient): Promise<void> {
  return qc.invalidateQueries({ predicate: (q) => opOf(q) !== null });
}

/** All cached queries of one operation, with their inputs (for targeted cache updates). */
export function queriesOf(qc: QueryClient, op: OpName): { key: readonly unknown[]; input: Record<string, unknown> }[] {
  return qc
    .getQueryCache()
    .findAll({ queryKey: [KEY_ROOT, op] })
    .map((q) => ({ key: q.queryKey, input: (q.queryKey[2] ?? {}) as Record<string, unknown> }));
}
