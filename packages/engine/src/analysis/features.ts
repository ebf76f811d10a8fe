/**
 * Interpretable attributes of every observation, derived from the observation table: where (normalised
 * position), how big (height relative to what perspective predicts there, aspect), how fast and which way
 * (object heights per second, so near and far objects compare), acceleration, how long it has stayed put,
 * and what (the track's label). Units are chosen so an investigator can read them.
 */
import { indexObservations, SOURCE_INTERPOLATED, type ObservationIndex, type ObservationTable } from './observations.js';
import { expectedHeight, type PerspectiveModel } from './perspective.js';
import { median } from './window-median.js';

export interface FeatureContext {
  /** Analysis frame size in pixels (the table's coordinates). */
  width: number;
  height: number;
  perspective: PerspectiveModel;
  /** Time of each analysed frame (seconds), indexed by ordinal. */
  times: ArrayLike<number>;
  /** Below this speed (heights/s) an object counts as not moving and has no direction. */
  movingSpeed: number;
  /** Moving less than this many of its own heights resets nothing: the object is "staying". */
  stayRadius: number;
  /** Half-width (seconds) of the window over which a track's velocity is averaged (measurement noise). */
  velocityWindowS: number;
  /** Detections with the same label a track needs before it carries that label. */
  minLabelVotes: number;
}

export interface Features {
  n: number;
  /** Time of each observation (seconds). */
  time: Float64Array;
  /** Centre x and foot y, fractions of the frame. */
  x: Float32Array;
  footY: Float32Array;
  /** Height perspective expects at the foot position (fraction of the frame height). */
  expectedHeight: Float32Array;
  /** Box height over the height perspective expects at that foot position. */
  heightRatio: Float32Array;
  /** Width / height of the box. */
  aspect: Float32Array;
  /** Heights per second (NaN when unknown). */
  speed: Float32Array;
  vx: Float32Array;
  vy: Float32Array;
  /** Degrees, 0 = right, 90 = down (NaN when not moving). */
  direction: Float32Array;
  /** Heights per second² (NaN when unknown). */
  accel: Float32Array;
  /** Seconds the object has stayed within `stayRadius` heights of one spot. */
  stationary: Float32Array;
  /**
   * Velocity measurement noise (heights/s, σ of one raw measurement): from the change between consecutive
   * raw measurements of one track (NaN when there are too few).
   */
  velocityNoise: number;
  /** Final label of the observation's track, or of its part of the track (index into `labels`). */
  label: Uint16Array;
  /** Dimensions of the appearance vectors (0 when none were computed). */
  appearanceDims: number;
  /** Writes observation i's appearance vector into `out`; false when it has none. */
  appearance(i: number, out: Float32Array): boolean;
  labels: string[];
  /** Interpolated observations are kept for display but carry no measured attributes. */
  measured: Uint8Array;
  /** The box touches the frame edge (the object is cut off: its size and foot position are not seen). */
  atBorder: Uint8Array;
  index: ObservationIndex;
}

