/** A citation as a chip: clicking it seeks the player to the cited frame and highlights the cited tracks and boxes. */
import type { Citation, Evidence } from '@vigil/engine/contract';
import { keepFocus } from '../lib/keys';
import { useReview } from '../review/review-context';

function shortTime(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, '0')}`;
}

export function citationLabel(c: Citation, evidence?: Evidence | null, showFile = false): string {
  const range = Math.abs(c.endTime - c.startTime) < 0.05 ? shortTime(c.startTime) : `${shortTime(c.startTime)}–${shortTime(c.endTime)}`;
  const tracks = c.trackIds && c.trackIds.length ? ` · ${c.trackIds.map((t) => `#${t}`).join(' ')}` : '';
  const file = showFile && evidence ? `${evidence.fileName} ` : '';
  return `${file}${range}${tracks}`;
}

export function CitationChip({ citation, evidenceList }: { citation: Citation; evidenceList: readonly Evidence[] }) {
  const { showCitation, highlight, evidence } = useReview();
  const ev = evidenceList.find((e) => e.id === citation.evidenceId) ?? null;
  const active = highlight !== null && highlight.citation === citation;
  const other = evidence?.id !== citation.evidenceId;
  return (
    <button
      type="button"
      className={`citation${active ? ' active' : ''}`}
      data-testid="citation"
      data-evidence-id={citation.evidenceId}
      data-frame={citation.frame ?? ''}
      data-start={citation.startTime}
      title={`${ev ? ev.fileName : citation.evidenceId} · ${citation.startTime.toFixed(3)} s – ${citation.endTime.toFixed(3)} s${citation.frame !== undefined ? ` · frame ${citation.frame}` : ''}\nClick to show it in the player`}
      onMouseDown={keepFocus}
      onClick={() => showCitation(citation)}
    >
      <span className="citation-icon" aria-hidden="true">
        ▶
      </span>
      {citationLabel(citation, ev, other)}
    </button>
  );
}
