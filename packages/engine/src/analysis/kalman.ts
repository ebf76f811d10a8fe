/**
 * Constant-velocity Kalman filter of a box: state [cx, cy, w, h, vcx, vcy, vw, vh] in pixels and pixels per
 * analysed frame, measurement [cx, cy, w, h]. Noise scales with the box height (as in SORT/ByteTrack), so
 * near and far objects are filtered alike.
 */
import type { Box } from './types.js';

const N = 8;
const M = 4;

export interface KalmanNoise {
  /** Std of position process/measurement noise per frame, as a fraction of the box height. */
  position: number;
  /** Std of velocity process noise per frame, as a fraction of the box height. */
  velocity: number;
  /** Std of measurement noise, as a fraction of the box height. */
  measurement: number;
}

export const DEFAULT_KALMAN_NOISE: KalmanNoise = { position: 1 / 20, velocity: 1 / 160, measurement: 1 / 20 };

export class BoxKalman {
  /** State mean. */
  readonly x = new Float64Array(N);
  /** State covariance, row-major N×N. */
  readonly P = new Float64Array(N * N);
  private readonly noise: KalmanNoise;

  constructor(box: Box, noise: KalmanNoise = DEFAULT_KALMAN_NOISE) {
    this.noise = noise;
    const [cx, cy, w, h] = toMeasurement(box);
    this.x.set([cx, cy, w, h, 0, 0, 0, 0]);
    const hh = Math.max(h, 1);
    // Position is known to measurement accuracy; velocity is unknown at birth (wide prior).
    const sp = 2 * noise.position * hh;
    const sv = 10 * noise.velocity * hh;
    const diag = [sp, sp, sp, sp, sv, sv, sv, sv];
    for (let i = 0; i < N; i++) this.P[i * N + i] = diag[i] * diag[i];
  }

  /** Advances one analysed frame. */
  predict(): void {
    const x = this.x;
    for (let i = 0; i < M; i++) x[i] += x[i + M];
    // Boxes cannot shrink below a pixel; a runaway size velocity would otherwise flip them.
    if (x[2] < 1) x[2] = 1;
    if (x[3] < 1) x[3] = 1;
    // P ← F P Fᵀ with F = [[I, I], [0, I]], written out block-wise.
    const P = this.P;
    const out = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        let v = P[i * N + j];
        if (i < M) v += P[(i + M) * N + j];
        if (j < M) v += P[i * N + j + M];
        if (i < M && j < M) v += P[(i + M) * N + j + M];
        out[i * N + j] = v;
      }
    }
    const h = Math.max(x[3], 1);
    const sp = this.noise.position * h;
    const sv = this.noise.velocity * h;
    for (let i = 0; i < M; i++) {
      out[i * N + i] += sp * sp;
      out[(i + M) * N + i + M] += sv * sv;
    }
    P.set(out);
  }

  /** Corrects with a measured box; `noiseScale` > 1 trusts the measurement less (e.g. a motion blob). */
  update(box: Box, noiseScale = 1): void {
    const z = toMeasurement(box);
    const P = this.P;
    const x = this.x;
    const h = Math.max(x[3], 1);
    const r = this.noise.measurement * h * noiseScale;
    // S = H P Hᵀ + R (top-left block), K = P Hᵀ S⁻¹ (first M columns of P times S⁻¹).
    const S = new Float64Array(M * M);
    for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) S[i * M + j] = P[i * N + j] + (i === j ? r * r : 0);
    const Si = invert4(S);
    const K = new Float64Array(N * M);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < M; j++) {
        let v = 0;
        for (let k = 0; k < M; k++) v += P[i * N + k] * Si[k * M + j];
        K[i * M + j] = v;
      }
    }
    const innov = [z[0] - x[0], z[1] - x[1], z[2] - x[2], z[3] - x[3]];
    for (let i = 0; i < N; i++) {
      let v = 0;
      for (let k = 0; k < M; k++) v += K[i * M + k] * innov[k];
      x[i] += v;
    }
    // P ← P − K H P (H P = first M rows of P).
    const out = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        let v = 0;
        for (let k = 0; k < M; k++) v += K[i * M + k] * P[k * N + j];
        out[i * N + j] = P[i * N + j] - v;
      }
    }
    // Keep P symmetric against rounding drift.
    for (let i = 0; i < N; i++) {
      for (let j = i + 1; j < N; j++) {
        const s = (out[i * N + j] + out[j * N + i]) / 2;
        out[i * N + j] = s;
        out[j * N + i] = s;
      }
    }
    P.set(out);
    if (x[2] < 1) x[2] = 1;
    if (x[3] < 1) x[3] = 1;
  }

  box(): Box {
    const [cx, cy, w, h] = this.x;
    return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  }

  /** Centre velocity in pixels per analysed frame. */
  velocity(): [number, number] {
    return [this.x[4], this.x[5]];
  }
}

function toMeasurement(b: Box): [number, number, number, number] {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, Math.max(1, b[2] - b[0]), Math.max(1, b[3] - b[1])];
}

/** Inverse of a symmetric positive-definite 4×4 matrix by Gauss–Jordan elimination with partial pivoting. */
function invert4(A: Float64Array): Float64Array {
  const a = Float64Array.from(A);
  const inv = new Float64Array(M * M);
  for (let i = 0; i < M; i++) inv[i * M + i] = 1;
  for (let c = 0; c < M; c++) {
    let piv = c;
    for (let r = c + 1; r < M; r++) if (Math.abs(a[r * M + c]) > Math.abs(a[piv * M + c])) piv = r;
    if (piv !== c) {
      for (let k = 0; k < M; k++) {
        [a[c * M + k], a[piv * M + k]] = [a[piv * M + k], a[c * M + k]];
        [inv[c * M + k], inv[piv * M + k]] = [inv[piv * M + k], inv[c * M + k]];
      }
    }
    const d = a[c * M + c] || 1e-12;
    for (let k = 0; k < M; k++) {
      a[c * M + k] /= d;
      inv[c * M + k] /= d;
    }
    for (let r = 0; r < M; r++) {
      if (r === c) continue;
      const f = a[r * M + c];
      if (f === 0) continue;
      for (let k = 0; k < M; k++) {
        a[r * M + k] -= f * a[c * M + k];
        inv[r * M + k] -= f * inv[c * M + k];
      }
    }
  }
  return inv;
}
