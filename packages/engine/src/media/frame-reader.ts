/**
 * Streams decoded frames out of a video as raw gray or RGB pixels, each tagged with its exact source
 * frame index and presentation time.
 *
 * How index and time are known exactly, while streaming:
 *  - ffmpeg decodes with `-vsync 0` (passthrough: every decoded frame leaves exactly once, nothing is
 *    duplicated or dropped to fit a rate) and `-copyts` (timestamps are the container's own), and writes
 *    `-f rawvideo` to stdout.
 *  - The last filter is `showinfo`, which logs one line per frame on stderr with its pts, its sequence
 *    number and its size, in the same order as the frames on stdout. Each stdout frame is paired with the
 *    next showinfo line. This is exact (the same timestamps the decoder produced, in the stream time base
 *    that showinfo prints) and needs no second decode pass; running ffprobe beside it would decode twice
 *    and could disagree with ffmpeg about edge frames.
 *  - Frame index = number of frames decoded before it in presentation order (showinfo's n when decoding
 *    from the start). Time = pts × time_base − stream start time; for raw elementary streams (no
 *    container, so ffmpeg invents timestamps) time = index / fpsAvg, the same rule the proxy uses.
 *  - Starting late (`startFrame`, `readFrameAt`) seeks to the keyframe at or before the wanted frame,
 *    found from the packet timestamps (ffprobe, no decoding), and recovers the index of the first decoded
 *    frame as the number of packets with a smaller pts. The pts of each frame before the first one yielded
 *    is checked against that table; any disagreement restarts the read from the beginning of the file.
 *
 * Memory stays bounded: stdout is consumed through its async iterator, so when the caller stops pulling,
 * the pipe fills and ffmpeg blocks. ffmpeg is killed when the caller returns early, throws or aborts.
 * Frames come out the way they are displayed (ffmpeg applies rotation metadata).
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { VigilError, throwIfAborted } from '../errors.js';
import { resolveFfmpeg } from './ffmpeg-path.js';
import { lowerBound, readPacketIndex, type PacketIndex } from './packet-index.js';
import { probe as probeFile, type ProbeResult } from './probe.js';
import { shortToolReason } from './run-tool.js';

export interface Frame {
  /** 0-based decoded frame index in the source. */
  index: number;
  /** Presentation time in seconds from the start of the stream (pts − start_time). */
  time: number;
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export interface ReadFramesOptions {
  format: 'gray' | 'rgb24';
  /** Output size. If only one is given the other keeps the aspect ratio, rounded to even. */
  width?: number;
  height?: number;
  /** Subsample: keep the first frame in each 1/fps step of stream time. Indices stay source indices. */
  fps?: number;
  /** First frame index to deliver (inclusive). */
  startFrame?: number;
  /** Last frame index to deliver (inclusive). */
  endFrame?: number;
  signal?: AbortSignal;
  /** A probe of the same file, to skip probing again. */
  probe?: ProbeResult;
}

interface FrameInfo {
  n: number;
  /** pts in filter time base ticks, NaN if the frame has none. */
  pts: number;
  width: number;
  height: number;
}

const INFO_RE = /\bn:\s*(\d+)\s+pts:\s*(\S+).*?\ss:(\d+)x(\d+)\s/;
const TB_RE = /config in time_base:\s*(\d+)\/(\d+)/;

function validateOptions(opts: ReadFramesOptions): void {
  if (opts.format !== 'gray' && opts.format !== 'rgb24') {
    throw new VigilError('invalid_input', `Unknown frame format "${String(opts.format)}" (use "gray" or "rgb24").`);
  }
  for (const k of ['width', 'height'] as const) {
    const v = opts[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 2 || v > 16384)) {
      throw new VigilError('invalid_input', `Frame ${k} must be an integer between 2 and 16384, got ${v}.`);
    }
  }
  if (opts.fps !== undefined && !(opts.fps > 0 && Number.isFinite(opts.fps))) {
    throw new VigilError('invalid_input', `Sampling fps must be a positive number, got ${opts.fps}.`);
  }
  for (const k of ['startFrame', 'endFrame'] as const) {
    const v = opts[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
      throw new VigilError('invalid_input', `${k} must be a non-negative integer, got ${v}.`);
    }
  }
  if (opts.startFrame !== undefined && opts.endFrame !== undefined && opts.endFrame < opts.startFrame) {
    throw new VigilError('invalid_input', `endFrame (${opts.endFrame}) is before startFrame (${opts.startFrame}).`);
  }
}

