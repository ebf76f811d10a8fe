/**
 * Converted ONNX models against the original TF.js graphs (wasm backend), same inputs: two random
 * tensors and one real photograph per model.
 *
 * Bound: |onnx − tfjs| ≤ 1e-4 · max(1, S) on every element of every output, S = the output's largest
 * |value| in the reference. For outputs within ±1 (scores, heat maps, pose, feature maps) that is
 * 1e-4 absolute. CenterNet's box sizes are conv outputs × 16, in input pixels (up to ~500): float32
 * and a different summation order leave ~4e-5 relative noise after ~60 layers, i.e. ~7e-3 px, so an
 * absolute 1e-4 is not reachable there by any float32 runtime (TF.js's own cpu and wasm backends differ
 * by ~2e-3 on the same output). Its `detections` output is a top-100 list: rows are matched by class
 * and position rather than by rank, since peaks with equal scores may come in either order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { letterbox } from '../../src/inference/letterbox.js';
import type { ModelManifest } from '../../src/inference/manifest.js';
import { ModelRegistry } from '../../src/inference/registry.js';
import { buildModels } from '../../src/models-build/build.js';
import { MODEL_CATALOG } from '../../src/models-build/catalog.js';
import type { Frame } from '../../src/media/frame-reader.js';
import { loadTfjsReference, realPhoto, runTfjsReference, seeded } from './reference.js';

const root = mkdtempSync(path.join(tmpdir(), 'vigil-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let photo: Frame;
beforeAll(async () => {
  await buildModels({ outDir: root, force: true });
  photo = await realPhoto(640);
}, 300_000);

function toleranceFor(ref: Float32Array): number {
  let scale = 1;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]));
  return 1e-4 * scale;
}

function worstExcess(ref: Float32Array, got: Float32Array): { index: number; diff: number; ref: number; got: number; tol: number } | null {
  const tol = toleranceFor(ref);
  let worst: { index: number; diff: number; ref: number; got: number; tol: number } | null = null;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ref[i] - got[i]);
    if (!(d <= tol) && (!worst || d > worst.diff)) worst = { index: i, diff: d, ref: ref[i], got: got[i], tol };
  }
  return worst;
}

function maxAbsDiff(ref: Float32Array, got: Float32Array): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i] - got[i]));
  return m;
}

/** CenterNet top-K rows [x1, y1, x2, y2, score, class]: every reference row must have a twin. */
function unmatchedDetections(ref: Float32Array, got: Float32Array, rows: number): number[] {
  const tol = toleranceFor(ref);
  const used = new Set<number>();
  const lastScore = ref[(rows - 1) * 6 + 4];
  const bad: number[] = [];
  for (let r = 0; r < rows; r++) {
    const a = ref.subarray(r * 6, r * 6 + 6);
    let found = -1;
    for (let q = 0; q < rows && found < 0; q++) {
      if (used.has(q)) continue;
      const b = got.subarray(q * 6, q * 6 + 6);
      if (a[5] === b[5] && a.every((v, k) => Math.abs(v - b[k]) <= tol)) found = q;
    }
    if (found >= 0) used.add(found);
    // A row tied with the cut-off score may legitimately fall off either list.
    else if (Math.abs(a[4] - lastScore) > 1e-4) bad.push(r);
  }
  return bad;
}

function randomInput(m: ModelManifest, seed: number): Float32Array | Int32Array {
  const n = m.input.shape.reduce((a, b) => a * b, 1);
  const rnd = seeded(seed);
  if (m.input.dtype === 'int32') return Int32Array.from({ length: n }, () => Math.floor(rnd() * 256));
  // Raw pixels through the model's own normalisation, like a real frame but without structure.
  const c = m.input.layout === 'NCHW' ? (i: number) => Math.floor(i / (n / 3)) : (i: number) => i % 3;
  return Float32Array.from({ length: n }, (_, i) => (rnd() * 255 - m.input.mean[c(i)]) / m.input.std[c(i)]);
}

// The TF.js graphs take only the input size they were exported for; a variant for another input is
// checked against its base model instead (detector.test.ts: the same people at the same places).
describe.each(MODEL_CATALOG.filter((d) => !d.variantOf).map((d) => [d.name, d] as const))('parity: %s', (name, def) => {
  it('matches the TF.js original on random inputs and a real photograph', async () => {
    const registry = new ModelRegistry(root);
    const { manifest, bytes } = registry.load(name);
    const session = await ort.InferenceSession.create(bytes);
    const reference = await loadTfjsReference(def.sourceStem);
    try {
      const tfNames = manifest.outputs.map((o) => {
        const fromDef = def.outputs.find((d) => d.onnx === o.name)?.tf;
        if (!fromDef) throw new Error(`no TF tensor for ${o.name}`);
        return fromDef;
      });
      const n = manifest.input.shape.reduce((a, b) => a * b, 1);
      const real = manifest.input.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
      letterbox(photo, manifest.input, real);
      const inputs = [
        { label: 'random#1', data: randomInput(manifest, 1) },
        { label: 'random#2', data: randomInput(manifest, 2) },
        { label: 'photo', data: real },
      ];
      const report: string[] = [];
      for (const input of inputs) {
        const ref = await runTfjsReference(reference, { data: input.data, shape: manifest.input.shape }, tfNames);
        const out = await session.run({ [manifest.input.name]: new ort.Tensor(manifest.input.dtype, input.data, manifest.input.shape) });
        manifest.outputs.forEach((o, k) => {
          const got = Float32Array.from(out[o.name].data as ArrayLike<number>);
          expect(got.length, `${name} ${o.name} size`).toBe(ref[k].length);
          report.push(`${input.label} ${o.name}: max |diff| ${maxAbsDiff(ref[k], got).toExponential(2)} (bound ${toleranceFor(ref[k]).toExponential(2)})`);
          if (manifest.decoder.kind === 'centernet' && o.name === manifest.decoder.detections) {
            expect(unmatchedDetections(ref[k], got, o.shape[1]), `${name} ${input.label} detections rows without a twin`).toEqual([]);
          } else {
            expect(worstExcess(ref[k], got), `${name} ${input.label} ${o.name}`).toBeNull();
          }
        });
      }
      console.log(`parity ${name}\n  ${report.join('\n  ')}`);
    } finally {
      reference.dispose();
      await session.release();
    }
  });
});
