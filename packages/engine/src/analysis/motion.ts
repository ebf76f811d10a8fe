/**
 * Class-agnostic motion model: a per-pixel background with its own noise level, foreground blobs, block flow,
 * and a compact per-frame foreground map for heatmaps. Anything that moves and is not the background becomes
 * a blob, whatever it is (a thrown bag, smoke, an unusual vehicle): the detector is not needed to see it.
 *
 * The background adapts quickly where the scene is background and very slowly under foreground, so an object
 * that stops stays foreground for a long time (loitering stays visible) while lighting drifts are absorbed.
 * A global offset (median difference) is removed first, which absorbs camera gain changes. Camera shake is
 * undone before (stabilise, camera-shift.ts), and when the camera turns the background follows the view.
 */
import { estimateBlockFlow, halfResolution, type FlowField } from './block-flow.js';
import { alignsAt, applyShift, estimateShift } from './camera-shift.js';
import { labelComponents } from './components.js';
import { shiftPlane } from './shift-plane.js';
import { OverlayMask } from './overlay.js';
import type { Box } from './types.js';

export interface MotionParams {
  width: number;
  height: number;
  /** Foreground grid cell (pixels): the background model runs at 1/cell resolution (2). */
  cell: number;
  /** Flow block (pixels). */
  block: number;
  /** Heat-map cell (pixels): the foreground map is stored at width/heatCell × height/heatCell. */
  heatCell: number;
  /** Blobs with fewer foreground pixels are noise. */
  minBlobArea: number;
  /** Foreground when |frame − background| > max(minThreshold, thresholdSigmas · σ_pixel). */
  thresholdSigmas: number;
  minThreshold: number;
  /** Background learning rate per analysed frame where the scene is background / under foreground. */
  backgroundRate: number;
  foregroundRate: number;
  /** Largest flow displacement searched (analysis pixels per analysed frame). */
  flowRadius: number;
  /** Search range of the camera shift (half-resolution pixels; 0: off); a shift on its edge is not trusted (camera-shift.ts). */
  maxShift: number;
  /** Frames the picture must hold still around an isolated step (switching.ts stillFramesAt). */
  stillFrames: number;
}

export interface Blob {
  box: Box;
  /** Foreground pixels. */
  area: number;
  /** Foreground pixels / box area. */
  fill: number;
  /** 0..1: grows with size relative to the noise floor (small blobs cannot start tracks on their own). */
  confidence: number;
}

export interface MotionFrame {
  blobs: Blob[];
  /** Block flow from the previous analysed frame (null on the first). */
  flow: FlowField | null;
  /** Foreground fraction per heat cell, 0..255, heatCols × heatRows (a fresh array per frame). */
  heat: Uint8Array;
  heatCols: number;
  heatRows: number;
  /** Share of pixels in the foreground. */
  foregroundFraction: number;
}

/** Per-pixel median and robust noise (1.4826 · MAD) of a few frames sampled over time: a clean initial background. */
export function medianBackground(frames: readonly Uint8Array[], size: number): { background: Float32Array; sigma: Float32Array } {
  const background = new Float32Array(size);
  const sigma = new Float32Array(size);
  const n = frames.length;
  if (n === 0) return { background, sigma };
  const v = new Float64Array(n);
  const d = new Float64Array(n);
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < n; k++) v[k] = frames[k][i];
    v.sort();
    const med = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    for (let k = 0; k < n; k++) d[k] = Math.abs(v[k] - med);
    d.sort();
    const mad = n % 2 ? d[(n - 1) / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
    background[i] = med;
    sigma[i] = 1.4826 * mad;
  }
  return { background, sigma };
}

/** A blob whose frame and background correlate this well under it is the background relit (relit()). */
const RELIT_CORRELATION = 0.9;
/** Fewest foreground pixels (half resolution) to judge that on. */
const RELIT_MIN_PIXELS = 40;

