/**
 * Describes a video file with ffprobe: container, codec, geometry, rates, exact frame count, timing and
 * whether Chromium can play it as is. Refuses anything Vigil cannot analyse with a VigilError that names
 * the file and the problem (never just ffprobe's stderr).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { VigilError, throwIfAborted } from '../errors.js';
import { resolveFfprobe } from './ffmpeg-path.js';
import { cachedPacketIndex, isVariableFrameRate } from './packet-index.js';
import { runTool, shortToolReason } from './run-tool.js';

export interface AudioStreamInfo {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number;
  durationS?: number;
}

export type FrameCountSource = 'nb_frames' | 'packets' | 'decoded' | 'estimated';

export interface ProbeResult {
  path: string;
  /** ffprobe format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "avi", "matroska,webm". */
  container: string;
  formatLongName: string;
  sizeBytes: number;
  /** Global index of the analysed video stream (first video stream that is not cover art). */
  videoStreamIndex: number;
  codec: string;
  codecLongName: string;
  profile?: string;
  pixFmt: string;
  /** Coded (stored) dimensions. */
  width: number;
  height: number;
  /** Dimensions as displayed, after rotation. The frame reader and proxy deliver frames this way up. */
  displayWidth: number;
  displayHeight: number;
  /** Clockwise degrees (0/90/180/270) to turn stored frames for display. */
  rotation: number;
  /** avg_frame_rate (frames / duration). */
  fpsAvg: number;
  /** r_frame_rate (base rate that represents all timestamps). */
  fpsReal: number;
  /** Frame intervals are not constant (from actual packet timestamps when counted). */
  vfr: boolean;
  frameCount: number;
  frameCountSource: FrameCountSource;
  durationS: number;
  /** Start time of the video stream; frame times elsewhere in Vigil are relative to it. */
  startTimeS: number;
  bitRate?: number;
  audio: AudioStreamInfo[];
  videoStreamCount: number;
  creationTime?: string;
  /** Format tags, then video-stream tags for keys the format does not have. */
  tags: Record<string, string>;
  /** Where frame timestamps come from, e.g. "container pts (mp4)". */
  timingSource: string;
  /**
   * False for raw elementary streams (.264, .h265, .m2v, ...), whose timestamps ffmpeg invents: Vigil
   * then times frame k at k / fpsAvg everywhere.
   */
  hasTimestamps: boolean;
  /** Chromium (Electron) can play this file directly, without a proxy. */
  browserPlayable: boolean;
  /** Stream time base as "num/den". */
  timeBase: string;
  /** Non-fatal problems worth showing, e.g. a container that declares more frames than it holds. */
  warnings: string[];
}

export interface ProbeOptions {
  signal?: AbortSignal;
  /**
   * How to count frames. 'auto' (default): read every packet's timestamp (I/O only, no decoding; also
   * gives exact VFR detection). 'decode': decode every frame (slow, exact even for odd streams).
   * 'header': trust the container's nb_frames, else estimate from duration × fps (fastest).
   */
  countFrames?: 'auto' | 'decode' | 'header';
}

/** Largest frame side Vigil accepts (also the H.264 level limit region where decoders give up). */
export const MAX_DIMENSION = 16384;
/** More frames than this (≈ 23 days at 25 fps) means a corrupt header, not footage. */
export const MAX_FRAME_COUNT = 50_000_000;

interface FfStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  codec_long_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  time_base?: string;
  start_time?: string;
  duration?: string;
  bit_rate?: string;
  nb_frames?: string;
  bits_per_raw_sample?: string;
  channels?: number;
  sample_rate?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

interface FfFormat {
  format_name?: string;
  format_long_name?: string;
  start_time?: string;
  duration?: string;
  size?: string;
  bit_rate?: string;
  tags?: Record<string, string>;
}

