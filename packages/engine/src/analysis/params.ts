/**
 * Analysis parameters, derived from the footage (rate, size) rather than tuned to any dataset. Every
 * constant is expressed in a physical or calibrated unit (seconds, object heights, fractions of the frame,
 * the calibrated 0..1 score) and converted to frames/pixels here, so one setting means the same thing on
 * 5 fps CCTV and 30 fps 4K. All of it is recorded in the result (AnalysisParams) to make a run reproducible.
 */
import { VigilError } from '../errors.js';
import { DEFAULT_NORMALITY_OPTIONS, type NormalityOptions } from './normality.js';
import { DEFAULT_TRACKER_PARAMS, type TrackerParams } from './tracker.js';
import type { AnalysisParams } from './types.js';

/** The parts of a probe the defaults depend on (display orientation, as frames are delivered). */
export interface FootageGeometry {
  width: number;
  height: number;
  displayWidth?: number;
  displayHeight?: number;
  fpsAvg: number;
  /** Base rate of the timestamps (r_frame_rate); above fpsAvg when the recording pauses (VFR). */
  fpsReal?: number;
}

/** Cap of the analysis rate: enough to follow walking and running people, cheap enough for 2 cores. */
export const DEFAULT_MAX_FPS = 10;
/** Cap of the analysis width: objects a few percent of the frame tall stay ~10 px tall. */
export const DEFAULT_MAX_ANALYSIS_WIDTH = 384;

export interface MotionSettings {
  /** Foreground grid cell, pixels. */
  cell: number;
  /** Flow block, pixels. */
  block: number;
  /** Blobs smaller than this share of the frame are noise. */
  minBlobFraction: number;
  thresholdSigmas: number;
  minThreshold: number;
  /** Half-life of the background where the scene is background / under a (stopped) object, seconds. */
  backgroundHalfLifeS: number;
  foregroundHalfLifeS: number;
  /** Fastest motion the flow search covers, in frame heights per second. */
  maxFlowFrameHeightsPerS: number;
  /**
   * Initial background: median of this many frames spread over the first `bootstrapSpanS` seconds (people
   * walking past are not background). Those seconds are held in memory (downscaled) until it is known, so
   * the span bounds that memory. Whatever the median still gets wrong (someone who arrives later and stays,
   * someone standing at first who then leaves) shows as a ghost, which the motion model removes.
   */
  bootstrapFrames: number;
  bootstrapSpanS: number;
  /**
   * Largest camera shake undone, as a share of the frame's longer side (camera-shift.ts; 0 turns it off).
   * Shake, not a pan: a pole camera in the wind moves the picture by a few pixels.
   */
  maxShakeShare: number;
}

export interface FullAnalysisParams extends AnalysisParams {
  analysisHeight: number;
  /** Heat cell in analysis pixels (heatmaps are analysis size / heatCell). */
  heatCell: number;
  heatmapWidth: number;
  heatmapHeight: number;
  /**
   * When the analysis keeps at most every second frame, the decoder may leave out frames no other frame
   * refers to (most B-frames): each 1/fps step still gets a frame, sometimes a later one of that step
   * (frame-reader.ts). Decoding costs a quarter to a third less on footage with B-frames.
   */
  skipUnreferencedFrames: boolean;
  motion: MotionSettings;
  tracker: TrackerParams;
  /**
   * Detector schedule: at most every detectMinGapS while an object in view is still unnamed (until the
   * detector has looked at it twice), otherwise every detectMaxGapS as a refresh; motion blobs and the
   * tracker carry objects in between.
   */
  detectMinGapS: number;
  detectMaxGapS: number;
  detectorMinScore: number;
  /**
   * What the detector sees: 'rgb' (colour frames are decoded for it) or 'luma' (the gray frames the motion
   * model uses, in all three channels: cheaper, colour is lost to it).
   */
  detectorInput: 'rgb' | 'luma';
  /** Appearance vectors (the detector's per-cell class evidence pooled in each box) as an attribute. */
  appearance: boolean;
  normality: NormalityOptions;
  /** Below this speed (object heights/s) an object is "not moving". */
  movingSpeed: number;
  /** An object within this many of its heights of one spot is "staying". */
  stayRadius: number;
  /** Half-width of the window (s) over which a track's velocity is averaged. */
  velocityWindowS: number;
  /** Detections with one label a track needs before it is called that (else 'unknown'). */
  minLabelVotes: number;

  /** Gaussian σ of the frame score in seconds (σ in frames = sigmaS × fps). */
  sigmaS: number;
  /** Weight of the motion-map term (fast foreground blocks) in the frame score. */
  motionTermWeight: number;
}

const even = (v: number): number => Math.max(2, 2 * Math.round(v / 2));

/**
 * Frame rate of the footage. A variable-frame-rate recording with pauses has an average rate below its
 * frame rate, so the larger of the two is used (capped: some files declare their timestamp tick as rate).
 */
export function sourceFps(probe: FootageGeometry): number {
  const avg = probe.fpsAvg > 0 && Number.isFinite(probe.fpsAvg) ? probe.fpsAvg : 0;
  const real = probe.fpsReal && probe.fpsReal > 0 && Number.isFinite(probe.fpsReal) ? Math.min(probe.fpsReal, 240) : 0;
  return Math.max(avg, real) || DEFAULT_MAX_FPS;
}

