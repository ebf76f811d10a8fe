/**
 * Compact columnar store of everything the first pass learns: one row per tracked observation (typed-array
 * columns, ~45 bytes a row) and one row per analysed frame. Frames themselves are never kept. Scoring reads
 * it twice (self-reference needs the whole footage's attributes before any score is final), which is why the
 * memory bound of an analysis is "a few tens of bytes per object per analysed frame" rather than constant.
 */
import type { Box } from './types.js';

export const SOURCE_MOTION = 0;
export const SOURCE_DETECTOR = 1;
export const SOURCE_INTERPOLATED = 2;

class Column<T extends Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array> {
  data: T;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(256);
  }
  ensure(n: number): void {
    if (n <= this.data.length) return;
    const next = this.make(Math.max(n, this.data.length * 2));
    next.set(this.data as never);
    this.data = next;
  }
  trim(n: number): T {
    return this.data.subarray(0, n) as T;
  }
}

export interface ObservationRow {
  trackId: number;
  ordinal: number;
  box: Box;
  confidence: number;
  source: number;
  /** What the detector called this observation ('unknown' when it is not a detector box). */
  label: string;
  /** Velocity in analysis pixels per second (NaN when unknown). */
  vx: number;
  vy: number;
  /** Velocity measured from the object's own pixels (block flow) rather than from box positions. */
  flowMeasured: boolean;
  /** Appearance vector (L2-normalised), on frames where one was computed. */
  feature?: Float32Array | null;
}

export class ObservationTable {
  length = 0;
  private readonly cols = {
    trackId: new Column((n) => new Int32Array(n)),
    ordinal: new Column((n) => new Int32Array(n)),
    x1: new Column((n) => new Float32Array(n)),
    y1: new Column((n) => new Float32Array(n)),
    x2: new Column((n) => new Float32Array(n)),
    y2: new Column((n) => new Float32Array(n)),
    confidence: new Column((n) => new Float32Array(n)),
    source: new Column((n) => new Uint8Array(n)),
    label: new Column((n) => new Uint16Array(n)),
    vx: new Column((n) => new Float32Array(n)),
    vy: new Column((n) => new Float32Array(n)),
    flow: new Column((n) => new Uint8Array(n)),
  };
  /** Appearance vectors, int8-quantised (component × 127), featureDims per row that has one. */
  featureDims = 0;
  private featureStore = new Int8Array(0);
  private featureCount = 0;
  private readonly featureRow = new Column((n) => new Int32Array(n));
  /** Label dictionary: index → name. */
  readonly labels: string[] = [];
  private readonly labelIndex = new Map<string, number>();

  labelId(name: string): number {
    let id = this.labelIndex.get(name);
    if (id === undefined) {
      id = this.labels.length;
      this.labels.push(name);
      this.labelIndex.set(name, id);
    }
    return id;
  }

  push(r: ObservationRow): void {
    const i = this.length;
    const c = this.cols;
    for (const col of Object.values(c)) col.ensure(i + 1);
    c.trackId.data[i] = r.trackId;
    c.ordinal.data[i] = r.ordinal;
    c.x1.data[i] = r.box[0];
    c.y1.data[i] = r.box[1];
    c.x2.data[i] = r.box[2];
    c.y2.data[i] = r.box[3];
    c.confidence.data[i] = r.confidence;
    c.source.data[i] = r.source;
    c.label.data[i] = this.labelId(r.label);
    c.vx.data[i] = r.vx;
    c.vy.data[i] = r.vy;
    c.flow.data[i] = r.flowMeasured ? 1 : 0;
    this.featureRow.ensure(i + 1);
    this.featureRow.data[i] = -1;
    if (r.feature && r.feature.length > 0) {
      if (this.featureDims === 0) this.featureDims = r.feature.length;
      if (r.feature.length === this.featureDims) {
        const d = this.featureDims;
        if ((this.featureCount + 1) * d > this.featureStore.length) {
          const next = new Int8Array(Math.max(256 * d, this.featureStore.length * 2));
          next.set(this.featureStore);
          this.featureStore = next;
        }
        for (let k = 0; k < d; k++) this.featureStore[this.featureCount * d + k] = Math.max(-127, Math.min(127, Math.round(r.feature[k] * 127)));
        this.featureRow.data[i] = this.featureCount++;
      }
    }
    this.length++;
  }

