/**
 * React-query over the contract: `useOp` reads, `useOpMutation` writes. Both are typed by operation
 * name from the contract, so input and output types follow it automatically.
 */
import { useMutation, useQuery, useQueryClient, type UseMutationResult, type UseQueryResult } from '@tanstack/react-query';
import type { ApiError, Job, OpInput, OpName, OpOutput } from '@vigil/engine/contract';
import { useClient } from './client-context';
import { fresherJob, mergeJobList } from './job-merge';
import { invalidatePrefixes, opKey } from './query-keys';

export interface OpQueryOptions {
  /** Extra condition on top of "input is not null". */
  enabled?: boolean;
}

/**
 * Job snapshots are merged rather than replaced (see job-merge.ts): a fetch that started before a
 * pushed update must not roll the progress bar back.
 */
function sharingFor(op: OpName): ((oldData: unknown, newData: unknown) => unknown) | undefined {
  if (op === 'jobs.get') return (o, n) => fresherJob(o as Job | undefined, n as Job);
  if (op === 'jobs.list') return (o, n) => mergeJobList(o as Job[] | undefined, n as Job[]);
  return undefined;
}

/** Calls `op` with `input`; `input === null` means "not yet" (the query stays idle). */
export function useOp<K extends OpName>(op: K, input: OpInput<K> | null, options: OpQueryOptions = {}): UseQueryResult<OpOutput<K>, ApiError> {
  const client = useClient();
  const sharing = sharingFor(op);
  return useQuery<OpOutput<K>, ApiError>({
    queryKey: opKey(op, input),
    queryFn: () => client.call(op, input as OpInput<K>),
    enabled: input !== null && options.enabled !== false,
    ...(sharing ? { structuralSharing: sharing } : {}),
  });
}

export interface OpMutationOptions<K extends OpName> {
  /** Operation-name prefixes to refresh on success; defaults to the operation's own domain ("cases." for cases.create). */
  invalidates?: readonly string[];
  onSuccess?: (output: OpOutput<K>, input: OpInput<K>) => void;
}

/**
 * The engine also announces every change as a `changed` event (handled in use-live-updates.ts); the
 * success invalidation here keeps the acting view correct even if the event stream is reconnecting.
 */
export function useOpMutation<K extends OpName>(op: K, options: OpMutationOptions<K> = {}): UseMutationResult<OpOutput<K>, ApiError, OpInput<K>> {
  const client = useClient();
  const qc = useQueryClient();
  const prefixes = options.invalidates ?? [`${op.slice(0, op.indexOf('.') + 1)}`];
  return useMutation<OpOutput<K>, ApiError, OpInput<K>>({
    mutationFn: (input) => client.call(op, input),
    onSuccess: (output, input) => {
      void invalidatePrefixes(qc, prefixes);
      options.onSuccess?.(output, input);
    },
  });
}
