/**
 * Temporal metrics: grounding IoU / mIoU / R@k in the VAU-Bench style, and event-level precision/recall/F1
 * for detected anomaly intervals. Definitions: METRICS.md § "Temporal grounding" and § "Event F1".
 */
import { VigilError } from '../errors.js';

/** [start, end] interval. */
export type Interval = readonly [number, number];

/** The recall thresholds reported by VAU-Bench. */
export const GROUNDING_IOU_THRESHOLDS = [0.3, 0.5, 0.7] as const;

function isProperInterval(iv: Interval | null | undefined): iv is Interval {
  return !!iv && Number.isFinite(iv[0]) && Number.isFinite(iv[1]) && iv[1] > iv[0];
}

/**
 * IoU of two continuous intervals [s, e] (e.g. seconds). A degenerate (s == e), reversed (s > e), non-finite
 * or missing interval on either side scores 0: a point prediction localises nothing.
 */
export function temporalIou(pred: Interval | null | undefined, gt: Interval | null | undefined): number {
  if (!isProperInterval(pred) || !isProperInterval(gt)) return 0;
  const inter = Math.min(pred[1], gt[1]) - Math.max(pred[0], gt[0]);
  if (inter <= 0) return 0;
  return inter / (Math.max(pred[1], gt[1]) - Math.min(pred[0], gt[0]));
}

export interface GroundingRow {
  /** Predicted [start, end] in seconds, or null when the answer could not be parsed (scores 0). */
  pred: Interval | null;
  /** Ground-truth [start, end] in seconds; VAU-Bench writes 0/0 for normal videos and -1 when unavailable. */
  gt: Interval;
  /** Overrides the abnormal/normal decision taken from `gt` (abnormal ⇔ 0 ≤ start < end). */
  abnormal?: boolean;
}

export interface GroundingResult {
  /** Rows scored (abnormal GT rows only). */
  scored: number;
  /** Rows skipped because their GT is normal or unavailable. */
  skipped: number;
  mIoU: number;
  /** Recall at IoU ≥ threshold, keyed "0.3", "0.5", "0.7". */
  recall: Record<string, number>;
  ious: number[];
}

/** VAU-Bench grounding: mean IoU and R@{0.3,0.5,0.7} (IoU ≥ t) over the rows whose GT is abnormal. */
export function groundingMetrics(rows: readonly GroundingRow[], thresholds: readonly number[] = GROUNDING_IOU_THRESHOLDS): GroundingResult {
  const ious: number[] = [];
  let skipped = 0;
  for (const r of rows) {
    const abnormal = r.abnormal ?? (r.gt[0] >= 0 && r.gt[1] > r.gt[0]);
    if (!abnormal) {
      skipped++;
      continue;
    }
    if (!isProperInterval(r.gt)) {
      throw new VigilError('invalid_input', `Grounding: abnormal row has GT [${String(r.gt[0])}, ${String(r.gt[1])}], which is not an interval with start < end.`);
    }
    ious.push(temporalIou(r.pred, r.gt));
  }
  if (ious.length === 0) throw new VigilError('invalid_input', 'Grounding metrics are undefined: no row has an abnormal GT interval.');
  const recall: Record<string, number> = {};
  for (const t of thresholds) recall[String(t)] = ious.filter((v) => v >= t).length / ious.length;
  return { scored: ious.length, skipped, mIoU: ious.reduce((a, b) => a + b, 0) / ious.length, recall, ious };
}

export interface EventF1Options {
  /** A predicted event matches a GT event when their IoU is ≥ this. Default 0.3. */
  iouThreshold?: number;
  /**
   * true (default): intervals are inclusive frame indices [first, last], as in ground_truth.json, so [s, e]
   * covers e − s + 1 frames and [5, 5] is one frame. false: continuous [start, end) (e.g. seconds).
   */
  inclusive?: boolean;
}

export interface EventCounts {
  tp: number;
  fp: number;
  fn: number;
}

export interface EventF1Result extends EventCounts {
  precision: number;
  recall: number;
  f1: number;
  /** Matched pairs as indices into (pred, gt) with their IoU. */
  matches: { pred: number; gt: number; iou: number }[];
}

function toHalfOpen(iv: Interval, inclusive: boolean, what: string): Interval {
  if (!Number.isFinite(iv[0]) || !Number.isFinite(iv[1]) || iv[1] < iv[0] || (!inclusive && iv[1] === iv[0])) {
    throw new VigilError('invalid_input', `Event F1: ${what} [${iv.join(', ')}] is not a valid interval.`);
  }
  return inclusive ? [iv[0], iv[1] + 1] : iv;
}

/**
 * Event-level matching: every (prediction, GT) pair with IoU ≥ iouThreshold is a candidate; pairs are taken
 * greedily by decreasing IoU (ties: lower prediction index, then lower GT index) and each event is used at most
 * once. Matched predictions are TPs, unmatched predictions FPs, unmatched GT events FNs.
 */
export function eventF1(pred: readonly Interval[], gt: readonly Interval[], opts: EventF1Options = {}): EventF1Result {
  const thr = opts.iouThreshold ?? 0.3;
  if (!(thr > 0 && thr <= 1)) throw new VigilError('invalid_input', `Event F1: iouThreshold must be in (0, 1] (got ${thr}).`);
  const inclusive = opts.inclusive ?? true;
  const p = pred.map((iv, i) => toHalfOpen(iv, inclusive, `prediction ${i}`));
  const g = gt.map((iv, i) => toHalfOpen(iv, inclusive, `GT event ${i}`));
  const pairs: { pred: number; gt: number; iou: number }[] = [];
  p.forEach((a, i) =>
    g.forEach((b, j) => {
      const iou = temporalIou(a, b);
      if (iou >= thr) pairs.push({ pred: i, gt: j, iou });
    }),
  );
  pairs.sort((x, y) => y.iou - x.iou || x.pred - y.pred || x.gt - y.gt);
  const usedP = new Set<number>();
  const usedG = new Set<number>();
  const matches: EventF1Result['matches'] = [];
  for (const m of pairs) {
    if (usedP.has(m.pred) || usedG.has(m.gt)) continue;
    usedP.add(m.pred);
    usedG.add(m.gt);
    matches.push(m);
  }
  const counts = { tp: matches.length, fp: p.length - matches.length, fn: g.length - matches.length };
  return { ...counts, ...f1FromCounts(counts), matches };
}

/**
 * Precision, recall and F1 from pooled counts (sum tp/fp/fn over clips for a dataset-level figure).
 * Empty denominators count as perfect: no predictions ⇒ precision 1, no GT events ⇒ recall 1; F1 is 0 when
 * precision + recall is 0.
 */
export function f1FromCounts(c: EventCounts): { precision: number; recall: number; f1: number } {
  const precision = c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** Runs of consecutive abnormal frames as inclusive [first, last] 0-based frame intervals. */
export function labelsToIntervals(labels: ArrayLike<number | boolean>): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= labels.length; i++) {
    const on = i < labels.length && (labels[i] === 1 || labels[i] === true);
    if (on && start < 0) start = i;
    else if (!on && start >= 0) {
      out.push([start, i - 1]);
      start = -1;
    }
  }
  return out;
}
