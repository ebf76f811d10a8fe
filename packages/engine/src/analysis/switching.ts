/**
 * Places where the picture switches instead of moving: the digits of a clock or counter burnt into the
 * footage. The background model took each new state for an object that arrived and stays: a burnt-in
 * clock's digits became a small "stationary object" and an event within seconds on an otherwise normal clip.
 *
 * The signature is a repeated isolated step: a small patch of the picture changes strongly from one frame
 * to the next, while it and its neighbours held still for over half a second before and do so again after.
 * Things that move do not do that: an object arriving changes the patches along its way on the frames
 * before, and one passing changes them again soon after. On Ped2's 28 clips no patch switches (holding
 * still for 0.2 s instead, Test001 had 17 along the walkway: slow walkers change a patch a few pixels at
 * a time).
 *
 * - A patch that stepped twice, or once near one that did, switches: from then on it is left out of the
 *   analysis (overlay.ts). Digits that change every second are found in two seconds, and the slower digits
 *   beside them at their first change.
 * - One step is not enough: an object that appears without being seen to arrive (carried in behind
 *   something) must stay an object.
 * - Only in a band along the frame's edges, where recorders draw their text: a wrong switch there costs
 *   little. (Footage updated less than twice a second, each picture repeated, makes everything that moves
 *   step; there objects passing a patch twice could make it switch.)
 * - Steps in many patches at once (light or exposure over the whole view) make no patch switch, nor do
 *   frames on which the camera moved, nor a step just after a break in the footage (markBreak).
 *
 * Patches are 4×4 half-resolution pixels (8×8 analysis pixels), in the frame's own coordinates: an overlay
 * stays where it is in the frame when the camera shakes or turns.
 */

/** Patch side in half-resolution pixels (a power of two). */
const PATCH_SHIFT = 2;
export const PATCH = 1 << PATCH_SHIFT;
/** Pixels of a patch that must change for the patch to have changed (one is noise). */
const MIN_CHANGED = 3;
/** Seconds a patch and its neighbours must hold still before and after a step. */
const STILL_S = 0.6;

/** Frames a patch must hold still around a step at `fps` analysed frames per second. */
export const stillFramesAt = (fps: number): number => Math.max(1, Math.round(STILL_S * fps));
/** Isolated steps after which a patch switches (one suffices beside a switching patch). */
const STEPS_TO_SWITCH = 2;
/** How near (in patches, each way) a switching patch makes a single step enough. */
const NEAR_SWITCHING = 3;
/** Share of the frame's width and height, along each edge, where burnt-in text is looked for. */
const EDGE_BAND = 0.2;
/** Share of all patches stepping on one frame beyond which the change is the whole view's. */
const GLOBAL_SHARE = 0.05;

export class SwitchingPatches {
  readonly cols: number;
  readonly rows: number;
  /** Per patch: 1 when it switches (left out of the analysis); `switchingCount` of them. */
  readonly switching: Uint8Array;
  switchingCount = 0;
  private readonly changed: Uint16Array;
  /** Frame of each patch's last change; a break counts as a change everywhere. */
  private readonly lastChange: Int32Array;
  /** Frame of an unconfirmed step (−1: none), and whether many patches stepped on that frame. */
  private readonly pending: Int32Array;
  private readonly pendingGlobal: Uint8Array;
  private pendingCount = 0;
  private readonly steps: Uint8Array;
  /** Per patch: 1 in the band along the frame's edges where switching is looked for. */
  private readonly nearEdge: Uint8Array;
  private frame = 0;

  /** `stillFrames`: frames a patch and its neighbours must hold still before and after a step (stillFramesAt). */
  constructor(
    private readonly lw: number,
    private readonly lh: number,
    private readonly stillFrames: number,
  ) {
    this.cols = Math.ceil(lw / PATCH);
    this.rows = Math.ceil(lh / PATCH);
    const n = this.cols * this.rows;
    this.switching = new Uint8Array(n);
    this.changed = new Uint16Array(n);
    this.lastChange = new Int32Array(n);
    this.pending = new Int32Array(n).fill(-1);
    this.pendingGlobal = new Uint8Array(n);
    this.steps = new Uint8Array(n);
    this.nearEdge = new Uint8Array(n);
    for (let c = 0; c < n; c++) {
      const x = ((c % this.cols) + 0.5) * PATCH;
      const y = (Math.floor(c / this.cols) + 0.5) * PATCH;
      const inner = x > EDGE_BAND * lw && x < (1 - EDGE_BAND) * lw && y > EDGE_BAND * lh && y < (1 - EDGE_BAND) * lh;
      this.nearEdge[c] = inner ? 0 : 1;
    }
  }

