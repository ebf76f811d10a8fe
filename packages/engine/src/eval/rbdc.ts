/**
 * Region- and track-based detection criteria (RBDC / TBDC) of Ramachandra & Jones, "Street Scene: A new
 * dataset and evaluation protocol for video anomaly detection", WACV 2020. Definitions: METRICS.md § "RBDC".
 */
import { iou } from '../analysis/geometry.js';
import { VigilError } from '../errors.js';
import { trapezoidArea } from './roc.js';

/** Axis-aligned box [x1, y1, x2, y2] in pixels, continuous coordinates (x2 > x1, area = (x2−x1)(y2−y1)). */
export type Box = readonly [number, number, number, number];

/** Ground-truth regions of one clip: frame index (0-based) → boxes in that frame. */
export type RegionsByFrame = ReadonlyMap<number, readonly Box[]>;

export interface RegionPrediction {
  clip: string;
  frame: number;
  box: Box;
  score: number;
}

export interface RbdcGtClip {
  clip: string;
  /** Number of frames of this clip that are evaluated (its share of the FPR denominator). */
  frameCount: number;
  regions: RegionsByFrame;
  /** GT tracks; when omitted they are built with linkGtTracks(regions). */
  tracks?: readonly GtTrack[];
}

export interface RbdcOptions {
  /** A prediction detects a GT region when IoU ≥ this (paper: β = 0.1). */
  regionIou?: number;
  /** A GT track is detected once at least this fraction of its regions is detected (paper: α = 0.1). */
  trackFraction?: number;
}

export interface RbdcInput extends RbdcOptions {
  /** Every evaluated clip, including those without any GT region (their frames still count in the FPR). */
  clips: readonly RbdcGtClip[];
  predictions: readonly RegionPrediction[];
}

/** Detection-rate curves versus false positives per frame, one point per distinct score threshold. */
export interface RbdcCurve {
  /** Cumulative false positives / number of evaluated frames; cut at 1 and extended flat to exactly 1. */
  fpr: number[];
  /** Region detection rate: cumulative true positives / number of GT regions. */
  rbdr: number[];
  /** Track detection rate: share of GT tracks with ≥ trackFraction of their regions detected. */
  tbdr: number[];
  /** Score threshold of each point (+∞ for the origin, NaN for the flat extension point). */
  thresholds: number[];
}

export interface RbdcResult {
  rbdc: number;
  tbdc: number;
  curve: RbdcCurve;
  regions: number;
  tracks: number;
  frames: number;
}

/** One GT track: the regions it links, in frame order, each named by frame and index within that frame. */
export interface GtTrack {
  regions: { frame: number; index: number }[];
}

export const RBDC_REGION_IOU = 0.1;
export const RBDC_TRACK_FRACTION = 0.1;
/** GT regions in consecutive frames join one track when their IoU is above this. */
export const GT_TRACK_LINK_IOU = 0;

/** Box IoU (the engine's one implementation). */
export const boxIou = iou;

function checkBox(b: Box, where: string): void {
  if (b.length !== 4 || !b.every(Number.isFinite) || !(b[2] > b[0]) || !(b[3] > b[1])) {
    throw new VigilError('invalid_input', `${where}: box [${b.join(', ')}] is not [x1, y1, x2, y2] with x2 > x1 and y2 > y1.`);
  }
}

/**
 * Ped2 `ground_truth.json` boxes ({frame: [[x, y, w, h, area_px], ...]}, top-left pixel + size) → regions as
 * [x1, y1, x2, y2] with x2 = x + w, y2 = y + h (the box covers pixels x .. x+w−1, i.e. the interval [x, x+w)).
 */
export function ped2BoxesToRegions(boxes: Readonly<Record<string, readonly (readonly number[])[]>>): Map<number, Box[]> {
  const out = new Map<number, Box[]>();
  for (const [key, list] of Object.entries(boxes)) {
    const frame = Number(key);
    if (!Number.isInteger(frame) || frame < 0) {
      throw new VigilError('invalid_input', `Ped2 boxes: frame key "${key}" is not a non-negative integer.`);
    }
    out.set(
      frame,
      list.map((b, i) => {
        if (b.length < 4) throw new VigilError('invalid_input', `Ped2 boxes: frame ${frame} box ${i} has ${b.length} numbers, need [x, y, w, h, area].`);
        const [x, y, w, h] = b;
        const box: Box = [x, y, x + w, y + h];
        checkBox(box, `Ped2 boxes: frame ${frame} box ${i}`);
        return box;
      }),
    );
  }
  return out;
}

/**
 * Builds GT tracks from per-frame regions of ONE clip. Rule: frames are visited in increasing order; a region
 * in frame f continues a track whose latest region is in frame f−1 when their IoU is > linkIou (default 0,
 * i.e. any overlap). Links are one-to-one: candidate pairs are taken greedily by decreasing IoU (ties: lower
 * track id, then lower region index), and each track and each region is used once. A region left unlinked
 * starts a new track; a frame with no region ends every open track. A mask blob that splits into two boxes
 * therefore continues the track with one of them and starts a short new track with the other.
 */
