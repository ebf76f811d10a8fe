/** Greedy non-maximum suppression, per class (boxes of different classes never suppress each other). */

export type Box = [number, number, number, number];

export interface ScoredBox {
  box: Box;
  score: number;
  classId: number;
}

export function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
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
