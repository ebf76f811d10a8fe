/**
 * Streams decoded frames out of a video as raw gray, RGB or YUV 4:2:0 pixels, each tagged with its exact
 * source frame index and presentation time.
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
 *  - Subsampling (`fps`) drops frames inside ffmpeg, before scaling and piping, with a `select` filter
 *    that passes at least every frame the sampling rule keeps (the rule itself is applied here, on the
 *    exact times, and stays the authority). After `select`, showinfo's n counts only passed frames, so
 *    the source index comes from the packet table instead: index = number of packets with a smaller pts,
 *    checked per frame (the pts must be in the table, once; indices must rise; the first decoded frame
 *    must be frame 0, else the decoder dropped leading frames and would number them differently). Any
 *    disagreement, a frame without pts, or a raw stream without timestamps falls back to decoding every
 *    frame and counting them, continuing after the last frame delivered.
 *  - `skipUnreferenced` also lets the decoder leave out frames no other frame refers to (`-skip_frame
 *    noref`: in footage with B-frames, most of them), when sampling keeps at most every second frame.
 *    Each cell then gets its first frame the decoder produced, possibly a later one of the same cell.
 *    A cell must never lose all its frames this way: every packet the decoder passed over is checked
 *    against the table, and if one was the only chance for its cell, the read starts again without
 *    skipping from the keyframe before the first frame not yet delivered, and continues after the last
 *    frame delivered.
 *
 * Pairing stdout frames with showinfo lines is frame-stream.ts; long reads run it in a worker thread that
 * decodes ahead while the caller computes (decode-ahead.ts), short ones (a single frame, a short range)
 * in the caller's thread. Memory stays bounded either way: when the caller stops pulling, at most a few
 * frames are decoded ahead, then the pipe fills and ffmpeg blocks. ffmpeg is killed, and has exited by
 * the time the iterator finishes, when the caller returns early, throws or aborts.
 * Frames come out the way they are displayed (ffmpeg applies rotation metadata).
 */
import path from 'node:path';
import { VigilError, throwIfAborted } from '../errors.js';
import { decodeFrames } from './decode-ahead.js';
import { resolveFfmpeg } from './ffmpeg-path.js';
import { type RawFrame } from './frame-stream.js';
import { cachedPacketIndex, type PacketIndex } from './packet-index.js';
import { lowerBound } from '../sorted.js';
import { probe as probeFile, type ProbeResult } from './probe.js';

export { frameBytes } from './frame-stream.js';

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

/**
 * A frame in planar YUV at full (JPEG) range, ffmpeg's yuvj420p / yuvj422p: `data` holds the Y plane
 * (width × height, byte for byte the picture the 'gray' format gives) followed by the U and V planes
 * (each ⌈width/2⌉ wide; ⌈height/2⌉ tall for 4:2:0, height tall for 4:2:2). Half or two thirds of the
 * bytes of rgb24, and the gray picture needs no conversion; `yuvToRgb` (yuv.ts) gives the colour picture
 * where it is needed.
 */
export interface YuvFrame {
  index: number;
  time: number;
  width: number;
  height: number;
  format: YuvFormat;
  data: Uint8Array;
}

export type YuvFormat = 'yuv420p' | 'yuv422p';
export type FrameFormat = 'gray' | 'rgb24' | YuvFormat;

export interface ReadFramesOptions {
  format: FrameFormat;
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
  /**
   * Called, with the reason, when subsampling inside ffmpeg is abandoned for decoding every frame (the
   * frames are the same either way; only the speed differs), or skipping unreferenced frames for decoding
   * them (the frames from there on are each cell's first).
   */
  onFallback?: (reason: string) => void;
  /**
   * With `fps` at most half the source rate: let the decoder leave out frames no other frame refers to,
   * which saves most of the decoding of B-frames. A cell's frame may then be a later one of that cell
   * than the first; every cell with frames still gets one (see the module comment).
   */
  skipUnreferenced?: boolean;
  /**
   * Decode in a worker thread, ahead of the caller, so decoding overlaps the caller's work. Default: for
   * reads that may be longer than DECODE_AHEAD_MIN_FRAMES frames (a thread costs tens of ms to start).
   * The frames are the same either way.
   */
  decodeAhead?: boolean;
}

/** Shorter reads (thumbnails, keyframes of an event) decode in the caller's thread. */
export const DECODE_AHEAD_MIN_FRAMES = 50;

const FFMPEG_PIX_FMT: Record<FrameFormat, string> = { gray: 'gray', rgb24: 'rgb24', yuv420p: 'yuvj420p', yuv422p: 'yuvj422p' };