const num = (s: string | number | undefined): number | undefined => {
  if (s === undefined || s === 'N/A' || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

export function parseRate(s: string | undefined): number {
  if (!s) return 0;
  const [a, b] = s.split('/').map(Number);
  if (b === undefined) return Number.isFinite(a) ? a : 0;
  return b > 0 && Number.isFinite(a) ? a / b : 0;
}

function rotationOf(s: FfStream): number {
  const tag = num(s.tags?.rotate);
  let cw = 0;
  if (tag !== undefined) cw = tag;
  else {
    // Display-matrix rotation is counter-clockwise; Vigil reports clockwise like the legacy tag.
    const dm = s.side_data_list?.find((d) => d.side_data_type === 'Display Matrix' && typeof d.rotation === 'number');
    if (dm?.rotation !== undefined) cw = -dm.rotation;
  }
  return ((Math.round(cw / 90) * 90) % 360 + 360) % 360;
}

const CHROMIUM_AUDIO = new Set(['aac', 'mp3', 'opus', 'vorbis', 'flac']);

/**
 * What Chromium plays without help: 8-bit 4:2:0 H.264 in MP4/MOV, VP8/VP9/AV1 (8-bit 4:2:0) in
 * WebM/Matroska or MP4, with no audio or audio Chromium decodes. Everything else (MJPEG AVI, HEVC,
 * raw .264, 10-bit, 4:2:2/4:4:4) gets a proxy.
 */
export function isBrowserPlayable(p: Pick<ProbeResult, 'container' | 'codec' | 'pixFmt' | 'profile' | 'audio'>): boolean {
  const formats = p.container.split(',');
  const isMp4 = formats.includes('mp4') || formats.includes('mov');
  const isWebm = formats.includes('webm') || formats.includes('matroska');
  const pix420 = p.pixFmt === 'yuv420p' || p.pixFmt === 'yuvj420p';
  let video = false;
  if (p.codec === 'h264') video = isMp4 && pix420 && !/10|4:2:2|4:4:4/i.test(p.profile ?? '');
  else if (p.codec === 'vp8' || p.codec === 'vp9' || p.codec === 'av1') video = (isWebm || isMp4) && pix420;
  return video && p.audio.every((a) => CHROMIUM_AUDIO.has(a.codec));
}

/** Demuxers of bare codec bitstreams: no container, so no real timestamps. */
const RAW_STREAM_FORMATS = new Set(['h264', 'hevc', 'mpegvideo', 'm4v', 'mjpeg', 'rawvideo', 'cavsvideo', 'vc1', 'h261', 'h263', 'dirac', 'avs2', 'vvc']);

export function isRawStreamFormat(container: string): boolean {
  return container.split(',').some((f) => RAW_STREAM_FORMATS.has(f));
}

function timingSourceOf(container: string, missingAll: boolean, fps: number): string {
  if (missingAll || isRawStreamFormat(container)) return `none in stream (raw elementary stream): times are frame index / ${fps.toFixed(3)} fps`;
  const f = container.split(',');
  if (f.includes('avi')) return 'container pts (AVI frame index × frame rate, constant rate)';
  if (f.includes('mp4') || f.includes('mov')) return 'container pts (MP4/MOV sample table)';
  if (f.includes('matroska')) return 'container pts (Matroska block timestamps)';
  return `container pts (${f[0]})`;
}

function unsupported(name: string, problem: string, reason?: string): VigilError {
  return new VigilError(
    'unsupported_media',
    `"${name}" ${problem}${reason ? ` (ffprobe: ${reason})` : ''}.`,
    { file: name },
  );
}

async function countDecodedFrames(filePath: string, streamIndex: number, signal?: AbortSignal): Promise<number | undefined> {
  const run = await runTool(resolveFfprobe().path, [
    '-v', 'error', '-select_streams', String(streamIndex), '-count_frames',
    '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', filePath,
  ], { signal });
  return num(run.stdout.trim().split('\n')[0]?.replace(/,$/, ''));
}

/** Decodes the first few packets: a stream whose header parses but whose data cannot decode is refused. */
async function decodesFirstFrame(filePath: string, streamIndex: number, signal?: AbortSignal): Promise<{ ok: boolean; reason: string }> {
  const run = await runTool(resolveFfprobe().path, [
    '-v', 'error', '-select_streams', String(streamIndex), '-read_intervals', '%+#5',
    '-show_entries', 'frame=width', '-of', 'csv=p=0', filePath,
  ], { signal });
  const frames = run.stdout.split('\n').filter((l) => l.trim().length > 0).length;
  return { ok: frames > 0, reason: shortToolReason(run.stderr, filePath) };
}

export async function probe(filePath: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const { signal } = opts;
  const name = path.basename(filePath);
  throwIfAborted(signal);
  let sizeBytes: number;
  try {
    const st = await stat(filePath);
    if (st.isDirectory()) throw new VigilError('invalid_input', `"${name}" is a folder, not a video file.`, { file: name });
    if (!st.isFile()) throw new VigilError('invalid_input', `"${name}" is not a regular file.`, { file: name });
    sizeBytes = st.size;
  } catch (e) {
    if (e instanceof VigilError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new VigilError('not_found', `Video file not found: "${name}".`, { file: name });
    throw new VigilError('invalid_input', `Cannot read "${name}" (${code ?? (e as Error).message}).`, { file: name });
  }
  if (sizeBytes === 0) throw unsupported(name, 'is empty (0 bytes)');

  const run = await runTool(resolveFfprobe().path, ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', filePath], { signal });
  let parsed: { streams?: FfStream[]; format?: FfFormat } = {};
  try {
    parsed = JSON.parse(run.stdout || '{}');
  } catch {
    /* handled below */
  }
  const reason = shortToolReason(run.stderr, filePath);
  if (run.code !== 0 || !parsed.format) throw unsupported(name, 'is not a readable video file', reason || `exit code ${run.code}`);
  const streams = parsed.streams ?? [];
  const format = parsed.format;
  const videos = streams.filter((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audioStreams = streams.filter((s) => s.codec_type === 'audio');
  if (videos.length === 0) {
    throw unsupported(name, audioStreams.length > 0 ? 'contains only audio, no video stream' : 'contains no video stream', reason);
  }
  const v = videos[0];
  const width = v.width ?? 0;
  const height = v.height ?? 0;
  if (!v.codec_name || v.codec_name === 'none') throw unsupported(name, 'has a video stream with an unknown codec', reason);
  if (width <= 0 || height <= 0) throw unsupported(name, 'has a video stream with no picture size (corrupt or truncated?)', reason);
  if (width > MAX_DIMENSION || height > MAX_DIMENSION) {
    throw unsupported(name, `has frames of ${width}×${height}, larger than the ${MAX_DIMENSION} pixel limit`);
  }

  const decode = await decodesFirstFrame(filePath, v.index, signal);
  if (!decode.ok) throw unsupported(name, 'has a video stream that cannot be decoded (corrupt or truncated?)', decode.reason);

  const warnings: string[] = [];
  const declared = num(v.nb_frames);
  const fpsReal = parseRate(v.r_frame_rate);
  let fpsAvg = parseRate(v.avg_frame_rate);
  const streamDuration = num(v.duration);
  const formatDuration = num(format.duration);
  let durationS = streamDuration ?? formatDuration ?? 0;

  let frameCount = 0;
  let frameCountSource: FrameCountSource = 'estimated';
  let vfr = false;
  let missingAllPts = false;
  const mode = opts.countFrames ?? 'auto';
  if (mode === 'auto') {
    const idx = await cachedPacketIndex(filePath, v.index, { signal, timeBase: v.time_base });
    frameCount = idx.pts.length;
    frameCountSource = declared !== undefined && declared === frameCount ? 'nb_frames' : 'packets';
    if (declared !== undefined && declared > frameCount) {
      warnings.push(`The container declares ${declared} frames but only ${frameCount} can be read (file truncated?).`);
    }
    vfr = isVariableFrameRate(idx);
    missingAllPts = idx.missingPts === idx.pts.length;
  } else if (mode === 'decode') {
    const decoded = await countDecodedFrames(filePath, v.index, signal);
    if (decoded !== undefined) {
      frameCount = decoded;
      frameCountSource = 'decoded';
    }
  } else if (declared !== undefined && declared > 0) {
    frameCount = declared;
    frameCountSource = 'nb_frames';
  }
  if (frameCount <= 0 && frameCountSource !== 'estimated') {
    throw unsupported(name, 'has a video stream with no frames (truncated?)');
  }
  if (!(fpsAvg > 0)) fpsAvg = durationS > 0 && frameCount > 0 ? frameCount / durationS : fpsReal;
  if (frameCountSource === 'estimated') frameCount = Math.round(durationS * (fpsAvg || fpsReal));
  if (!(durationS > 0) && frameCount > 0 && fpsAvg > 0) durationS = frameCount / fpsAvg;
  if (!(fpsAvg > 0) && !(fpsReal > 0)) throw unsupported(name, 'has a video stream with no usable frame rate or duration');
  if (frameCount <= 0) throw unsupported(name, 'has a video stream with no frames (truncated?)');
  if (frameCount > MAX_FRAME_COUNT) throw unsupported(name, `claims ${frameCount} frames, which is not plausible (corrupt header?)`);
  if (mode !== 'auto') vfr = fpsReal > 0 && Math.abs(fpsAvg - fpsReal) / fpsReal > 0.01;

  const rotation = rotationOf(v);
  const swap = rotation === 90 || rotation === 270;
  const audio: AudioStreamInfo[] = audioStreams.map((a) => ({
    index: a.index,
    codec: a.codec_name ?? 'unknown',
    channels: a.channels ?? 0,
    sampleRate: num(a.sample_rate) ?? 0,
    ...(num(a.duration) !== undefined ? { durationS: num(a.duration) } : {}),
  }));
  const tags: Record<string, string> = { ...(format.tags ?? {}) };
  for (const [k, val] of Object.entries(v.tags ?? {})) if (!(k in tags)) tags[k] = val;
  const container = format.format_name ?? 'unknown';
  const codec = v.codec_name;
  const pixFmt = v.pix_fmt ?? 'unknown';
  const profile = v.profile;
  const bitRate = num(format.bit_rate) ?? num(v.bit_rate);
  const creationTime = format.tags?.creation_time ?? v.tags?.creation_time;

  return {
    path: filePath,
    container,
    formatLongName: format.format_long_name ?? container,
    sizeBytes,
    videoStreamIndex: v.index,
    codec,
    codecLongName: v.codec_long_name ?? codec,
    ...(profile ? { profile } : {}),
    pixFmt,
    width,
    height,
    displayWidth: swap ? height : width,
    displayHeight: swap ? width : height,
    rotation,
    fpsAvg,
    fpsReal: fpsReal > 0 ? fpsReal : fpsAvg,
    vfr,
    frameCount,
    frameCountSource,
    durationS,
    startTimeS: num(v.start_time) ?? num(format.start_time) ?? 0,
    ...(bitRate !== undefined ? { bitRate } : {}),
    audio,
    videoStreamCount: videos.length,
    ...(creationTime ? { creationTime } : {}),
    tags,
    timingSource: timingSourceOf(container, missingAllPts, fpsAvg || fpsReal),
    hasTimestamps: !missingAllPts && !isRawStreamFormat(container),
    browserPlayable: isBrowserPlayable({ container, codec, pixFmt, profile, audio }),
    timeBase: v.time_base ?? '1/1',
    warnings,
  };
}