  /** Writes row i's appearance vector into `out` (featureDims values); false when the row has none. */
  feature(i: number, out: Float32Array): boolean {
    const r = this.featureRow.data[i];
    if (i >= this.length || r < 0) return false;
    const d = this.featureDims;
    for (let k = 0; k < d; k++) out[k] = this.featureStore[r * d + k] / 127;
    return true;
  }

  get trackId(): Int32Array {
    return this.cols.trackId.trim(this.length);
  }
  get ordinal(): Int32Array {
    return this.cols.ordinal.trim(this.length);
  }
  get x1(): Float32Array {
    return this.cols.x1.trim(this.length);
  }
  get y1(): Float32Array {
    return this.cols.y1.trim(this.length);
  }
  get x2(): Float32Array {
    return this.cols.x2.trim(this.length);
  }
  get y2(): Float32Array {
    return this.cols.y2.trim(this.length);
  }
  get confidence(): Float32Array {
    return this.cols.confidence.trim(this.length);
  }
  get source(): Uint8Array {
    return this.cols.source.trim(this.length);
  }
  get label(): Uint16Array {
    return this.cols.label.trim(this.length);
  }
  get vx(): Float32Array {
    return this.cols.vx.trim(this.length);
  }
  get vy(): Float32Array {
    return this.cols.vy.trim(this.length);
  }
  get flowMeasured(): Uint8Array {
    return this.cols.flow.trim(this.length);
  }

  box(i: number): Box {
    const c = this.cols;
    return [c.x1.data[i], c.y1.data[i], c.x2.data[i], c.y2.data[i]];
  }

  /** Approximate bytes held (for the memory report). */
  get bytes(): number {
    let b = 0;
    for (const col of Object.values(this.cols)) b += col.data.byteLength;
    return b + this.featureRow.data.byteLength + this.featureStore.byteLength;
  }
}

/** Per analysed frame: source frame index, time and foreground share. */
export class FrameTable {
  length = 0;
  private readonly frame = new Column((n) => new Int32Array(n));
  private readonly time = new Column((n) => new Float64Array(n));
  private readonly fg = new Column((n) => new Float32Array(n));

  push(frameIndex: number, time: number, foregroundFraction: number): number {
    const i = this.length;
    this.frame.ensure(i + 1);
    this.time.ensure(i + 1);
    this.fg.ensure(i + 1);
    this.frame.data[i] = frameIndex;
    this.time.data[i] = time;
    this.fg.data[i] = foregroundFraction;
    this.length++;
    return i;
  }

  get frames(): Int32Array {
    return this.frame.trim(this.length);
  }
  get times(): Float64Array {
    return this.time.trim(this.length);
  }
  get foreground(): Float32Array {
    return this.fg.trim(this.length);
  }
}

/** Observation indices grouped by track (each group in time order) and by analysed frame. */
export interface ObservationIndex {
  byTrack: Map<number, number[]>;
  /** CSR layout: observations of ordinal k are order[start[k]..start[k+1]). */
  frameStart: Int32Array;
  frameOrder: Int32Array;
}

export function indexObservations(t: ObservationTable, ordinals: number): ObservationIndex {
  const byTrack = new Map<number, number[]>();
  const tid = t.trackId;
  const ord = t.ordinal;
  for (let i = 0; i < t.length; i++) {
    let list = byTrack.get(tid[i]);
    if (!list) byTrack.set(tid[i], (list = []));
    list.push(i);
  }
  for (const list of byTrack.values()) list.sort((a, b) => ord[a] - ord[b]);
  const counts = new Int32Array(ordinals + 1);
  for (let i = 0; i < t.length; i++) counts[ord[i] + 1]++;
  for (let k = 0; k < ordinals; k++) counts[k + 1] += counts[k];
  const frameStart = Int32Array.from(counts);
  const fill = Int32Array.from(counts);
  const frameOrder = new Int32Array(t.length);
  for (let i = 0; i < t.length; i++) frameOrder[fill[ord[i]]++] = i;
  return { byTrack, frameStart, frameOrder };
}
