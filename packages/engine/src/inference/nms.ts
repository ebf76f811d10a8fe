/** Greedy non-maximum suppression, per class (boxes of different classes never suppress each other). */

import { iou } from '../analysis/geometry.js';

export { iou };
export type Box = [number, number, number, number];

export interface ScoredBox {
  box: Box;
  score: number;
  classId: number;
}


export function classAwareNms<T extends ScoredBox>(items: T[], iouThreshold: number, maxDetections = Infinity): T[] {
  // Stable order: score, then class, then position, so equal inputs give equal outputs.
  const sorted = [...items].sort(
    (a, b) => b.score - a.score || a.classId - b.classId || a.box[0] - b.box[0] || a.box[1] - b.box[1],
  );
  const kept: T[] = [];
  const byClass = new Map<number, T[]>();
  for (const it of sorted) {
    if (kept.length >= maxDetections) break;
    const same = byClass.get(it.classId) ?? [];
    if (same.some((k) => iou(k.box, it.box) > iouThreshold)) continue;
    same.push(it);
    byClass.set(it.classId, same);
    kept.push(it);
  }
  return kept;
}
