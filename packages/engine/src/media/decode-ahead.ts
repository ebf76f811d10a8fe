/**
 * Decoding ahead of the consumer. Read in the consumer's thread, ffmpeg's stdout is drained only while
 * the consumer waits for the next frame: while it computes, the pipe (64 KB, less than one frame) fills
 * and ffmpeg stops, so decoding and analysis take turns even on a multi-core machine. Here the same
 * ffmpeg run (frame-stream.ts) is read by a worker thread (decode-thread.ts) that keeps reading and posts
 * each complete frame with its buffer transferred, a bounded number of frames ahead (credits returned as
 * the consumer takes frames).
 *
 * A thread costs a few tens of milliseconds to start, so the frame reader uses it for long reads only.
 * If the thread cannot start at all (its module missing or refused by the runtime), the read goes on in
 * the consumer's thread, the frames being the same either way, and later reads do not try again.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { VigilError, throwIfAborted, type ErrorCode } from '../errors.js';
import { ffmpegFrames, type FrameStreamSpec, type RawFrame } from './frame-stream.js';

/** Frames in flight at most, and the byte budget (at least one frame is always allowed). */
export const DECODE_AHEAD_FRAMES = 8;
export const DECODE_AHEAD_BYTES = 32 * 2 ** 20;

export interface DecodeThreadData {
  spec: FrameStreamSpec;
  maxFrames: number;
  maxBytes: number;
}
export type ToDecodeThread = { t: 'ack'; bytes: number } | { t: 'stop' };
export type FromDecodeThread =
  | ({ t: 'frame' } & RawFrame)
  | { t: 'end' }
  | { t: 'error'; code: ErrorCode; message: string; details?: Record<string, unknown> };

/**
 * The compiled thread module beside this one (dist, also inside a packaged app's archive); from sources
 * (tests), the package's build output. Null when neither exists.
 */
function findThreadScript(): URL | null {
  const candidates = [new URL('./decode-thread.js', import.meta.url), new URL('../../dist/media/decode-thread.js', import.meta.url)];
  return candidates.find((u) => existsSync(fileURLToPath(u))) ?? null;
}

let threadScript: URL | null | undefined;
/** Why the thread is not used (null while it is available). */
let threadUnavailable: string | null = null;

export function decodeThreadScript(): URL | null {
  if (threadScript === undefined) threadScript = findThreadScript();
  return threadScript;
}

/** Whether long reads decode ahead in a thread; if not, why. */
export function decodeAheadStatus(): { available: boolean; reason: string | null } {
  const script = decodeThreadScript();
  const reason = threadUnavailable ?? (script ? null : 'the decode thread module (decode-thread.js) was not found');
  return { available: reason === null, reason };
}

/** The thread could not start: nothing was decoded, the read can go on in this thread. */
class ThreadUnavailable extends Error {}

export interface DecodeAheadOptions {
  signal?: AbortSignal;
  /** Decode in a worker thread (default true); false reads ffmpeg in this thread. */
  thread?: boolean;
  /** The thread module (tests); default decode-thread.js as found by decodeThreadScript(). */
  script?: URL;
  maxFrames?: number;
  maxBytes?: number;
}

/**
 * The frames of one ffmpeg run (see ffmpegFrames for the errors), decoded ahead in a worker thread when
 * asked and possible. Stopping early (return, throw, abort) kills ffmpeg; the generator finishes only
 * after ffmpeg has exited.
 */
export async function* decodeFrames(spec: FrameStreamSpec, opts: DecodeAheadOptions = {}): AsyncGenerator<RawFrame> {
  const script = opts.script ?? (threadUnavailable === null ? decodeThreadScript() : null);
  if (opts.thread !== false && script) {
    try {
      yield* framesFromThread(spec, script, opts);
      return;
    } catch (e) {
      if (!(e instanceof ThreadUnavailable)) throw e;
      if (!opts.script) threadUnavailable = e.message;
    }
  }
  yield* ffmpegFrames(spec, opts.signal);
}

async function* framesFromThread(spec: FrameStreamSpec, script: URL, opts: DecodeAheadOptions): AsyncGenerator<RawFrame> {
  const { signal } = opts;
  throwIfAborted(signal);
  const data: DecodeThreadData = {
    spec,
    maxFrames: Math.max(1, opts.maxFrames ?? DECODE_AHEAD_FRAMES),
    maxBytes: Math.max(1, opts.maxBytes ?? DECODE_AHEAD_BYTES),
  };
  let worker: Worker;
  try {
    worker = new Worker(script, { workerData: data });
  } catch (e) {
    throw new ThreadUnavailable(`the decode thread could not start (${e instanceof Error ? e.message : String(e)})`);
  }
  const queue: FromDecodeThread[] = [];
  let started = false;
  let failure: Error | null = null;
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let waiter: (() => void) | null = null;
  const wake = (): void => {
    const w = waiter;
    waiter = null;
    w?.();
  };
  worker.on('message', (m: FromDecodeThread) => {
    started = true;
    queue.push(m);
    wake();
  });
  worker.on('error', (e) => {
    failure = e;
    wake();
  });
  void exit.then(() => {
    exited = true;
    wake();
  });
  const send = (m: ToDecodeThread): void => {
    if (!exited) worker.postMessage(m);
  };
  const onAbort = (): void => {
    send({ t: 'stop' });
    wake();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      while (queue.length === 0 && !failure && !exited && !signal?.aborted) await new Promise<void>((r) => (waiter = r));
      throwIfAborted(signal);
      const m = queue.shift();
      if (!m) {
        const why = (failure as Error | null)?.message ?? 'it exited';
        if (!started) throw new ThreadUnavailable(`the decode thread could not start (${why})`);
        throw new VigilError('internal', `The frame decoding thread stopped unexpectedly (${why}) while decoding "${path.basename(spec.filePath)}".`);
      }
      if (m.t === 'end') return;
      if (m.t === 'error') throw new VigilError(m.code, m.message, m.details);
      send({ t: 'ack', bytes: m.data.byteLength });
      yield { n: m.n, pts: m.pts, width: m.width, height: m.height, timeBase: m.timeBase, data: m.data };
      throwIfAborted(signal);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!exited) {
      // The thread kills ffmpeg, waits for it and ends; if it does not end soon, terminate it (its
      // ffmpeg then dies of the closed pipe at its next write).
      send({ t: 'stop' });
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exit;
      clearTimeout(timer);
    }
  }
}