/** The background follows a turn only from a frame with less of it in the foreground than this. */
const TURN_FOREGROUND = 0.25;
/** Frames a strip uncovered by a pan is learned before it is judged, and its learning rate meanwhile. */
const YOUNG_FRAMES = 10;
const YOUNG_RATE = 0.5;

export class MotionModel {
  readonly params: MotionParams;
  /** Background model at half resolution (2×2 box-filtered): a quarter of the pixels, less noise. */
  private readonly lw: number;
  private readonly lh: number;
  private background: Float32Array | null = null;
  private sigma: Float32Array | null = null;
  private prev: Uint8Array | null = null;
  private prevHalf: Uint8Array | null = null;
  /** Foreground flag per half-resolution pixel. */
  private readonly fgPixels: Uint8Array;
  private readonly heatCols: number;
  private readonly heatRows: number;
  private readonly blockCols: number;
  private readonly blockRows: number;
  private readonly blockActive: Uint8Array;
  private readonly heatCount: Uint16Array;
  private readonly blockCount: Uint16Array;
  /** Half-resolution column → heat cell / flow block (-1 past the last whole block). */
  private readonly xHeat: Int32Array;
  private readonly xBlock: Int32Array;
  private readonly diffHist = new Uint32Array(511);
  /** The scene position of the background's origin (analysis pixels; see `origin`). */
  private originX = 0;
  private originY = 0;
  /** Where the last frame lay off the background (its shift, analysis pixels), and then its half-resolution picture. */
  private viewX = 0;
  private viewY = 0;
  private prevRaw: Float32Array | null = null;
  /** The background followed the view on the last frame, and the view's move then (half-resolution pixels). */
  private turning = false;
  private step: [number, number] = [0, 0];
  /** Share of the last frame in the foreground. */
  private lastForeground = 0;
  /**
   * Frames left before a pixel of a strip a pan uncovered is judged (0: judged); while young it is never
   * foreground and learns fast, so an object that stood in the strip when it was filled leaves no imprint.
   */
  private young: Uint8Array | null = null;
  private youngFrames = 0;
  /** What is drawn on the footage (overlay.ts) or switches in it (switching.ts), in frame coordinates. */
  private readonly overlay: OverlayMask;
  /** The last frame as decoded (half resolution, before shake is undone) and the one before. */
  private frameHalf: Uint8Array | null = null;
  private prevFrameHalf: Uint8Array | null = null;
  /** The last frame's shift (stabilise), and where the view lay in the scene then and on the frame before. */
  private frameShift: [number, number] = [0, 0];
  private view: [number, number] = [0, 0];
  private prevView: [number, number] = [0, 0];
  /** Per half-resolution pixel of the background: 1 where the overlay lies this frame (left out), and for how many frames running. */
  private readonly onBackground: Uint8Array;
  private readonly coveredFor: Uint8Array;
  private overlayPlaced = false;

  /** `init` is a half-resolution background (see medianBackground of halfResolution frames). */
  constructor(params: MotionParams, init?: { background: Float32Array; sigma: Float32Array }) {
    if (params.cell !== 2) throw new RangeError('MotionModel: the foreground grid is half resolution (cell 2)');
    this.params = params;
    const { width: w, height: h } = params;
    this.lw = w >> 1;
    this.lh = h >> 1;
    this.fgPixels = new Uint8Array(this.lw * this.lh);
    this.onBackground = new Uint8Array(this.lw * this.lh);
    this.coveredFor = new Uint8Array(this.lw * this.lh);
    this.overlay = new OverlayMask(this.lw, this.lh, params.stillFrames);
    this.heatCols = Math.ceil(w / params.heatCell);
    this.heatRows = Math.ceil(h / params.heatCell);
    this.blockCols = Math.floor(w / params.block);
    this.blockRows = Math.floor(h / params.block);
    this.blockActive = new Uint8Array(this.blockCols * this.blockRows);
    this.heatCount = new Uint16Array(this.heatCols * this.heatRows);
    this.blockCount = new Uint16Array(this.blockCols * this.blockRows);
    const hh = params.heatCell / 2;
    const hb = params.block / 2;
    this.xHeat = Int32Array.from({ length: this.lw }, (_, x) => Math.floor(x / hh));
    this.xBlock = Int32Array.from({ length: this.lw }, (_, x) => (Math.floor(x / hb) < this.blockCols ? Math.floor(x / hb) : -1));
    if (init) {
      if (init.background.length !== this.lw * this.lh) throw new RangeError('MotionModel: initial background has the wrong size');
      this.background = Float32Array.from(init.background);
      this.sigma = Float32Array.from(init.sigma);
    }
  }

