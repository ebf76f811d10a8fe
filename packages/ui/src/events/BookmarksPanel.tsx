/**
 * Bookmarks and notes of the evidence under review: a bookmark seeks the player to its frame; each can be
 * removed after a confirmation (the engine's audit log keeps what it said).
 */
import type { Evidence, Note } from '@vigil/engine/contract';
import { ConfirmRemove } from '../components/ConfirmRemove';
import { ErrorBanner } from '../components/ErrorBanner';
import { useOp, useOpMutation } from '../hooks/use-op';

export function BookmarksPanel({ evidence, onSeek }: { evidence: Evidence; onSeek: (frame: number) => void }) {
  const notes = useOp('notes.list', { caseId: evidence.caseId, evidenceId: evidence.id });
  const remove = useOpMutation('notes.remove');
  const fps = evidence.fps > 0 ? evidence.fps : 25;
  const list = notes.data ?? [];
  return (
    <section className="panel bookmarks-panel" data-testid="bookmarks" aria-label="Bookmarks and notes">
      <header className="panel-head">
        <h2>Bookmarks</h2>
        <span className="count">{list.length}</span>
        <span className="dim small-text" title="M bookmarks the current frame">
          <kbd>M</kbd> mark
        </span>
      </header>
      <ErrorBanner error={notes.error ?? remove.error} onDismiss={remove.error ? remove.reset : undefined} testId="bookmark-error" />
      <ul className="bookmark-list">
        {list.map((n) => (
          <NoteRow key={n.id} note={n} fps={fps} onSeek={onSeek} removing={remove.isPending && remove.variables?.noteId === n.id} onRemove={() => remove.mutate({ caseId: n.caseId, noteId: n.id })} />
        ))}
      </ul>
    </section>
  );
}

function NoteRow({ note, fps, onSeek, removing, onRemove }: { note: Note; fps: number; onSeek: (frame: number) => void; removing: boolean; onRemove: () => void }) {
  const frame = note.frame ?? (note.time !== null ? Math.floor(note.time * fps) : null);
  const bookmark = note.kind === 'bookmark';
  const title = note.title || (bookmark ? 'Bookmark' : note.body.split('\n')[0] || 'Note');
  return (
    <li className="bookmark-item" data-testid={bookmark ? 'bookmark-item' : 'note-item'} data-note-id={note.id} data-frame={frame ?? ''}>
      <button type="button" className="bookmark-row" onClick={() => frame !== null && onSeek(frame)} disabled={frame === null} title={note.body || undefined}>
        <span className={bookmark ? 'bookmark-flag' : 'note-mark'} aria-hidden="true" />
        <span className="bookmark-title">{title}</span>
        <span className="mono dim">{frame !== null ? `f ${frame}` : ''}</span>
      </button>
      <ConfirmRemove what={`${note.kind} ${title}`} question={`Remove this ${note.kind}?`} pending={removing} onConfirm={onRemove} testId="note-remove" />
    </li>
  );
}
