import type { Job } from '@vigil/engine/contract';
import { isActive } from '../hooks/job-merge';
import { formatEta } from '../lib/format';

const STAGE_LABELS: Record<string, string> = {
  hash: 'Hashing (SHA-256)',
  probe: 'Reading metadata',
  proxy: 'Building playback proxy',
  store: 'Recording evidence',
  queued: 'Waiting',
  // analysis
  'load models': 'Loading models',
  'fit normality: decode+track': 'Learning normal activity from reference footage',
  'fit normality': 'Fitting the normality model',
  'decode+track': 'Decoding and tracking',
  score: 'Scoring objects and frames',
  heatmaps: 'Rendering heatmaps',
  events: 'Finding events',
  // report
  gather: 'Gathering case data',
  verify: 'Re-verifying evidence hashes',
  keyframes: 'Rendering key frames',
  print: 'Typesetting the PDF',
  finish: 'Sealing the report',
};

const KIND_LABELS: Record<Job['kind'], string> = { import: 'Import', proxy: 'Playback proxy', analysis: 'Analysis', report: 'Report' };

const STATE_LABELS: Record<Job['state'], string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

export function stageLabel(stage: string | null): string {
  if (!stage) return '';
  return STAGE_LABELS[stage] ?? stage;
}

/** One job as a labelled progress bar; the Cancel button appears while the job can still stop. */
/** `subject` names what the job works on (e.g. the evidence file name) when the caller knows it. */
export function JobProgress({ job, subject, onCancel, cancelling }: { job: Job; subject?: string | null; onCancel?: (job: Job) => void; cancelling?: boolean }) {
  const pct = Math.round(Math.min(1, Math.max(0, job.progress)) * 100);
  const active = isActive(job);
  return (
    <div className={`job-progress state-${job.state}`} data-testid="job-progress" data-job-id={job.id} data-state={job.state} data-stage={job.stage ?? ''}>
      <div className="job-line">
        <span className="job-kind">{KIND_LABELS[job.kind]}</span>
        {subject && (
          <span className="job-subject" title={subject}>
            {subject}
          </span>
        )}
        <span className="job-stage" data-testid="job-stage">
          {active ? stageLabel(job.stage) || STATE_LABELS[job.state] : STATE_LABELS[job.state]}
        </span>
        <span className="job-pct">{active ? `${pct}%` : ''}</span>
      </div>
      <div className="bar" role="progressbar" aria-label={`${KIND_LABELS[job.kind]} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div className="bar-fill" style={{ width: `${job.state === 'done' ? 100 : pct}%` }} />
      </div>
      <div className="job-foot">
        <span className="job-eta">{active ? formatEta(job.etaS) : ''}</span>
        {active && onCancel && (
          <button type="button" className="button small danger" data-testid="job-cancel" disabled={cancelling} onClick={() => onCancel(job)}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      {job.error && job.state !== 'done' && (
        <div className="job-error" data-testid="job-error">
          {job.error}
        </div>
      )}
    </div>
  );
}
