/**
 * First pass over a video: decode at the analysis rate and size, model the background, find blobs and
 * their flow, run the detector every few frames, track, and record each observation's raw attributes in
 * the compact tables. Frames are dropped as soon as they are processed; only the tables and the on-disk
 * foreground spool grow with the footage.
 */
import { VigilError, throwIfAborted } from '../errors.js';
import { readFrames, type Frame, type YuvFrame } from '../media/frame-reader.js';
import type { ProbeResult } from '../media/probe.js';
import { yuvToRgb } from '../media/yuv.js';
import { halfResolution } from './block-flow.js';
import { alignToFirst } from './camera-shift.js';
import { HeatSpool } from './heat-spool.js';
import { shiftPlane } from './shift-plane.js';
import { stillFramesAt } from './switching.js';
import { roiFeature } from '../inference/detector.js';
import { boxFlow, buildMeasurements, type DetectionLike, type DetectorLike, type FeatureMapLike } from './measurements.js';
import { MotionModel, medianBackground, type MotionParams } from './motion.js';
import { encodeFlow, flowRecordBytes } from './motion-term.js';
import { FrameTable, ObservationTable, SOURCE_DETECTOR, SOURCE_INTERPOLATED, SOURCE_MOTION } from './observations.js';
import type { FullAnalysisParams } from './params.js';
import { Tracker } from './tracker.js';
import type { Box } from './types.js';

export interface Extraction {
  observations: ObservationTable;
  frames: FrameTable;
  /**
   * Per analysed frame on disk: the foreground map (`heatBytes`, heat-cell resolution) followed by the block
   * flow (motion-term.ts encoding). Null when not requested.
   */
  spool: HeatSpool | null;
  heatBytes: number;
  flowGrid: { cols: number; rows: number; block: number };
  analysisWidth: number;
  analysisHeight: number;
  sourceWidth: number;
  sourceHeight: number;
  /** Median time between analysed frames (seconds). */
  frameDurationS: number;
  detectorRuns: number;
  /** Camera shake undone (camera-shift.ts): on how many analysed frames, and the largest shift (analysis pixels). */
  shake: { frames: number; maxPx: number };
  /**
   * The camera turned (the background followed the view, motion.ts): the times of the first and last frame
   * it moved on, and the largest distance from where the view started (analysis pixels); null if it never did.
   */
  pan: { startS: number; endS: number; maxPx: number } | null;
  /**
   * Text drawn on the footage (a recorder's clock or labels) left out of the analysis (overlay.ts), as
   * found by the end: boxes in analysis pixels, one per piece, and its share of the frame; null if none.
   */
  overlay: { boxes: Box[]; share: number } | null;
  /**
   * Analysed frames on which objects were moving in view (`moving`), and of those, how many showed the
   * previous frame's picture again (`repeated`): a recorder that stores few pictures in a faster stream.
   */
  repeats: { moving: number; repeated: number };
  /** Model input [height, width] the detector ran at, when it says. */
  detectorInputSize: [number, number] | null;
  timings: { bootstrapS: number; passS: number; detectS: number };
}

export interface ExtractOptions {
  probe: ProbeResult;
  params: FullAnalysisParams;
  detector: DetectorLike | null;
  /** Keep the per-frame foreground maps and block flow (heatmaps and the motion term). */
  spool: boolean;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /**
   * Give up the pass, throwing PicturesRepeat, as soon as the footage is seen to repeat its pictures
   * (picturesRepeat): the caller reads it again at the rate of its pictures.
   */
  stopOnRepeats?: boolean;
}

/** Frames with objects moving needed to judge whether pictures repeat, and the share of repeats that counts. */
const MIN_REPEAT_EVIDENCE = 20;
const REPEATED_SHARE = 0.3;

/**
 * Pictures a second the footage holds, when the frames with objects moving repeat the previous picture
 * often enough to tell (a recorder storing few pictures in a faster stream); null otherwise.
 */
export function picturesRepeat(r: Extraction['repeats'], fps: number): number | null {
  return r.moving >= MIN_REPEAT_EVIDENCE && r.repeated >= REPEATED_SHARE * r.moving ? fps * (1 - r.repeated / r.moving) : null;
}

