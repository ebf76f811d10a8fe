/**
 * What is drawn on the footage rather than filmed: a camera name, date and clock burnt into the picture
 * (an on-screen display). It is left out of the analysis, in the frame's own coordinates.
 *
 * With a still camera, static text is simply background; only what changes in it matters, and that is
 * found by its steps (switching.ts: digits switch, they do not move). When the camera shakes or turns, the
 * scene moves under the text, so with the scene held still (camera-shift.ts) the text itself moves: a
 * shaking camera with a burnt-in clock raised one event over its whole length. Such text is found as what
 * holds still in the frame while the camera moves: a textured pixel of the scene changes when the view
 * moves across it, a pixel of the overlay does not.
 */
import { labelComponents } from './components.js';
import { PATCH, SwitchingPatches } from './switching.js';
import type { Box } from './types.js';

/** Camera moves on which a pixel must have held still, and the share of all its judged moves. */
const MIN_FIXED = 3;
const FIXED_SHARE = 2 / 3;
/** Half-resolution pixels the pixels found fixed are grown by: one band over a line of text. */
const GROW = 2;
/** A group of them is filled to its bounding box when that is at most this many times its size. */
const MAX_FILL = 4;
/** Pieces of overlay on one line this close (half-resolution pixels) are reported as one. */
const LINE_GAP = 8;

export class OverlayMask {
  /** Per half-resolution pixel in the frame's coordinates: 1 = overlay (left out). */
  readonly mask: Uint8Array;
  readonly switches: SwitchingPatches;
  /** Per pixel, camera moves it held still on / changed on, and whether it counts as fixed to the frame. */
  private readonly fixed: Uint8Array;
  private readonly changed: Uint8Array;
  private readonly core: Uint8Array;
  private any = false;

  constructor(
    private readonly lw: number,
    private readonly lh: number,
    stillFrames: number,
  ) {
    const n = lw * lh;
    this.mask = new Uint8Array(n);
    this.fixed = new Uint8Array(n);
    this.changed = new Uint8Array(n);
    this.core = new Uint8Array(n);
    this.switches = new SwitchingPatches(lw, lh, stillFrames);
  }

  /** Whether anything is left out. */
  get active(): boolean {
    return this.any;
  }

  /**
   * Where it lies (half-resolution boxes [x1, y1, x2, y2): pieces side by side, as the words of a line of
   * text, are one) and its share of the frame.
   */
  extent(): { boxes: Box[]; share: number } | null {
    if (!this.any) return null;
    const { lw, lh, mask } = this;
    let n = 0;
    for (const v of mask) n += v;
    const boxes: Box[] = [];
    const pieces = labelComponents(mask, lw, lh).components.sort((a, b) => a.minX - b.minX);
    for (const c of pieces) {
      const line = boxes.find((b) => c.minY < b[3] && c.maxY + 1 > b[1] && c.minX - b[2] <= LINE_GAP);
      if (line) {
        line[1] = Math.min(line[1], c.minY);
        line[2] = Math.max(line[2], c.maxX + 1);
        line[3] = Math.max(line[3], c.maxY + 1);
      } else boxes.push([c.minX, c.minY, c.maxX + 1, c.maxY + 1]);
    }
    return { boxes, share: n / mask.length };
  }

  /**
   * The next frame as decoded (half resolution) and the one before (null on the first), with the camera's
   * move between them in half-resolution pixels (and whether it moved at all, by less than that too); a
   * change beyond `strong` levels is no noise, one within `still` is none.
   */
  observe(cur: Uint8Array, prev: Uint8Array | null, move: readonly [number, number], strong: number, still: number, cameraMoved = move[0] !== 0 || move[1] !== 0): void {
    const before = this.switches.switchingCount;
    this.switches.observe(cur, prev, strong, cameraMoved);
    let grew = this.switches.switchingCount !== before;
    if (prev) grew = this.observeMove(cur, prev, move[0], move[1], strong, still) || grew;
    if (grew) this.rebuild();
  }

