/**
 * Scene normality model in the spirit of attribute-based video anomaly detection: per attribute group, the
 * density of normal behaviour is represented by a pool of attribute vectors, and an object's deviation is its
 * distance to the K-th nearest distinct normal object (knn.ts). Each group is calibrated on the normal data
 * itself (leave-own-track-out distances): z = (d − median) / (q_hi − median), so z = 1 means "as far out as the
 * rarest `1 − quantile` of normal objects" in every group, and groups compare. The object score is the
 * largest continuous group z plus the label's z, mapped to 0..1 by z / (1 + z) (0.5 = edge of normal); the
 * groups that drove it are the why. The label adds up rather than competing: a kind of object no normal object
 * was, moving unusually too, is more anomalous than one walked along at walking pace (on Ped2 the sum gained
 * micro AUC 0.9365 → 0.9385, TBDC 0.895 → 0.897, and a little self-referenced).
 *
 * Fit on reference footage (clips the user marks normal), or self-referenced on the footage itself: a first
 * robust pass flags the tracks that stand out, then the pool and calibration are rebuilt without them, so an
 * anomalous minority cannot make itself look normal.
 */
import type { Features } from './features.js';
import { KthTrackSearch, strideSample, type VectorPool } from './knn.js';
import { kthDistances, type KthBatch } from './knn-batch.js';
import { upperBound } from '../sorted.js';
import { windowMedian } from './window-median.js';
import type { PerspectiveModel } from './perspective.js';
import type { AttributeContribution } from './types.js';

export interface NormalityOptions {
  /** Fewest distinct other tracks that must be near for behaviour to count as normal. */
  k: number;
  /**
   * Share of the normal tracks that must be near, when that is more than `k`: a fixed K lets ever rarer
   * behaviour count as normal as the reference grows (any value a few of hundreds of noisy tracks touched
   * once), while K growing with the data keeps the density threshold the same.
   */
  kShare: number;
  /**
   * The same for self-reference, where it is also the largest anomalous minority the model tolerates:
   * several anomalous objects (or fragments of one) that resemble each other would otherwise vouch for each
   * other as "normal".
   */
  selfKShare: number;
  /** Largest pool per group (rows are subsampled evenly over time beyond it). */
  maxPool: number;
  /**
   * Self-reference, heading: the smallest share of the objects passing a place that makes a heading a
   * normal minority there (two-way paths split unevenly; on Ped2, a quarter flagged the left-walking
   * fifth whenever footage held enough walkers).
   */
  minorityShare: number;
  /** Observations used to calibrate each group. */
  calibrationSamples: number;
  /** Calibration quantile of normal distances that maps to z = 1. */
  quantile: number;
  /** Half-width (s) of the per-track median filter on deviations. */
  scoreWindowS: number;
  /** Most observations queried per group; longer footage queries every n-th observation of each track. */
  maxQueries: number;
}

export const DEFAULT_NORMALITY_OPTIONS: NormalityOptions = {
  k: 3,
  kShare: 0.04,
  selfKShare: 0.25,
  maxPool: 4000,
  minorityShare: 0.1,
  calibrationSamples: 2000,
  quantile: 0.99,
  scoreWindowS: 0.25,
  maxQueries: 20000,
};

/** Scales derived from the normal data. */
interface GroupScales {
  /** Typical speed of moving objects (heights/s). */
  velocity: number;
  /**
   * Velocity measurement noise (heights/s): robust spread of the change between consecutive observations of
   * one track. A heading is only read from velocities well above it.
   */
  velocityNoise: number;
  /** Typical object height (fraction of the frame height): places closer than this are the same place. */
  objectHeight: number;
  /** Speed is judged against normal objects in the same place (reference footage); see the speed group. */
  byPlace: boolean;
  /** Below this speed (heights/s) an object is at rest (the analysis parameter movingSpeed). */
  movingSpeed: number;
}

interface GroupDef {
  name: string;
  /** Vector length; 0 = the appearance vector's length. */
  dims: number | ((s: GroupScales) => number);
  /** Smallest spread worth calling a deviation, in the group's distance units (an attribute's resolution). */
  floor: number | ((s: GroupScales) => number);
  /**
   * The first `conditionDims` coordinates are context, not the attribute: the group's distance is the part
   * of the full distance the context does not explain, √(d_full² − d_context²). "Heading given place"
   * should not fire because the place itself is rare (that is the position group's job).
   */
  conditionDims?: number | ((s: GroupScales) => number);
  /**
   * Self-referenced, the attribute is judged by the evidence among the objects at the same place
   * (`conditionDims` of context; knn.ts queryEvidence), which is a z already and needs no calibration.
   */
  selfByEvidence?: boolean;
  vector(f: Features, i: number, out: Float32Array, s: GroupScales): boolean;
  /** The attribute's value read from a vector, as explanations quote it (default: the first coordinate). */
  reading?(v: Float32Array, s: GroupScales): number;
}

/** Positions within this fraction of the frame count as "the same place" for heading and speed given place. */
const PLACE_SCALE = 0.15;

