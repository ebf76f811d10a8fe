/**
 * Entry of the decode-ahead thread (started by decode-ahead.ts): runs one ffmpeg decode and keeps
 * reading it while the reader's thread computes, posting each frame as soon as it is complete with its
 * buffer transferred (not copied). At most `maxFrames` frames, and about `maxBytes`, are in flight
 * (posted, not yet taken by the reader); beyond that the thread stops reading, the pipe fills and ffmpeg
 * waits, so memory stays bounded whatever the footage length.
 *
 * Messages in: 'ack' (the reader took a frame: one credit back), 'stop' (kill ffmpeg and end).
 * Messages out: 'frame', then 'end' or 'error' (the VigilError's code, message and details).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isVigilError } from '../errors.js';
import { ffmpegFrames, type RawFrame } from './frame-stream.js';
import type { FromDecodeThread, ToDecodeThread, DecodeThreadData } from './decode-ahead.js';

const port = parentPort;
if (!port) throw new Error('decode-thread.js runs as a worker thread (see decode-ahead.ts)');
const { spec, maxFrames, maxBytes } = workerData as DecodeThreadData;

const stop = new AbortController();
let inFlight = 0;
let inFlightBytes = 0;
let wake: (() => void) | null = null;
port.on('message', (m: ToDecodeThread) => {
  if (m.t === 'ack') {
    inFlight--;
    inFlightBytes -= m.bytes;
  } else stop.abort();
  const w = wake;
  wake = null;
  w?.();
});
const hasCredit = (): boolean => inFlight === 0 || (inFlight < maxFrames && inFlightBytes < maxBytes);
const post = (m: FromDecodeThread, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

/**
 * The frame's bytes in a buffer of their own, to transfer: a view into a stdout chunk that holds more
 * (small frames) is copied. (`new Uint8Array(view)` copies; a Buffer's `slice` would not.)
 */
function owned(f: RawFrame): Uint8Array<ArrayBuffer> {
  const d = f.data;
  if (d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && d.buffer instanceof ArrayBuffer) return d as Uint8Array<ArrayBuffer>;
  return new Uint8Array(d);
}

const frames = ffmpegFrames(spec, stop.signal);
try {
  for (;;) {
    while (!hasCredit() && !stop.signal.aborted) await new Promise<void>((r) => (wake = r));
    if (stop.signal.aborted) break;
    const r = await frames.next();
    if (r.done) {
      post({ t: 'end' });
      break;
    }
    const data = owned(r.value);
    inFlight++;
    inFlightBytes += data.byteLength;
    post({ t: 'frame', n: r.value.n, pts: r.value.pts, width: r.value.width, height: r.value.height, timeBase: r.value.timeBase, data }, [data.buffer]);
  }
} catch (e) {
  if (isVigilError(e)) post({ t: 'error', code: e.code, message: e.message, details: e.details });
  else post({ t: 'error', code: 'internal', message: `Frame decoding failed: ${e instanceof Error ? e.message : String(e)}` });
} finally {
  await frames.return(undefined); // kills ffmpeg and waits for it
  port.close(); // nothing else keeps the thread alive: it ends
}