function validateOptions(opts: ReadFramesOptions): void {
  if (!Object.hasOwn(FFMPEG_PIX_FMT, String(opts.format))) {
    throw new VigilError('invalid_input', `Unknown frame format "${String(opts.format)}" (use "gray", "rgb24", "yuv420p" or "yuv422p").`);
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

/**
 * ffmpeg `select` expression passing every frame the sampling rule in `decode` keeps (first frame of each
 * 1/fps cell of stream time), plus possibly a few more: a frame passes when its cell, computed with a
 * slightly larger offset, is above the previous frame's, computed with a slightly smaller one. The
 * rule keeps a frame only when its cell is above every earlier cell, hence above the previous frame's, so
 * the tolerance (1e-7 cell, far above double rounding and far below the rule's own 1e-6) only ever adds
 * frames, which the rule then drops. Frames without timestamps always pass.
 */
export function sampleSelectExpr(fps: number, startTimeS: number): string {
  const cell = (t: string, offset: string): string => `floor((${t}-(${startTimeS}))*${fps}+${offset})`;
  return `isnan(t)+isnan(prev_t)+gt(${cell('t', '1.1e-6')},${cell('prev_t', '0.9e-6')})`;
}

function filterChain(opts: ReadFramesOptions, select: string | null): string {
  const parts: string[] = [];
  // Dropping first means skipped frames are never scaled, converted or piped.
  if (select) parts.push(`select='${select}'`);
  if (opts.width !== undefined || opts.height !== undefined) {
    // -2 keeps the aspect ratio and rounds to an even size; area averaging avoids aliasing when shrinking.
    parts.push(`scale=${opts.width ?? -2}:${opts.height ?? -2}:flags=area`);
  }
  // showinfo checksums every frame it sees: give it the smaller of the two pixel layouts (gray is 1 byte
  // per pixel, decoded 4:2:0 is 1.5, rgb24 is 3). format= never changes the frame size or count.
  if (opts.format === 'rgb24') parts.push('showinfo', 'format=rgb24');
  else parts.push(`format=${FFMPEG_PIX_FMT[opts.format]}`, 'showinfo');
  return parts.join(',');
}

const packetIndexFor = (filePath: string, p: ProbeResult, signal?: AbortSignal): Promise<PacketIndex> =>
  cachedPacketIndex(filePath, p.videoStreamIndex, { signal, timeBase: p.timeBase });

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

/** The packet table disagrees with what the decoder produced: redo the read the authoritative way. */
class IndexMismatch extends Error {
  constructor(reason = 'the packet table disagrees with the decoded frames') {
    super(reason);
  }
}

/** Frames the decoder left out held the only frames of a sampling cell: read again without skipping. */
class SkipGap extends IndexMismatch {}

/** How `decode` runs ffmpeg and numbers frames. */
type DecodeMode =
  | { kind: 'all' }
  | { kind: 'seek'; seconds: number; idx: PacketIndex }
  | { kind: 'select'; table: Promise<PacketIndex>; skip: boolean; seekS?: number };

/** Sampling state shared by a read and its fallback: the last cell and index delivered. */
interface SampleState {
  lastCell: number;
  lastIndex: number;
}

/**
 * Decoded frames of `filePath` in presentation order. See the module comment for how indices and times
 * are exact. Stops (and kills ffmpeg) after `endFrame`, on `return()`/`break`, or when `signal` aborts.
 */
export function readFrames(filePath: string, opts: ReadFramesOptions & { format: YuvFormat }): AsyncIterableIterator<YuvFrame>;
export function readFrames(filePath: string, opts: ReadFramesOptions & { format: 'gray' | 'rgb24' }): AsyncIterableIterator<Frame>;
export function readFrames(filePath: string, opts: ReadFramesOptions): AsyncIterableIterator<Frame | YuvFrame>;
export async function* readFrames(filePath: string, opts: ReadFramesOptions): AsyncIterableIterator<Frame | YuvFrame> {
  validateOptions(opts);
  const { signal } = opts;
  throwIfAborted(signal);
  const p = opts.probe ?? (await probeFile(filePath, { signal, countFrames: 'header' }));
  const startFrame = opts.startFrame ?? 0;
  const endFrame = opts.endFrame ?? Number.POSITIVE_INFINITY;

  const state: SampleState = { lastCell: Number.NEGATIVE_INFINITY, lastIndex: startFrame - 1 };
  if (opts.fps !== undefined && startFrame === 0 && p.hasTimestamps !== false) {
    // The table is read while ffmpeg starts; it is first needed when the first frame arrives.
    const table = packetIndexFor(filePath, p, signal);
    table.catch(() => undefined); // a failed read is a fallback, seen where the table is awaited
    let skip = opts.skipUnreferenced === true && 2 * opts.fps <= p.fpsAvg;
    let seekS: number | undefined;
    for (;;) {
      try {
        yield* decode(filePath, opts, p, state.lastIndex + 1, endFrame, { kind: 'select', table, skip, seekS }, state);
        return;
      } catch (e) {
        if (!(e instanceof IndexMismatch)) throw e;
        if (!(e instanceof SkipGap)) {
          opts.onFallback?.(e.message);
          break;
        }
        // Read again without skipping from the keyframe before the first frame not yet delivered (the
        // frames before it are settled), not from the beginning.
        skip = false;
        seekS = await table.then((t) => seekPlan(t, p, state.lastIndex + 1) ?? undefined, () => undefined);
        opts.onFallback?.(`${e.message}; reading again without skipping from ${seekS === undefined ? 'the beginning' : `${seekS.toFixed(3)} s`}`);
      }
    }
    if (state.lastIndex >= endFrame) return;
    yield* decode(filePath, opts, p, state.lastIndex + 1, endFrame, { kind: 'all' }, state);
    return;
  }

  let idx: PacketIndex | null = null;
  let seekS: number | null = null;
  if (startFrame > 0) {
    idx = await packetIndexFor(filePath, p, signal);
    if (startFrame >= idx.pts.length) {
      throw new VigilError('invalid_input', `Frame ${startFrame} is past the end of "${path.basename(filePath)}" (${idx.pts.length} frames).`);
    }
    seekS = seekPlan(idx, p, startFrame);
  }
  if (seekS === null) {
    yield* decode(filePath, opts, p, startFrame, endFrame, { kind: 'all' }, state);
    return;
  }
  try {
    yield* decode(filePath, opts, p, startFrame, endFrame, { kind: 'seek', seconds: seekS, idx: idx! }, state);
  } catch (e) {
    if (!(e instanceof IndexMismatch)) throw e;
    yield* decode(filePath, opts, p, startFrame, endFrame, { kind: 'all' }, state);
  }
}

/** Source index of a frame from its pts, or null when the table cannot vouch for it (absent or repeated pts). */
function indexFromTable(table: PacketIndex, pts: number): number | null {
  if (!Number.isFinite(pts)) return null;
  const k = lowerBound(table.pts, pts);
  if (k >= table.pts.length || table.pts[k] !== pts) return null;
  if (k + 1 < table.pts.length && table.pts[k + 1] === pts) return null;
  return k;
}

async function* decode(
  filePath: string,
  opts: ReadFramesOptions,
  p: ProbeResult,
  startFrame: number,
  endFrame: number,
  mode: DecodeMode,
  state: SampleState,
): AsyncGenerator<Frame | YuvFrame> {
  const { signal } = opts;
  const channels: 1 | 3 = opts.format === 'rgb24' ? 3 : 1;
  const select = mode.kind === 'select' ? sampleSelectExpr(opts.fps!, p.startTimeS) : null;
  const args = ['-hide_banner', '-nostats', '-nostdin', '-loglevel', 'info', '-copyts'];
  const seekS = mode.kind === 'seek' ? mode.seconds : mode.kind === 'select' ? mode.seekS : undefined;
  if (seekS !== undefined) args.push('-noaccurate_seek', '-ss', seekS.toFixed(6));
  if (mode.kind === 'select' && mode.skip) args.push('-skip_frame', 'noref');
  args.push(
    '-i', filePath,
    '-map', `0:${p.videoStreamIndex}`,
    '-vf', filterChain(opts, select),
    '-vsync', '0',
    '-an', '-sn', '-dn',
    '-f', 'rawvideo', '-pix_fmt', FFMPEG_PIX_FMT[opts.format],
    'pipe:1',
  );
  const ahead = opts.decodeAhead ?? endFrame - startFrame + 1 > DECODE_AHEAD_MIN_FRAMES;
  const source = decodeFrames({ ffmpeg: resolveFfmpeg().path, args, format: opts.format, filePath }, { signal, thread: ahead });

  const fps = p.fpsAvg > 0 ? p.fpsAvg : p.fpsReal;
  let firstIndex: number | null = null;
  let table: PacketIndex | null = null;
  let tableTb: [number, number] = [0, 1];
  let prevIndex = -1;
  const cellOf = (time: number): number => Math.floor(time * opts.fps! + 1e-6);
  /** The sampling cell of a timestamp in the table's (= the filter's) ticks. */
  const cellOfPts = (pts: number): number => cellOf((pts * tableTb[0]) / tableTb[1] - p.startTimeS);
  /** Throws SkipGap when a packet in [from, to) the decoder passed over was its cell's only chance. */
  const checkPassedOver = (from: number, to: number, beforeCell: number): void => {
    if (!table) throw new SkipGap('no frame was decoded while skipping unreferenced frames');
    for (let j = Math.max(from, startFrame); j < to; j++) {
      const cell = cellOfPts(table.pts[j]);
      if (cell > state.lastCell && cell < beforeCell) {
        throw new SkipGap(`frame ${j} was left out by the decoder and no other frame of its 1/${opts.fps} s step was decoded`);
      }
    }
  };
  let ended = false;
  try {
    for (;;) {
      const r = await source.next();
      if (r.done) {
        ended = true;
        break;
      }
      const info: RawFrame = r.value;
      const data = info.data;

      let index: number;
      if (mode.kind === 'seek') {
        if (firstIndex === null) {
          // First decoded frame after the seek: its index is the number of frames presented before it.
          if (!Number.isFinite(info.pts)) throw new IndexMismatch();
          firstIndex = lowerBound(mode.idx.pts, info.pts) - info.n;
          if (firstIndex + info.n > startFrame) throw new IndexMismatch();
        }
        index = firstIndex + info.n;
        if (index <= startFrame && mode.idx.pts[index] !== info.pts) throw new IndexMismatch();
      } else if (mode.kind === 'select') {
        if (!table) {
          const read = await mode.table.then((t) => t, (e: unknown) => (e instanceof Error ? e : new Error(String(e))));
          if (read instanceof Error) throw new IndexMismatch(`the packet table could not be read (${read.message})`);
          table = read;
          const filterTb = info.timeBase;
          const [num, den] = filterTb ?? [0, 0];
          // The table's ticks must be the filter's ticks, and every packet must have a timestamp.
          if (table.missingPts > 0) throw new IndexMismatch(`${table.missingPts} packets have no timestamp`);
          if (!(den > 0) || num * table.timeBase[1] !== den * table.timeBase[0]) {
            throw new IndexMismatch(`the filter time base ${filterTb ? filterTb.join('/') : '(unknown)'} is not the stream's ${table.timeBase.join('/')}`);
          }
          tableTb = [num, den];
        }
        const k = indexFromTable(table, info.pts);
        if (k === null) throw new IndexMismatch(`decoded pts ${info.pts} is not exactly one packet's pts`);
        // From the beginning, at least n frames were decoded before this one (the first is frame 0 unless
        // the decoder dropped leading frames); presentation order means rising indices.
        if (mode.seekS === undefined && (k < info.n || (info.n === 0 && k !== 0))) throw new IndexMismatch(`frame with pts ${info.pts} is packet ${k} but decoded frame ${info.n}`);
        if (k <= prevIndex) throw new IndexMismatch(`frame indices go back (${prevIndex} then ${k})`);
        if (mode.skip) checkPassedOver(prevIndex + 1, Math.min(k, endFrame + 1), cellOfPts(info.pts));
        index = k;
      } else {
        index = info.n;
      }
      prevIndex = index;
      if (index > endFrame) break;
      if (index < startFrame) continue;

      const [num, den] = info.timeBase ?? (p.timeBase.split('/').map(Number) as [number, number]);
      const time = p.hasTimestamps !== false && Number.isFinite(info.pts) && den > 0 ? (info.pts * num) / den - p.startTimeS : index / fps;
      if (opts.fps !== undefined) {
        const cell = cellOf(time);
        if (cell <= state.lastCell) continue;
        state.lastCell = cell;
      }
      state.lastIndex = index;
      if (opts.format === 'yuv420p' || opts.format === 'yuv422p') yield { index, time, width: info.width, height: info.height, format: opts.format, data };
      else yield { index, time, width: info.width, height: info.height, channels, data };
      throwIfAborted(signal);
    }
    throwIfAborted(signal);
    if (ended && mode.kind === 'select' && mode.skip) checkPassedOver(prevIndex + 1, Math.min(table?.pts.length ?? 0, endFrame + 1), Infinity);
  } finally {
    // Kills ffmpeg if it is still running (early stop, mismatch, error) and waits for it.
    await source.return(undefined);
  }
}

/** One frame, exactly by source index (thumbnails, report keyframes). */
export async function readFrameAt(
  filePath: string,
  index: number,
  opts: Omit<ReadFramesOptions, 'startFrame' | 'endFrame' | 'fps'> & { format: 'gray' | 'rgb24' },
): Promise<Frame> {
  if (!Number.isInteger(index) || index < 0) throw new VigilError('invalid_input', `Frame index must be a non-negative integer, got ${index}.`);
  for await (const f of readFrames(filePath, { ...opts, startFrame: index, endFrame: index })) {
    if (f.index === index) return f;
  }
  throw new VigilError('invalid_input', `Frame ${index} is past the end of "${path.basename(filePath)}".`);
}