const GROUPS: GroupDef[] = [
  {
    name: 'speed',
    // Speed given place, [x, y] / PLACE_SCALE next to speed / typical speed: normal speed differs from place
    // to place (a path and a road, a perspective model that is off at the far end), so "fast here" is far
    // from every normal object nearby. Self-referenced, speed alone: K is a quarter of the footage's tracks
    // there, and every object in a place fewer than K others pass would be "abnormal".
    // Speed is read for moving objects only: one at rest is judged by how long it stays (the stationary
    // group). Read for everything, standing still where others walk was as far from normal as running
    // there (0 and 2 × the walking speed are equally far from 1): on Ped2 (train reference), people
    // standing in a crowd outscored a skateboarder, and dropping them gained micro AUC 0.953 → 0.960,
    // RBDC 0.741 → 0.770, TBDC 0.895 → 0.952 (self-referenced: unchanged).
    dims: (s) => (s.byPlace ? 3 : 1),
    conditionDims: (s) => (s.byPlace ? 2 : 0),
    // A speed difference within twice the measurement noise (after averaging) is not a difference.
    floor: (s) => Math.max(0.05, 2 * s.velocityNoise) / s.velocity,
    vector: (f, i, o, s) => {
      if (!f.measured[i] || !Number.isFinite(f.speed[i])) return false;
      if (f.speed[i] < s.movingSpeed) return false;
      if (!s.byPlace) {
        o[0] = f.speed[i] / s.velocity;
        return true;
      }
      o[0] = f.x[i] / PLACE_SCALE;
      o[1] = f.footY[i] / PLACE_SCALE;
      o[2] = f.speed[i] / s.velocity;
      return true;
    },
    reading: (v, s) => v[s.byPlace ? 2 : 0] * s.velocity,
  },
  {
    // Heading given place: a unit heading vector next to the position (in units of PLACE_SCALE), so
    // "against the flow here" is far from every normal object nearby. Speed is its own group.
    name: 'direction',
    dims: 4,
    conditionDims: 2,
    selfByEvidence: true,
    floor: 0.3,
    vector: (f, i, o, s) => {
      if (!f.measured[i] || !Number.isFinite(f.direction[i]) || f.speed[i] < 2 * s.velocityNoise) return false;
      o[0] = f.x[i] / PLACE_SCALE;
      o[1] = f.footY[i] / PLACE_SCALE;
      o[2] = f.vx[i] / f.speed[i];
      o[3] = f.vy[i] / f.speed[i];
      return true;
    },
  },
  {
    name: 'size',
    dims: 2,
    floor: 0.1,
    vector: (f, i, o) => {
      // A box cut by the frame edge does not show the object's size.
      if (!f.measured[i] || f.atBorder[i]) return false;
      o[0] = Math.log(f.heightRatio[i]);
      o[1] = Math.log(f.aspect[i]);
      return true;
    },
  },
  {
    name: 'position',
    dims: 2,
    // Feet land within about one object height of a path's centre line: closer is the same place.
    floor: (s) => s.objectHeight,
    vector: (f, i, o) => {
      if (f.atBorder[i]) return false; // the foot may be outside the picture
      o[0] = f.x[i];
      o[1] = f.footY[i];
      return true;
    },
  },
  {
    name: 'stationary',
    dims: 1,
    // Dwell time on a log scale, log(1 + s): standing 2 s where others stand 1 s differs more than 22 s
    // where others stand 21 s. The floor is a factor of about 1.6 in time.
    floor: 0.5,
    vector: (f, i, o) => {
      o[0] = Math.log1p(f.stationary[i]);
      return true;
    },
    reading: (v) => Math.expm1(v[0]),
  },
  {
    name: 'acceleration',
    dims: 1,
    floor: 0.5,
    vector: (f, i, o) => {
      if (!f.measured[i] || !Number.isFinite(f.accel[i])) return false;
      o[0] = f.accel[i];
      return true;
    },
  },
  {
    // What the object looks like to the detector (its per-cell class evidence pooled in the box): a cart or
    // a bicycle among pedestrians looks unlike any of them even at walking speed. Dimensions come from the
    // model (0 = no appearance vectors, group unused).
    name: 'appearance',
    dims: 0,
    floor: 0.05,
    vector: (f, i, o) => f.measured[i] === 1 && !f.atBorder[i] && f.appearance(i, o),
  },
];

/** Dimensions of a group's vectors for these features and scales. */
function dimsOf(def: GroupDef, f: { appearanceDims: number }, s: GroupScales): number {
  const dims = typeof def.dims === 'function' ? def.dims(s) : def.dims;
  return dims > 0 ? dims : f.appearanceDims;
}

/** Largest pool of the appearance group (its vectors are long: queries cost dims × pool). */
const APPEARANCE_POOL = 3000;

/** Attribute groups in score-column order ('label' is last and categorical). */
export const ATTRIBUTE_GROUPS: readonly string[] = [...GROUPS.map((g) => g.name), 'label'];

/** z assigned to a label no (or too few) normal tracks carried: clearly beyond the edge of normal. */
const UNSEEN_LABEL_Z = 3;

