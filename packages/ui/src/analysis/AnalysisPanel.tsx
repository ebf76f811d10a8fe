/**
 * Start an anomaly analysis of the evidence under review (other clips as known-normal reference or as
 * same-camera footage analysed together, rate, detector), follow its
 * job (stage names, progress, ETA, cancel) and summarise the latest result. Results reach the player,
 * timeline and events list through the job's finish event (query invalidation), without a reload.
 */
import { useMemo, useState, type FormEvent } from 'react';
import type { Evidence, Job } from '@vigil/engine/contract';
import { ErrorBanner } from '../components/ErrorBanner';
import { JobProgress } from '../components/JobProgress';
import { isActive } from '../hooks/job-merge';
import { useAnalysisStatus } from '../hooks/use-analysis';
import { useCancelJob } from '../hooks/use-jobs';
import { useOp, useOpMutation } from '../hooks/use-op';
import { formatDateTime, formatDuration, formatReference } from '../lib/format';

const RATES = [
  { value: '', label: 'Auto (≤ 10 fps)' },
  { value: '5', label: '5 fps' },
  { value: '10', label: '10 fps' },
  { value: '15', label: '15 fps' },
  { value: '25', label: '25 fps' },
];

const DETECTORS = [
  { value: 'auto', label: 'Auto (detector if installed)' },
  { value: 'nanodet', label: 'NanoDet' },
  { value: 'centernet', label: 'CenterNet' },
  { value: 'none', label: 'Motion only' },
] as const;
type DetectorChoice = (typeof DETECTORS)[number]['value'];

