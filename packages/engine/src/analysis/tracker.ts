/**
 * Multi-object tracker in the style of ByteTrack: a Kalman filter per track predicts the box, measurements
 * (detector boxes and motion blobs) are associated by an optimal assignment on a distance-IoU cost (plus an
 * appearance term when both sides have one), confident measurements first, then weak ones only to extend
 * tracks already running (low-score recovery). Tracks that miss a few frames survive as "lost" and are
 * re-acquired; the gap is then filled with interpolated observations. A track becomes visible only after
 * `minHits` matches, so single-frame noise never becomes an object. A motion blob that holds several running
 * tracks (a group walking together; a new track counts once the detector has named it) is not matched to
 * any one of them: each member moves on by the flow of its own pixels, keeping its size, until the group
 * splits.
 *
 * Frames are analysed-frame ordinals (0, 1, 2, ...); velocities are pixels per analysed frame.
 */
import { diou } from './geometry.js';
import { assignMinCost } from './hungarian.js';
import { BoxKalman, DEFAULT_KALMAN_NOISE, type KalmanNoise } from './kalman.js';
import type { Box } from './types.js';
import { RIDDEN_LABELS } from './measurements.js';

/**
 * Foot-position difference (share of an object's height) below which two overlapping objects' depth order
 * is taken as unknown: boxes from motion blobs are not precise enough to tell closer ones apart.
 */
const OCCLUSION_DEPTH = 0.15;

export type MeasurementSource = 'motion' | 'detector';

export interface Measurement {
  box: Box;
  /** 0..1 confidence (detector score or blob confidence). */
  score: number;
  /** COCO label from the detector, 'unknown' for motion blobs. */
  label: string;
  source: MeasurementSource;
  /** Median block flow inside the box, pixels per analysed frame, when measured. */
  flow?: { vx: number; vy: number } | null;
  /** Optional appearance descriptor (L1-normalised histogram) used for association. */
  appearance?: Float32Array | null;
  /** Optional appearance vector (L2-normalised detector feature pooled in the box), an attribute. */
  feature?: Float32Array | null;
}

export interface TrackerParams {
  /** Measurements at or above this score are matched first and may start tracks. */
  highScore: number;
  /** Measurements below this are ignored. */
  lowScore: number;
  /** Largest association cost (1 − DIoU, plus penalties) for confident measurements. */
  maxCost: number;
  /** Largest cost when extending a running track with a weak measurement. */
  maxCostLow: number;
  /** Analysed frames a lost track is kept for re-acquisition. */
  maxGap: number;
  /** Matches needed before a track is reported. */
  minHits: number;
  /** Weight of the appearance distance in the cost. */
  appearanceWeight: number;
  kalman: KalmanNoise;
}

export const DEFAULT_TRACKER_PARAMS: TrackerParams = {
  highScore: 0.5,
  lowScore: 0.1,
  maxCost: 1.15,
  maxCostLow: 0.7,
  maxGap: 10,
  minHits: 3,
  appearanceWeight: 0.5,
  kalman: DEFAULT_KALMAN_NOISE,
};

/** One reported observation of a confirmed track. */
export interface TrackedObservation {
  trackId: number;
  ordinal: number;
  box: Box;
  confidence: number;
  source: MeasurementSource | 'interpolated';
  /** The track's best label so far (detector vote, else 'unknown'). */
  label: string;
  /** The detector's label when this observation is a detector box, else null. */
  detectedLabel: string | null;
  /** The measurement's appearance vector, when one was computed for it. */
  feature: Float32Array | null;
  flow: { vx: number; vy: number } | null;
  /** Kalman velocity after this frame's update. */
  kfVelocity: [number, number];
  /** Matches so far (the Kalman velocity settles after a few). */
  hits: number;
}

interface Track {
  id: number;
  kf: BoxKalman;
  hits: number;
  missed: number;
  confirmed: boolean;
  lastOrdinal: number;
  lastBox: Box;
  labelVotes: Map<string, number>;
  appearance: Float32Array | null;
  pending: TrackedObservation[];
  /** Detector runs while this track was in view. */
  looks: number;
}

