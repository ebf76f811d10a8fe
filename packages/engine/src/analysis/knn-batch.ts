/**
 * Many K-th-nearest-track queries against one pool (a group's calibration or scoring), shared with helper
 * threads. Fitting the normality model is the one stretch of an analysis that runs after decoding, on one
 * core while the others wait; its queries are independent, so helpers take chunks of them.
 *
 * The call stays synchronous and never waits on a helper: the pool, queries and results live in shared
 * memory, every thread claims chunks from one shared counter, and when the counter runs out the calling
 * thread computes any chunk a helper claimed but has not finished (a helper still starting, or one that
 * died) itself. The answer is a pure function of the inputs, so a chunk computed twice is written twice
 * with the same values, and the result does not depend on which thread computed what.
 *
 * Helpers are started on first use (knn-thread.ts, compiled beside this module) and do not keep the
 * process alive. Where the module is missing or a thread will not start, everything runs in the caller.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KthTrackSearch, type EvidenceRule, type VectorPool } from './knn.js';

export interface KthBatch {
  pool: VectorPool;
  k: number;
  /** Query vectors, row-major n × pool.dims. */
  queries: Float32Array;
  /** Per query, the pool track to leave out (its own object), or −1. */
  exclude: Int32Array;
  /**
   * 0, or the number of leading context coordinates: then the answer is the part of the full distance the
   * context does not explain, √(d_full² − d_context²).
   */
  conditionDims: number;
  /**
   * With context: instead of a distance, the evidence that the attribute is unusual among the tracks at the
   * query's place (KthTrackSearch.queryEvidence).
   */
  evidence?: EvidenceRule;
}

/** Queries per chunk: small enough that the last chunks balance the threads, large enough to amortise claims. */
const CHUNK = 64;
/** Fewer queries than this run in the caller: a helper would not be reached before they are done. */
const MIN_SHARED = 4 * CHUNK;
/** Chunk states in the shared control array (after the claim counter at index 0). */
const DONE = 2;

/** What a helper receives: the batch in shared memory. */
export interface SharedBatch {
  dims: number;
  size: number;
  trackCount: number;
  k: number;
  conditionDims: number;
  evidence?: EvidenceRule;
  n: number;
  data: SharedArrayBuffer;
  track: SharedArrayBuffer;
  queries: SharedArrayBuffer;
  exclude: SharedArrayBuffer;
  out: SharedArrayBuffer;
  /** Int32: [next chunk to claim, state of chunk 0, state of chunk 1, …]. */
  control: SharedArrayBuffer;
}

type BatchQueries = Pick<KthBatch, 'queries' | 'exclude' | 'conditionDims' | 'evidence'>;

/** Computes queries [from, to) into out. */
export function computeRange(search: KthTrackSearch, b: BatchQueries, out: Float64Array, from: number, to: number): void {
  const dims = search.pool.dims;
  for (let i = from; i < to; i++) {
    const q = b.queries.subarray(i * dims, (i + 1) * dims);
    if (b.evidence && b.conditionDims) {
      out[i] = search.queryEvidence(q, b.exclude[i], b.conditionDims, b.evidence);
      continue;
    }
    const full = search.query(q, b.exclude[i]).distance;
    if (!b.conditionDims) {
      out[i] = full;
      continue;
    }
    const context = search.query(q, b.exclude[i], b.conditionDims).distance;
    out[i] = Math.sqrt(Math.max(0, full * full - context * context));
  }
}

/** Claims and computes chunks until none is left (the loop every thread runs); returns how many it did. */
export function workChunks(search: KthTrackSearch, b: BatchQueries, out: Float64Array, control: Int32Array, n: number): number {
  const chunks = control.length - 1;
  for (let done = 0; ; done++) {
    const c = Atomics.add(control, 0, 1);
    if (c >= chunks) return done;
    computeRange(search, b, out, c * CHUNK, Math.min(n, (c + 1) * CHUNK));
    Atomics.store(control, 1 + c, DONE);
  }
}