export function AnalysisPanel({ evidence, evidenceList }: { evidence: Evidence; evidenceList: readonly Evidence[] }) {
  const status = useAnalysisStatus(evidence.id);
  const jobs = useOp('jobs.list', { caseId: evidence.caseId });
  const [startedJobId, setStartedJobId] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  // How the selected clips serve: known normal activity, or footage of the same camera not checked by anyone.
  const [useAs, setUseAs] = useState<'reference' | 'together'>('reference');
  const [rate, setRate] = useState('');
  const [detector, setDetector] = useState<DetectorChoice>('auto');
  const [settingsOpen, setSettingsOpen] = useState<boolean | null>(null);

  const start = useOpMutation('analysis.start', { invalidates: ['jobs.', 'analysis.'], onSuccess: (r) => setStartedJobId(r.jobId) });
  const cancel = useCancelJob();

  // The job to show: the one started here, else a running analysis of this evidence (e.g. after a reload).
  const job: Job | null = useMemo(() => {
    const list = jobs.data ?? [];
    if (startedJobId) return list.find((j) => j.id === startedJobId) ?? null;
    const runningId = status.running?.jobId;
    return list.find((j) => j.kind === 'analysis' && isActive(j) && (j.id === runningId || j.targetId === evidence.id)) ?? null;
  }, [jobs.data, startedJobId, status.running, evidence.id]);
  const startedJob = useOp('jobs.get', startedJobId && !job ? { jobId: startedJobId } : null);
  const shownJob = job ?? startedJob.data ?? null;
  const running = shownJob !== null && isActive(shownJob);

  const others = evidenceList.filter((e) => e.id !== evidence.id);
  const latest = status.latest;
  const open = settingsOpen ?? !latest;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    cancel.reset();
    setStartedJobId(null);
    start.mutate({
      evidenceId: evidence.id,
      detector,
      ...(selected.length ? { [useAs]: selected } : {}),
      ...(rate ? { fps: Number(rate) } : {}),
    });
  };

  const failed = shownJob && (shownJob.state === 'failed' || shownJob.state === 'interrupted') ? (shownJob.error ?? `Analysis ${shownJob.state}.`) : null;

  return (
    <section className="analysis-panel" data-testid="analysis-panel" aria-label="Analysis">
      <form onSubmit={submit}>
        <div className="analysis-row">
          <button type="submit" className="button primary" data-testid="analysis-start" disabled={start.isPending || running}>
            {running ? 'Analysing…' : latest ? 'Re-analyse' : 'Analyse footage'}
          </button>
          <button type="button" className="button small ghost" aria-expanded={open} data-testid="analysis-settings-toggle" onClick={() => setSettingsOpen(!open)}>
            {open ? 'Hide settings' : 'Settings'}
          </button>
          <span className="analysis-summary" data-testid="analysis-summary">
            {latest ? <LatestSummary analysis={latest} /> : status.isPending ? '' : <span className="dim">Not analysed yet</span>}
          </span>
        </div>
        {latest && <AnalysisNotes analysis={latest} />}
        {open && (
          <div className="analysis-settings" data-testid="analysis-settings">
            <fieldset className="reference-list">
              <legend>Compare with other clips of this case</legend>
              {others.length === 0 && <div className="dim small-text">No other clips in this case: the footage is compared with itself.</div>}
              {others.map((o) => (
                <label key={o.id} className="check-row" data-testid="analysis-reference" data-evidence-id={o.id}>
                  <input
                    type="checkbox"
                    checked={selected.includes(o.id)}
                    onChange={(e) => setSelected((r) => (e.target.checked ? [...r, o.id] : r.filter((x) => x !== o.id)))}
                  />
                  <span className="mono-name" title={o.fileName}>
                    {o.fileName}
                  </span>
                  <span className="dim">{formatDuration(o.durationS)}</span>
                </label>
              ))}
              {others.length > 0 && selected.length === 0 && <div className="dim small-text">None selected: the footage is its own reference (self-referenced).</div>}
            </fieldset>
            {selected.length > 0 && (
              <div className="use-as" role="radiogroup" aria-label="The selected clips are">
                <label className="check-row">
                  <input type="radio" name="use-as" data-testid="analysis-use-reference" checked={useAs === 'reference'} onChange={() => setUseAs('reference')} />
                  <span>Normal activity (checked): what this footage is compared with</span>
                </label>
                <label className="check-row">
                  <input type="radio" name="use-as" data-testid="analysis-use-together" checked={useAs === 'together'} onChange={() => setUseAs('together')} />
                  <span>Same camera, not checked: learn normal activity from all of it together</span>
                </label>
              </div>
            )}
            <div className="settings-grid">
              <label>
                <span className="field-label">Analysis rate</span>
                <select data-testid="analysis-fps" value={rate} onChange={(e) => setRate(e.target.value)}>
                  {RATES.map((r) => (
                    <option key={r.value} value={r.value}>
                      {r.label}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span className="field-label">Object detector</span>
                <select data-testid="analysis-detector" value={detector} onChange={(e) => setDetector(e.target.value as DetectorChoice)}>
                  {DETECTORS.map((d) => (
                    <option key={d.value} value={d.value}>
                      {d.label}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          </div>
        )}
      </form>
      <ErrorBanner error={start.error} onDismiss={start.reset} />
      {shownJob && (running || shownJob.id === startedJobId) && (
        <div className="analysis-progress" data-testid="analysis-progress" data-state={shownJob.state} data-stage={shownJob.stage ?? ''}>
          {failed ? (
            <ErrorBanner error={failed} onDismiss={() => setStartedJobId(null)} testId="analysis-error" />
          ) : shownJob.state === 'cancelled' ? (
            <div className="notice">Analysis cancelled. Earlier results, if any, are unchanged.</div>
          ) : shownJob.state === 'done' ? (
            <div className="notice ok">Analysis finished. Results are on the timeline and in the list below.</div>
          ) : (
            <JobProgress job={shownJob} onCancel={(j) => cancel.mutate(j.id)} cancelling={cancel.isPending} />
          )}
        </div>
      )}
      <ErrorBanner error={cancel.error} onDismiss={cancel.reset} />
    </section>
  );
}

type LatestAnalysis = NonNullable<ReturnType<typeof useAnalysisStatus>['latest']>;

/** What the analysis says about how to read it (the camera shook or turned, few objects, …), in view. */
function AnalysisNotes({ analysis }: { analysis: LatestAnalysis }) {
  const notes = (analysis.stats as { notes?: unknown } | null)?.notes;
  if (!Array.isArray(notes) || notes.length === 0) return null;
  return (
    <ul className="analysis-notes" data-testid="analysis-notes" aria-label="Notes on this analysis">
      {notes.map((n, i) => (
        <li key={i}>{String(n)}</li>
      ))}
    </ul>
  );
}

function LatestSummary({ analysis }: { analysis: LatestAnalysis }) {
  const s = (analysis.stats ?? {}) as { tracks?: number; analysedFrames?: number; realTimeFactor?: number };
  const parts = [
    formatReference(analysis),
    typeof s.tracks === 'number' ? `${s.tracks} tracks` : null,
    typeof s.realTimeFactor === 'number' ? `${s.realTimeFactor.toFixed(1)}× real time` : null,
  ].filter(Boolean);
  return (
    <span title={`Finished ${formatDateTime(analysis.finishedAt)}`}>
      <span className="ok-text">Done</span> <span className="dim">{parts.join(' · ')}</span>
    </span>
  );
}