/** Share of box a's area inside box b. */
function containment(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const area = (a[2] - a[0]) * (a[3] - a[1]);
  return w > 0 && h > 0 && area > 0 ? (w * h) / area : 0;
}

function histogramDistance(a: Float32Array, b: Float32Array): number {
  let inter = 0;
  for (let i = 0; i < a.length; i++) inter += Math.min(a[i], b[i]);
  return 1 - inter;
}

function bestLabel(votes: Map<string, number>): string {
  let label = 'unknown';
  let best = 0;
  for (const [l, v] of votes) {
    if (v > best) {
      best = v;
      label = l;
    }
  }
  return label;
}

/**
 * Labels one object may carry in turn: a rider is named with the vehicle where the detector sees both
 * (measurements.ts) and as a person where it misses the vehicle.
 */
function sameKind(a: string, b: string): boolean {
  return a === b || (a === 'person' && RIDDEN_LABELS.includes(b)) || (b === 'person' && RIDDEN_LABELS.includes(a));
}

export class Tracker {
  readonly params: TrackerParams;
  private tracks: Track[] = [];
  private nextId = 1;

  constructor(params: Partial<TrackerParams> = {}) {
    this.params = { ...DEFAULT_TRACKER_PARAMS, ...params };
  }

  /** Number of tracks currently alive (confirmed or not, seen or lost). */
  get activeCount(): number {
    return this.tracks.length;
  }

  /** Whether a confirmed track in view moves at least `heightsPerFrame` of its own height a frame (its filter's velocity). */
  anyMoving(heightsPerFrame: number): boolean {
    return this.tracks.some((t) => {
      if (!t.confirmed || t.missed > 0) return false;
      const b = t.kf.box();
      const [vx, vy] = t.kf.velocity();
      return Math.hypot(vx, vy) >= heightsPerFrame * (b[3] - b[1]);
    });
  }

  /** Records that the detector looked at the current frame (call after step on a detector frame). */
  markDetectorRun(): void {
    for (const t of this.tracks) if (t.missed === 0) t.looks++;
  }

  /**
   * True when an object in view has not been named by the detector yet and the detector has looked at it
   * fewer than `looks` times: then the detector should run soon (otherwise it only needs to refresh).
   */
  needsDetection(looks = 2): boolean {
    return this.tracks.some((t) => t.missed === 0 && t.labelVotes.size === 0 && t.looks < looks);
  }

  /** Boxes the tracker expects in the next frame (for detector scheduling and tests). */
  predictedBoxes(): { id: number; box: Box; confirmed: boolean }[] {
    return this.tracks.map((t) => ({ id: t.id, box: t.kf.box(), confirmed: t.confirmed }));
  }

