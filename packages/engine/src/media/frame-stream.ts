/**
 * One ffmpeg decode as a stream of raw frames: runs ffmpeg with the arguments the frame reader built,
 * pairs each frame on stdout with its showinfo line on stderr (same order, one line per frame), and
 * reports how ffmpeg ended. Numbering, seeking and sampling are the frame reader's (frame-reader.ts);
 * this part runs either in the reader's thread or in the decode-ahead thread (decode-thread.ts), so both
 * paths split frames the same way.
 *
 * Memory stays bounded: stdout is consumed through its async iterator, so when the consumer stops
 * pulling, the pipe fills and ffmpeg blocks. ffmpeg is killed, and waited for, when the consumer returns
 * early, throws or aborts.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { VigilError, throwIfAborted } from '../errors.js';
import type { FrameFormat } from './frame-reader.js';
import { shortToolReason } from './run-tool.js';

/** A decoded frame as ffmpeg wrote it, with what showinfo said about it. */
export interface RawFrame {
  /** showinfo's sequence number: frames that reached the end of the filter chain before this one. */
  n: number;
  /** pts in filter time base ticks, NaN if the frame has none. */
  pts: number;
  width: number;
  height: number;
  /** The filter time base showinfo announced before this frame (null if it printed none). */
  timeBase: [number, number] | null;
  data: Uint8Array;
}

/** What to run: plain data, so it can be posted to the decode-ahead thread. */
export interface FrameStreamSpec {
  /** The ffmpeg executable (resolved by the caller: one resolution per process). */
  ffmpeg: string;
  args: string[];
  format: FrameFormat;
  /** The input, for error messages. */
  filePath: string;
}

const INFO_RE = /\bn:\s*(\d+)\s+pts:\s*(\S+).*?\ss:(\d+)x(\d+)\s/;
const TB_RE = /config in time_base:\s*(\d+)\/(\d+)/;

/** Bytes of one frame of this size and format. */
export function frameBytes(format: FrameFormat, width: number, height: number): number {
  if (format === 'gray') return width * height;
  if (format === 'rgb24') return width * height * 3;
  return width * height + 2 * ((width + 1) >> 1) * (format === 'yuv420p' ? (height + 1) >> 1 : height);
}

interface FrameInfo {
  n: number;
  pts: number;
  width: number;
  height: number;
  timeBase: [number, number] | null;
}

/**
 * Frames of one ffmpeg run, in output order. Ends when ffmpeg does; throws the reader's errors when it
 * failed (could not start, non-zero exit with its reason, bytes left over) and 'cancelled' when `signal`
 * aborted. A frame's `data` may be a view into a larger stdout chunk.
 */
export async function* ffmpegFrames(spec: FrameStreamSpec, signal?: AbortSignal): AsyncGenerator<RawFrame> {
  throwIfAborted(signal);
  const { filePath } = spec;
  const child = spawn(spec.ffmpeg, spec.args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  let exited = false;
  let exitCode: number | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    child.on('close', (code) => {
      exited = true;
      exitCode = code;
      resolve();
    });
  });
  let spawnError: Error | null = null;
  child.on('error', (e) => {
    spawnError = e;
  });
  const kill = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', kill, { once: true });

  // stderr: showinfo lines become a queue of FrameInfo; the tail of other lines explains failures.
  const infos: FrameInfo[] = [];
  let infoWaiter: (() => void) | null = null;
  let stderrDone = false;
  let stderrTail = '';
  let partial = '';
  let tb: [number, number] | null = null;
  child.stderr.setEncoding('utf8');
  const wake = (): void => {
    const w = infoWaiter;
    infoWaiter = null;
    w?.();
  };
  child.stderr.on('data', (s: string) => {
    const lines = (partial + s).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = INFO_RE.exec(line);
      if (m && line.includes('showinfo')) {
        infos.push({ n: Number(m[1]), pts: m[2] === 'NOPTS' ? NaN : Number(m[2]), width: Number(m[3]), height: Number(m[4]), timeBase: tb });
        continue;
      }
      const t = TB_RE.exec(line);
      if (t && line.includes('showinfo')) {
        tb = [Number(t[1]), Number(t[2])];
        continue;
      }
      if (!line.includes('showinfo')) stderrTail = (stderrTail + line + '\n').slice(-4096);
    }
    wake();
  });
  child.stderr.on('end', () => {
    stderrDone = true;
    wake();
  });
  const nextInfo = async (): Promise<FrameInfo | null> => {
    while (infos.length === 0 && !stderrDone) await new Promise<void>((r) => (infoWaiter = r));
    return infos.shift() ?? null;
  };

  const out = child.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let buffered = 0;
  const take = (size: number): Uint8Array => {
    const first = chunks[0];
    if (first.length >= size) {
      const view = first.subarray(0, size);
      if (first.length === size) chunks.shift();
      else chunks[0] = first.subarray(size);
      buffered -= size;
      return view;
    }
    const dst = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const c = chunks[0];
      const n = Math.min(c.length, size - off);
      dst.set(c.subarray(0, n), off);
      off += n;
      if (n === c.length) chunks.shift();
      else chunks[0] = c.subarray(n);
    }
    buffered -= size;
    return dst;
  };

  const name = path.basename(filePath);
  let stdoutDone = false;
  try {
    for (;;) {
      const info = await nextInfo();
      if (!info) break;
      const size = frameBytes(spec.format, info.width, info.height);
      while (buffered < size && !stdoutDone) {
        const r = await out.next();
        if (r.done) stdoutDone = true;
        else {
          chunks.push(r.value);
          buffered += r.value.length;
        }
      }
      if (buffered < size) break; // killed or failed mid-frame; decided below
      yield { ...info, data: take(size) };
    }
    throwIfAborted(signal);
    await exitPromise;
    throwIfAborted(signal);
    if (spawnError) throw new VigilError('internal', `Could not start ffmpeg: ${(spawnError as Error).message}`);
    if (exitCode !== 0) {
      throw new VigilError('unsupported_media', `Decoding "${name}" failed (ffmpeg: ${shortToolReason(stderrTail, filePath) || `exit code ${exitCode}`}).`, { file: name });
    }
    if (buffered > 0) {
      throw new VigilError('internal', `ffmpeg produced ${buffered} bytes that match no frame while decoding "${name}".`);
    }
  } finally {
    signal?.removeEventListener('abort', kill);
    kill();
    child.stdout.destroy();
    // Gone (and reaped) before the consumer goes on: no ffmpeg outlives its read.
    await exitPromise;
  }
}
