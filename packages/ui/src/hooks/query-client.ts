import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '@vigil/engine/contract';

/** Errors that a retry cannot fix. */
const FINAL_CODES = new Set(['invalid_input', 'not_found', 'forbidden', 'conflict', 'unsupported_media']);

/**
 * Query defaults for the review UI. Data stays fresh until an engine event says otherwise, so
 * refetching is event-driven; focus refetch covers events missed while the stream reconnected.
 */
export function createVigilQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (count, error) => !(error instanceof ApiError && FINAL_CODES.has(error.code)) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}