export function linkGtTracks(regions: RegionsByFrame, linkIou: number = GT_TRACK_LINK_IOU): GtTrack[] {
  const tracks: GtTrack[] = [];
  let open: { track: number; box: Box }[] = []; // tracks whose latest region is in frame prevFrame
  let prevFrame = Number.NaN;
  const frames = [...regions.keys()].sort((a, b) => a - b);
  for (const f of frames) {
    const boxes = regions.get(f) ?? [];
    const candidates = f === prevFrame + 1 ? open : [];
    const pairs: { t: number; r: number; iou: number }[] = [];
    candidates.forEach((o, t) => {
      boxes.forEach((b, r) => {
        const iou = boxIou(o.box, b);
        if (iou > linkIou) pairs.push({ t, r, iou });
      });
    });
    pairs.sort((p, q) => q.iou - p.iou || p.t - q.t || p.r - q.r);
    const trackOfRegion = new Array<number>(boxes.length).fill(-1);
    const usedOpen = new Set<number>();
    for (const p of pairs) {
      if (usedOpen.has(p.t) || trackOfRegion[p.r] !== -1) continue;
      usedOpen.add(p.t);
      trackOfRegion[p.r] = candidates[p.t].track;
    }
    const nextOpen: { track: number; box: Box }[] = [];
    boxes.forEach((b, r) => {
      let t = trackOfRegion[r];
      if (t === -1) {
        t = tracks.length;
        tracks.push({ regions: [] });
      }
      tracks[t].regions.push({ frame: f, index: r });
      nextOpen.push({ track: t, box: b });
    });
    open = nextOpen;
    prevFrame = f;
  }
  return tracks;
}

interface GtRegionState {
  box: Box;
  matched: boolean;
  track: number; // global track index
}

/**
 * RBDC and TBDC. Predictions are taken in decreasing score order (equal scores: input order; one curve point
 * per distinct score). For each prediction, every not-yet-matched GT region of its clip+frame with
 * IoU ≥ regionIou becomes a true positive (one prediction can detect several regions); if the frame has no
 * GT region or every IoU is below regionIou it is a false positive; if it only reaches regions that are
 * already matched it is neither. The area under each rate-vs-FPR curve over FPR ∈ [0, 1] is the criterion.
 */
