/**
 * Frame-level AUC over a set of clips (micro and macro) and the temporal Gaussian smoothing applied to
 * per-frame scores before it. Definitions and sources: METRICS.md § "Frame-level AUC" and § "Smoothing".
 */
import { VigilError } from '../errors.js';
import { lowerBound, upperBound } from '../sorted.js';
import { labelAt, rocAuc, type BinaryLabels } from './roc.js';

/** Per-frame anomaly scores and 0/1 labels of one clip (index i = i-th decoded frame). */
export interface FrameClip {
  scores: ArrayLike<number>;
  labels: BinaryLabels;
  /** Used in error messages only. */
  name?: string;
}

function clipName(c: FrameClip, i: number): string {
  return c.name ? `clip "${c.name}"` : `clip #${i}`;
}

function checkClips(clips: readonly FrameClip[], what: string): void {
  if (clips.length === 0) throw new VigilError('invalid_input', `${what}: no clips given.`);
  clips.forEach((c, i) => {
    if (c.scores.length !== c.labels.length) {
      throw new VigilError(
        'invalid_input',
        `${what}: ${clipName(c, i)} has ${c.scores.length} scores but ${c.labels.length} labels.`,
      );
    }
    if (c.scores.length === 0) throw new VigilError('invalid_input', `${what}: ${clipName(c, i)} has no frames.`);
  });
}

/** Micro AUC: one ROC over every frame of every clip concatenated (the usual "frame-level AUC"). */
export function microAuc(clips: readonly FrameClip[]): number {
  checkClips(clips, 'Micro AUC');
  let n = 0;
  for (const c of clips) n += c.scores.length;
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  let o = 0;
  for (const c of clips) {
    for (let i = 0; i < c.scores.length; i++, o++) {
      scores[o] = c.scores[i];
      labels[o] = labelAt(c.labels, i);
    }
  }
  return rocAuc(scores, labels);
}

/** Where one clip's frames lost micro AUC (see microAucShortfall). */
export interface ClipShortfall {
  /** Share of all (abnormal, normal) frame pairs where this clip's abnormal frame scored lower (ties ½). */
  abnormal: number;
  /** The same for pairs where this clip's normal frame scored higher. */
  normal: number;
}

/**
 * 1 − micro AUC split by clip, twice: by the clip of the abnormal frame of each misordered pair, and by the
 * clip of the normal frame. Each split sums to 1 − micro AUC over the clips (METRICS.md § "Frame-level
 * AUC"), so it says which clips' anomalies score too low and which clips' normal frames too high.
 */
export function microAucShortfall(clips: readonly FrameClip[]): ClipShortfall[] {
  checkClips(clips, 'Micro AUC shortfall');
  const normal: number[] = [];
  const abnormal: number[] = [];
  for (const c of clips) for (let i = 0; i < c.scores.length; i++) (labelAt(c.labels, i) ? abnormal : normal).push(c.scores[i]);
  if (normal.length === 0 || abnormal.length === 0) throw new VigilError('invalid_input', 'Micro AUC shortfall: needs both normal and abnormal frames.');
  const sortedNormal = Float64Array.from(normal).sort();
  const sortedAbnormal = Float64Array.from(abnormal).sort();
  const pairs = normal.length * abnormal.length;
  return clips.map((c) => {
    let ab = 0;
    let no = 0;
    for (let i = 0; i < c.scores.length; i++) {
      const v = c.scores[i];
      // Misordered pairs of this frame: normal frames above an abnormal one, abnormal frames below a normal one.
      if (labelAt(c.labels, i)) ab += sortedNormal.length - upperBound(sortedNormal, v) + 0.5 * (upperBound(sortedNormal, v) - lowerBound(sortedNormal, v));
      else no += lowerBound(sortedAbnormal, v) + 0.5 * (upperBound(sortedAbnormal, v) - lowerBound(sortedAbnormal, v));
    }
    return { abnormal: ab / pairs, normal: no / pairs };
  });
}

/**
 * Per-clip AUCs as used by macro AUC: each clip gets one extra normal frame scored 0 and one extra abnormal
 * frame scored 1, so all-normal and all-abnormal clips stay defined. The anchors assume scores in [0,1]
 * (scores are not rescaled here: per-video normalisation is deliberately left to the caller and must not be
 * used for headline numbers).
 */
export function perClipAnchoredAucs(clips: readonly FrameClip[]): number[] {
  checkClips(clips, 'Macro AUC');
  return clips.map((c) => {
    const n = c.scores.length;
    const scores = new Float64Array(n + 2);
    const labels = new Uint8Array(n + 2);
    for (let i = 0; i < n; i++) {
      scores[i] = c.scores[i];
      labels[i] = labelAt(c.labels, i);
    }
    scores[n] = 0; // anchor: normal frame scored 0
    labels[n] = 0;
    scores[n + 1] = 1; // anchor: abnormal frame scored 1
    labels[n + 1] = 1;
    return rocAuc(scores, labels);
  });
}

/** Macro AUC: mean over clips of the anchored per-clip AUC (see perClipAnchoredAucs). */
export function macroAuc(clips: readonly FrameClip[]): number {
  const aucs = perClipAnchoredAucs(clips);
  return aucs.reduce((a, b) => a + b, 0) / aucs.length;
}

/** Truncation radius of the Gaussian kernel in units of σ (scipy.ndimage's default `truncate=4.0`). */
export const GAUSSIAN_TRUNCATE_SIGMAS = 4;

/** Maps an out-of-range index into [0, n) by half-sample symmetric reflection: (c b a | a b c | c b a). */
function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

/**
 * 1-D Gaussian smoothing of per-frame scores. Kernel exp(-k²/2σ²) for |k| ≤ round(4σ), normalised to sum 1;
 * the borders are padded by half-sample reflection (d c b a | a b c d | d c b a), scipy.ndimage's
 * `gaussian_filter1d` default, so a constant signal stays constant (up to rounding) and no frame is biased toward a
 * fill value. σ = 0 returns a copy.
 */
export function gaussianSmooth(scores: ArrayLike<number>, sigma: number): Float64Array {
  if (!Number.isFinite(sigma) || sigma < 0) {
    throw new VigilError('invalid_input', `Gaussian smoothing sigma must be a finite number ≥ 0 (got ${sigma}).`);
  }
  const n = scores.length;
  const out = new Float64Array(n);
  if (sigma === 0 || n === 0) {
    for (let i = 0; i < n; i++) out[i] = scores[i];
    return out;
  }
  const radius = Math.round(GAUSSIAN_TRUNCATE_SIGMAS * sigma);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const w = Math.exp(-(k * k) / (2 * sigma * sigma));
    kernel[k + radius] = w;
    sum += w;
  }
  for (let k = 0; k < kernel.length; k++) kernel[k] /= sum;
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = -radius; k <= radius; k++) {
      const j = i + k;
      acc += kernel[k + radius] * scores[j >= 0 && j < n ? j : reflectIndex(j, n)];
    }
    out[i] = acc;
  }
  return out;
}