  get heatSize(): { cols: number; rows: number } {
    return { cols: this.heatCols, rows: this.heatRows };
  }

  /** Typical per-pixel noise σ of the background (a sparse average). */
  private noiseLevel(): number {
    const sg = this.sigma!;
    let noise = 0;
    for (let i = 0; i < sg.length; i += 11) noise += sg[i];
    return noise / Math.ceil(sg.length / 11);
  }

  /**
   * The frame with camera shake undone (camera-shift.ts), to give to process(), and the shift applied:
   * stabilised(x, y) = gray(x + sx, y + sy), analysis pixels. The frame itself when nothing moved, with its
   * half-resolution picture for process() to reuse.
   */
  stabilise(gray: Uint8Array): { gray: Uint8Array; sx: number; sy: number; half?: Uint8Array } {
    const p = this.params;
    const bg = this.background;
    this.frameShift = [0, 0];
    this.frameHalf = null;
    this.view = [-this.originX, -this.originY];
    if (!bg || !this.sigma || p.maxShift < 1) return { gray, sx: 0, sy: 0 };
    const half = halfResolution(gray, p.width, p.height).data;
    this.frameHalf = half;
    // A pixel costs at most twice its foreground threshold: beyond, it is an object, not misalignment.
    const cap = 2 * this.stillLevel();
    const s = estimateShift(half, bg, this.lw, this.lh, p.maxShift, cap, { gray, width: p.width });
    let { sx, sy } = s;
    const prevRaw = this.prevRaw;
    const turned = this.turning;
    this.turning = false;
    if ((turned || (!sx && !sy)) && prevRaw && this.lastForeground < TURN_FOREGROUND) {
      // The camera may be turning: no shift within the reach matches and the last frame lay off the
      // background, or a turn is under way (then the background's own match may be a wrong one within the
      // reach while the view lies beyond it). The view's move is measured against the last frame instead
      // and adds to where that frame lay; beyond the reach, the background follows the view by whole
      // half-resolution steps and only the rest is undone. A turn under way moves on about as far as on the
      // last frame, so the move is sought around that one: a pan can speed up beyond the reach a step at a
      // time. Shake within the reach never gets here. Not when much of the last frame was foreground: an
      // object that fills the view (a bus passing close) moves between frames like a turning camera, and
      // can pull the shift against the background its way too.
      const e = estimateShift(half, prevRaw, this.lw, this.lh, p.maxShift, cap, undefined, turned ? this.step : [0, 0]);
      const moved = e.sx !== 0 || e.sy !== 0;
      const vx = this.viewX + e.sx;
      const vy = this.viewY + e.sy;
      const dx = Math.round(vx / 2);
      const dy = Math.round(vy / 2);
      // The background follows the view beyond the reach; within it, where the background's own search
      // missed a view near the edge of the reach that moved on further out (a turn setting off; shake at its
      // swing's end turns back); and where a turn came to rest (it settles where the view stopped). The
      // view must match the background where it now lies: a large object's own motion moves no ground.
      const far = Math.max(Math.abs(vx), Math.abs(vy)) >= 2 * p.maxShift;
      const outward = e.sx * this.viewX + e.sy * this.viewY > 0;
      const settled = turned && !moved;
      const shouldFollow = (moved && (far || (!turned && outward))) || (settled && (dx !== 0 || dy !== 0));
      if (shouldFollow && alignsAt(half, bg, this.lw, this.lh, dx, dy, s.bright, cap)) {
        this.follow(dx, dy, gray, half, s.bright);
        sx = vx - 2 * dx;
        sy = vy - 2 * dy;
        this.turning = moved;
      } else if (turned && moved && !far) {
        // Slowing down within the reach: the view lies where the turn says.
        sx = vx;
        sy = vy;
        this.turning = true;
      }
      if (this.turning) this.step = [e.dx, e.dy];
    }
    this.viewX = sx;
    this.viewY = sy;
    // Only a frame off the background, or one the background followed, is needed by the next (a still
    // camera never keeps one).
    this.prevRaw = sx || sy || this.turning ? Float32Array.from(half) : null;
    this.view = [sx - this.originX, sy - this.originY];
    if (sx === 0 && sy === 0) return { gray, sx: 0, sy: 0, half };
    this.frameShift = [sx, sy];
    const lw = this.lw;
    const lh = this.lh;
    // The background as it now lies (a turn just followed replaced it).
    const now = this.background!;
    const fillAt = (x: number, y: number): number => now[Math.min(lh - 1, y >> 1) * lw + Math.min(lw - 1, x >> 1)] + s.bright;
    return { gray: applyShift(gray, p.width, p.height, sx, sy, fillAt), sx, sy };
  }

