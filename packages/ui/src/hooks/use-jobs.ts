import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiError, Job } from '@vigil/engine/contract';
import { useClient } from './client-context';
import { applyJobUpdate } from './use-live-updates';

/** `jobs.cancel`; the returned snapshot goes straight into the job caches. */
export function useCancelJob() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation<Job, ApiError, string>({
    mutationFn: (jobId) => client.call('jobs.cancel', { jobId }),
    onSuccess: (job) => applyJobUpdate(qc, job),
  });
}
