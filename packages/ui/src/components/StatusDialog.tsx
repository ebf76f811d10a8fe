/** Settings and status: engine version, database, media tooling, models with their provenance and execution provider. */
import type { Evidence } from '@vigil/engine/contract';
import { useAnalysisStatus } from '../hooks/use-analysis';
import { useOp } from '../hooks/use-op';
import { CopyButton } from './CopyButton';
import { ErrorBanner } from './ErrorBanner';
import { Modal } from './Modal';

export function StatusDialog({ onClose, evidence }: { onClose: () => void; evidence: Evidence | null }) {
  const info = useOp('app.info', {});
  const models = useOp('models.list', {});
  const analysis = useAnalysisStatus(evidence?.id ?? null);
  const verify = useOp('audit.verify', {});
  const used = analysis.latest?.models ?? [];
  return (
    <Modal title="Settings and status" onClose={onClose} testId="status-dialog" wide>
      <ErrorBanner error={info.error} />
      {info.data && (
        <dl className="details status-details">
          <dt>Vigil</dt>
          <dd data-testid="status-version">
            {info.data.version} <span className="dim">({info.data.transport === 'ipc' ? 'desktop' : 'local web host'})</span>
          </dd>
          <dt>Database</dt>
          <dd>
            <code className="break" data-testid="status-db-path">
              {info.data.dbPath}
            </code>{' '}
            <CopyButton text={info.data.dbPath} />
          </dd>
          <dt>Audit chain</dt>
          <dd data-testid="status-audit">
            {verify.data ? (verify.data.ok ? <span className="ok-text">intact ({verify.data.rows} rows)</span> : <span className="bad-text">broken at row {verify.data.firstBadSeq}</span>) : '…'}
          </dd>
          <dt>ffmpeg</dt>
          <dd>{info.data.ffmpeg ? <code className="break">{`${info.data.ffmpeg.path} (${info.data.ffmpeg.source})`}</code> : <span className="bad-text">not found</span>}</dd>
          <dt>Runtime</dt>
          <dd>
            Node {info.data.node} · {info.data.platform}
          </dd>
        </dl>
      )}
      <h3 className="section-title">Models</h3>
      <ErrorBanner error={models.error} testId="models-error" />
      {models.data && (
        <table className="data-table" data-testid="models-table">
          <thead>
            <tr>
              <th>Model</th>
              <th>Task</th>
              <th>Status</th>
              <th>Execution provider</th>
              <th>Source · licence</th>
              <th>SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {models.data.map((m) => (
              <tr key={m.name} data-testid="model-row" data-model={m.name}>
                <td className="mono">{m.name}</td>
                <td>{m.task ?? '—'}</td>
                <td>
                  <span className={`status-${m.status}`} title={m.problem}>
                    {m.status}
                  </span>
                </td>
                <td className="mono">{m.ep}</td>
                <td>
                  {m.source ?? '—'}
                  {m.licence ? <span className="dim"> · {m.licence}</span> : null}
                </td>
                <td className="mono dim" title={m.sha256 ?? undefined}>
                  {m.sha256 ? `${m.sha256.slice(0, 12)}…` : '—'}
                </td>
              </tr>
            ))}
            {models.data.length === 0 && (
              <tr>
                <td colSpan={6} className="dim">
                  No models installed: analyses use motion only.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {evidence && (
        <p className="small-text" data-testid="status-analysis-models">
          <span className="dim">Latest analysis of {evidence.fileName}: </span>
          {analysis.latest ? (used.length ? used.map((m) => `${m.name} on ${m.ep}`).join(', ') : 'motion only (no detector)') : 'not analysed'}
        </p>
      )}
    </Modal>
  );
}