  /**
   * Where the background's origin lies in the scene (analysis pixels): how far the camera has turned since
   * the background was learned. Scene coordinates are the background's plus the origin.
   */
  get origin(): [number, number] {
    return [this.originX, this.originY];
  }

  /**
   * Moves the background, its noise and the previous frame onto the view the camera turned to, where the
   * frame lies (dx, dy) half-resolution pixels from the background (frame(x + d) ≈ background(x)): the
   * model at x becomes what it was at x − d. The strip the turn uncovered is the current frame's
   * (background, by the only evidence there is) at the typical noise.
   */
  private follow(dx: number, dy: number, gray: Uint8Array, half: Uint8Array, bright: number): void {
    const { lw, lh } = this;
    const w = this.params.width;
    const h = this.params.height;
    const noise = this.noiseLevel();
    const fromFrame = (x: number, y: number): number => half[y * lw + x];
    this.young = shiftPlane(this.young ?? new Uint8Array(lw * lh), lw, lh, dx, dy, YOUNG_FRAMES);
    this.youngFrames = YOUNG_FRAMES;
    // The ground under an overlay was never learned: where it now lies it is young too.
    const covered = shiftPlane(this.onBackground, lw, lh, dx, dy, 0);
    for (let i = 0; i < covered.length; i++) if (covered[i]) this.young[i] = YOUNG_FRAMES;
    this.background = shiftPlane(this.background!, lw, lh, dx, dy, (x, y) => fromFrame(x, y) - bright);
    this.sigma = shiftPlane(this.sigma!, lw, lh, dx, dy, noise);
    // The previous frame (block flow's reference) has nothing in the strip: the current frame stands in.
    if (this.prevHalf) this.prevHalf = shiftPlane(this.prevHalf, lw, lh, dx, dy, fromFrame);
    if (this.prev) this.prev = shiftPlane(this.prev, w, h, 2 * dx, 2 * dy, (x, y) => gray[y * w + x]);
    // A scene point keeps its coordinates: it now lies 2d further along in the background's.
    this.originX -= 2 * dx;
    this.originY -= 2 * dy;
  }

  /** A pixel changing by no more than this between frames held still. */
  private stillLevel(): number {
    const p = this.params;
    return Math.max(p.minThreshold, this.sigma ? p.thresholdSigmas * this.noiseLevel() : 0);
  }

