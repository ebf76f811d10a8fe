/**
 * The player's frame and seek commands, shared with everything around it (timeline, events, chat,
 * shortcuts). The frame changes up to the video's rate, so it lives in a tiny external store that only
 * its readers subscribe to, instead of React state at the top that would re-render the whole workspace.
 *
 * A seek can be asked for before the player of that evidence exists (a chat citation on another clip):
 * it waits as the pending seek and the player takes it once its video can show frames.
 */
export interface PlayerController {
  seekFrame(frame: number): void;
  play(): void;
  pause(): void;
}

export interface PlayerSnapshot {
  evidenceId: string | null;
  frame: number;
  playing: boolean;
}

export class PlayerBus {
  private snapshot: PlayerSnapshot = { evidenceId: null, frame: 0, playing: false };
  private readonly listeners = new Set<() => void>();
  private controller: { evidenceId: string; ctl: PlayerController; ready: boolean } | null = null;
  private pending: { evidenceId: string; frame: number } | null = null;

  getSnapshot = (): PlayerSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called by the player whenever the frame on screen or the play state changes. */
  publish(next: PlayerSnapshot): void {
    const s = this.snapshot;
    if (s.evidenceId === next.evidenceId && s.frame === next.frame && s.playing === next.playing) return;
    this.snapshot = next;
    for (const l of this.listeners) l();
  }

  /** The player of `evidenceId` announces itself; `ready` once its video can seek. Returns the detach. */
  attach(evidenceId: string, ctl: PlayerController): () => void {
    const entry = { evidenceId, ctl, ready: false };
    this.controller = entry;
    return () => {
      if (this.controller === entry) this.controller = null;
    };
  }

  /** The attached player can now seek: runs a seek that was waiting for it. */
  markReady(evidenceId: string): void {
    const c = this.controller;
    if (!c || c.evidenceId !== evidenceId) return;
    c.ready = true;
    const p = this.pending;
    if (p && p.evidenceId === evidenceId) {
      this.pending = null;
      c.ctl.seekFrame(p.frame);
    }
  }

  /** Seek the player of `evidenceId` to `frame`, now or as soon as that player is ready. */
  seek(evidenceId: string, frame: number): void {
    const c = this.controller;
    if (c && c.ready && c.evidenceId === evidenceId) {
      this.pending = null;
      c.ctl.seekFrame(frame);
    } else {
      this.pending = { evidenceId, frame };
    }
  }

  pause(): void {
    this.controller?.ctl.pause();
  }
}
