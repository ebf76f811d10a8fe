/**
 * Numbered engine events kept for clients that reconnect (Server-Sent Events `id:` / `Last-Event-ID`).
 *
 * Ids are `<epoch>-<seq>`: `seq` increases by one per event; `epoch` is random per log, so an id from an
 * earlier host process is recognised as foreign instead of being mistaken for a recent one.
 *
 * The log is bounded. An event that a newer one makes redundant is dropped early: a job snapshot by the
 * next snapshot of the same job (it carries the whole job), a `changed` notice by the next identical
 * notice (both mean "refetch this"). Only events dropped for room make a reconnecting client too far
 * behind; it then gets a resync instead of a replay with holes.
 */
import { randomBytes } from 'node:crypto';
import type { ApiEvent } from './contract.js';

export interface NumberedEvent {
  id: string;
  seq: number;
  event: ApiEvent;
}

export const DEFAULT_REPLAY_CAPACITY = 500;

/** Events that carry the same information, later ones superseding earlier ones; null = never superseded. */
function supersedeKey(e: ApiEvent): string | null {
  if (e.type === 'job') return `job:${e.job.id}`;
  if (e.type === 'changed') return `changed:${e.caseId ?? ''}:${e.what}`;
  return null;
}

export class EventReplayLog {
  readonly epoch: string;
  private seq = 0;
  /** Insertion order is seq order: a superseded entry is deleted before its successor is added at the end. */
  private readonly entries = new Map<string, NumberedEvent>();
  /** Highest seq dropped for room (0 = none): a client that has not seen it can no longer be replayed to. */
  private droppedThrough = 0;

  constructor(
    readonly capacity = DEFAULT_REPLAY_CAPACITY,
    epoch = randomBytes(6).toString('hex'),
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`replay capacity must be a positive integer (got ${capacity})`);
    this.epoch = epoch;
  }

  /** Numbers one event and keeps it for replay. */
  push(event: ApiEvent): NumberedEvent {
    const entry = { id: this.idOf(++this.seq), seq: this.seq, event };
    const key = supersedeKey(event);
    if (key !== null) this.entries.delete(key);
    this.entries.set(key ?? `seq:${entry.seq}`, entry);
    while (this.entries.size > this.capacity) {
      const [oldestKey, oldest] = this.entries.entries().next().value!;
      this.entries.delete(oldestKey);
      this.droppedThrough = Math.max(this.droppedThrough, oldest.seq);
    }
    return entry;
  }

  /** The id of the newest event (`<epoch>-0` before the first). */
  lastId(): string {
    return this.idOf(this.seq);
  }

  /**
   * What a client that last saw `lastEventId` has missed, oldest first (superseded events left out), or
   * null when that cannot be told: an id of another log, a malformed or future id, or events dropped
   * for room since then. Null means the client must refetch everything.
   */
  since(lastEventId: string): NumberedEvent[] | null {
    const m = /^([0-9a-f]+)-(0|[1-9][0-9]{0,15})$/.exec(lastEventId);
    if (!m || m[1] !== this.epoch) return null;
    const seen = Number(m[2]);
    if (seen > this.seq || seen < this.droppedThrough) return null;
    return [...this.entries.values()].filter((e) => e.seq > seen);
  }

  private idOf(seq: number): string {
    return `${this.epoch}-${seq}`;
  }
}
