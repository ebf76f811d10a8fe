/**
 * Turn raw detector outputs into scored boxes in model-input pixels, each model its own way:
 *  - NanoDet (GFL head): per cell, 80 sigmoid class scores and, per box side, a discrete distribution
 *    over 0..regMax; the side distance is the distribution's expectation × stride, measured from the
 *    cell's anchor point.
 *  - CenterNet: the graph already picks class heat-map peaks (3×3 max-pool equality) and gathers their
 *    box sizes; rows are x1, y1, x2, y2, score, class.
 */
import type { DecoderSpec } from './manifest.js';
import type { ScoredBox } from './nms.js';

export type OutputMap = Record<string, { data: ArrayLike<number> | Float32Array; dims: readonly number[] }>;

type NanodetSpec = Extract<DecoderSpec, { kind: 'nanodet-gfl' }>;
type CenternetSpec = Extract<DecoderSpec, { kind: 'centernet' }>;

export function decodeNanodet(spec: NanodetSpec, outputs: OutputMap, inputSize: [number, number], numClasses: number, threshold: number): ScoredBox[] {
  const [inH, inW] = inputSize;
  const bins = spec.regMax + 1;
  const out: ScoredBox[] = [];
  const probs = new Float64Array(bins);
  for (const level of spec.levels) {
    const scores = outputs[level.scores].data as Float32Array;
    const boxes = outputs[level.boxes].data as Float32Array;
    const cols = Math.ceil(inW / level.stride);
    const rows = Math.ceil(inH / level.stride);
    const cells = rows * cols;
    if (scores.length !== cells * numClasses || boxes.length !== cells * 4 * bins) {
      throw new Error(`nanodet level stride ${level.stride}: output sizes do not match a ${rows}×${cols} grid`);
    }
    for (let i = 0; i < cells; i++) {
      let box: [number, number, number, number] | null = null;
      for (let c = 0; c < numClasses; c++) {
        const s = scores[i * numClasses + c];
        if (!(s > threshold)) continue;
        if (!box) {
          const cx = ((i % cols) + spec.centerOffset) * level.stride;
          const cy = (Math.floor(i / cols) + spec.centerOffset) * level.stride;
          const d = [0, 0, 0, 0];
          for (let side = 0; side < 4; side++) {
            const base = i * 4 * bins + side * bins;
            let mx = -Infinity;
            for (let b = 0; b < bins; b++) mx = Math.max(mx, boxes[base + b]);
            let sum = 0;
            for (let b = 0; b < bins; b++) sum += probs[b] = Math.exp(boxes[base + b] - mx);
            let e = 0;
            for (let b = 0; b < bins; b++) e += (probs[b] / sum) * b;
            d[side] = e * level.stride;
          }
          box = [
            Math.max(0, cx - d[0]),
            Math.max(0, cy - d[1]),
            Math.min(inW, cx + d[2]),
            Math.min(inH, cy + d[3]),
          ];
        }
        out.push({ box: [...box], score: s, classId: c });
      }
    }
  }
  return out;
}

export function decodeCenternet(spec: CenternetSpec, outputs: OutputMap, numClasses: number, threshold: number): ScoredBox[] {
  const det = outputs[spec.detections];
  const rows = det.dims[1];
  const d = det.data;
  const out: ScoredBox[] = [];
  for (let r = 0; r < rows; r++) {
    const o = r * 6;
    const score = d[o + 4];
    const classId = Math.round(d[o + 5]);
    if (!(score > threshold) || classId < 0 || classId >= numClasses) continue;
    const x1 = d[o];
    const y1 = d[o + 1];
    const x2 = d[o + 2];
    const y2 = d[o + 3];
    if (!(x2 > x1 && y2 > y1)) continue;
    out.push({ box: [x1, y1, x2, y2], score, classId });
  }
  return out;
}