export interface GroupModel {
  name: string;
  dims: number;
  pool: VectorPool;
  /** Calibration: median and high quantile of normal leave-own-track-out distances, and their spread. */
  median: number;
  high: number;
  spread: number;
  /** Median of the group's first attribute over the pool (what "normal" reads as in explanations). */
  typical: number;
  /**
   * Screening fits only (selfReferencedScores): the same calibration with every object weighing the same.
   * A deviation either calibration sees counts.
   */
  perObject?: { median: number; spread: number };
}

export interface NormalityModel {
  source: 'reference' | 'self';
  k: number;
  options: NormalityOptions;
  perspective: PerspectiveModel;
  scales: GroupScales;
  groups: GroupModel[];
  /** Distinct normal tracks per label. */
  labelTracks: Map<string, number>;
  tracks: number;
  observations: number;
  /** Aspect ratio (width/height) of the frames the model was fit on. */
  aspect: number;
  /** Detector the normal data was analysed with (labels are only comparable with the same one). */
  detector: string;
  /** Tracks left out of a self-referenced pool as suspected anomalies. */
  excludedTracks: number;
  /**
   * Frame-level calibration of the largest object z in a frame on normal footage: a frame's z is
   * (max object z − median) / (high − median), so the frame score too reads 0.5 at the edge of normal
   * frames, however many objects a frame holds.
   */
  frameCalibration: { median: number; high: number };
}

export interface ObjectScores {
  /**
   * 0..1 per observation on the object scale: z / (1 + z) of objectZ plus the label's z, so 0.5 is the edge
   * of normal objects. What is reported per object and painted into heatmaps; the frame score takes
   * objects on the frame scale (objectFrameScore). On Ped2, reporting objects on the frame scale instead
   * cost RBDC/TBDC/pixel AUC 0.62/0.88/0.96 → 0.62/0.87/0.94 (self-referenced: 0.52/0.87/0.94 → 0.46/0.76/0.79).
   */
  score: Float32Array;
  /** The object's attribute z: the largest z of the measured (continuous) groups, label excluded. */
  objectZ: Float32Array;
  /** Per observation × ATTRIBUTE_GROUPS.length: calibrated z of each group (0 when not applicable). */
  z: Float32Array;
  /**
   * Per observation, its own object's track in the model's pools (self-reference), or −1: what the object is
   * compared with, and what explanations quote as normal, leaves the object itself out.
   */
  poolTrack: Int32Array;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Quantile function of the finite values (NaN when there are none). */
function sortedQuantiles(values: ArrayLike<number>): (q: number) => number {
  const sorted = Float64Array.from(values).filter(Number.isFinite).sort();
  return (q) => quantile(sorted, q);
}

/**
 * Quantile function of the finite values where every object weighs the same, however many values it has:
 * one object in view all along (a bag left on the floor, someone waiting) would otherwise fill the
 * distribution it is judged against. Linear between the sorted values' weight midpoints; NaN when empty.
 */
export function perObjectQuantiles(values: ArrayLike<number>, objects: ArrayLike<number>): (q: number) => number {
  const count = new Map<number, number>();
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    idx.push(i);
    count.set(objects[i], (count.get(objects[i]) ?? 0) + 1);
  }
  idx.sort((a, b) => values[a] - values[b]);
  const v = Float64Array.from(idx, (i) => values[i]);
  const mid = new Float64Array(idx.length);
  let acc = 0;
  idx.forEach((i, j) => {
    const w = 1 / count.get(objects[i])!;
    mid[j] = (acc + w / 2) / count.size;
    acc += w;
  });
  const n = v.length;
  return (q) => {
    if (n === 0) return NaN;
    if (q <= mid[0]) return v[0];
    if (q >= mid[n - 1]) return v[n - 1];
    const k = upperBound(mid, q); // mid[k - 1] <= q < mid[k]
    return v[k - 1] + ((v[k] - v[k - 1]) * (q - mid[k - 1])) / (mid[k] - mid[k - 1]);
  };
}

/**
 * The q-quantile of values whose top may hold anomalies (`at`: their quantile function), extrapolated from
 * the inner quantile `inner` on an exponential tail (Q(p) − median ∝ ln(0.5 / (1 − p))), so anomalies
 * filling less than 1 − inner of the values cannot widen it: q90 → q99 is × 2.43, q75 → q99 × 5.64.
 */
function tailQuantile(at: (p: number) => number, q: number, inner: number): number {
  const median = at(0.5);
  return median + (at(inner) - median) * (Math.log(0.5 / (1 - q)) / Math.log(0.5 / (1 - inner)));
}

/** Dense track numbering over several feature sets (clip index + track id). */
class TrackKeys {
  private readonly map = new Map<number, number>();
  get count(): number {
    return this.map.size;
  }
  key(set: number, trackId: number): number {
    const k = set * 0x100000000 + trackId;
    let d = this.map.get(k);
    if (d === undefined) {
      d = this.map.size;
      this.map.set(k, d);
    }
    return d;
  }
  lookup(set: number, trackId: number): number {
    return this.map.get(set * 0x100000000 + trackId) ?? -1;
  }
}

