/**
 * Result types of an anomaly analysis. Shared by the pipeline (producer), the case store (persistence),
 * reasoning/chat and reports (consumers), and the UI (via the API contract). Times are seconds of the
 * evidence (presentation time from stream start); frames are 0-based decoded source frame indices;
 * boxes are [x1, y1, x2, y2] in source pixels.
 */
export type Box = [number, number, number, number];

export interface AnalysisParams {
  /** Frames per second analysed (source fps capped at this; every frame when the source is slower). */
  fps: number;
  /** Width frames are scaled to for analysis (height keeps aspect). */
  analysisWidth: number;
  /** Detector used in addition to motion blobs ('none' = motion only). */
  detector: string;
  /** 'self' = normality fit on the footage itself; otherwise reference evidence ids / file paths. */
  reference: 'self' | string[];
  /**
   * Self-referenced together with this other footage of the same camera (evidence ids / file paths): one
   * model fit on all of it. Absent = the footage alone.
   */
  together?: string[];
  /** Gaussian smoothing of the frame score, in analysed frames. */
  sigma: number;
  /** Hysteresis thresholds on the smoothed score and event shaping. */
  enterThreshold: number;
  exitThreshold: number;
  minEventS: number;
  mergeGapS: number;
  /** Anything else the pipeline records to make a run reproducible. */
  [extra: string]: unknown;
}

/** One interpretable attribute's contribution to an object's anomaly score. */
export interface AttributeContribution {
  /** e.g. 'speed', 'direction', 'size', 'position', 'label', 'stationary', 'appearance', 'acceleration'. */
  attribute: string;
  /** The observed value, in the attribute's unit (speed in object-heights per second, ...). */
  value: number | string;
  /** What normal looks like for this attribute here (e.g. median or nearest normal value). */
  normal: number | string;
  /** Calibrated deviation of this attribute group (comparable across attributes). */
  score: number;
}

/** A tracked object observed in one analysed frame. */
export interface TrackObservation {
  trackId: number;
  frame: number;
  time: number;
  box: Box;
  label: string;
  /** Detector confidence (motion blobs: foreground confidence). */
  confidence: number;
  /** Calibrated anomaly score of the object in this frame among objects (0 = normal, 0.5 = edge of normal). */
  score: number;
  /** Speed in object-heights per second, direction in degrees (0 = right, 90 = down, image coords). */
  speed: number;
  direction: number | null;
  /** Observation interpolated through an occlusion gap rather than seen. */
  interpolated?: boolean;
}

export interface TrajectorySummary {
  /** 'left' | 'right' | 'top' | 'bottom' | 'inside' (already in view at start). */
  entry: string;
  /** 'left' | 'right' | 'top' | 'bottom' | 'inside' (still in view at end). */
  exit: string;
  /** Ordered heading changes, e.g. ['upper-right']. */
  turns: string[];
  /** Human-readable: "enters from the right → turns toward the upper-right → exits at the top". */
  text: string;
}

export interface TrackSummary {
  id: number;
  label: string;
  firstFrame: number;
  lastFrame: number;
  startTime: number;
  endTime: number;
  maxScore: number;
  meanSpeed: number;
  /** Attributes that made the track anomalous, strongest first. */
  why: AttributeContribution[];
  trajectory: TrajectorySummary;
}

export interface FrameScore {
  frame: number;
  time: number;
  raw: number;
  smoothed: number;
}

export interface AnomalyEvent {
  /** Sequence number within the analysis, 1-based (stable ids are assigned by the store). */
  seq: number;
  startTime: number;
  endTime: number;
  startFrame: number;
  endFrame: number;
  peakFrame: number;
  peakTime: number;
  peakScore: number;
  /** 0..1 */
  confidence: number;
  /** Involved tracks, main actor first (ranked by how many of the event's frames each tops). */
  trackIds: number[];
  topAttributes: AttributeContribution[];
  trajectories: { trackId: number; summary: TrajectorySummary }[];
  /** Peak-frame boxes of the involved tracks (for thumbnails and reports). */
  boxes: { trackId: number; box: Box }[];
}

/** Pixel heatmap of one analysed frame, uint8 (0..255 = score 0..1 on the calibrated scale), row-major. */
export interface HeatmapFrame {
  frame: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** Where a streaming analysis delivers its output (the case store implements it; `analyze FILE` writes JSON). */
export interface AnalysisSink {
  heatmap(h: HeatmapFrame): void;
  observations(batch: TrackObservation[]): void;
  finish(result: { frames: FrameScore[]; tracks: TrackSummary[]; events: AnomalyEvent[] }): void;
}
