/**
 * Events of the evidence under review: category, time range, confidence, review state and the analyst's
 * note; the selected event opens with its review controls, the attributes that made it anomalous, the
 * paths of its tracks and the engine's cited reasoning. Bookmarks and notes of the clip follow (BookmarksPanel).
 */
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { AnomalyEventRecord, Evidence } from '@vigil/engine/contract';
import { AnalysisPanel } from '../analysis/AnalysisPanel';
import { BookmarksPanel } from './BookmarksPanel';
import { CitationChip } from '../components/CitationChip';
import { ErrorBanner } from '../components/ErrorBanner';
import { useAnalysisStatus, useEvidenceEvents } from '../hooks/use-analysis';
import { useOp, useOpMutation } from '../hooks/use-op';
import { categoryColour, categoryLabel, REVIEW_LABELS } from '../lib/categories';
import { formatTimecode } from '../player/frame-math';
import { usePlayerSnapshot, useReview } from '../review/review-context';

type Filter = 'all' | AnomalyEventRecord['reviewState'];

export function EventsPanel({ evidence, evidenceList }: { evidence: Evidence | null; evidenceList: readonly Evidence[] }) {
  if (!evidence) {
    return (
      <section className="panel grow" data-testid="events">
        <p className="empty">Select an evidence item to analyse it and review its events.</p>
      </section>
    );
  }
  return <EventsForEvidence key={evidence.id} evidence={evidence} evidenceList={evidenceList} />;
}

function EventsForEvidence({ evidence, evidenceList }: { evidence: Evidence; evidenceList: readonly Evidence[] }) {
  const { selectedEventId, setSelectedEventId, seekTo } = useReview();
  const status = useAnalysisStatus(evidence.id);
  const events = useEvidenceEvents(evidence);
  const [filter, setFilter] = useState<Filter>('all');
  const list = events.list;
  const shown = filter === 'all' ? list : list.filter((e) => e.reviewState === filter);
  const counts = useMemo(() => {
    const c = { unreviewed: 0, confirmed: 0, dismissed: 0 };
    for (const e of list) c[e.reviewState]++;
    return c;
  }, [list]);

  const select = (e: AnomalyEventRecord) => {
    setSelectedEventId(e.id);
    seekTo(evidence.id, e.startFrame);
  };

  return (
    <div className="events-tab">
      <AnalysisPanel evidence={evidence} evidenceList={evidenceList} />
      <section className="panel grow events-panel" data-testid="events" aria-label="Events">
        <header className="panel-head">
          <h2>Events</h2>
          <span className="review-counts mono">
            <span title="Unreviewed">{counts.unreviewed} open</span> · <span className="ok-text" title="Confirmed">{counts.confirmed} ✓</span> ·{' '}
            <span className="dim" title="Dismissed">
              {counts.dismissed} ✕
            </span>
          </span>
          <select className="compact" aria-label="Show events" data-testid="events-filter" value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
            <option value="all">All</option>
            <option value="unreviewed">Unreviewed</option>
            <option value="confirmed">Confirmed</option>
            <option value="dismissed">Dismissed</option>
          </select>
        </header>
        <ErrorBanner error={events.error} />
        <EventList events={shown} selectedEventId={selectedEventId} onSelect={select} evidenceList={evidenceList} />
        {list.length === 0 && !events.isPending && (
          <p className="empty" data-testid="events-empty">
            {status.latest ? 'The analysis found no anomalous events in this clip.' : status.running ? 'Analysis running…' : 'No analysis yet: start one above.'}
          </p>
        )}
        {list.length > 0 && shown.length === 0 && <p className="empty">No {filter} events.</p>}
      </section>
      <BookmarksPanel evidence={evidence} onSeek={(f) => seekTo(evidence.id, f)} />
    </div>
  );
}