export function computeFeatures(t: ObservationTable, ordinals: number, ctx: FeatureContext): Features {
  const n = t.length;
  const W = ctx.width;
  const H = ctx.height;
  const index = indexObservations(t, ordinals);
  const f: Features = {
    n,
    time: new Float64Array(n),
    x: new Float32Array(n),
    footY: new Float32Array(n),
    expectedHeight: new Float32Array(n),
    heightRatio: new Float32Array(n),
    aspect: new Float32Array(n),
    speed: new Float32Array(n).fill(NaN),
    vx: new Float32Array(n).fill(NaN),
    vy: new Float32Array(n).fill(NaN),
    direction: new Float32Array(n).fill(NaN),
    accel: new Float32Array(n).fill(NaN),
    stationary: new Float32Array(n),
    label: new Uint16Array(n),
    labels: t.labels.slice(),
    measured: new Uint8Array(n),
    atBorder: new Uint8Array(n),
    velocityNoise: NaN,
    appearanceDims: t.featureDims,
    appearance: (i, out) => t.feature(i, out),
    index,
  };
  const { x1, y1, x2, y2, vx, vy, source, label } = t;
  const hExpPx = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const w = Math.max(1, x2[i] - x1[i]);
    const h = Math.max(1, y2[i] - y1[i]);
    f.x[i] = (x1[i] + x2[i]) / 2 / W;
    f.footY[i] = y2[i] / H;
    const he = expectedHeight(ctx.perspective, f.footY[i]) * H;
    hExpPx[i] = he;
    f.expectedHeight[i] = he / H;
    f.heightRatio[i] = h / he;
    f.aspect[i] = w / h;
    f.measured[i] = source[i] === SOURCE_INTERPOLATED ? 0 : 1;
    f.time[i] = ctx.times[t.ordinal[i]];
    const margin = 1;
    f.atBorder[i] = x1[i] <= margin || y1[i] <= margin || x2[i] >= W - margin || y2[i] >= H - margin ? 1 : 0;
  }

  const changes: number[] = [];
  const unknown = t.labels.indexOf('unknown');
  const unknownId = unknown >= 0 ? unknown : t.labelId('unknown');
  const person = t.labels.indexOf('person');
  for (const list of index.byTrack.values()) {
    const split = walkerTakenOver(list, label, unknown, person, ctx.minLabelVotes);
    for (const part of split < 0 ? [list] : [list.slice(0, split), list.slice(split)]) {
      const best = majorityLabel(part, label, unknown, ctx.minLabelVotes);
      for (const i of part) f.label[i] = best ?? unknownId;
    }

    for (let k = 1; k < list.length; k++) {
      const a = list[k - 1];
      const b = list[k];
      if (t.flowMeasured[a] && t.flowMeasured[b] && !f.atBorder[a] && !f.atBorder[b] && t.ordinal[b] === t.ordinal[a] + 1) {
        changes.push(Math.hypot(vx[b] / hExpPx[b] - vx[a] / hExpPx[a], vy[b] / hExpPx[b] - vy[a] / hExpPx[a]));
      }
    }

    // Velocity in heights per second: component-wise median over a short window of the track. Flow noise
    // of slow objects is of the order of their speed, and a box can catch a wrong match now and then; a
    // real change of speed persists longer than the window.
    const wx: number[] = [];
    const wy: number[] = [];
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      const ti = ctx.times[t.ordinal[i]];
      wx.length = 0;
      wy.length = 0;
      const add = (o: number): void => {
        // Cut by the frame edge, the box grows or shrinks as the object enters or leaves, so its motion is
        // not the object's: there only the flow of the pixels still in the picture measures it. Cut at the
        // bottom, the foot (and with it the height that is the speed's unit) is not seen at all.
        if (y2[o] >= H - 1 || (f.atBorder[o] && !t.flowMeasured[o])) return;
        if (!Number.isFinite(vx[o]) || !Number.isFinite(vy[o])) return;
        wx.push(vx[o] / hExpPx[o]);
        wy.push(vy[o] / hExpPx[o]);
      };
      for (let j = k; j >= 0 && ti - ctx.times[t.ordinal[list[j]]] <= ctx.velocityWindowS; j--) add(list[j]);
      for (let j = k + 1; j < list.length && ctx.times[t.ordinal[list[j]]] - ti <= ctx.velocityWindowS; j++) add(list[j]);
      if (wx.length === 0) continue;
      f.vx[i] = median(wx);
      f.vy[i] = median(wy);
      f.speed[i] = Math.hypot(f.vx[i], f.vy[i]);
      if (f.speed[i] >= ctx.movingSpeed) f.direction[i] = ((Math.atan2(f.vy[i], f.vx[i]) * 180) / Math.PI + 360) % 360;
    }

    // Stay timer: time since the centre last left a radius of `stayRadius` heights around an anchor.
    let ax = NaN;
    let ay = NaN;
    let anchorTime = 0;
    for (const i of list) {
      const cx = (x1[i] + x2[i]) / 2;
      const cy = (y1[i] + y2[i]) / 2;
      const time = ctx.times[t.ordinal[i]];
      if (!Number.isFinite(ax) || Math.hypot(cx - ax, cy - ay) > ctx.stayRadius * hExpPx[i]) {
        ax = cx;
        ay = cy;
        anchorTime = time;
      }
      f.stationary[i] = time - anchorTime;
    }

    // Acceleration: difference of the averaged velocity across one averaging window on either side.
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      const ti = ctx.times[t.ordinal[i]];
      let a = k;
      while (a > 0 && ti - ctx.times[t.ordinal[list[a - 1]]] <= ctx.velocityWindowS) a--;
      let b = k;
      while (b + 1 < list.length && ctx.times[t.ordinal[list[b + 1]]] - ti <= ctx.velocityWindowS) b++;
      const ia = list[a];
      const ib = list[b];
      if (a === b || !Number.isFinite(f.vx[ia]) || !Number.isFinite(f.vx[ib])) continue;
      const dt = ctx.times[t.ordinal[ib]] - ctx.times[t.ordinal[ia]];
      if (dt > 0) f.accel[i] = Math.hypot(f.vx[ib] - f.vx[ia], f.vy[ib] - f.vy[ia]) / dt;
    }
  }
  f.labels.splice(0, f.labels.length, ...t.labels);
  if (changes.length >= 20) {
    changes.sort((a, b) => a - b);
    // Median |Δv| of the difference of two 2-D Gaussian measurements is 1.18·√2·σ.
    f.velocityNoise = changes[changes.length >> 1] / (1.18 * Math.SQRT2);
  }
  return f;
}