function filterChain(opts: ReadFramesOptions): string {
  const parts: string[] = [];
  if (opts.width !== undefined || opts.height !== undefined) {
    // -2 keeps the aspect ratio and rounds to an even size; area averaging avoids aliasing when shrinking.
    parts.push(`scale=${opts.width ?? -2}:${opts.height ?? -2}:flags=area`);
  }
  // showinfo checksums every frame it sees: give it the smaller of the two pixel layouts (gray is 1 byte
  // per pixel, decoded 4:2:0 is 1.5, rgb24 is 3). format= never changes the frame size or count.
  if (opts.format === 'gray') parts.push('format=gray', 'showinfo');
  else parts.push('showinfo', 'format=rgb24');
  return parts.join(',');
}

// Packet tables are read once per file version; readFrameAt is called many times for thumbnails.
const packetCache = new Map<string, Promise<PacketIndex>>();
const PACKET_CACHE_SIZE = 8;

async function packetIndexFor(filePath: string, p: ProbeResult, signal?: AbortSignal): Promise<PacketIndex> {
  const st = await stat(filePath);
  const key = `${path.resolve(filePath)}|${st.size}|${st.mtimeMs}|${p.videoStreamIndex}`;
  let hit = packetCache.get(key);
  if (!hit) {
    hit = readPacketIndex(filePath, p.videoStreamIndex, { signal, timeBase: p.timeBase });
    hit.catch(() => packetCache.delete(key));
    packetCache.set(key, hit);
    if (packetCache.size > PACKET_CACHE_SIZE) packetCache.delete(packetCache.keys().next().value as string);
  }
  return hit;
}

/** Where to seek for `startFrame`: seconds for `-ss`, or null to decode from the beginning. */
function seekPlan(idx: PacketIndex, p: ProbeResult, startFrame: number): number | null {
  if (startFrame <= 0 || idx.missingPts > 0 || startFrame >= idx.pts.length) return null;
  const target = idx.pts[startFrame];
  const k = lowerBound(idx.keyframePts, target + 0.5) - 1; // last keyframe with pts <= target
  if (k < 0) return null;
  const keyPts = idx.keyframePts[k];
  if (keyPts <= idx.pts[0]) return null;
  const [num, den] = idx.timeBase;
  // ffmpeg's -ss counts from the file's start; the stream start is >= it, so this never seeks too late.
  const t = (keyPts * num) / den - p.startTimeS;
  return t > 0 ? t : null;
}

class SeekMismatch extends Error {}

/**
 * Decoded frames of `filePath` in presentation order. See the module comment for how indices and times
 * are exact. Stops (and kills ffmpeg) after `endFrame`, on `return()`/`break`, or when `signal` aborts.
 */
export async function* readFrames(filePath: string, opts: ReadFramesOptions): AsyncIterableIterator<Frame> {
  validateOptions(opts);
  const { signal } = opts;
  throwIfAborted(signal);
  const p = opts.probe ?? (await probeFile(filePath, { signal, countFrames: 'header' }));
  const startFrame = opts.startFrame ?? 0;
  const endFrame = opts.endFrame ?? Number.POSITIVE_INFINITY;

  let idx: PacketIndex | null = null;
  let seekS: number | null = null;
  if (startFrame > 0) {
    idx = await packetIndexFor(filePath, p, signal);
    if (startFrame >= idx.pts.length) {
      throw new VigilError('invalid_input', `Frame ${startFrame} is past the end of "${path.basename(filePath)}" (${idx.pts.length} frames).`);
    }
    seekS = seekPlan(idx, p, startFrame);
  }
  try {
    yield* decode(filePath, opts, p, startFrame, endFrame, seekS === null ? null : { seconds: seekS, idx: idx! });
  } catch (e) {
    if (!(e instanceof SeekMismatch)) throw e;
    yield* decode(filePath, opts, p, startFrame, endFrame, null);
  }
}