/** The list re-renders with the playhead (to mark the event under it); the rows themselves are memoised. */
function EventList({ events, selectedEventId, onSelect, evidenceList }: { events: AnomalyEventRecord[]; selectedEventId: string | null; onSelect: (e: AnomalyEventRecord) => void; evidenceList: readonly Evidence[] }) {
  const { frame } = usePlayerSnapshot();
  const listRef = useRef<HTMLUListElement | null>(null);
  useEffect(() => {
    if (!selectedEventId) return;
    listRef.current?.querySelector(`[data-event-id="${selectedEventId}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selectedEventId]);
  return (
    <ul className="event-list" ref={listRef} role="listbox" aria-label="Events">
      {events.map((e) => (
        <li key={e.id} role="option" aria-selected={e.id === selectedEventId}>
          <EventRow event={e} selected={e.id === selectedEventId} current={frame >= e.startFrame && frame <= e.endFrame} onSelect={onSelect} />
          {e.id === selectedEventId && <EventDetail event={e} evidenceList={evidenceList} />}
        </li>
      ))}
    </ul>
  );
}

const EventRow = memo(function EventRow({ event: e, selected, current, onSelect }: { event: AnomalyEventRecord; selected: boolean; current: boolean; onSelect: (e: AnomalyEventRecord) => void }) {
  const colour = categoryColour(e.category);
  return (
    <button
      type="button"
      className={`event-item state-${e.reviewState}${selected ? ' selected' : ''}${current ? ' current' : ''}`}
      data-testid="event-item"
      data-event-id={e.id}
      data-review-state={e.reviewState}
      data-start-frame={e.startFrame}
      onClick={() => onSelect(e)}
    >
      <span className="event-colour" style={{ background: colour }} aria-hidden="true" />
      <span className="event-main">
        <span className="event-line">
          <span className="event-seq mono">#{e.seq}</span>
          <span className="event-category" style={{ color: colour }} data-testid="event-category">
            {categoryLabel(e.category)}
          </span>
          <span className="event-confidence mono" title="Confidence that this is an anomaly">
            {Math.round(e.confidence * 100)}%
          </span>
        </span>
        <span className="event-line wrap mono small-text">
          <span data-testid="event-time">
            {formatTimecode(e.startTime)} – {formatTimecode(e.endTime)}
          </span>
          <span className="dim">{(e.endTime - e.startTime).toFixed(1)} s</span>
          <span className="dim" title="Peak anomaly score">
            peak {e.peakScore.toFixed(2)}
          </span>
        </span>
        <span className="event-line">
          <span className={`review-badge ${e.reviewState}`} data-testid="event-review-state">
            {REVIEW_LABELS[e.reviewState]}
          </span>
          {e.reviewNote && (
            <span className="event-note" title={e.reviewNote} data-testid="event-note">
              {e.reviewNote}
            </span>
          )}
        </span>
      </span>
    </button>
  );
});

const EventDetail = memo(function EventDetail({ event: e, evidenceList }: { event: AnomalyEventRecord; evidenceList: readonly Evidence[] }) {
  const review = useOpMutation('events.review', { invalidates: ['events.'] });
  const [note, setNote] = useState(e.reviewNote);
  const [noteFor, setNoteFor] = useState(e.reviewNote);
  if (noteFor !== e.reviewNote) {
    // The stored note changed (saved here or elsewhere): show it.
    setNoteFor(e.reviewNote);
    setNote(e.reviewNote);
  }
  const explain = useOp('events.explain', { eventId: e.id });
  const { setSelectedTrackId, selectedTrackId } = useReview();
  const dirty = note !== e.reviewNote;
  const setState = (state: AnomalyEventRecord['reviewState']) => review.mutate({ eventId: e.id, state, ...(dirty ? { note } : {}) });

  return (
    <div className="event-detail" data-testid="event-detail" data-event-id={e.id}>
      <div className="review-buttons">
        <button type="button" className={`button small confirm${e.reviewState === 'confirmed' ? ' on' : ''}`} data-testid="event-confirm" disabled={review.isPending} onClick={() => setState('confirmed')} title="Confirm (C)">
          ✓ Confirm
        </button>
        <button type="button" className={`button small dismiss${e.reviewState === 'dismissed' ? ' on' : ''}`} data-testid="event-dismiss" disabled={review.isPending} onClick={() => setState('dismissed')} title="Dismiss (D)">
          ✕ Dismiss
        </button>
        {e.reviewState !== 'unreviewed' && (
          <button type="button" className="button small ghost" data-testid="event-reopen" disabled={review.isPending} onClick={() => setState('unreviewed')}>
            Reopen
          </button>
        )}
        {e.reviewedAt && <span className="dim small-text">reviewed {e.reviewedAt.slice(0, 16).replace('T', ' ')}</span>}
      </div>
      <textarea
        className="note-input"
        data-testid="event-note-input"
        placeholder="Analyst note (saved with the review)"
        rows={2}
        maxLength={20000}
        value={note}
        onChange={(ev) => setNote(ev.target.value)}
      />
      {dirty && (
        <div className="row end">
          <button type="button" className="button small ghost" onClick={() => setNote(e.reviewNote)}>
            Revert
          </button>
          <button type="button" className="button small primary" data-testid="event-note-save" disabled={review.isPending} onClick={() => review.mutate({ eventId: e.id, state: e.reviewState, note })}>
            Save note
          </button>
        </div>
      )}
      <ErrorBanner error={review.error} onDismiss={review.reset} />

      {e.topAttributes.length > 0 && (
        <div className="detail-block">
          <div className="detail-title">Why it stands out</div>
          <table className="why-table">
            <tbody>
              {e.topAttributes.map((a, i) => (
                <tr key={i}>
                  <td>{a.attribute}</td>
                  <td className="mono">{String(a.value)}</td>
                  <td className="dim mono">normal {String(a.normal)}</td>
                  <td className="why-bar-cell">
                    <span className="why-bar" style={{ width: `${Math.min(100, (a.score / Math.max(1e-9, e.topAttributes[0].score)) * 100)}%` }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {e.trajectories.length > 0 && (
        <div className="detail-block">
          <div className="detail-title">Tracks</div>
          <ul className="track-list">
            {e.trajectories.map((t) => (
              <li key={t.trackId}>
                <button
                  type="button"
                  className={`track-chip${selectedTrackId === t.trackId ? ' on' : ''}`}
                  data-testid="event-track"
                  onClick={() => setSelectedTrackId(selectedTrackId === t.trackId ? null : t.trackId)}
                >
                  #{t.trackId}
                </button>
                <span className="track-path">{t.summary.text}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="detail-block" data-testid="event-reasoning">
        <div className="detail-title">Reasoning</div>
        {explain.isPending && <div className="dim small-text">Working out the reasoning…</div>}
        {explain.error && <div className="dim small-text">Reasoning unavailable: {explain.error.message}</div>}
        {explain.data && (
          <ol className="reasoning-steps">
            {explain.data.steps.map((s, i) => (
              <li key={i} className={`step-${s.kind}`}>
                <span className="step-kind">{s.kind}</span>
                <span className="step-text">{s.text}</span>
                {s.citations.length > 0 && (
                  <span className="citations">
                    {s.citations.map((c, k) => (
                      <CitationChip key={k} citation={c} evidenceList={evidenceList} />
                    ))}
                  </span>
                )}
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
});