  /**
   * Processes one analysed frame and returns the observations that became reportable (this frame's, plus
   * buffered ones of tracks confirmed now, plus interpolated gap fills), in per-track time order.
   * `flowIn(box, exclude)`: the median block flow inside a box this frame, outside the `exclude` boxes, which
   * moves members of group blobs.
   */
  step(ordinal: number, measurements: readonly Measurement[], flowIn?: (box: Box, exclude: readonly Box[]) => { vx: number; vy: number } | null): TrackedObservation[] {
    const p = this.params;
    for (const t of this.tracks) t.kf.predict();
    const usable = measurements.filter((m) => m.score >= p.lowScore);
    const groups = this.groupBlobs(usable);
    const meas = usable.filter((m) => !groups.has(m));
    const high = meas.filter((m) => m.score >= p.highScore);
    const low = meas.filter((m) => m.score < p.highScore);
    const out: TrackedObservation[] = [];
    const matched = new Set<Track>();

    const confirmed = this.tracks.filter((t) => t.confirmed);
    const tentative = this.tracks.filter((t) => !t.confirmed);

    // 1. Confident measurements against every confirmed track, seen or lost.
    const rest1 = this.associate(confirmed, high, p.maxCost, ordinal, matched, out);
    // 2. Weak measurements only extend confirmed tracks that were seen last frame (ByteTrack's recovery).
    const running = confirmed.filter((t) => !matched.has(t) && t.missed === 0);
    this.associate(running, low, p.maxCostLow, ordinal, matched, out);
    // 3. Leftover confident measurements against tentative tracks.
    const rest3 = this.associate(tentative, rest1, p.maxCost, ordinal, matched, out);
    // 4. What is still unexplained and confident starts a tentative track.
    for (const m of rest3) this.startTrack(ordinal, m);
    // 5. Members of a group blob the steps above left unmatched move on by the flow of their own pixels.
    for (const [m, members] of groups) {
      const predicted = new Map(members.map((t) => [t, t.kf.box()]));
      for (const t of members) {
        if (matched.has(t)) continue;
        // Where members overlap, the pixels are those of the one in front, and a median over both moved a
        // member partly by the other's motion (two walkers crossing swapped identities). In a view of the
        // ground the one in front is the one whose feet are lower; only a member clearly behind this one
        // (feet higher by more than OCCLUSION_DEPTH of its height) leaves it the overlap. Wholly covered, a
        // member moves on by its filter's velocity.
        const mine = predicted.get(t)!;
        const depth = OCCLUSION_DEPTH * (mine[3] - mine[1]);
        const front = members.filter((o) => o !== t && predicted.get(o)![3] > mine[3] - depth).map((o) => predicted.get(o)!);
        const f = flowIn?.(mine, front) ?? null;
        // The last measured box moved by the flow of its pixels (else the filter's velocity): the blob says
        // nothing about one member's extent, so the size stays.
        const [vx, vy] = f ? [f.vx, f.vy] : t.kf.velocity();
        const b = t.lastBox;
        const box: Box = [b[0] + vx, b[1] + vy, b[2] + vx, b[3] + vy];
        this.applyMatch(t, { box, score: m.score, label: 'unknown', source: 'motion', flow: f, appearance: null }, ordinal, out);
        matched.add(t);
      }
    }

    const survivors: Track[] = [];
    for (const t of this.tracks) {
      if (!matched.has(t) && t.lastOrdinal !== ordinal) {
        t.missed++;
        const limit = t.confirmed ? p.maxGap : 1;
        if (t.missed > limit) continue;
      }
      survivors.push(t);
    }
    this.tracks = survivors;
    return out;
  }

  /**
   * Motion blobs that hold two or more running objects (each predicted box mostly inside): people walking
   * together merge into one blob, which is their union, not an object. Matched to one member, it would give
   * that track the group's box and speed and leave the others lost: a skateboarder inside a group vanished
   * for as long as the group stayed together.
   */
  private groupBlobs(meas: readonly Measurement[]): Map<Measurement, Track[]> {
    const out = new Map<Measurement, Track[]>();
    // Members: confirmed tracks, and new ones the detector named (it saw an individual inside the group).
    const running = this.tracks.filter((t) => (t.confirmed || t.labelVotes.size > 0) && t.missed === 0);
    const claimed = new Set<Track>();
    for (const m of meas) {
      if (m.source !== 'motion') continue;
      const inside = running.filter((t) => !claimed.has(t) && containment(t.kf.box(), m.box) >= 0.6);
      if (inside.length < 2) continue;
      for (const t of inside) claimed.add(t);
      out.set(m, inside);
    }
    return out;
  }

  private startTrack(ordinal: number, m: Measurement): void {
    const kf = new BoxKalman(m.box, this.params.kalman);
    if (m.flow) {
      // Flow tells a new track's velocity at birth, so a fast object is found again next frame.
      kf.x[4] = m.flow.vx;
      kf.x[5] = m.flow.vy;
    }
    const t: Track = {
      id: this.nextId++,
      kf,
      hits: 1,
      missed: 0,
      confirmed: this.params.minHits <= 1,
      lastOrdinal: ordinal,
      lastBox: m.box,
      labelVotes: new Map(),
      appearance: m.appearance ? Float32Array.from(m.appearance) : null,
      pending: [],
      looks: m.source === 'detector' ? 1 : 0,
    };
    if (m.source === 'detector') t.labelVotes.set(m.label, m.score);
    this.tracks.push(t);
    t.pending.push(this.observation(t, ordinal, m));
  }

