/**
 * Exact ROC AUC and ROC curves for binary labels (definitions: METRICS.md § "ROC AUC").
 *
 * AUC = P(score of a random positive > score of a random negative) + ½ P(equal), i.e. the Mann–Whitney U
 * statistic with average ranks divided by (#pos × #neg). Tied scores therefore contribute half, which is
 * also what the trapezoidal area under the step ROC curve gives when ties form one diagonal segment.
 */
import { VigilError } from '../errors.js';

/** Per-item binary labels: 1/true = abnormal (positive), 0/false = normal (negative). */
export type BinaryLabels = ArrayLike<number | boolean>;

/** ROC curve points ordered by decreasing threshold; the first point is (0,0) at threshold +∞. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Point i counts every item with score ≥ thresholds[i] as positive. */
  thresholds: number[];
  positives: number;
  negatives: number;
}

/** Reads label i as 0/1, refusing anything that is not a binary label (so a score array passed by mistake fails loudly). */
export function labelAt(labels: BinaryLabels, i: number): 0 | 1 {
  const v = labels[i];
  if (v === 1 || v === true) return 1;
  if (v === 0 || v === false) return 0;
  throw new VigilError('invalid_input', `Label at index ${i} is ${String(v)}; labels must be 0/1 or true/false.`);
}

function checkInputs(scores: ArrayLike<number>, labels: BinaryLabels, what: string): { pos: number; neg: number } {
  if (scores.length !== labels.length) {
    throw new VigilError(
      'invalid_input',
      `${what}: ${scores.length} scores but ${labels.length} labels; they must have the same length.`,
    );
  }
  let pos = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (typeof s !== 'number' || !Number.isFinite(s)) {
      throw new VigilError('invalid_input', `${what}: score at index ${i} is ${String(s)}; scores must be finite numbers.`);
    }
    pos += labelAt(labels, i);
  }
  const neg = scores.length - pos;
  if (pos === 0 || neg === 0) {
    const only = pos === 0 ? 'normal (0)' : 'abnormal (1)';
    throw new VigilError(
      'invalid_input',
      `${what} is undefined: all ${scores.length} labels are ${only}; at least one normal and one abnormal item are needed.`,
      { positives: pos, negatives: neg },
    );
  }
  return { pos, neg };
}

/** Indices of `scores` in ascending score order (stable). O(n log n). */
function ascendingOrder(scores: ArrayLike<number>): Uint32Array {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Copy to a typed array once so the comparator does not go through a generic ArrayLike accessor.
  const s = Float64Array.from(scores as ArrayLike<number>);
  order.sort((a, b) => s[a] - s[b] || a - b);
  return order;
}

/**
 * AUC from score groups already in ascending score order: group g holds pos[g] positives and neg[g] negatives
 * that share one score. Shared by the exact frame AUC and the binned pixel AUC (one definition of ties).
 * Returns NaN when either class is empty; callers that need an error check first.
 */
export function aucFromGroupedCounts(pos: ArrayLike<number>, neg: ArrayLike<number>): number {
  if (pos.length !== neg.length) {
    throw new VigilError('invalid_input', `Grouped counts differ in length (${pos.length} vs ${neg.length}).`);
  }
  let negBelow = 0;
  let totalPos = 0;
  let u = 0; // Mann–Whitney U: pairs (positive, negative) with positive ranked higher, ties counted half
  for (let g = 0; g < pos.length; g++) {
    const p = pos[g];
    const q = neg[g];
    if (p !== 0) u += p * (negBelow + 0.5 * q);
    negBelow += q;
    totalPos += p;
  }
  if (totalPos === 0 || negBelow === 0) return NaN;
  return u / (totalPos * negBelow);
}

/**
 * Exact ROC AUC with ties counted half. Throws VigilError('invalid_input') when lengths differ, a score is not
 * finite, a label is not binary, or only one class is present (the caller decides what that means).
 */
export function rocAuc(scores: ArrayLike<number>, labels: BinaryLabels): number {
  checkInputs(scores, labels, 'ROC AUC');
  const order = ascendingOrder(scores);
  const groupPos: number[] = [];
  const groupNeg: number[] = [];
  let i = 0;
  while (i < order.length) {
    const s = scores[order[i]];
    let p = 0;
    let q = 0;
    for (; i < order.length && scores[order[i]] === s; i++) {
      if (labelAt(labels, order[i]) === 1) p++;
      else q++;
    }
    groupPos.push(p);
    groupNeg.push(q);
  }
  return aucFromGroupedCounts(groupPos, groupNeg);
}

/**
 * ROC curve with one point per distinct score (tied items move the curve together, as a diagonal step).
 * Same validation as rocAuc. The trapezoidal area under the returned points equals rocAuc.
 */
export function rocCurve(scores: ArrayLike<number>, labels: BinaryLabels): RocCurve {
  const { pos, neg } = checkInputs(scores, labels, 'ROC curve');
  const order = ascendingOrder(scores);
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  let i = order.length - 1;
  while (i >= 0) {
    const s = scores[order[i]];
    for (; i >= 0 && scores[order[i]] === s; i--) {
      if (labelAt(labels, order[i]) === 1) tp++;
      else fp++;
    }
    fpr.push(fp / neg);
    tpr.push(tp / pos);
    thresholds.push(s);
  }
  return { fpr, tpr, thresholds, positives: pos, negatives: neg };
}

/** Trapezoidal area under a piecewise-linear curve given by points with non-decreasing x. */
export function trapezoidArea(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}