export function rbdcTbdc(input: RbdcInput): RbdcResult {
  const regionIou = input.regionIou ?? RBDC_REGION_IOU;
  const trackFraction = input.trackFraction ?? RBDC_TRACK_FRACTION;
  if (!(regionIou > 0 && regionIou <= 1)) throw new VigilError('invalid_input', `regionIou must be in (0, 1] (got ${regionIou}).`);
  if (!(trackFraction > 0 && trackFraction <= 1)) {
    throw new VigilError('invalid_input', `trackFraction must be in (0, 1] (got ${trackFraction}).`);
  }

  // GT index: clip → frame → regions, plus global track bookkeeping.
  const byClip = new Map<string, { frameCount: number; frames: Map<number, GtRegionState[]> }>();
  const trackSize: number[] = [];
  let frames = 0;
  let totalRegions = 0;
  for (const c of input.clips) {
    if (byClip.has(c.clip)) throw new VigilError('invalid_input', `RBDC: clip "${c.clip}" is listed twice.`);
    if (!Number.isInteger(c.frameCount) || c.frameCount <= 0) {
      throw new VigilError('invalid_input', `RBDC: clip "${c.clip}" has frameCount ${c.frameCount}; need a positive integer.`);
    }
    frames += c.frameCount;
    const fm = new Map<number, GtRegionState[]>();
    for (const [f, boxes] of c.regions) {
      if (!Number.isInteger(f) || f < 0 || f >= c.frameCount) {
        throw new VigilError('invalid_input', `RBDC: clip "${c.clip}" has GT regions at frame ${f}, outside 0..${c.frameCount - 1}.`);
      }
      if (boxes.length === 0) continue;
      boxes.forEach((b, i) => checkBox(b, `RBDC: clip "${c.clip}" frame ${f} GT region ${i}`));
      fm.set(f, boxes.map((box) => ({ box, matched: false, track: -1 })));
      totalRegions += boxes.length;
    }
    const tracks = c.tracks ?? linkGtTracks(c.regions);
    for (const t of tracks) {
      const id = trackSize.length;
      trackSize.push(t.regions.length);
      for (const { frame, index } of t.regions) {
        const r = fm.get(frame)?.[index];
        if (!r) throw new VigilError('invalid_input', `RBDC: clip "${c.clip}" track ${id} names missing region ${frame}/${index}.`);
        if (r.track !== -1) throw new VigilError('invalid_input', `RBDC: clip "${c.clip}" region ${frame}/${index} is in two tracks.`);
        r.track = id;
      }
    }
    for (const [f, rs] of fm) {
      rs.forEach((r, i) => {
        if (r.track === -1) throw new VigilError('invalid_input', `RBDC: clip "${c.clip}" region ${f}/${i} belongs to no track.`);
      });
    }
    byClip.set(c.clip, { frameCount: c.frameCount, frames: fm });
  }
  if (totalRegions === 0) throw new VigilError('invalid_input', 'RBDC/TBDC are undefined: the ground truth has no anomalous region.');

  input.predictions.forEach((p, i) => {
    const c = byClip.get(p.clip);
    if (!c) throw new VigilError('invalid_input', `RBDC: prediction ${i} names clip "${p.clip}", which is not in the ground truth.`);
    if (!Number.isInteger(p.frame) || p.frame < 0 || p.frame >= c.frameCount) {
      throw new VigilError('invalid_input', `RBDC: prediction ${i} is at frame ${p.frame} of "${p.clip}", outside 0..${c.frameCount - 1}.`);
    }
    if (!Number.isFinite(p.score)) throw new VigilError('invalid_input', `RBDC: prediction ${i} has score ${p.score}.`);
    checkBox(p.box, `RBDC: prediction ${i}`);
  });

  const order = input.predictions.map((_, i) => i);
  order.sort((a, b) => input.predictions[b].score - input.predictions[a].score || a - b);

  const trackHits = new Array<number>(trackSize.length).fill(0);
  const trackDone = new Array<boolean>(trackSize.length).fill(false);
  let tp = 0;
  let fp = 0;
  let tracksDetected = 0;
  const fpr = [0];
  const rbdr = [0];
  const tbdr = [0];
  const thresholds = [Infinity];
  for (let k = 0; k < order.length; k++) {
    const p = input.predictions[order[k]];
    const regions = byClip.get(p.clip)!.frames.get(p.frame);
    let reached = false;
    for (const r of regions ?? []) {
      if (boxIou(p.box, r.box) < regionIou) continue;
      reached = true;
      if (r.matched) continue;
      r.matched = true;
      tp++;
      trackHits[r.track]++;
      // ≥ fraction of the track's regions, compared in integers to avoid 0.1·n rounding at the boundary.
      if (!trackDone[r.track] && trackHits[r.track] >= Math.ceil(trackFraction * trackSize[r.track] - 1e-9)) {
        trackDone[r.track] = true;
        tracksDetected++;
      }
    }
    if (!reached) fp++;
    const next = order[k + 1];
    if (next === undefined || input.predictions[next].score !== p.score) {
      fpr.push(fp / frames);
      rbdr.push(tp / totalRegions);
      tbdr.push(tracksDetected / trackSize.length);
      thresholds.push(p.score);
    }
  }

  const curve = cutAndExtend({ fpr, rbdr, tbdr, thresholds });
  return {
    rbdc: trapezoidArea(curve.fpr, curve.rbdr),
    tbdc: trapezoidArea(curve.fpr, curve.tbdr),
    curve,
    regions: totalRegions,
    tracks: trackSize.length,
    frames,
  };
}

/**
 * Keeps the curve up to FPR = 1 (a segment crossing 1 is interpolated at 1) and, if it ends before 1, extends
 * it flat at its last detection rates to FPR = 1, so the area is always taken over [0, 1].
 */
function cutAndExtend(c: RbdcCurve): RbdcCurve {
  const out: RbdcCurve = { fpr: [], rbdr: [], tbdr: [], thresholds: [] };
  for (let i = 0; i < c.fpr.length; i++) {
    if (c.fpr[i] <= 1) {
      out.fpr.push(c.fpr[i]);
      out.rbdr.push(c.rbdr[i]);
      out.tbdr.push(c.tbdr[i]);
      out.thresholds.push(c.thresholds[i]);
      continue;
    }
    const j = i - 1; // exists: the curve starts at FPR 0
    if (c.fpr[j] === 1) return out; // already ends exactly at 1
    const t = (1 - c.fpr[j]) / (c.fpr[i] - c.fpr[j]);
    out.fpr.push(1);
    out.rbdr.push(c.rbdr[j] + t * (c.rbdr[i] - c.rbdr[j]));
    out.tbdr.push(c.tbdr[j] + t * (c.tbdr[i] - c.tbdr[j]));
    out.thresholds.push(c.thresholds[i]);
    return out;
  }
  const last = out.fpr.length - 1;
  if (out.fpr[last] < 1) {
    out.fpr.push(1);
    out.rbdr.push(out.rbdr[last]);
    out.tbdr.push(out.tbdr[last]);
    out.thresholds.push(Number.NaN);
  }
  return out;
}
