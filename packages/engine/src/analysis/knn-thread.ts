/**
 * Entry of a K-th-nearest-track helper thread (started by knn-batch.ts): for each batch posted, builds the
 * search over the shared pool and claims chunks of queries until none is left. Nothing is posted back: the
 * answers and each chunk's state are in the batch's shared memory (one 'ready' message says it has loaded).
 */
import { parentPort } from 'node:worker_threads';
import { KthTrackSearch } from './knn.js';
import { workChunks, type SharedBatch } from './knn-batch.js';

const port = parentPort;
if (!port) throw new Error('knn-thread.js runs as a worker thread (see knn-batch.ts)');

port.on('message', (m: SharedBatch) => {
  const control = new Int32Array(m.control);
  // Every chunk may already be taken (the caller finished while this thread started): nothing to build.
  if (Atomics.load(control, 0) >= control.length - 1) return;
  const pool = { dims: m.dims, size: m.size, trackCount: m.trackCount, data: new Float32Array(m.data), track: new Int32Array(m.track) };
  const batch = { queries: new Float32Array(m.queries), exclude: new Int32Array(m.exclude), conditionDims: m.conditionDims, evidence: m.evidence };
  workChunks(new KthTrackSearch(pool, m.k), batch, new Float64Array(m.out), control, m.n);
});

port.postMessage('ready');