/**
 * The detector's most frequent label over some observations of a track, if it said so at least `minVotes`
 * times (one stray detection does not name an object); null otherwise.
 */
function majorityLabel(obs: readonly number[], label: ArrayLike<number>, unknown: number, minVotes: number): number | null {
  const votes = new Map<number, number>();
  for (const i of obs) if (label[i] !== unknown) votes.set(label[i], (votes.get(label[i]) ?? 0) + 1);
  let best: number | null = null;
  let bestVotes = 0;
  for (const [l, v] of votes) {
    if (v > bestVotes) {
      bestVotes = v;
      best = l;
    }
  }
  return bestVotes >= minVotes ? best : null;
}

/**
 * Where a track that the detector named a person `minVotes` times in a row becomes something else named
 * `minVotes` times in a row (a bicycle, a car) and is never again a person `minVotes` times in a row: the
 * index in `list` of its first observation as that, halfway between the two votes; −1 when it does not.
 * Either the tracker moved from a walker onto a vehicle passing by, or the walker got on one: in both cases
 * the walking part is a person, and naming the whole track after the vehicle would make a pedestrian an
 * unseen kind of object. The other way round stays one object: a rider whose vehicle the detector misses is
 * named a person now and then (tracker.ts, sameKind).
 */
function walkerTakenOver(list: readonly number[], label: ArrayLike<number>, unknown: number, person: number, minVotes: number): number {
  if (person < 0) return -1;
  const voted = list.map((_, k) => k).filter((k) => label[list[k]] !== unknown);
  // Callers keep `from .. from + minVotes` within `voted`.
  const runOf = (from: number, l: number): boolean => {
    for (let j = from; j < from + minVotes; j++) if (label[list[voted[j]]] !== l) return false;
    return true;
  };
  for (let j = minVotes; j + minVotes <= voted.length; j++) {
    const l = label[list[voted[j]]];
    if (l !== person && runOf(j - minVotes, person) && runOf(j, l)) {
      // A person again later: the votes flip-flop (a rider now and then named a person); no clear hand-over.
      for (let r = j + minVotes; r + minVotes <= voted.length; r++) if (runOf(r, person)) return -1;
      return Math.ceil((voted[j - 1] + voted[j]) / 2);
    }
  }
  return -1;
}
