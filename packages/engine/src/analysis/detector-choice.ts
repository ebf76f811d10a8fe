/**
 * Which detector an analysis runs beside the motion blobs. 'none' is motion only (every object is
 * 'unknown'); a model name opens that registry model (built into resources/models by the model build).
 */
import { VigilError } from '../errors.js';
import { createDetector } from '../inference/detector.js';
import type { DetectorLike } from './measurements.js';

export const DETECTOR_CHOICES = ['nanodet', 'centernet', 'none'] as const;
export const DEFAULT_DETECTOR = 'nanodet';

/** Opens the named detector (default DEFAULT_DETECTOR), or returns null for 'none'. The caller disposes it. */
export async function openDetector(name: string | undefined): Promise<DetectorLike | null> {
  const choice = name ?? DEFAULT_DETECTOR;
  if (!(DETECTOR_CHOICES as readonly string[]).includes(choice)) {
    throw new VigilError('invalid_input', `--detector must be one of ${DETECTOR_CHOICES.join(', ')}, got "${choice}".`);
  }
  if (choice === 'none') return null;
  return createDetector(choice);
}
