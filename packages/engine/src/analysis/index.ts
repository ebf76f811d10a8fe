/** Public API of the anomaly analysis: run it on a video, fit a reusable reference, parameters, result types. */
export {
  analyzeVideo,
  fitNormality,
  type AnalysisResult,
  type AnalysisStats,
  type AnalyzeOptions,
  type FitOptions,
  type FittedReference,
} from './pipeline.js';
export { defaultParams, resolveParams, sourceFps, type FootageGeometry, type FullAnalysisParams, type MotionSettings } from './params.js';
export { DEFAULT_DETECTOR, DETECTOR_CHOICES, openDetector } from './detector-choice.js';
export type { DetectorLike, DetectionLike, FrameLike } from './measurements.js';
export { ATTRIBUTE_GROUPS } from './normality.js';
export type * from './types.js';
