import type { Evidence } from '@vigil/engine/contract';
import { useOp } from '../hooks/use-op';
import { formatDuration, formatFps } from '../lib/format';
import { ErrorBanner } from './ErrorBanner';
import { ImportForm } from './ImportForm';

const PLAYBACK_LABEL: Record<Evidence['playback'], string> = {
  original: 'original',
  ready: 'proxy',
  pending: 'preparing',
  failed: 'no playback',
};

export function EvidencePanel({
  caseId,
  caseName,
  selectedEvidenceId,
  onSelect,
}: {
  caseId: string;
  caseName: string | null;
  selectedEvidenceId: string | null;
  onSelect: (evidenceId: string) => void;
}) {
  const evidence = useOp('evidence.list', { caseId });
  return (
    <section className="panel grow" aria-labelledby="evidence-title">
      <header className="panel-head">
        <h2 id="evidence-title">Evidence</h2>
        {caseName && <span className="panel-sub" title={caseName}>{caseName}</span>}
        {evidence.data && <span className="count">{evidence.data.length}</span>}
      </header>
      <ImportForm key={caseId} caseId={caseId} onImported={onSelect} />
      <ErrorBanner error={evidence.error} />
      <ul className="list" data-testid="evidence-list" role="listbox" aria-label="Evidence">
        {evidence.data?.map((e) => (
          <li key={e.id} role="option" aria-selected={e.id === selectedEvidenceId} data-testid="evidence-item" data-evidence-id={e.id}>
            <button type="button" className="list-item" onClick={() => onSelect(e.id)}>
              <span className="item-title mono-name" title={e.fileName}>
                {e.fileName}
              </span>
              <span className="item-meta">
                {e.width}×{e.height} · {formatFps(e.fps)} fps · {formatDuration(e.durationS)}
                <span className={`badge playback-${e.playback}`}>{PLAYBACK_LABEL[e.playback]}</span>
              </span>
              <span className="item-hash mono">{e.sha256.slice(0, 16)}…</span>
            </button>
          </li>
        ))}
        {evidence.data?.length === 0 && <li className="empty">No evidence in this case yet.</li>}
      </ul>
    </section>
  );
}