async function* decode(
  filePath: string,
  opts: ReadFramesOptions,
  p: ProbeResult,
  startFrame: number,
  endFrame: number,
  seek: { seconds: number; idx: PacketIndex } | null,
): AsyncGenerator<Frame> {
  const { signal } = opts;
  const channels: 1 | 3 = opts.format === 'gray' ? 1 : 3;
  const args = ['-hide_banner', '-nostats', '-nostdin', '-loglevel', 'info', '-copyts'];
  if (seek) args.push('-noaccurate_seek', '-ss', seek.seconds.toFixed(6));
  args.push(
    '-i', filePath,
    '-map', `0:${p.videoStreamIndex}`,
    '-vf', filterChain(opts),
    '-vsync', '0',
    '-an', '-sn', '-dn',
    '-f', 'rawvideo', '-pix_fmt', opts.format,
    'pipe:1',
  );
  const child = spawn(resolveFfmpeg().path, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
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
        infos.push({ n: Number(m[1]), pts: m[2] === 'NOPTS' ? NaN : Number(m[2]), width: Number(m[3]), height: Number(m[4]) });
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
  const fps = p.fpsAvg > 0 ? p.fpsAvg : p.fpsReal;
  let firstIndex: number | null = null;
  let lastCell = Number.NEGATIVE_INFINITY;
  let stdoutDone = false;
  let finished = false;
  try {
    for (;;) {
      const info = await nextInfo();
      if (!info) break;
      const size = info.width * info.height * channels;
      while (buffered < size && !stdoutDone) {
        const r = await out.next();
        if (r.done) stdoutDone = true;
        else {
          chunks.push(r.value);
          buffered += r.value.length;
        }
      }
      if (buffered < size) break; // killed or failed mid-frame; decided below
      const data = take(size);

      let index: number;
      if (seek) {
        if (firstIndex === null) {
          // First decoded frame after the seek: its index is the number of frames presented before it.
          if (!Number.isFinite(info.pts)) throw new SeekMismatch();
          firstIndex = lowerBound(seek.idx.pts, info.pts) - info.n;
          if (firstIndex + info.n > startFrame) throw new SeekMismatch();
        }
        index = firstIndex + info.n;
        if (index <= startFrame && seek.idx.pts[index] !== info.pts) throw new SeekMismatch();
      } else {
        index = info.n;
      }
      if (index > endFrame) {
        finished = true;
        break;
      }
      if (index < startFrame) continue;

      const [num, den] = tb ?? (p.timeBase.split('/').map(Number) as [number, number]);
      const time = p.hasTimestamps !== false && Number.isFinite(info.pts) && den > 0 ? (info.pts * num) / den - p.startTimeS : index / fps;
      if (opts.fps !== undefined) {
        const cell = Math.floor(time * opts.fps + 1e-6);
        if (cell <= lastCell) continue;
        lastCell = cell;
      }
      yield { index, time, width: info.width, height: info.height, channels, data };
      throwIfAborted(signal);
    }
    throwIfAborted(signal);
    if (!finished) {
      await exitPromise;
      throwIfAborted(signal);
      if (spawnError) throw new VigilError('internal', `Could not start ffmpeg: ${(spawnError as Error).message}`);
      if (exitCode !== 0) {
        throw new VigilError('unsupported_media', `Decoding "${name}" failed (ffmpeg: ${shortToolReason(stderrTail, filePath) || `exit code ${exitCode}`}).`, { file: name });
      }
      if (buffered > 0) {
        throw new VigilError('internal', `ffmpeg produced ${buffered} bytes that match no frame while decoding "${name}".`);
      }
    }
  } finally {
    signal?.removeEventListener('abort', kill);
    kill();
    child.stdout.destroy();
  }
}

/** One frame, exactly by source index (thumbnails, report keyframes). */
export async function readFrameAt(
  filePath: string,
  index: number,
  opts: Omit<ReadFramesOptions, 'startFrame' | 'endFrame' | 'fps'>,
): Promise<Frame> {
  if (!Number.isInteger(index) || index < 0) throw new VigilError('invalid_input', `Frame index must be a non-negative integer, got ${index}.`);
  for await (const f of readFrames(filePath, { ...opts, startFrame: index, endFrame: index })) {
    if (f.index === index) return f;
  }
  throw new VigilError('invalid_input', `Frame ${index} is past the end of "${path.basename(filePath)}".`);
}