/** The analysis rate that reads each of `rate` pictures a second about once. */
export const pictureRateFps = (rate: number): number => Math.max(1, Math.round(rate));

/** Thrown by a pass with `stopOnRepeats` on footage that repeats its pictures (`rate` a second). */
export class PicturesRepeat extends Error {
  constructor(
    readonly rate: number,
    readonly repeats: Extraction['repeats'],
  ) {
    super(`the footage holds about ${rate.toFixed(1)} pictures a second`);
  }
}

const moveBox = (b: readonly number[], dx: number, dy: number): Box => [b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy];

export function motionParamsFor(p: FullAnalysisParams, fps: number): MotionParams {
  const m = p.motion;
  const rate = (halfLifeS: number): number => 1 - Math.pow(0.5, 1 / Math.max(1, halfLifeS * fps));
  return {
    width: p.analysisWidth,
    height: p.analysisHeight,
    cell: m.cell,
    block: m.block,
    heatCell: p.heatCell,
    minBlobArea: Math.max(6, m.minBlobFraction * p.analysisWidth * p.analysisHeight),
    thresholdSigmas: m.thresholdSigmas,
    minThreshold: m.minThreshold,
    backgroundRate: rate(m.backgroundHalfLifeS),
    foregroundRate: rate(m.foregroundHalfLifeS),
    flowRadius: Math.max(4, Math.ceil((m.maxFlowFrameHeightsPerS * p.analysisHeight) / fps)),
    maxShift: Math.floor((Math.max(0, m.maxShakeShare) * Math.max(p.analysisWidth, p.analysisHeight)) / 2),
    stillFrames: stillFramesAt(fps),
  };
}

/** Shortest gap between analysed frames that counts as a break in the recording (seconds). */
const MIN_BREAK_S = 1;

/**
 * Whether two frames show the same picture: on a sparse grid, no more than one sample in a thousand differs
 * by more than 2 levels (a repeated picture decodes the same, give or take the coding of the repeat).
 */
function samePicture(a: Uint8Array, b: Uint8Array): boolean {
  const allowed = 0.001 * Math.ceil(a.length / 5);
  let differ = 0;
  for (let i = 0; i < a.length; i += 5) if (Math.abs(a[i] - b[i]) > 2 && ++differ > allowed) return false;
  return true;
}

/**
 * A decoded frame: YUV when a detector wants colour (the Y plane is the gray picture; RGB is made only
 * for the frames the detector sees), else gray.
 */
type DecodedFrame = Frame | YuvFrame;
const hasColour = (f: DecodedFrame): f is YuvFrame => 'format' in f;

/** A frame held back while the initial background is learned (colour only where the detector may run). */
interface HeldFrame {
  frame: DecodedFrame;
  gray: Uint8Array;
}