  /**
   * Each pixel either fits the scene's move (it matches the last frame where the move brings it from,
   * give or take a pixel) or holds still in the frame; it counts when one fits and the other clearly does
   * not. Only moves of two pixels or more are judged (within one, the two places overlap). True if the set
   * of pixels fixed to the frame changed.
   */
  private observeMove(cur: Uint8Array, prev: Uint8Array, dx: number, dy: number, strong: number, still: number): boolean {
    const { lw, lh, fixed, changed, core } = this;
    if (Math.max(Math.abs(dx), Math.abs(dy)) < 2) return false;
    let grew = false;
    for (let y = 0; y < lh; y++) {
      const sy = y - dy;
      if (sy < 1 || sy >= lh - 1) continue;
      for (let x = 0; x < lw; x++) {
        const sx = x - dx;
        if (sx < 1 || sx >= lw - 1) continue;
        const i = y * lw + x;
        const v = cur[i];
        const stay = Math.abs(v - prev[i]);
        let from = 255;
        for (let j = (sy - 1) * lw + sx - 1, r = 0; r < 3; r++, j += lw) {
          from = Math.min(from, Math.abs(v - prev[j]), Math.abs(v - prev[j + 1]), Math.abs(v - prev[j + 2]));
        }
        if (stay <= still && from > strong) fixed[i] = Math.min(255, fixed[i] + 1);
        else if (from <= still && stay > strong) changed[i] = Math.min(255, changed[i] + 1);
        else continue;
        const now = fixed[i] >= MIN_FIXED && fixed[i] >= FIXED_SHARE * (fixed[i] + changed[i]) ? 1 : 0;
        if (now !== core[i]) {
          core[i] = now;
          grew = true;
        }
      }
    }
    return grew;
  }

  /**
   * The mask again: the fixed pixels grown, each group of them filled to its bounding box (text on a box:
   * the box's edges are fixed, its inside shows the scene darkened and would move with it), and the
   * switching patches.
   */
  private rebuild(): void {
    const { lw, lh, mask, core, switches: sw } = this;
    const grown = new Uint8Array(lw * lh);
    let any = false;
    for (let y = 0; y < lh; y++) {
      for (let x = 0; x < lw; x++) {
        if (!core[y * lw + x]) continue;
        any = true;
        for (let v = Math.max(0, y - GROW); v <= Math.min(lh - 1, y + GROW); v++) {
          for (let u = Math.max(0, x - GROW); u <= Math.min(lw - 1, x + GROW); u++) grown[v * lw + u] = 1;
        }
      }
    }
    mask.set(grown);
    for (const c of any ? labelComponents(grown, lw, lh).components : []) {
      // Only a compact group: scattered pixels that happen to touch are not one overlay.
      if ((c.maxX - c.minX + 1) * (c.maxY - c.minY + 1) > MAX_FILL * c.area) continue;
      for (let y = c.minY; y <= c.maxY; y++) mask.fill(1, y * lw + c.minX, y * lw + c.maxX + 1);
    }
    for (let c = 0; c < sw.switching.length; c++) {
      if (!sw.switching[c]) continue;
      any = true;
      const x0 = (c % sw.cols) * PATCH;
      const y0 = Math.floor(c / sw.cols) * PATCH;
      for (let y = y0; y < Math.min(lh, y0 + PATCH); y++) for (let x = x0; x < Math.min(lw, x0 + PATCH); x++) mask[y * lw + x] = 1;
    }
    this.any = any;
  }

  /** What was found elsewhere (the same footage's first seconds, see MotionModel.seedOverlay). */
  seed(from: OverlayMask): void {
    this.switches.seed(from.switches.switching);
    this.fixed.set(from.fixed);
    this.changed.set(from.changed);
    this.core.set(from.core);
    this.rebuild();
  }
}