/** Defaults for footage of this geometry and rate. */
export function defaultParams(probe: FootageGeometry): FullAnalysisParams {
  const srcW = probe.displayWidth ?? probe.width;
  const srcH = probe.displayHeight ?? probe.height;
  if (!(srcW > 0 && srcH > 0)) throw new VigilError('invalid_input', `Footage size ${srcW}×${srcH} is not valid.`);
  const srcFps = sourceFps(probe);
  const fps = Math.min(srcFps, DEFAULT_MAX_FPS);
  // A multiple of 8 keeps flow blocks and heat cells aligned with the frame.
  const analysisWidth = Math.max(16, Math.floor(Math.min(srcW, DEFAULT_MAX_ANALYSIS_WIDTH) / 8) * 8);
  return withDerived({
    fps,
    analysisWidth,
    analysisHeight: even((analysisWidth * srcH) / srcW),
    detector: 'none',
    reference: 'self',
    sigma: 0,
    sigmaS: 0.3,
    // Frame scores are calibrated so that 0.5 is the edge of normal frames (z = 1: the rarest 1 % of the
    // reference's frames); an event starts there and lasts while the score stays above z = 2/3.
    enterThreshold: 0.5,
    exitThreshold: 0.4,
    minEventS: 0.8,
    mergeGapS: 1.5,
    heatCell: 4,
    heatmapWidth: 0,
    heatmapHeight: 0,
    skipUnreferencedFrames: true,
    motion: {
      cell: 2,
      block: 8,
      minBlobFraction: 4e-4,
      thresholdSigmas: 3.5,
      minThreshold: 10,
      backgroundHalfLifeS: 2,
      foregroundHalfLifeS: 120,
      maxFlowFrameHeightsPerS: 0.6,
      bootstrapFrames: 25,
      bootstrapSpanS: 10,
      maxShakeShare: 0.03,
    },
    tracker: { ...DEFAULT_TRACKER_PARAMS },
    detectMinGapS: 1,
    detectMaxGapS: 4,
    detectorMinScore: 0.3,
    detectorInput: 'rgb',
    appearance: true,
    normality: { ...DEFAULT_NORMALITY_OPTIONS },
    movingSpeed: 0.2,
    stayRadius: 0.5,
    velocityWindowS: 0.25,
    minLabelVotes: 2,
    motionTermWeight: 1,
  });
}

/** Moves the parameters to another analysis rate (σ keeps its seconds). */
export function setRate(p: FullAnalysisParams, fps: number): void {
  p.fps = fps;
  withDerived(p);
}

/** Recomputes the fields that follow from others (σ in frames, heatmap size, analysis height). */
function withDerived(p: FullAnalysisParams): FullAnalysisParams {
  p.sigma = Math.round(p.sigmaS * p.fps * 100) / 100;
  p.heatmapWidth = Math.ceil(p.analysisWidth / p.heatCell);
  p.heatmapHeight = Math.ceil(p.analysisHeight / p.heatCell);
  return p;
}

/**
 * Defaults for the footage with the caller's overrides applied and checked. Unknown keys are kept (they
 * are recorded), known ones must be sane.
 */
export function resolveParams(probe: FootageGeometry, overrides: Partial<FullAnalysisParams> = {}): FullAnalysisParams {
  const base = defaultParams(probe);
  const srcW = probe.displayWidth ?? probe.width;
  const srcH = probe.displayHeight ?? probe.height;
  const p: FullAnalysisParams = {
    ...base,
    ...overrides,
    motion: { ...base.motion, ...(overrides.motion ?? {}) },
    tracker: { ...base.tracker, ...(overrides.tracker ?? {}) },
    normality: { ...base.normality, ...(overrides.normality ?? {}) },
  };
  const positive = (name: string, v: unknown): void => {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new VigilError('invalid_input', `Analysis parameter ${name} must be a positive number (got ${String(v)}).`);
  };
  positive('fps', p.fps);
  // Never analyse more often than the footage has frames.
  p.fps = Math.min(p.fps, sourceFps(probe));
  positive('analysisWidth', p.analysisWidth);
  positive('minEventS', p.minEventS);
  if (!(p.mergeGapS >= 0)) throw new VigilError('invalid_input', `Analysis parameter mergeGapS must be ≥ 0 (got ${p.mergeGapS}).`);
  if (!(p.sigmaS >= 0)) throw new VigilError('invalid_input', `Analysis parameter sigmaS must be ≥ 0 (got ${p.sigmaS}).`);
  for (const k of ['enterThreshold', 'exitThreshold'] as const) {
    if (!(p[k] > 0 && p[k] < 1)) throw new VigilError('invalid_input', `Analysis parameter ${k} must be between 0 and 1 (got ${p[k]}).`);
  }
  if (typeof p.skipUnreferencedFrames !== 'boolean') {
    throw new VigilError('invalid_input', `Analysis parameter skipUnreferencedFrames must be true or false (got ${String(p.skipUnreferencedFrames)}).`);
  }
  const shake = p.motion.maxShakeShare;
  if (typeof shake !== 'number' || !(shake >= 0 && shake <= 0.1)) {
    throw new VigilError('invalid_input', `Analysis parameter motion.maxShakeShare must be between 0 (off) and 0.1 of the frame (got ${String(shake)}).`);
  }
  if (p.exitThreshold > p.enterThreshold) {
    throw new VigilError('invalid_input', `exitThreshold (${p.exitThreshold}) must not exceed enterThreshold (${p.enterThreshold}).`);
  }
  if (overrides.analysisWidth !== undefined) {
    // Never upscale: analysing more pixels than the footage has adds cost and no information.
    p.analysisWidth = Math.max(16, Math.floor(Math.min(p.analysisWidth, srcW) / 8) * 8);
    p.analysisHeight = even((p.analysisWidth * srcH) / srcW);
  }
  if (overrides.sigma !== undefined && overrides.sigmaS === undefined) p.sigmaS = overrides.sigma / p.fps;
  return withDerived(p);
}