export async function extractFootage(path: string, o: ExtractOptions): Promise<Extraction> {
  const { probe, params: p, detector, signal } = o;
  const t0 = performance.now();
  const fpsNominal = p.fps;
  const motionParams = motionParamsFor(p, fpsNominal);
  let motion: MotionModel | null = null;
  const tracker = new Tracker(p.tracker);
  const obs = new ObservationTable();
  const frames = new FrameTable();
  const W = p.analysisWidth;
  const H = p.analysisHeight;
  const heatCols = Math.ceil(W / p.heatCell);
  const heatRows = Math.ceil(H / p.heatCell);
  const heatBytes = heatCols * heatRows;
  const flowGrid = { cols: Math.floor(W / p.motion.block), rows: Math.floor(H / p.motion.block), block: p.motion.block };
  const spool = o.spool ? new HeatSpool(heatBytes + flowRecordBytes(flowGrid.cols, flowGrid.rows)) : null;
  const record = spool ? new Uint8Array(spool.recordBytes) : null;
  let detectorRuns = 0;
  let detectMs = 0;
  let bootstrapS = 0;
  let prevTime = NaN;
  const dts: number[] = [];
  const duration = probe.durationS > 0 ? probe.durationS : NaN;
  const withFeatures = !!detector?.detectWithFeatures && p.appearance;
  // Luma only: decode gray and give the detector the luma in all three channels (less decoding and
  // piping work; colour is lost to the detector).
  const lumaOnly = p.detectorInput === 'luma';
  const detectorFrame = (frame: DecodedFrame, gray: Uint8Array): Frame => {
    if (hasColour(frame)) return yuvToRgb(frame);
    const rgb = new Uint8Array(W * H * 3);
    for (let i = 0, j = 0; i < gray.length; i++, j += 3) rgb[j] = rgb[j + 1] = rgb[j + 2] = gray[i];
    return { ...frame, channels: 3, data: rgb };
  };
  let ordinal = 0;
  let lastDetect = -1;
  // Camera shake undone per analysed frame (sx, sy by ordinal): observations come out of the tracker a few
  // frames late (confirmation, gap fills), and each goes back to its own frame's coordinates.
  const shifts: number[] = [];
  const shake = { frames: 0, maxPx: 0 };
  let pan: Extraction['pan'] = null;
  let lastOrigin = [0, 0];
  const frameBox = (b: Box, ord: number): Box => {
    const sx = shifts[2 * ord] ?? 0;
    const sy = shifts[2 * ord + 1] ?? 0;
    if (sx === 0 && sy === 0) return b;
    const [x1, y1, x2, y2] = moveBox(b, sx, sy);
    const cx = (v: number) => Math.min(W, Math.max(0, v));
    const cy = (v: number) => Math.min(H, Math.max(0, v));
    return [cx(x1), cy(y1), cx(x2), cy(y2)];
  };
  const minGap = Math.max(1, Math.round(p.detectMinGapS * fpsNominal));
  const maxGap = Math.max(minGap, Math.round(p.detectMaxGapS * fpsNominal));

  const repeats = { moving: 0, repeated: 0 };
  let prevGray: Uint8Array | null = null;
  const processFrame = async (frame: DecodedFrame, gray: Uint8Array): Promise<void> => {
    // With objects moving in view (by their tracks' velocities: one standing still in a still scene may
    // decode to the same picture), a frame that shows the last picture again is a repeat.
    if (prevGray && tracker.anyMoving(p.movingSpeed / fpsNominal)) {
      repeats.moving++;
      if (samePicture(gray, prevGray)) repeats.repeated++;
      if (o.stopOnRepeats) {
        const rate = picturesRepeat(repeats, fpsNominal);
        if (rate !== null && pictureRateFps(rate) < fpsNominal) throw new PicturesRepeat(rate, { ...repeats });
      }
    }
    prevGray = gray;
    const dt = Number.isFinite(prevTime) ? frame.time - prevTime : 1 / fpsNominal;
    if (Number.isFinite(prevTime) && dt > 0) dts.push(dt);
    prevTime = frame.time;
    // A gap in the recording: what changed meanwhile may have moved there, whatever it looks like now.
    if (dt > Math.max(MIN_BREAK_S, 3 / fpsNominal)) motion!.markBreak();

    // Camera shake undone: from here on the frame is in the background's coordinates (camera-shift.ts).
    const st = motion!.stabilise(gray);
    // Tracks live in scene coordinates, the background's plus its origin (how far the camera turned), so a
    // pan moves no track; frame = scene − origin + shift.
    const [ox, oy] = motion!.origin;
    shifts.push(st.sx - ox, st.sy - oy);
    const shook = Math.hypot(st.sx, st.sy);
    if (shook > 0) shake.frames++;
    shake.maxPx = Math.max(shake.maxPx, shook);
    if (ox !== lastOrigin[0] || oy !== lastOrigin[1]) {
      lastOrigin = [ox, oy];
      pan = { startS: pan?.startS ?? frame.time, endS: frame.time, maxPx: Math.max(pan?.maxPx ?? 0, Math.hypot(ox, oy)) };
    }
    const m = motion!.process(st.gray, st.half);
    let detections: DetectionLike[] | null = null;
    let featureMap: FeatureMapLike | null = null;
    // The detector runs often while objects in view are still unnamed, and only as a refresh otherwise;
    // motion blobs carry the tracks in between. Held-back bootstrap frames kept no colour except on a grid.
    const since = ordinal - lastDetect;
    const due = lastDetect < 0 || since >= (tracker.needsDetection() ? minGap : maxGap);
    if (detector && (lumaOnly || hasColour(frame)) && due && (m.blobs.length > 0 || tracker.activeCount > 0 || lastDetect < 0)) {
      lastDetect = ordinal;
      const td = performance.now();
      let dets: DetectionLike[];
      if (withFeatures) {
        const [r] = await detector.detectWithFeatures!([detectorFrame(frame, gray)]);
        dets = r.detections;
        featureMap = r.features;
      } else {
        [dets] = await detector.detect([detectorFrame(frame, gray)]);
      }
      detectMs += performance.now() - td;
      detectorRuns++;
      // The detector saw the frame as decoded: its boxes move into the stabilised coordinates.
      detections = (dets ?? [])
        .filter((d) => d.score >= p.detectorMinScore && d.box[2] > d.box[0] && d.box[3] > d.box[1])
        .map((d) => (st.sx || st.sy ? { ...d, box: moveBox(d.box, -st.sx, -st.sy) } : d));
    }
    const meas = buildMeasurements(m.blobs, detections, m.flow, st.gray, W, H);
    // Appearance vectors for every object (detected or not) on frames where the backbone ran (on the frame
    // as decoded).
    if (featureMap) for (const x of meas) x.feature = roiFeature(featureMap, moveBox(x.box, st.sx, st.sy));
    const toScene = (b: Box): Box => (ox || oy ? moveBox(b, ox, oy) : b);
    const toBackground = (b: Box): Box => (ox || oy ? moveBox(b, -ox, -oy) : b);
    const emitted = tracker.step(
      ordinal,
      ox || oy ? meas.map((x) => ({ ...x, box: toScene(x.box) })) : meas,
      (box, exclude) => boxFlow(m.flow, toBackground(box), exclude.map(toBackground)),
    );
    if (detections) tracker.markDetectorRun();
    const perS = 1 / (dt > 0 ? dt : 1 / fpsNominal);
    for (const e of emitted) {
      let vx = NaN;
      let vy = NaN;
      let flowMeasured = false;
      if (e.flow) {
        // Flow of this frame: displacement since the previous analysed frame.
        vx = e.flow.vx * (e.ordinal === ordinal ? perS : fpsNominal);
        vy = e.flow.vy * (e.ordinal === ordinal ? perS : fpsNominal);
        flowMeasured = true;
      } else if (e.source === 'interpolated' || e.hits >= 3) {
        vx = e.kfVelocity[0] * fpsNominal;
        vy = e.kfVelocity[1] * fpsNominal;
      }
      obs.push({
        trackId: e.trackId,
        ordinal: e.ordinal,
        // Stored in the frame's own coordinates, where the footage shows the object.
        box: frameBox(e.box, e.ordinal),
        confidence: e.confidence,
        source: e.source === 'detector' ? SOURCE_DETECTOR : e.source === 'interpolated' ? SOURCE_INTERPOLATED : SOURCE_MOTION,
        label: e.detectedLabel ?? 'unknown',
        vx,
        vy,
        flowMeasured,
        feature: e.feature,
      });
    }
    frames.push(frame.index, frame.time, m.foregroundFraction);
    if (spool && record) {
      // The maps go back to the frame's own coordinates too, to the nearest cell and block.
      let heat = m.heat;
      let flow = m.flow;
      if (st.sx || st.sy) {
        heat = shiftPlane(heat, heatCols, heatRows, Math.round(st.sx / p.heatCell), Math.round(st.sy / p.heatCell), 0);
        if (flow) {
          const [bx, by] = [Math.round(st.sx / flow.block), Math.round(st.sy / flow.block)];
          flow = { ...flow, vx: shiftPlane(flow.vx, flow.cols, flow.rows, bx, by, NaN), vy: shiftPlane(flow.vy, flow.cols, flow.rows, bx, by, NaN) };
        }
      }
      record.set(heat, 0);
      encodeFlow(flow, flowGrid.cols, flowGrid.rows, record.subarray(heatBytes));
      spool.append(record);
    }
    ordinal++;
    if (o.onProgress && Number.isFinite(duration)) o.onProgress(Math.min(1, frame.time / duration));
  };

  // The first seconds are held back (downscaled) until the initial background, their per-pixel median, is
  // known; then they are processed and the rest streams through. One decode, memory bounded by the span.
  const held: HeldFrame[] = [];
  let firstTime = NaN;
  const startMotion = async (): Promise<void> => {
    const tb = performance.now();
    const step = Math.max(1, held.length / p.motion.bootstrapFrames);
    const samples: Uint8Array[] = [];
    for (let k = 0; k < held.length && samples.length < p.motion.bootstrapFrames; k = Math.floor(k + step)) {
      samples.push(halfResolution(held[Math.floor(k)].gray, W, H).data);
    }
    const aligned = alignToFirst(samples, W >> 1, H >> 1, motionParams.maxShift, 2 * motionParams.minThreshold);
    motion = new MotionModel(motionParams, aligned.length >= 3 ? medianBackground(aligned, (W >> 1) * (H >> 1)) : undefined);
    // The samples the camera moved on came back aligned (new pictures).
    motion.seedOverlay(
      held.map((h) => h.gray),
      aligned.some((a, k) => a !== samples[k]),
    );
    bootstrapS = (performance.now() - tb) / 1000;
    for (const h of held.splice(0)) await processFrame(h.frame, h.gray);
  };

  try {
    // Chroma in the layout ffmpeg's own rgb24 conversion uses at this size (yuv.ts), so the detector sees
    // the colours an rgb24 decode would give it.
    const native = W === (probe.displayWidth || probe.width) && H === (probe.displayHeight || probe.height);
    const format = !detector || lumaOnly ? 'gray' : native ? 'yuv420p' : 'yuv422p';
    for await (const frame of readFrames(path, { format, width: W, height: H, fps: p.fps, skipUnreferenced: p.skipUnreferencedFrames, signal, probe })) {
      throwIfAborted(signal);
      if (frame.width !== W || frame.height !== H) {
        throw new VigilError('unsupported_media', `Decoded frames are ${frame.width}×${frame.height}, expected ${W}×${H}; the footage changes size mid-stream.`);
      }
      // A copy: the frame's bytes may be a view of the reader's buffer.
      const gray = frame.data.slice(0, W * H);
      if (!motion) {
        if (!Number.isFinite(firstTime)) firstTime = frame.time;
        // Keep the colour picture only on a grid of frames the detector may use (memory stays small).
        const keepColour = hasColour(frame) && held.length % minGap === 0;
        const plain: Frame = { index: frame.index, time: frame.time, width: W, height: H, channels: 1, data: gray };
        held.push({ frame: keepColour ? { ...frame, data: frame.data.slice() } : plain, gray });
        if (frame.time - firstTime >= p.motion.bootstrapSpanS) await startMotion();
        continue;
      }
      await processFrame(frame, gray);
    }
    if (!motion) await startMotion();
    if (frames.length === 0) {
      throw new VigilError('unsupported_media', `No frames could be decoded from "${path}".`);
    }
  } catch (e) {
    spool?.dispose();
    throw e;
  }
  dts.sort((a, b) => a - b);
  return {
    observations: obs,
    frames,
    spool,
    heatBytes,
    flowGrid,
    analysisWidth: W,
    analysisHeight: H,
    sourceWidth: probe.displayWidth || probe.width,
    sourceHeight: probe.displayHeight || probe.height,
    frameDurationS: dts.length ? dts[dts.length >> 1] : 1 / fpsNominal,
    detectorRuns,
    shake,
    pan,
    // (Assigned in startMotion: the compiler cannot see that.)
    overlay: (motion as MotionModel | null)?.overlayExtent() ?? null,
    repeats,
    detectorInputSize: detector?.inputSizeFor?.(W, H) ?? null,
    timings: { bootstrapS, passS: (performance.now() - t0) / 1000 - bootstrapS, detectS: detectMs / 1000 },
  };
}