  /** The overlay on the background this frame (see `onBackground`), from the frame's coordinates. */
  private placeOverlay(): Uint8Array {
    const { lw, lh } = this;
    const out = this.onBackground;
    out.fill(0);
    // Background pixel b shows the frame's pixel b + shift.
    const hx = Math.round(this.frameShift[0] / 2);
    const hy = Math.round(this.frameShift[1] / 2);
    const mask = this.overlay.mask;
    for (let y = Math.max(0, -hy); y < Math.min(lh, lh - hy); y++) {
      for (let x = Math.max(0, -hx), i = y * lw + x, f = (y + hy) * lw + x + hx; x < Math.min(lw, lw - hx); x++, i++, f++) out[i] = mask[f];
    }
    // Ground the overlay covered for a while was never learned: it is young when uncovered. Not the fringe
    // that shake moves in and out of every few frames: learned moments ago, and made young it would hide
    // whoever walks there.
    const covered = this.coveredFor;
    for (let i = 0; i < out.length; i++) {
      if (out[i]) {
        if (covered[i] < 255) covered[i]++;
        continue;
      }
      if (covered[i] >= YOUNG_FRAMES) {
        this.young ??= new Uint8Array(lw * lh);
        this.young[i] = YOUNG_FRAMES;
        this.youngFrames = YOUNG_FRAMES;
      }
      covered[i] = 0;
    }
    return out;
  }

  /**
   * Finds the overlay in a run of frames (analysis size, as decoded, in order: the first seconds, held
   * back while the background is learned), so that it is known from the first frame on. When the camera
   * may have moved (`cameraMoves`), each frame is placed on the background as stabilise() would.
   */
  seedOverlay(frames: readonly Uint8Array[], cameraMoves: boolean): void {
    const p = this.params;
    const probe = new OverlayMask(this.lw, this.lh, p.stillFrames);
    const still = this.stillLevel();
    let prev: Uint8Array | null = null;
    let at = [0, 0];
    for (const gray of frames) {
      const half = halfResolution(gray, p.width, p.height).data;
      let s = { sx: 0, sy: 0 };
      if (cameraMoves && this.background && p.maxShift >= 1) s = estimateShift(half, this.background, this.lw, this.lh, p.maxShift, 2 * still, { gray, width: p.width });
      const moved = s.sx !== at[0] || s.sy !== at[1];
      probe.observe(half, prev, [Math.round((s.sx - at[0]) / 2), Math.round((s.sy - at[1]) / 2)], 2 * still, still, moved);
      prev = half;
      at = [s.sx, s.sy];
    }
    this.overlay.seed(probe);
  }

  /** Text found drawn on the footage and left out (overlay.ts): boxes in analysis pixels, and its share of the frame. */
  overlayExtent(): { boxes: Box[]; share: number } | null {
    const e = this.overlay.extent();
    return e && { boxes: e.boxes.map((b) => b.map((v) => 2 * v) as Box), share: e.share };
  }

  /** The footage broke off before the next frame (a gap in the recording): see SwitchingPatches.markBreak. */
  markBreak(): void {
    this.overlay.switches.markBreak();
  }