export interface FitInput {
  features: Features;
  /**
   * Per observation, the object it belongs to: a track id, or an identity linking track fragments of one
   * object (identity.ts), so fragments do not count as separate normal objects.
   */
  trackIds: Int32Array;
}

function medianOf(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function deriveScales(sets: readonly FitInput[], movingSpeed: number, byPlace: boolean): GroupScales {
  const speeds: number[] = [];
  const noises: number[] = [];
  const heights: number[] = [];
  for (const s of sets) {
    const f = s.features;
    const step = Math.max(1, Math.floor(f.n / 20000));
    for (let i = 0; i < f.n; i += step) {
      if (f.speed[i] >= movingSpeed) speeds.push(f.speed[i]);
      if (f.measured[i] && !f.atBorder[i]) heights.push(f.expectedHeight[i]);
    }
    if (Number.isFinite(f.velocityNoise)) noises.push(f.velocityNoise);
  }
  const v = medianOf(speeds);
  const noise = medianOf(noises);
  const h = medianOf(heights);
  return {
    velocity: Number.isFinite(v) && v > movingSpeed ? v : Math.max(movingSpeed * 4, 0.5),
    velocityNoise: Number.isFinite(noise) ? noise : 0,
    objectHeight: Number.isFinite(h) ? h : 0.1,
    byPlace,
    movingSpeed,
  };
}

/**
 * Builds the group pools and calibrations from normal observations. `exclude(set, trackId)` drops tracks
 * (self-reference second pass).
 */
function buildModel(
  sets: readonly FitInput[],
  opts: NormalityOptions,
  base: Pick<NormalityModel, 'source' | 'perspective' | 'aspect' | 'detector'>,
  movingSpeed: number,
  exclude?: (set: number, trackId: number) => boolean,
  robust = false,
  screening = false,
): { model: NormalityModel; keys: TrackKeys } {
  const scales = deriveScales(sets, movingSpeed, base.source === 'reference');
  const keys = new TrackKeys();
  const labelTrackSets = new Map<string, Set<number>>();
  let observations = 0;
  // Candidate rows (set, index) that pass the exclusion, per group.
  const groups: GroupModel[] = [];
  const appearanceDims = sets.reduce((d, s) => Math.max(d, s.features.appearanceDims), 0);
  const vec = new Float32Array(Math.max(8, appearanceDims));
  for (const g of GROUPS) {
    const dims = dimsOf(g, { appearanceDims }, scales);
    const rows: { set: number; i: number }[] = [];
    sets.forEach((s, si) => {
      const f = s.features;
      if (dims === 0 || dimsOf(g, f, scales) !== dims) return;
      for (let i = 0; i < f.n; i++) {
        if (exclude?.(si, s.trackIds[i])) continue;
        if (g.vector(f, i, vec, scales)) rows.push({ set: si, i });
      }
    });
    const pick = strideSample(rows.length, g.dims === 0 ? Math.min(opts.maxPool, APPEARANCE_POOL) : opts.maxPool);
    const data = new Float32Array(pick.length * dims);
    const track = new Int32Array(pick.length);
    const typicals: number[] = [];
    for (let r = 0; r < pick.length; r++) {
      const { set, i } = rows[pick[r]];
      g.vector(sets[set].features, i, vec, scales);
      data.set(vec.subarray(0, dims), r * dims);
      track[r] = keys.key(set, sets[set].trackIds[i]);
      typicals.push(g.reading ? g.reading(vec, scales) : vec[0]);
    }
    groups.push({
      name: g.name,
      dims,
      pool: { dims, data, track, size: pick.length, trackCount: 0 },
      median: 0,
      high: 0,
      spread: 0,
      typical: medianOf(typicals),
    });
  }
  sets.forEach((s, si) => {
    const f = s.features;
    for (let i = 0; i < f.n; i++) {
      if (exclude?.(si, s.trackIds[i])) continue;
      observations++;
      const key = keys.key(si, s.trackIds[i]);
      const label = f.labels[f.label[i]];
      let set = labelTrackSets.get(label);
      if (!set) labelTrackSets.set(label, (set = new Set()));
      set.add(key);
    }
  });
  for (const g of groups) g.pool.trackCount = keys.count;
  const labelTracks = new Map<string, number>();
  for (const [l, s] of labelTrackSets) labelTracks.set(l, s.size);
  const share = base.source === 'self' ? opts.selfKShare : opts.kShare;
  const k = Math.max(1, Math.min(Math.max(opts.k, Math.round(share * keys.count)), keys.count - 1));

  // Calibration: leave-own-track-out distances of a sample of the pool.
  groups.forEach((g, gi) => {
    const def = GROUPS[gi];
    if (g.pool.size === 0) return;
    if (byEvidence(def, base.source)) {
      // Already a z, whichever way objects are weighed: no per-object calibration to add.
      Object.assign(g, { median: 0, high: 1, spread: 1 });
      return;
    }
    const pick = strideSample(g.pool.size, opts.calibrationSamples);
    const queries = new Float32Array(pick.length * g.dims);
    const own = new Int32Array(pick.length);
    pick.forEach((r, j) => {
      queries.set(g.pool.data.subarray(r * g.dims, (r + 1) * g.dims), j * g.dims);
      own[j] = g.pool.track[r];
    });
    const dist = kthDistances({ pool: g.pool, queries, exclude: own, ...searchOf(def, scales, k, opts, base.source) });
    const floor = typeof def.floor === 'number' ? def.floor : def.floor(scales);
    const calibrate = (at: (q: number) => number): { median: number; high: number; spread: number } => {
      const median = at(0.5);
      if (!Number.isFinite(median)) return { median: 0, high: 0, spread: floor };
      // On footage that may hold anomalies (self-reference) the tail is extrapolated from q90 so that an
      // anomalous minority, whose distances fill the top percentiles, cannot widen the scale and hide itself.
      const high = robust ? tailQuantile(at, opts.quantile, 0.9) : at(opts.quantile);
      return { median, high, spread: Math.max(floor, high - median) };
    };
    Object.assign(g, calibrate(sortedQuantiles(dist)));
    // Which anomalies fill the top tenth depends on the weighting: by observation, one object in view all
    // along (a bag left behind, someone who stays) can; by object, several short ones (runners crossing)
    // can. Screening looks with both.
    if (screening) {
      const { median, spread } = calibrate(perObjectQuantiles(dist, own));
      g.perObject = { median, spread };
    }
  });

  return {
    model: {
      ...base,
      k,
      options: opts,
      scales,
      groups,
      labelTracks,
      tracks: keys.count,
      observations,
      excludedTracks: 0,
      frameCalibration: { median: 0, high: 1 },
    },
    keys,
  };
}

/** Headings within this angle of each other are "the same way" (as a chord of the unit circle). */
const SAME_WAY = 2 * Math.sin(((45 / 2) * Math.PI) / 180);

/** How a group is searched: K and context coordinates, and the evidence rule where it is judged by evidence. */
function searchOf(def: GroupDef, s: GroupScales, k: number, opts: NormalityOptions, source: NormalityModel['source']): Pick<KthBatch, 'k' | 'conditionDims' | 'evidence'> {
  const conditionDims = (typeof def.conditionDims === 'function' ? def.conditionDims(s) : def.conditionDims) ?? 0;
  if (!byEvidence(def, source)) return { k, conditionDims };
  // "The same place" as elsewhere (one PLACE_SCALE); z = 1 where a normal minority would show this rarely.
  return { k, conditionDims, evidence: { radius: 1, tolerance: SAME_WAY, share: opts.minorityShare, alpha: 1 - opts.quantile } };
}

/**
 * Reference footage is what the user says normal covers: behaviour too few normal objects showed is
 * abnormal, as for every group. Self-referenced, the footage under judgement is its own normal, and a
 * heading only a few of the objects passing a place take is as likely a minority direction of a two-way
 * path as an anomaly; only evidence (many passed, nearly none that way) tells them apart.
 */
function byEvidence(def: GroupDef, source: NormalityModel['source']): boolean {
  return def.selfByEvidence === true && source === 'self';
}

/** `minStride`: query at most every n-th observation of each track (the per-track smoothing fills the rest). */
function scoreWith(model: NormalityModel, f: Features, trackIds: Int32Array, ownTrack: (trackId: number) => number, minStride = 1): ObjectScores {
  const G = ATTRIBUTE_GROUPS.length;
  const z = new Float32Array(f.n * G);
  const score = new Float32Array(f.n);
  const objectZ = new Float32Array(f.n);
  const poolTrack = new Int32Array(f.n);
  for (let i = 0; i < f.n; i++) poolTrack[i] = ownTrack(trackIds[i]);
  // NaN = the group does not apply to the observation (left out of the per-track smoothing).
  z.fill(NaN);
  const vec = new Float32Array(Math.max(8, f.appearanceDims));
  // Long footage: query every s-th observation of each track (the per-track smoothing below fills the rest),
  // which bounds the cost of scoring by maxQueries per group whatever the footage length.
  const stride = Math.max(minStride, Math.ceil(f.n / model.options.maxQueries));
  const queried = new Uint8Array(f.n);
  for (const list of f.index.byTrack.values()) for (let r = 0; r < list.length; r += stride) queried[list[r]] = 1;
  model.groups.forEach((g, gi) => {
    if (g.pool.size === 0) return;
    const def = GROUPS[gi];
    if (dimsOf(def, f, model.scales) !== g.dims) return;
    const rows: number[] = [];
    let queries = new Float32Array(Math.min(f.n, 1024) * g.dims);
    for (let i = 0; i < f.n; i++) {
      if (!queried[i] || !def.vector(f, i, vec, model.scales)) continue;
      if ((rows.length + 1) * g.dims > queries.length) {
        const grown = new Float32Array(queries.length * 2);
        grown.set(queries);
        queries = grown;
      }
      queries.set(vec.subarray(0, g.dims), rows.length * g.dims);
      rows.push(i);
    }
    const own = Int32Array.from(rows, (i) => poolTrack[i]);
    const dist = kthDistances({ pool: g.pool, queries, exclude: own, ...searchOf(def, model.scales, model.k, model.options, model.source) });
    rows.forEach((i, j) => {
      if (!Number.isFinite(dist[j])) return;
      const po = g.perObject;
      z[i * G + gi] = Math.max(0, (dist[j] - g.median) / g.spread, po ? (dist[j] - po.median) / po.spread : 0);
    });
  });
  smoothPerTrack(f, z, G, model.options.scoreWindowS);
  const li = G - 1;
  const counted = model.tracks > 0;
  for (let i = 0; i < f.n; i++) {
    if (counted) {
      const label = f.labels[f.label[i]];
      // Tracks of the query's own footage carrying this label are in the counts in self mode: discount one.
      const own = poolTrack[i] >= 0 ? 1 : 0;
      const n = (model.labelTracks.get(label) ?? 0) - own;
      // 'unknown' is no kind of object (the detector did not name it): its other attributes judge it.
      if (label !== 'unknown' && n < model.k) z[i * G + li] = (UNSEEN_LABEL_Z * (model.k - Math.max(0, n))) / model.k;
    }
    let m = 0;
    for (let g = 0; g < li; g++) if (z[i * G + g] > m) m = z[i * G + g];
    objectZ[i] = m;
    m += z[i * G + li];
    score[i] = m / (1 + m);
  }
  return { score, objectZ, z, poolTrack };
}

/**
 * An object's score on the frame scale: its attribute z through the frame calibration plus its label's z. The
 * label's z needs no frame calibration: "a kind of object fewer than K normal objects were" is categorical,
 * and must not be discounted because continuous attributes of normal frames are noisy.
 */
export function objectFrameScore(model: NormalityModel, scores: ObjectScores, i: number): number {
  const labelZ = scores.z[i * ATTRIBUTE_GROUPS.length + ATTRIBUTE_GROUPS.length - 1];
  const z = frameZ(model, scores.objectZ[i]) + labelZ;
  return z / (1 + z);
}

/**
 * Each group's z through the shared short-window median along the track (window-median.ts): observations
 * where a group does not apply (NaN) are left out, so a sparsely measured attribute (appearance, on
 * detector frames only) still covers the track. NaN that remains becomes 0.
 */
function smoothPerTrack(f: Features, z: Float32Array, G: number, windowS: number): void {
  for (const list of f.index.byTrack.values()) {
    const times = list.map((i) => f.time[i]);
    for (let g = 0; g < G; g++) {
      const m = windowMedian(list.map((i) => z[i * G + g]), times, windowS);
      list.forEach((i, k) => (z[i * G + g] = m[k]));
    }
  }
  for (let i = 0; i < z.length; i++) if (Number.isNaN(z[i])) z[i] = 0;
}

export interface FitOptions extends Partial<NormalityOptions> {
  perspective: PerspectiveModel;
  aspect: number;
  detector: string;
  movingSpeed: number;
}

/** Largest object attribute z per analysed frame (0 for frames without objects), optionally skipping some observations. */
export function frameMaxZ(f: Features, scores: ObjectScores, frames: number, skip?: (i: number) => boolean): Float64Array {
  const out = new Float64Array(frames);
  const { frameStart, frameOrder } = f.index;
  for (let k = 0; k < frames; k++) {
    let m = 0;
    for (let j = frameStart[k]; j < frameStart[k + 1]; j++) {
      const i = frameOrder[j];
      if (!skip?.(i)) m = Math.max(m, scores.objectZ[i]);
    }
    out[k] = m;
  }
  return out;
}

/** Median and q-quantile of values (0 when empty): exact, or extrapolated from the quantile `inner` (tailQuantile). */
export function medianAndHigh(values: ArrayLike<number>, q: number, inner?: number): { median: number; high: number } {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return { median: 0, high: 0 };
  return { median: quantile(sorted, 0.5), high: inner === undefined ? quantile(sorted, q) : tailQuantile((p) => quantile(sorted, p), q, inner) };
}

/** Frame calibration from frame maxima (medianAndHigh). */
function calibrationOf(values: ArrayLike<number>, q: number, inner?: number): { median: number; high: number } {
  const { median, high } = medianAndHigh(values, q, inner);
  // A frame z below 1 never needs more resolution than the object scale gives.
  return { median, high: Math.max(high, median + 1) };
}

/** z of a frame's largest object z on the frame calibration. */
function frameZ(model: NormalityModel, maxZ: number): number {
  const c = model.frameCalibration;
  return Math.max(0, (maxZ - c.median) / (c.high - c.median));
}

/**
 * A frame's score from its most anomalous object (score on the frame scale) and the motion map's z. Evidence
 * adds up: both are calibrated so that z = 1 is the edge of normal frames, and a frame where an object
 * deviates *and* pixels move unusually fast is more anomalous than one with either alone (a max lets the
 * noisier term decide by itself; on Ped2 the sum gained 0.008 micro AUC over the max).
 */
export function frameEvidence(objectScore: number, motionZ: number): number {
  const z = objectScore / (1 - objectScore) + motionZ;
  return z / (1 + z);
}

/**
 * Normality fit on reference footage (every observation is normal). `frames[i]` is the number of analysed
 * frames of set i (for the frame-level calibration, from leave-own-track-out scores of the reference).
 */
export function fitReferenceModel(sets: readonly FitInput[], frames: readonly number[], opts: FitOptions): NormalityModel {
  const o = { ...DEFAULT_NORMALITY_OPTIONS, ...stripUndefined(opts) };
  const { model, keys } = buildModel(sets, o, { source: 'reference', perspective: opts.perspective, aspect: opts.aspect, detector: opts.detector }, opts.movingSpeed);
  const maxima: number[] = [];
  sets.forEach((s, si) => {
    const sc = scoreWith(model, s.features, s.trackIds, (t) => keys.lookup(si, t));
    for (const v of frameMaxZ(s.features, sc, frames[si])) maxima.push(v);
  });
  model.frameCalibration = calibrationOf(maxima, o.quantile);
  return model;
}

/** Scores observations of footage that is not part of the model's pool. */
export function scoreObjects(model: NormalityModel, f: Features, trackIds: Int32Array): ObjectScores {
  return scoreWith(model, f, trackIds, () => -1);
}

/**
 * Self-reference: fit on the footage itself (one clip, or several clips of one camera view analysed
 * together), flag tracks whose typical (median) object score is beyond the edge of normal, refit without
 * them, and score everything against the cleaned model. Returns the scores of each input.
 */
export function selfReferencedScores(inputs: readonly FitInput[], frames: readonly number[], opts: FitOptions): { model: NormalityModel; scores: ObjectScores[] } {
  const o = { ...DEFAULT_NORMALITY_OPTIONS, ...stripUndefined(opts) };
  const base = { source: 'self' as const, perspective: opts.perspective, aspect: opts.aspect, detector: opts.detector };
  // The screening fit also calibrates each group with every object weighing the same (GroupModel.perObject).
  let fit = buildModel(inputs, o, base, opts.movingSpeed, undefined, true, true);
  // The first pass only screens tracks by their median score: every 4th observation of a track is enough.
  const excluded = inputs.map((input, si) => suspectTracks(input, scoreWith(fit.model, input.features, input.trackIds, (t) => fit.keys.lookup(si, t), 4).score));
  // Never exclude the majority: if most tracks look odd, the footage *is* its own normal.
  let suspects = excluded.reduce((s, e) => s + e.size, 0);
  if (suspects * 2 > fit.keys.count) {
    excluded.forEach((e) => e.clear());
    suspects = 0;
  }
  // One refit without the tracks that stood out is enough: their removal is what matters.
  // Without suspects the screening fit is the final one, judging by observation like any other.
  if (suspects > 0) fit = buildModel(inputs, o, base, opts.movingSpeed, (si, t) => excluded[si].has(t), true);
  else for (const g of fit.model.groups) delete g.perObject;
  const keys = fit.keys;
  const scores = inputs.map((input, si) => scoreWith(fit.model, input.features, input.trackIds, (t) => keys.lookup(si, t)));
  fit.model.excludedTracks = suspects;
  // Normal frames: the frame maxima over the objects not suspected. An anomaly can last and still not be
  // suspected (a rider who waited first, then crossed the rest of the clip), so the tail is extrapolated from
  // the quantile that tolerates as large a share of anomalous frames as K tolerates of anomalous objects
  // (q75 for a quarter; from q90, a rider in 47 % of Ped2 Test002's frames set the edge of normal frames at
  // z 26). On Ped2 that gained self-referenced micro AUC 0.774 → 0.793 (smoothed 0.803 → 0.829), event F1
  // 0.63 → 0.70; normal training clips, each self-referenced: 0.6 % of frames above 0.5 (0.35 % from q90).
  const normalMaxima: number[] = [];
  inputs.forEach((input, si) => {
    for (const v of frameMaxZ(input.features, scores[si], frames[si], (i) => excluded[si].has(input.trackIds[i]))) normalMaxima.push(v);
  });
  fit.model.frameCalibration = calibrationOf(normalMaxima, o.quantile, 1 - o.selfKShare);
  return { model: fit.model, scores };
}

/** Tracks whose median observation score is past the edge of normal (0.5 ⇔ z = 1). */
function suspectTracks(input: FitInput, score: Float32Array): Set<number> {
  const per = new Map<number, number[]>();
  for (let i = 0; i < score.length; i++) {
    let l = per.get(input.trackIds[i]);
    if (!l) per.set(input.trackIds[i], (l = []));
    l.push(score[i]);
  }
  const out = new Set<number>();
  for (const [t, l] of per) if (medianOf(l) > 0.5) out.add(t);
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const round = (v: number, d = 2): number => Math.round(v * 10 ** d) / 10 ** d;

function directionName(deg: number): string {
  const names = ['right', 'lower-right', 'down', 'lower-left', 'left', 'upper-left', 'up', 'upper-right'];
  return names[Math.round((((deg % 360) + 360) % 360) / 45) % 8];
}

/**
 * Why a set of observations (a track, or a track during an event) is anomalous: for every attribute group,
 * its strongest deviation over the set, explained at the observation where it peaked; strongest first.
 */
export function explainObservations(model: NormalityModel, f: Features, obs: readonly number[], scores: ObjectScores): AttributeContribution[] {
  const G = ATTRIBUTE_GROUPS.length;
  const { z } = scores;
  const out: AttributeContribution[] = [];
  const tmp = new Float32Array(Math.max(8, f.appearanceDims));
  for (let g = 0; g < G; g++) {
    // The observation where the deviation peaks among those where the attribute was actually measured.
    const def = g < GROUPS.length ? GROUPS[g] : null;
    let best = -1;
    for (const i of obs) {
      if (def && !def.vector(f, i, tmp, model.scales)) continue;
      if (best < 0 || z[i * G + g] > z[best * G + g]) best = i;
    }
    // Deviations far inside the edge of normal (z < 0.1) explain nothing.
    if (best >= 0 && z[best * G + g] >= 0.1) out.push(...explainObservation(model, f, best, scores, g));
  }
  return out.sort((a, b) => b.score - a.score);
}

/**
 * Mean heading of the normal objects nearest to a place (direction pool rows hold place, then heading): each
 * of the `count` nearest other tracks votes once, with its row nearest the place.
 */
function typicalHeadingNear(pool: VectorPool, x: number, y: number, exclude: number, count = 10): string {
  const qx = x / PLACE_SCALE;
  const qy = y / PLACE_SCALE;
  const nearest = new Map<number, { d: number; r: number }>();
  for (let r = 0; r < pool.size; r++) {
    if (pool.track[r] === exclude) continue;
    const o = r * pool.dims;
    const d = (pool.data[o] - qx) ** 2 + (pool.data[o + 1] - qy) ** 2;
    const cur = nearest.get(pool.track[r]);
    if (!cur || d < cur.d) nearest.set(pool.track[r], { d, r });
  }
  const best = [...nearest.values()].sort((a, b) => a.d - b.d).slice(0, count);
  if (best.length === 0) return 'n/a';
  let hx = 0;
  let hy = 0;
  for (const b of best) {
    hx += pool.data[b.r * pool.dims + 2];
    hy += pool.data[b.r * pool.dims + 3];
  }
  if (Math.hypot(hx, hy) < 0.3 * best.length) return 'mixed';
  return directionName((Math.atan2(hy, hx) * 180) / Math.PI);
}

/**
 * Explains observation i: one contribution per group with a non-zero z, strongest first. `value` and
 * `normal` are in the attribute's own unit.
 */
export function explainObservation(model: NormalityModel, f: Features, i: number, scores: ObjectScores, onlyGroup = -1): AttributeContribution[] {
  const G = ATTRIBUTE_GROUPS.length;
  const { z } = scores;
  const own = scores.poolTrack[i];
  const out: AttributeContribution[] = [];
  ATTRIBUTE_GROUPS.forEach((name, gi) => {
    if (onlyGroup >= 0 && gi !== onlyGroup) return;
    const zi = z[i * G + gi];
    if (!(zi > 0)) return;
    const score = round(zi, 3);
    const g = model.groups[gi];
    const finite = (v: number): boolean => Number.isFinite(v);
    switch (name) {
      case 'speed':
        if (!finite(f.speed[i])) return;
        out.push({ attribute: name, value: round(f.speed[i]), normal: round(g.typical), score });
        break;
      case 'stationary':
        out.push({ attribute: name, value: round(f.stationary[i], 1), normal: round(g.typical, 1), score });
        break;
      case 'acceleration':
        if (!finite(f.accel[i])) return;
        out.push({ attribute: name, value: round(f.accel[i]), normal: round(g.typical), score });
        break;
      case 'size':
        out.push({ attribute: name, value: round(f.heightRatio[i]), normal: round(Math.exp(g.typical)), score });
        break;
      case 'direction': {
        if (!Number.isFinite(f.direction[i])) return;
        out.push({ attribute: name, value: directionName(f.direction[i]), normal: typicalHeadingNear(g.pool, f.x[i], f.footY[i], own), score });
        break;
      }
      case 'position': {
        const res = new KthTrackSearch(g.pool, 1).query([f.x[i], f.footY[i]], own);
        const normal = res.nearest >= 0 ? `(${round(g.pool.data[res.nearest * 2])}, ${round(g.pool.data[res.nearest * 2 + 1])})` : 'n/a';
        out.push({ attribute: name, value: `(${round(f.x[i])}, ${round(f.footY[i])})`, normal, score });
        break;
      }
      case 'appearance': {
        // Distance of its look to the K-th nearest normal object, next to the usual such distance.
        const v = new Float32Array(g.dims);
        if (!f.appearance(i, v)) return;
        const d = new KthTrackSearch(g.pool, model.k).query(v, own).distance;
        if (!Number.isFinite(d)) return;
        out.push({ attribute: name, value: round(d, 3), normal: round(g.median, 3), score });
        break;
      }
      case 'label': {
        let common = 'n/a';
        let best = 0;
        for (const [l, n] of model.labelTracks) {
          if (n > best) {
            best = n;
            common = l;
          }
        }
        out.push({ attribute: name, value: f.labels[f.label[i]], normal: common, score });
        break;
      }
    }
  });
  return out.sort((a, b) => b.score - a.score);
}
