/** Export the case as an annotated PDF: which events, chat transcript on/off, job progress, then a link to the PDF. */
import { useMemo, useState } from 'react';
import type { Case, Evidence } from '@vigil/engine/contract';
import { useClient } from '../hooks/client-context';
import { useCancelJob } from '../hooks/use-jobs';
import { useOp, useOpMutation } from '../hooks/use-op';
import { categoryColour, categoryLabel, REVIEW_LABELS } from '../lib/categories';
import { formatDateTime } from '../lib/format';
import { formatTimecode } from '../player/frame-math';
import { ErrorBanner } from './ErrorBanner';
import { JobProgress } from './JobProgress';
import { Modal } from './Modal';

type Selection = 'all' | 'confirmed' | 'pick';

export function ReportDialog({ caseItem, evidenceList, onClose }: { caseItem: Case; evidenceList: readonly Evidence[]; onClose: () => void }) {
  const client = useClient();
  const events = useOp('events.list', { caseId: caseItem.id });
  const reports = useOp('reports.list', { caseId: caseItem.id });
  const [selection, setSelection] = useState<Selection>('all');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [transcript, setTranscript] = useState(true);
  const [jobId, setJobId] = useState<string | null>(null);
  const exportReport = useOpMutation('reports.export', { invalidates: ['jobs.', 'reports.'], onSuccess: (r) => setJobId(r.jobId) });
  const job = useOp('jobs.get', jobId ? { jobId } : null);
  const cancel = useCancelJob();
  const names = useMemo(() => new Map(evidenceList.map((e) => [e.id, e.fileName])), [evidenceList]);

  const all = events.data ?? [];
  const confirmed = all.filter((e) => e.reviewState === 'confirmed');
  const eventIds = selection === 'all' ? undefined : selection === 'confirmed' ? confirmed.map((e) => e.id) : [...picked];
  const nothing = selection !== 'all' && (eventIds?.length ?? 0) === 0;
  const running = job.data ? job.data.state === 'queued' || job.data.state === 'running' : false;
  const done = job.data?.state === 'done' ? job.data : null;
  const report = done && done.targetId ? (reports.data?.find((r) => r.id === done.targetId) ?? null) : null;

  return (
    <Modal title={`Export report · ${caseItem.name}`} onClose={onClose} testId="report-dialog" wide>
      <div className="report-options">
        <fieldset>
          <legend>Events</legend>
          <label className="check-row">
            <input type="radio" name="report-events" checked={selection === 'all'} onChange={() => setSelection('all')} data-testid="report-events-all" />
            All events <span className="dim">({all.length})</span>
          </label>
          <label className="check-row">
            <input type="radio" name="report-events" checked={selection === 'confirmed'} onChange={() => setSelection('confirmed')} data-testid="report-events-confirmed" />
            Confirmed only <span className="dim">({confirmed.length})</span>
          </label>
          <label className="check-row">
            <input type="radio" name="report-events" checked={selection === 'pick'} onChange={() => setSelection('pick')} data-testid="report-events-pick" />
            Choose…
          </label>
          {selection === 'pick' && (
            <ul className="pick-list">
              {all.map((e) => (
                <li key={e.id}>
                  <label className="check-row">
                    <input
                      type="checkbox"
                      checked={picked.has(e.id)}
                      onChange={(ev) =>
                        setPicked((p) => {
                          const n = new Set(p);
                          if (ev.target.checked) n.add(e.id);
                          else n.delete(e.id);
                          return n;
                        })
                      }
                    />
                    <span className="event-dot" style={{ background: categoryColour(e.category) }} />
                    <span>
                      #{e.seq} {categoryLabel(e.category)}
                    </span>
                    <span className="mono dim">
                      {names.get(e.evidenceId) ?? e.evidenceId} · {formatTimecode(e.startTime)}
                    </span>
                    <span className={`review-badge ${e.reviewState}`}>{REVIEW_LABELS[e.reviewState]}</span>
                  </label>
                </li>
              ))}
              {all.length === 0 && <li className="dim">No events in this case.</li>}
            </ul>
          )}
        </fieldset>
        <fieldset>
          <legend>Contents</legend>
          <label className="check-row">
            <input type="checkbox" checked={transcript} onChange={(e) => setTranscript(e.target.checked)} data-testid="report-transcript" />
            Include the chat transcript
          </label>
          <div className="dim small-text">The report always carries the evidence hashes (re-verified at export), the analysis settings and models, and the audit trail.</div>
        </fieldset>
      </div>
      <div className="row end">
        <button
          type="button"
          className="button primary"
          data-testid="report-export"
          disabled={exportReport.isPending || running || nothing}
          onClick={() => {
            setJobId(null);
            exportReport.mutate({ caseId: caseItem.id, transcript, ...(eventIds ? { eventIds } : {}) });
          }}
        >
          {running ? 'Exporting…' : 'Export PDF'}
        </button>
      </div>
      <ErrorBanner error={exportReport.error} onDismiss={exportReport.reset} />
      {job.data && (
        <div className="report-job" data-testid="report-progress" data-state={job.data.state}>
          <JobProgress job={job.data} onCancel={(j) => cancel.mutate(j.id)} cancelling={cancel.isPending} />
          {done && done.targetId && (
            <a className="button primary report-link" data-testid="report-open" href={client.reportUrl(done.targetId)} target="_blank" rel="noopener noreferrer">
              Open PDF{report ? ` · ${report.pages} pages` : ''}
            </a>
          )}
        </div>
      )}
      <h3 className="section-title">Exported reports</h3>
      <ErrorBanner error={reports.error} testId="reports-error" />
      <ul className="report-list" data-testid="report-list">
        {reports.data?.map((r) => (
          <li key={r.id} data-testid="report-item">
            <a href={client.reportUrl(r.id)} target="_blank" rel="noopener noreferrer">
              {r.fileName}
            </a>
            <span className="dim">
              {formatDateTime(r.createdAt)} · {r.pages} pages
            </span>
            <code className="dim" title={r.sha256}>
              {r.sha256.slice(0, 16)}…
            </code>
          </li>
        ))}
        {reports.data?.length === 0 && <li className="dim">None yet.</li>}
      </ul>
    </Modal>
  );
}