  /** `half`: the frame's half-resolution picture when already made (stabilise()). */
  process(gray: Uint8Array, half = halfResolution(gray, this.params.width, this.params.height).data): MotionFrame {
    const p = this.params;
    const { width: w, height: h } = p;
    if (gray.length !== w * h) throw new RangeError(`MotionModel: frame has ${gray.length} pixels, expected ${w}×${h}`);
    const lw = this.lw;
    const lh = this.lh;
    const n = lw * lh;
    if (!this.background || !this.sigma) {
      // No bootstrap: the first frame is the background (objects in it become ghosts, removed below).
      this.background = Float32Array.from(half);
      this.sigma = new Float32Array(n).fill(p.minThreshold / p.thresholdSigmas);
    }
    const bg = this.background;
    const sg = this.sigma;

    // Global offset: median of (frame − background) on a sparse grid, absorbing gain/exposure changes.
    const hist = this.diffHist;
    hist.fill(0);
    let samples = 0;
    for (let i = 0; i < n; i += 5) {
      hist[Math.round(half[i] - bg[i]) + 255]++;
      samples++;
    }
    let acc = 0;
    let offset = 0;
    for (let k = 0; k < hist.length; k++) {
      acc += hist[k];
      if (acc * 2 >= samples) {
        offset = k - 255;
        break;
      }
    }

    // What is drawn on the footage is left out (overlay.ts): never foreground, and no background is learned
    // under it. It is found on the frames as decoded and placed where the frame lies on the background.
    const frameHalf = this.frameHalf ?? half;
    const still = this.stillLevel();
    const move: [number, number] = [Math.round((this.view[0] - this.prevView[0]) / 2), Math.round((this.view[1] - this.prevView[1]) / 2)];
    const cameraMoved = this.view[0] !== this.prevView[0] || this.view[1] !== this.prevView[1];
    this.overlay.observe(frameHalf, this.prevFrameHalf, move, 2 * still, still, cameraMoved);
    // Placed again once more after it vanished, so that what it covered turns young.
    const overlay = this.overlay.active || this.overlayPlaced ? this.placeOverlay() : null;
    this.overlayPlaced = this.overlay.active;
    this.prevFrameHalf = frameHalf;
    this.frameHalf = null;
    this.prevView = this.view;

    // Foreground, and the background update in the same pass: fast where the scene is background, very
    // slow under foreground (an object that stops stays foreground for minutes: loitering stays visible).
    const fg = this.fgPixels;
    const minT = p.minThreshold;
    const k = p.thresholdSigmas;
    const rb = p.backgroundRate;
    const rf = p.foregroundRate;
    let fgTotal = 0;
    const young = this.youngFrames > 0 ? this.young : null;
    if (young) {
      this.youngFrames--;
      // Learned only where the picture held still since the last frame: what moves is no background.
      const still = Math.max(minT, k * this.noiseLevel());
      const prev = this.prevHalf;
      for (let i = 0; i < n; i++) {
        if (!young[i]) continue;
        young[i]--;
        if (prev && Math.abs(half[i] - prev[i]) > still) continue;
        const diff = half[i] - offset - bg[i];
        bg[i] += YOUNG_RATE * diff;
        sg[i] += YOUNG_RATE * (1.25 * Math.abs(diff) - sg[i]);
      }
    }
    for (let i = 0; i < n; i++) {
      if (overlay && overlay[i]) {
        fg[i] = 0;
        continue;
      }
      if (young && young[i]) {
        fg[i] = 0;
        continue;
      }
      const diff = half[i] - offset - bg[i];
      const d = Math.abs(diff); // branch-free: the sign of the difference is noise
      const t = k * sg[i];
      if (d > (t > minT ? t : minT)) {
        fg[i] = 1;
        fgTotal++;
        bg[i] += rf * diff;
      } else {
        fg[i] = 0;
        bg[i] += rb * diff;
        // Running robust σ (mean absolute deviation × 1.25 ≈ σ for Gaussian noise).
        sg[i] += rb * (1.25 * d - sg[i]);
      }
    }

    const found = this.extractBlobs();
    const blobs = found.filter((b) => !this.absorbGhost(b, half, offset));
    if (blobs.length !== found.length) {
      fgTotal = 0;
      for (let i = 0; i < n; i++) fgTotal += fg[i];
    }
    this.countCells();

    // Heat map: foreground share per heat cell.
    const heat = new Uint8Array(this.heatCols * this.heatRows);
    const hh = p.heatCell / 2;
    for (let hy = 0; hy < this.heatRows; hy++) {
      const ch = Math.max(1, Math.min(hh, lh - hy * hh));
      for (let hx = 0; hx < this.heatCols; hx++) {
        const cw = Math.max(1, Math.min(hh, lw - hx * hh));
        const i = hy * this.heatCols + hx;
        heat[i] = Math.min(255, Math.round((this.heatCount[i] * 255) / (cw * ch)));
      }
    }

    // Flow on blocks with enough foreground.
    let flow: FlowField | null = null;
    if (this.prev && this.prevHalf) {
      const active = this.blockActive;
      const hb = p.block / 2;
      const minFg = (hb * hb) >> 2;
      for (let i = 0; i < active.length; i++) active[i] = this.blockCount[i] >= minFg ? 1 : 0;
      // Camera noise is spatially correlated (compression blocks), so a 2×2 average hardly reduces it: the
      // half-resolution σ stands for the full-resolution pixels' σ.
      const noise = this.noiseLevel();
      flow = estimateBlockFlow({
        prev: this.prev,
        cur: gray,
        prevHalf: this.prevHalf,
        curHalf: half,
        width: w,
        height: h,
        active,
        block: p.block,
        radius: p.flowRadius,
        noise,
      });
    }
    if (this.prev) this.prev.set(gray);
    else this.prev = Uint8Array.from(gray);
    this.prevHalf = half;

    this.lastForeground = fgTotal / n;
    return { blobs, flow, heat, heatCols: this.heatCols, heatRows: this.heatRows, foregroundFraction: fgTotal / n };
  }

