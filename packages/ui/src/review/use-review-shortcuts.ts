/**
 * Review-level keys (the player handles playback keys itself): N/P next/previous event, C confirm,
 * D dismiss, M bookmark the current frame, `/` focus the chat, `?` help. Listed in shortcuts.ts.
 */
import { useEffect, useRef } from 'react';
import { useEvidenceEvents } from '../hooks/use-analysis';
import { useOp, useOpMutation } from '../hooks/use-op';
import { adjacentEvent, bookmarkTitle, targetEvent } from '../lib/event-nav';
import { isShortcutEvent } from '../lib/keys';
import { formatTimecode } from '../player/frame-math';
import { useReview } from './review-context';

export function useReviewShortcuts(o: { toggleHelp: () => void; notify: (text: string) => void }): void {
  const review = useReview();
  const { evidence, bus } = review;
  const events = useEvidenceEvents(evidence);
  const notes = useOp('notes.list', evidence ? { caseId: evidence.caseId, evidenceId: evidence.id } : null);
  const reviewEvent = useOpMutation('events.review', { invalidates: ['events.'] });
  const addNote = useOpMutation('notes.add', {
    invalidates: ['notes.'],
    onSuccess: (n) => o.notify(`Bookmarked: ${n.title}`),
  });

  // One listener for the page's lifetime; it reads the latest state through this ref.
  const latest = useRef({ review, events: events.list, bookmarks: 0, reviewEvent, addNote, o });
  latest.current = { review, events: events.list, bookmarks: (notes.data ?? []).filter((n) => n.kind === 'bookmark').length, reviewEvent, addNote, o };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isShortcutEvent(e)) return;
      const { review: r, events: list, bookmarks, reviewEvent: rev, addNote: add, o: opts } = latest.current;
      const ev = r.evidence;
      const { frame } = bus.getSnapshot();
      let handled = true;
      switch (e.key) {
        case '?':
          opts.toggleHelp();
          break;
        case '/':
          r.focusChat();
          break;
        case 'n':
        case 'N':
        case 'p':
        case 'P': {
          if (!ev) break;
          const next = adjacentEvent(list, frame, e.key.toLowerCase() === 'n' ? 1 : -1, r.selectedEventId);
          if (next) {
            r.setSelectedEventId(next.id);
            r.setTab('events');
            r.seekTo(ev.id, next.startFrame);
          } else opts.notify(e.key.toLowerCase() === 'n' ? 'No later event.' : 'No earlier event.');
          break;
        }
        case 'c':
        case 'C':
        case 'd':
        case 'D': {
          const t = targetEvent(list, frame, r.selectedEventId);
          if (!t) {
            opts.notify('No event selected or under the playhead.');
            break;
          }
          const state = e.key.toLowerCase() === 'c' ? 'confirmed' : 'dismissed';
          r.setSelectedEventId(t.id);
          rev.mutate({ eventId: t.id, state }, { onSuccess: () => opts.notify(`Event #${t.seq} ${state}.`), onError: (err) => opts.notify(`Review not saved: ${err.message}`) });
          break;
        }
        case 'm':
        case 'M': {
          if (!ev) break;
          const fps = ev.fps > 0 ? ev.fps : 25;
          const time = frame / fps;
          const inside = targetEvent(list, frame, null);
          add.mutate(
            {
              caseId: ev.caseId,
              evidenceId: ev.id,
              kind: 'bookmark',
              frame,
              time,
              title: bookmarkTitle(bookmarks + 1, formatTimecode(time), frame, inside),
              ...(inside ? { eventId: inside.id } : {}),
            },
            { onError: (err) => opts.notify(`Bookmark not saved: ${err.message}`) },
          );
          break;
        }
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [bus]);
}