/** The batch's answers: one distance per query (Infinity where fewer than K other tracks qualify). */
export function kthDistances(b: KthBatch): Float64Array {
  const n = b.exclude.length;
  const threads = n >= MIN_SHARED ? helperThreads() : [];
  if (threads.length === 0) {
    const out = new Float64Array(n);
    computeRange(new KthTrackSearch(b.pool, b.k), b, out, 0, n);
    return out;
  }
  const { pool } = b;
  // Shared copies (small: a pool is a few thousand rows, a batch at most maxQueries vectors).
  const data = new Float32Array(new SharedArrayBuffer(pool.size * pool.dims * 4));
  data.set(pool.data.subarray(0, pool.size * pool.dims));
  const track = new Int32Array(new SharedArrayBuffer(pool.size * 4));
  track.set(pool.track.subarray(0, pool.size));
  const queries = new Float32Array(new SharedArrayBuffer(n * pool.dims * 4));
  queries.set(b.queries.subarray(0, n * pool.dims));
  const exclude = new Int32Array(new SharedArrayBuffer(n * 4));
  exclude.set(b.exclude);
  const outBuf = new SharedArrayBuffer(n * 8);
  const chunks = Math.ceil(n / CHUNK);
  const controlBuf = new SharedArrayBuffer((chunks + 1) * 4);
  const msg: SharedBatch = {
    dims: pool.dims,
    size: pool.size,
    trackCount: pool.trackCount,
    k: b.k,
    conditionDims: b.conditionDims,
    evidence: b.evidence,
    n,
    data: data.buffer as SharedArrayBuffer,
    track: track.buffer as SharedArrayBuffer,
    queries: queries.buffer as SharedArrayBuffer,
    exclude: exclude.buffer as SharedArrayBuffer,
    out: outBuf,
    control: controlBuf,
  };
  for (const h of threads) h.postMessage(msg);
  const out = new Float64Array(outBuf);
  const control = new Int32Array(controlBuf);
  const shared = { queries, exclude, conditionDims: b.conditionDims, evidence: b.evidence };
  const search = new KthTrackSearch(b.pool, b.k);
  const own = workChunks(search, shared, out, control, n);
  // Chunks a helper claimed and has not finished: computed here too rather than waited for.
  let finished = 0;
  for (let c = 0; c < chunks; c++) {
    if (Atomics.load(control, 1 + c) === DONE) finished++;
    else computeRange(search, shared, out, c * CHUNK, Math.min(n, (c + 1) * CHUNK));
  }
  helperChunks += finished - own;
  allChunks += chunks;
  // A copy: a helper finishing a chunk computed twice may still write (the same values) into the shared one.
  return out.slice();
}

let helpers: Worker[] | null = null;
/** Chunks helpers have computed since the process started (the bench prints the share). */
let helperChunks = 0;
let allChunks = 0;

/** The helper module beside this one (dist); from sources (tests), the package's build output. */
function helperScript(): URL | null {
  const candidates = [new URL('./knn-thread.js', import.meta.url), new URL('../../dist/analysis/knn-thread.js', import.meta.url)];
  return candidates.find((u) => existsSync(fileURLToPath(u))) ?? null;
}

/**
 * Helper threads by default: one fewer than the cores this process may use (the caller is one), at most
 * 3; VIGIL_KNN_THREADS overrides (0: none).
 */
export function knnHelperCount(): number {
  const cores = os.availableParallelism();
  const env = Number(process.env.VIGIL_KNN_THREADS);
  return Math.max(0, Math.min(3, process.env.VIGIL_KNN_THREADS && Number.isInteger(env) && env >= 0 ? env : cores - 1));
}

/**
 * Starts the helpers (otherwise done on first use) and resolves with how many run; `script` and `count`
 * replace the defaults (tests; a helper module posts one message when loaded). Helpers started before
 * are stopped.
 */
export async function startKnnHelpers(opts: { script?: URL; count?: number } = {}): Promise<number> {
  for (const w of helpers ?? []) void w.terminate();
  helpers = [];
  const script = opts.script ?? helperScript();
  if (!script) return 0;
  const started: Promise<void>[] = [];
  for (let i = 0; i < (opts.count ?? knnHelperCount()); i++) {
    let w: Worker;
    try {
      w = new Worker(script);
    } catch {
      break;
    }
    w.unref();
    // A helper that fails is dropped; chunks it claimed are recomputed by the caller (see kthDistances).
    w.on('error', () => void w.terminate());
    // Ready once its module has loaded (it says so), or gone (a module that fails to load exits).
    started.push(new Promise((resolve) => w.once('message', () => resolve()).once('exit', () => resolve())));
    helpers.push(w);
  }
  await Promise.all(started);
  return helpers.filter((w) => w.threadId >= 0).length;
}

/** How much of the work helpers did since the process started: chunks they finished of all chunks shared. */
export function knnHelperStats(): { helpers: number; helperChunks: number; chunks: number } {
  return { helpers: (helpers ?? []).filter((w) => w.threadId >= 0).length, helperChunks, chunks: allChunks };
}

function helperThreads(): Worker[] {
  if (!helpers) void startKnnHelpers();
  return helpers!.filter((w) => w.threadId >= 0);
}