  /** Foreground half-resolution pixels per heat cell and per flow block. */
  private countCells(): void {
    const { heatCell, block } = this.params;
    const hh = heatCell / 2;
    const hb = block / 2;
    this.heatCount.fill(0);
    this.blockCount.fill(0);
    const lw = this.lw;
    for (let y = 0; y < this.lh; y++) {
      const hrow = Math.floor(y / hh) * this.heatCols;
      const by = Math.floor(y / hb);
      const brow = by < this.blockRows ? by * this.blockCols : -1;
      const row = y * lw;
      for (let x = 0; x < lw; x++) {
        if (!this.fgPixels[row + x]) continue;
        this.heatCount[hrow + this.xHeat[x]]++;
        const bx = this.xBlock[x];
        if (brow >= 0 && bx >= 0) this.blockCount[brow + bx]++;
      }
    }
  }

  /**
   * A ghost is the imprint of something that was in the initial background and has since left (or of
   * something that had been standing when the background was learned): the background then holds the
   * object's outline and the current frame does not. Compares gradient strength along the blob's
   * foreground boundary in the frame and in the background; for a ghost the background wins clearly, and
   * the region is taken into the background at once (a real object, even a smooth one on texture, has its
   * silhouette edge in the frame). Works on the half-resolution model.
   */
  /**
   * Whether a blob is the background lit differently (a lamp switched on, a cloud's shadow): under its
   * foreground the frame is the background's texture, brighter or darker, pixel for pixel (correlation
   * RELIT_CORRELATION or more over a textured patch). An object has a texture of its own; one standing in
   * the light patch makes the blob fail the test until it leaves.
   */
  private relit(b: Blob, half: Uint8Array): boolean {
    const { lw, lh } = this;
    const bg = this.background!;
    const fg = this.fgPixels;
    let n = 0;
    let sf = 0;
    let sb = 0;
    let sff = 0;
    let sbb = 0;
    let sfb = 0;
    // Texture: each pixel less the mean of its four neighbours (the light's own gradient and any edge the
    // blob straddles, a kerb or the rim of a shadow, are not texture), inside the foreground only: a
    // neighbour outside it (text drawn on the footage, an edge that did not change) is in the frame and the
    // background alike and would make them agree.
    for (let y = Math.max(1, Math.floor(b.box[1] / 2)); y < Math.min(lh - 1, Math.ceil(b.box[3] / 2)); y++) {
      for (let x = Math.max(1, Math.floor(b.box[0] / 2)), i = y * lw + x; x < Math.min(lw - 1, Math.ceil(b.box[2] / 2)); x++, i++) {
        if (!fg[i] || !fg[i - 1] || !fg[i + 1] || !fg[i - lw] || !fg[i + lw]) continue;
        const f = half[i] - (half[i - 1] + half[i + 1] + half[i - lw] + half[i + lw]) / 4;
        const g = bg[i] - (bg[i - 1] + bg[i + 1] + bg[i - lw] + bg[i + lw]) / 4;
        n++;
        sf += f;
        sb += g;
        sff += f * f;
        sbb += g * g;
        sfb += f * g;
      }
    }
    if (n < RELIT_MIN_PIXELS) return false;
    const vf = sff - (sf * sf) / n;
    const vb = sbb - (sb * sb) / n;
    // The background must have texture to recognise (beyond its noise), and so must the frame.
    const noise = this.noiseLevel();
    if (vb < n * (2 * noise) ** 2 || vf < n * noise ** 2) return false;
    return (sfb - (sf * sb) / n) / Math.sqrt(vf * vb) >= RELIT_CORRELATION;
  }