  /** The footage broke off (a gap in the recording): no change before it or at it counts as a step. */
  markBreak(): void {
    this.lastChange.fill(this.frame + 1);
    this.pending.fill(-1);
    this.pendingCount = 0;
  }

  /** Patches that switch are known from elsewhere (the same footage's first seconds). */
  seed(switching: Uint8Array): void {
    for (let c = 0; c < switching.length; c++) if (switching[c]) this.markSwitching(c);
  }

  private markSwitching(c: number): void {
    if (this.switching[c]) return;
    this.switching[c] = 1;
    this.switchingCount++;
  }

  /**
   * The next frame (half resolution, frame coordinates) and the one before it (null on the first);
   * a change beyond `strong` levels is no noise. Updates `switching`. Frames on which the camera
   * moved are not judged: a view that jumps a pixel and holds steps wherever the scene has an edge.
   */
  observe(cur: Uint8Array, prev: Uint8Array | null, strong: number, cameraMoved = false): void {
    const t = ++this.frame;
    const { cols, lw, lh, changed, lastChange, pending } = this;
    const S = this.stillFrames;
    if (!prev || cameraMoved) {
      // Everything may have changed: no step is isolated from this frame.
      lastChange.fill(t);
      pending.fill(-1);
      this.pendingCount = 0;
      return;
    }
    changed.fill(0);
    let any = false;
    for (let y = 0; y < lh; y++) {
      const row = (y >> PATCH_SHIFT) * cols;
      for (let x = 0, i = y * lw; x < lw; x++, i++) {
        const d = cur[i] - prev[i];
        if (d > strong || d < -strong) {
          changed[row + (x >> PATCH_SHIFT)]++;
          any = true;
        }
      }
    }
    // Nothing changed and nothing waits: nothing to judge (most frames of a still scene).
    if (!any && this.pendingCount === 0) return;
    const moved = (n: number): boolean => changed[n] >= MIN_CHANGED;
    for (let c = 0; c < pending.length; c++) {
      if (pending[c] < 0) continue;
      // A step waiting for its confirmation: anything changing nearby means motion; S still frames confirm it.
      if (this.anyNear(c, 1, moved)) this.settle(c);
      else if (t - pending[c] >= S) {
        if (this.nearEdge[c] && !this.pendingGlobal[c]) {
          this.steps[c] = Math.min(255, this.steps[c] + 1);
          if (this.steps[c] >= STEPS_TO_SWITCH || this.anyNear(c, NEAR_SWITCHING, (n) => this.switching[n] === 1)) this.markSwitching(c);
        }
        this.settle(c);
      }
    }
    // New steps: a patch changed while nothing here or around changed on the S frames before (changes on
    // this frame are not recorded yet: patches stepping together are one step).
    const fresh: number[] = [];
    for (let c = 0; c < changed.length; c++) {
      if (moved(c) && !this.anyNear(c, 1, (n) => lastChange[n] >= t - S)) fresh.push(c);
    }
    const global = fresh.length > GLOBAL_SHARE * changed.length ? 1 : 0;
    for (const c of fresh) {
      pending[c] = t;
      this.pendingGlobal[c] = global;
    }
    this.pendingCount += fresh.length;
    for (let c = 0; c < changed.length; c++) if (moved(c)) lastChange[c] = t;
  }

  /** A pending step is over (confirmed or not). */
  private settle(c: number): void {
    this.pending[c] = -1;
    this.pendingCount--;
  }

  /** Whether `test` holds for a patch within `r` patches of c (c included). */
  private anyNear(c: number, r: number, test: (n: number) => boolean): boolean {
    const { cols, rows } = this;
    const cx = c % cols;
    const cy = (c - cx) / cols;
    for (let y = Math.max(0, cy - r); y <= Math.min(rows - 1, cy + r); y++) {
      for (let x = Math.max(0, cx - r); x <= Math.min(cols - 1, cx + r); x++) if (test(y * cols + x)) return true;
    }
    return false;
  }
}
