import { useOp } from '../hooks/use-op';
import { useCancelJob } from '../hooks/use-jobs';
import { formatDateTime } from '../lib/format';
import { ErrorBanner } from './ErrorBanner';
import { JobProgress } from './JobProgress';

const SHOWN = 12;

/** Jobs of the selected case (or all jobs), newest first, live through job events. */
export function JobsPanel({ caseId }: { caseId: string | null }) {
  const jobs = useOp('jobs.list', caseId ? { caseId } : {});
  const evidence = useOp('evidence.list', caseId ? { caseId } : null);
  const names = new Map((evidence.data ?? []).map((e) => [e.id, e.fileName]));
  const cancel = useCancelJob();
  const list = jobs.data ?? [];
  const active = list.filter((j) => j.state === 'queued' || j.state === 'running').length;
  return (
    <section className="panel" aria-labelledby="jobs-title" data-testid="jobs-panel">
      <header className="panel-head">
        <h2 id="jobs-title">Jobs</h2>
        {active > 0 && <span className="count live">{active} running</span>}
      </header>
      <ErrorBanner error={jobs.error ?? cancel.error} onDismiss={cancel.error ? cancel.reset : undefined} />
      <ul className="job-list">
        {list.slice(0, SHOWN).map((j) => (
          <li key={j.id} data-testid="job-row" data-job-id={j.id} data-state={j.state} title={`${j.id} · started ${formatDateTime(j.startedAt ?? j.createdAt)}`}>
            <JobProgress job={j} subject={j.targetId ? names.get(j.targetId) : null} onCancel={(x) => cancel.mutate(x.id)} cancelling={cancel.isPending && cancel.variables === j.id} />
          </li>
        ))}
        {list.length === 0 && !jobs.isPending && <li className="empty">No jobs.</li>}
      </ul>
    </section>
  );
}