  private absorbGhost(b: Blob, half: Uint8Array, offset: number): boolean {
    const lw = this.lw;
    const lh = this.lh;
    const bg = this.background!;
    const fg = this.fgPixels;
    const x0 = Math.max(1, Math.floor(b.box[0] / 2));
    const y0 = Math.max(1, Math.floor(b.box[1] / 2));
    const x1 = Math.min(lw - 2, Math.ceil(b.box[2] / 2) - 1);
    const y1 = Math.min(lh - 2, Math.ceil(b.box[3] / 2) - 1);
    let eFrame = 0;
    let eBack = 0;
    let n = 0;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * lw + x;
        if (!fg[i] || (fg[i - 1] && fg[i + 1] && fg[i - lw] && fg[i + lw])) continue;
        eFrame += Math.abs(half[i + 1] - half[i - 1]) + Math.abs(half[i + lw] - half[i - lw]);
        eBack += Math.abs(bg[i + 1] - bg[i - 1]) + Math.abs(bg[i + lw] - bg[i - lw]);
        n++;
      }
    }
    const ghost = n > 0 && eBack > 2 * eFrame && eBack - eFrame > n * 4 * this.params.minThreshold;
    if (!ghost && !this.relit(b, half)) return false;
    for (let y = Math.floor(b.box[1] / 2); y < Math.min(lh, Math.ceil(b.box[3] / 2)); y++) {
      for (let x = Math.floor(b.box[0] / 2); x < Math.min(lw, Math.ceil(b.box[2] / 2)); x++) {
        const i = y * lw + x;
        if (!fg[i]) continue;
        bg[i] = half[i] - offset;
        fg[i] = 0;
      }
    }
    return true;
  }

  private extractBlobs(): Blob[] {
    const p = this.params;
    const { components } = labelComponents(this.fgPixels, this.lw, this.lh);
    // Boxes in analysis pixels; areas in analysis pixels (each half-resolution pixel covers 4).
    let boxes: { box: Box; area: number }[] = components.map((c) => ({
      box: [c.minX * 2, c.minY * 2, Math.min(p.width, (c.maxX + 1) * 2), Math.min(p.height, (c.maxY + 1) * 2)] as Box,
      area: 4 * c.area,
    }));
    boxes = mergeFragments(boxes, 2);
    const out: Blob[] = [];
    for (const b of boxes) {
      if (b.area < p.minBlobArea) continue;
      const boxArea = (b.box[2] - b.box[0]) * (b.box[3] - b.box[1]);
      out.push({
        box: b.box,
        area: b.area,
        fill: boxArea > 0 ? b.area / boxArea : 0,
        confidence: 1 - Math.exp(-b.area / (2 * p.minBlobArea)),
      });
    }
    return out;
  }
}

/**
 * Joins fragments of one object split by the foreground threshold (head and legs, a body cut by a thin
 * occluder): pieces stacked vertically with a small gap and mostly overlapping horizontally.
 */
function mergeFragments(items: { box: Box; area: number }[], cell: number): { box: Box; area: number }[] {
  const list = items.slice();
  let merged = true;
  while (merged) {
    merged = false;
    outer: for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i].box;
        const b = list[j].box;
        const overlapX = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
        const gapY = Math.max(a[1], b[1]) - Math.min(a[3], b[3]);
        const narrower = Math.min(a[2] - a[0], b[2] - b[0]);
        if (overlapX >= 0.5 * narrower && gapY <= 2 * cell) {
          list[i] = {
            box: [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])],
            area: list[i].area + list[j].area,
          };
          list.splice(j, 1);
          merged = true;
          break outer;
        }
      }
    }
  }
  return list;
}
