/**
 * First pass over a video: decode at the analysis rate and size, model the background, find blobs and
 * their flow, run the detector every few frames, track, and record each observation's raw attributes in
 * the compact tables. Frames are dropped as soon as they are processed; only the tables and the on-disk
 * foreground spool grow with the footage.
 */
import { VigilError, throwIfAborted } from '../errors.js';
import { readFrames } from '../media/frame-reader.js';
import type { ProbeResult } from '../media/probe.js';
import { HeatSpool } from './heat-spool.js';
import { buildMeasurements, rgbToGray, type DetectionLike, type DetectorLike } from './measurements.js';
import { MotionModel, medianBackground, type MotionParams } from './motion.js';
import { encodeFlow, flowRecordBytes } from './motion-term.js';
import { FrameTable, ObservationTable, SOURCE_DETECTOR, SOURCE_INTERPOLATED, SOURCE_MOTION } from './observations.js';
import type { FullAnalysisParams } from './params.js';
import { Tracker } from './tracker.js';

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
}

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
  };
}

/** Initial background: per-pixel median of frames spread over the first seconds of the footage. */
async function bootstrapBackground(
  path: string,
  probe: ProbeResult,
  p: FullAnalysisParams,
  signal?: AbortSignal,
): Promise<{ background: Float32Array; sigma: Float32Array } | undefined> {
  const span = Math.min(p.motion.bootstrapSpanS, probe.durationS > 0 ? probe.durationS : p.motion.bootstrapSpanS);
  const want = Math.min(p.motion.bootstrapFrames, Math.max(1, probe.frameCount));
  if (want < 3) return undefined;
  const fps = Math.max(0.01, want / Math.max(span, 1e-3));
  const frames: Uint8Array[] = [];
  for await (const f of readFrames(path, { format: 'gray', width: p.analysisWidth, height: p.analysisHeight, fps, signal, probe })) {
    frames.push(f.data.slice());
    if (frames.length >= want) break;
  }
  if (frames.length < 3) return undefined;
  return medianBackground(frames, p.analysisWidth * p.analysisHeight);
}

export async function extractFootage(path: string, o: ExtractOptions): Promise<Extraction> {
  const { probe, params: p, detector, signal } = o;
  const t0 = performance.now();
  const init = await bootstrapBackground(path, probe, p, signal);
  const t1 = performance.now();
  const fpsNominal = p.fps;
  const motion = new MotionModel(motionParamsFor(p, fpsNominal), init);
  const tracker = new Tracker(p.tracker);
  const obs = new ObservationTable();
  const frames = new FrameTable();
  const W = p.analysisWidth;
  const H = p.analysisHeight;
  const heatBytes = motion.heatSize.cols * motion.heatSize.rows;
  const flowGrid = { cols: Math.floor(W / p.motion.block), rows: Math.floor(H / p.motion.block), block: p.motion.block };
  const spool = o.spool ? new HeatSpool(heatBytes + flowRecordBytes(flowGrid.cols, flowGrid.rows)) : null;
  const record = spool ? new Uint8Array(spool.recordBytes) : null;
  const gray = new Uint8Array(W * H);
  let detectorRuns = 0;
  let detectMs = 0;
  let prevTime = NaN;
  const dts: number[] = [];
  const duration = probe.durationS > 0 ? probe.durationS : NaN;

  try {
    const format = detector ? 'rgb24' : 'gray';
    let ordinal = 0;
    for await (const frame of readFrames(path, { format, width: W, height: H, fps: p.fps, signal, probe })) {
      throwIfAborted(signal);
      if (frame.width !== W || frame.height !== H) {
        throw new VigilError('unsupported_media', `Decoded frames are ${frame.width}×${frame.height}, expected ${W}×${H}; the footage changes size mid-stream.`);
      }
      if (detector) rgbToGray(frame.data, gray);
      else gray.set(frame.data);
      const dt = Number.isFinite(prevTime) ? frame.time - prevTime : 1 / fpsNominal;
      if (Number.isFinite(prevTime) && dt > 0) dts.push(dt);
      prevTime = frame.time;

      const m = motion.process(gray);
      let detections: DetectionLike[] | null = null;
      if (detector && ordinal % p.detectEvery === 0 && (m.blobs.length > 0 || tracker.activeCount > 0 || ordinal === 0)) {
        const td = performance.now();
        const [dets] = await detector.detect([frame]);
        detectMs += performance.now() - td;
        detectorRuns++;
        detections = (dets ?? []).filter((d) => d.score >= p.detectorMinScore && d.box[2] > d.box[0] && d.box[3] > d.box[1]);
      }
      const meas = buildMeasurements(m.blobs, detections, m.flow, gray, W, H);
      const emitted = tracker.step(ordinal, meas);
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
          box: e.box,
          confidence: e.confidence,
          source: e.source === 'detector' ? SOURCE_DETECTOR : e.source === 'interpolated' ? SOURCE_INTERPOLATED : SOURCE_MOTION,
          label: e.detectedLabel ?? 'unknown',
          vx,
          vy,
          flowMeasured,
        });
      }
      frames.push(frame.index, frame.time, m.foregroundFraction);
      if (spool && record) {
        record.set(m.heat, 0);
        encodeFlow(m.flow, flowGrid.cols, flowGrid.rows, record.subarray(heatBytes));
        spool.append(record);
      }
      ordinal++;
      if (o.onProgress && Number.isFinite(duration)) o.onProgress(Math.min(1, frame.time / duration));
    }
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
    timings: { bootstrapS: (t1 - t0) / 1000, passS: (performance.now() - t1) / 1000, detectS: detectMs / 1000 },
  };
}
