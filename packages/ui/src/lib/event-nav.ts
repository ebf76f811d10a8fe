/** Which event the review keys act on. Events are compared by their first frame. */

interface Span {
  id: string;
  startFrame: number;
  endFrame: number;
}

/**
 * The event N (dir 1) or P (dir -1) goes to from `frame`: the first event starting after it, or the last
 * one starting before it. When an event is selected and starts at `frame` (we are on it), stepping
 * continues from that event, so repeated presses walk through events that start on the same frame.
 */
export function adjacentEvent<T extends Span>(events: readonly T[], frame: number, dir: 1 | -1, selectedId: string | null = null): T | null {
  const sorted = [...events].sort((a, b) => a.startFrame - b.startFrame || a.endFrame - b.endFrame);
  const sel = selectedId ? sorted.findIndex((e) => e.id === selectedId) : -1;
  if (sel >= 0 && sorted[sel].startFrame === frame) return sorted[sel + dir] ?? null;
  if (dir === 1) return sorted.find((e) => e.startFrame > frame) ?? null;
  for (let i = sorted.length - 1; i >= 0; i--) if (sorted[i].startFrame < frame) return sorted[i];
  return null;
}

/** The event C/D acts on: the selected one, else the one under the playhead (the latest-starting if several). */
export function targetEvent<T extends Span>(events: readonly T[], frame: number, selectedId: string | null): T | null {
  if (selectedId) {
    const s = events.find((e) => e.id === selectedId);
    if (s) return s;
  }
  let best: T | null = null;
  for (const e of events) if (frame >= e.startFrame && frame <= e.endFrame && (!best || e.startFrame > best.startFrame)) best = e;
  return best;
}

/** Auto title of a bookmark: where it is, and the event it falls in, if any. */
export function bookmarkTitle(n: number, timecode: string, frame: number, event: { seq: number; category: string | null } | null): string {
  const base = `Bookmark ${n} · ${timecode} · frame ${frame}`;
  return event ? `${base} · in event #${event.seq}${event.category ? ` (${event.category})` : ''}` : base;
}
