import { useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useClient } from '../hooks/client-context';
import { useOp, useOpMutation } from '../hooks/use-op';
import { useCancelJob } from '../hooks/use-jobs';
import { ErrorBanner } from './ErrorBanner';
import { JobProgress } from './JobProgress';

/**
 * Import by file path (works on both hosts: the engine reads the file, the UI only names it). Follows
 * its own job through job events and hands over the new evidence id when the import finishes.
 * Mount it keyed by case id so switching cases starts from a clean form.
 */
export function ImportForm({ caseId, onImported }: { caseId: string; onImported: (evidenceId: string) => void }) {
  const [path, setPath] = useState('');
  const [jobId, setJobId] = useState<string | null>(null);
  const start = useOpMutation('evidence.import', {
    invalidates: ['jobs.'],
    onSuccess: (r) => setJobId(r.jobId),
  });
  const job = useOp('jobs.get', jobId ? { jobId } : null);
  const cancel = useCancelJob();
  // Desktop only: the system file dialog and drag-and-drop (paths stay on the privileged side).
  const desktop = useClient().desktopImport;
  const [desktopError, setDesktopError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);
  const startDesktop = (run: () => Promise<string[]>) => {
    setDesktopError(null);
    cancel.reset();
    run().then((ids) => ids.length && setJobId(ids[ids.length - 1]), setDesktopError);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (desktop && e.dataTransfer.files.length) startDesktop(() => desktop.drop(caseId, Array.from(e.dataTransfer.files)));
  };

  // Hand over the new evidence once per job, as soon as it is recorded: the engine names it before the
  // playback proxy stage, so hash and metadata are reviewable while the proxy is still being built.
  const handed = useRef<string | null>(null);
  useEffect(() => {
    const j = job.data;
    if (j && j.targetId && (j.state === 'running' || j.state === 'done') && handed.current !== j.id) {
      handed.current = j.id;
      setPath('');
      onImported(j.targetId);
    }
  }, [job.data, onImported]);

  const running = job.data ? job.data.state === 'queued' || job.data.state === 'running' : false;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = path.trim();
    if (!p) return;
    cancel.reset();
    setJobId(null);
    start.mutate({ caseId, path: p });
  };

  const failure = job.data && (job.data.state === 'failed' || job.data.state === 'interrupted') ? (job.data.error ?? `Import ${job.data.state}.`) : null;

  return (
    <form
      className={`stack-form import-form${dragging ? ' dragging' : ''}`}
      data-testid="import"
      onSubmit={submit}
      onDragOver={desktop ? (e) => (e.preventDefault(), setDragging(true)) : undefined}
      onDragLeave={desktop ? () => setDragging(false) : undefined}
      onDrop={desktop ? onDrop : undefined}
    >
      <label className="field-label" htmlFor="import-path">
        Import footage
      </label>
      <div className="row">
        <input
          id="import-path"
          data-testid="import-path"
          placeholder="/absolute/path/to/footage.mp4"
          spellCheck={false}
          autoComplete="off"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" className="button primary" data-testid="import-submit" disabled={start.isPending || running || path.trim() === ''}>
          {start.isPending ? 'Starting…' : 'Import'}
        </button>
      </div>
      {desktop && (
        <div className="row">
          <button type="button" className="button" data-testid="import-choose" onClick={() => startDesktop(() => desktop.choose(caseId))}>
            Choose files…
          </button>
          <span className="hint">or drop video files here</span>
        </div>
      )}
      <ErrorBanner error={start.error} onDismiss={start.reset} />
      <ErrorBanner error={desktopError} onDismiss={() => setDesktopError(null)} />
      {job.data && (
        <div className="import-status" data-testid="import-status" data-state={job.data.state}>
          {job.data.state === 'done' ? (
            <div className="notice ok">Imported. SHA-256 recorded at import.</div>
          ) : job.data.state === 'cancelled' ? (
            <div className="notice">Import cancelled.</div>
          ) : failure ? (
            <ErrorBanner error={failure} onDismiss={() => setJobId(null)} />
          ) : (
            <JobProgress job={job.data} onCancel={(j) => cancel.mutate(j.id)} cancelling={cancel.isPending} />
          )}
        </div>
      )}
      <ErrorBanner error={cancel.error} onDismiss={cancel.reset} />
    </form>
  );
}
