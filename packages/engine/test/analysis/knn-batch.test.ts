import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { computeRange, kthDistances, knnHelperStats, startKnnHelpers, type KthBatch } from '../../src/analysis/knn-batch.js';
import { KthTrackSearch } from '../../src/analysis/knn.js';
import { tempDir } from '../helpers/tmp.js';

function rand(seed: number): () => number {
  return () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
}

/** A clustered pool and queries in and around it, with each query leaving out one track. */
function batch(dims: number, size: number, n: number, conditionDims: number): KthBatch {
  const r = rand(dims * 1000 + n);
  const tracks = 150;
  const data = Float32Array.from({ length: size * dims }, (_, i) => (Math.floor(i / dims) % 4 === 0 ? 1 + r() : r() * 6));
  const track = Int32Array.from({ length: size }, () => Math.floor(r() * tracks));
  return {
    pool: { dims, data, track, size, trackCount: tracks },
    k: 7,
    queries: Float32Array.from({ length: n * dims }, () => r() * 8 - 1),
    exclude: Int32Array.from({ length: n }, (_, i) => (i % 3 ? Math.floor(r() * tracks) : -1)),
    conditionDims,
  };
}

/** The answers computed in this thread alone, query by query. */
function inline(b: KthBatch): Float64Array {
  const out = new Float64Array(b.exclude.length);
  computeRange(new KthTrackSearch(b.pool, b.k), b, out, 0, out.length);
  return out;
}

/** The K-th nearest other track by brute force (the definition, for a few queries). */
function brute(b: KthBatch, i: number, dims: number): number {
  const { pool } = b;
  const mins = new Array<number>(pool.trackCount).fill(Infinity);
  for (let r = 0; r < pool.size; r++) {
    if (pool.track[r] === b.exclude[i]) continue;
    let d = 0;
    for (let j = 0; j < dims; j++) d += (pool.data[r * pool.dims + j] - b.queries[i * pool.dims + j]) ** 2;
    mins[pool.track[r]] = Math.min(mins[pool.track[r]], d);
  }
  return Math.sqrt(mins.sort((a, c) => a - c)[b.k - 1]);
}

afterAll(async () => {
  await startKnnHelpers({ count: 0 });
});

describe('kthDistances (queries shared with helper threads)', () => {
  const dir = tempDir();

  it('gives the answers of one thread, with a helper thread doing part of the work', async () => {
    expect(await startKnnHelpers({ count: 1 })).toBe(1);
    const before = knnHelperStats();
    // Long vectors (the appearance group's scan), position + heading given place, and 1-D speed.
    for (const [dims, cond] of [[48, 0], [4, 2], [1, 0]] as const) {
      const b = batch(dims, 3000, dims === 48 ? 3000 : 6000, cond);
      const shared = kthDistances(b);
      expect(Array.from(shared)).toEqual(Array.from(inline(b)));
      for (const i of [0, 1, 2, 500, 2999]) {
        const full = brute(b, i, dims);
        const want = cond ? Math.sqrt(Math.max(0, full ** 2 - brute(b, i, cond) ** 2)) : full;
        expect(shared[i]).toBeCloseTo(want, 4);
      }
    }
    // Evidence among the tracks at the place (self-referenced heading): the same answers too.
    const ev: KthBatch = { ...batch(4, 3000, 6000, 2), evidence: { radius: 1, tolerance: 0.8, share: 0.1, alpha: 0.01 } };
    const evShared = kthDistances(ev);
    expect(Array.from(evShared)).toEqual(Array.from(inline(ev)));
    expect(evShared.some((z) => z > 0)).toBe(true);
    const after = knnHelperStats();
    expect(after.helpers).toBe(1);
    // The helper took some of the chunks (the long-vector batch takes this thread far longer than the
    // helper needs to pick up its message).
    expect(after.helperChunks).toBeGreaterThan(before.helperChunks);
    expect(after.helperChunks - before.helperChunks).toBeLessThan(after.chunks - before.chunks);
  });

  it('never waits on a helper that claims chunks and does not finish them', async () => {
    // A helper that claims every chunk of each batch and then stalls (a thread that hung or died mid-batch).
    const script = path.join(dir, 'stalling-helper.mjs');
    await writeFile(
      script,
      `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (m) => { const c = new Int32Array(m.control); Atomics.add(c, 0, c.length); Atomics.wait(c, 0, Atomics.load(c, 0)); });
parentPort.postMessage('ready');
`,
    );
    expect(await startKnnHelpers({ script: pathToFileURL(script), count: 2 })).toBe(2);
    const b = batch(4, 2000, 4000, 2);
    expect(Array.from(kthDistances(b))).toEqual(Array.from(inline(b)));
    // And a helper module that cannot load at all: everything runs in the calling thread.
    expect(await startKnnHelpers({ script: pathToFileURL(path.join(dir, 'missing.mjs')), count: 1 })).toBe(0);
    expect(Array.from(kthDistances(b))).toEqual(Array.from(inline(b)));
  });

  it('answers small batches and empty pools in the calling thread', () => {
    const small = batch(2, 100, 10, 0);
    expect(Array.from(kthDistances(small))).toEqual(Array.from(inline(small)));
    const empty: KthBatch = { ...batch(2, 0, 300, 0), pool: { dims: 2, data: new Float32Array(0), track: new Int32Array(0), size: 0, trackCount: 0 } };
    expect(Array.from(kthDistances(empty)).every((d) => d === Infinity)).toBe(true);
  });
});