  private cost(t: Track, m: Measurement): number {
    const p = this.params;
    let c = 1 - diou(t.kf.box(), m.box);
    if (m.source === 'detector' && t.labelVotes.size > 0 && !sameKind(bestLabel(t.labelVotes), m.label)) c += 0.5;
    if (p.appearanceWeight > 0 && t.appearance && m.appearance) c += p.appearanceWeight * histogramDistance(t.appearance, m.appearance);
    return c;
  }

  /** Optimal assignment of `tracks` to `meas`; applies the matches and returns the unmatched measurements. */
  private associate(
    tracks: Track[],
    meas: Measurement[],
    maxCost: number,
    ordinal: number,
    matched: Set<Track>,
    out: TrackedObservation[],
  ): Measurement[] {
    if (tracks.length === 0 || meas.length === 0) return meas;
    const cost = new Float64Array(tracks.length * meas.length);
    for (let i = 0; i < tracks.length; i++) for (let j = 0; j < meas.length; j++) cost[i * meas.length + j] = this.cost(tracks[i], meas[j]);
    const assignment = assignMinCost(cost, tracks.length, meas.length, maxCost);
    const used = new Uint8Array(meas.length);
    for (let i = 0; i < tracks.length; i++) {
      const j = assignment[i];
      if (j < 0) continue;
      used[j] = 1;
      this.applyMatch(tracks[i], meas[j], ordinal, out);
      matched.add(tracks[i]);
    }
    return meas.filter((_, j) => !used[j]);
  }

  private applyMatch(t: Track, m: Measurement, ordinal: number, out: TrackedObservation[]): void {
    const p = this.params;
    const gap = ordinal - t.lastOrdinal - 1;
    const fills: TrackedObservation[] = [];
    if (gap > 0) {
      // Linear interpolation through the occlusion gap between the last seen and the new box.
      const a = t.lastBox;
      const b = m.box;
      const vx = ((b[0] + b[2]) / 2 - (a[0] + a[2]) / 2) / (gap + 1);
      const vy = ((b[1] + b[3]) / 2 - (a[1] + a[3]) / 2) / (gap + 1);
      for (let k = 1; k <= gap; k++) {
        const f = k / (gap + 1);
        const box: Box = [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]), a[3] + f * (b[3] - a[3])];
        fills.push({
          trackId: t.id,
          ordinal: t.lastOrdinal + k,
          box,
          confidence: 0,
          source: 'interpolated',
          label: bestLabel(t.labelVotes),
          detectedLabel: null,
          feature: null,
          flow: null,
          kfVelocity: [vx, vy],
          hits: t.hits,
        });
      }
    }
    // Motion blobs are looser measurements of an object's extent than detector boxes.
    t.kf.update(m.box, m.source === 'motion' ? 1.5 : 1);
    t.hits++;
    t.missed = 0;
    t.lastOrdinal = ordinal;
    t.lastBox = m.box;
    if (m.source === 'detector') t.labelVotes.set(m.label, (t.labelVotes.get(m.label) ?? 0) + m.score);
    if (m.appearance) {
      if (!t.appearance) t.appearance = Float32Array.from(m.appearance);
      else for (let i = 0; i < t.appearance.length; i++) t.appearance[i] = 0.8 * t.appearance[i] + 0.2 * m.appearance[i];
    }
    const obs = this.observation(t, ordinal, m);
    if (t.confirmed) {
      out.push(...fills, obs);
      return;
    }
    t.pending.push(...fills, obs);
    if (t.hits >= p.minHits) {
      t.confirmed = true;
      // The track's label may have been settled only now: report its buffered frames with it.
      const label = bestLabel(t.labelVotes);
      for (const o of t.pending) o.label = label;
      out.push(...t.pending);
      t.pending = [];
    }
  }

  private observation(t: Track, ordinal: number, m: Measurement): TrackedObservation {
    const [vx, vy] = t.kf.velocity();
    return {
      trackId: t.id,
      ordinal,
      box: m.box,
      confidence: m.score,
      source: m.source,
      label: bestLabel(t.labelVotes),
      detectedLabel: m.source === 'detector' ? m.label : null,
      feature: m.feature ?? null,
      flow: m.flow ?? null,
      kfVelocity: [vx, vy],
      hits: t.hits,
    };
  }
}
