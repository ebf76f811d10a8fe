/**
 * Loads an evaluation dataset described by `ground_truth.json` schema v1 (the layout of the project's UCSD
 * Ped2 copy, see its README) and decodes its pixel-mask videos. Everything is validated up front so a
 * benchmark fails at load time with a message naming the clip and field, not half-way through a run.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { VigilError, throwIfAborted } from '../errors.js';
import { resolveFfmpeg, resolveFfprobe } from '../media/ffmpeg-path.js';
import { runTool, shortToolReason } from '../media/run-tool.js';
import { ped2BoxesToRegions, type Box } from './rbdc.js';
import { labelsToIntervals } from './temporal.js';

export const GROUND_TRUTH_FILE = 'ground_truth.json';
export const GROUND_TRUTH_SCHEMA_VERSION = 1;

export interface GtClip {
  name: string;
  split: 'train' | 'test';
  /** Absolute path of the clip video. */
  videoPath: string;
  fps: number;
  frameCount: number;
  width: number;
  height: number;
  /** Per-frame 0/1 (1 = abnormal), index i = i-th decoded frame. */
  labels: Uint8Array;
  /** Abnormal runs, inclusive 0-based [first, last]. */
  intervals: [number, number][];
  /** Anomalous regions per frame as [x1, y1, x2, y2] (converted from the file's [x, y, w, h, area]). */
  boxes: Map<number, Box[]>;
  /** Absolute path of the lossless gray mask video (255 = anomalous), or null when the clip has none. */
  maskVideoPath: string | null;
  /** Frames whose mask is non-empty. */
  maskFrames: number[];
}

export interface GroundTruth {
  /** Absolute dataset folder. */
  dir: string;
  dataset: string;
  schemaVersion: 1;
  /** Sorted by name. */
  clips: GtClip[];
  totals: { trainClips: number; trainFrames: number; testClips: number; testFrames: number; testAnomalousFrames: number };
}

const intN = z.number().int().nonnegative();
const binary = z.number().refine((v) => v === 0 || v === 1, { message: 'must be 0 or 1' });
const ClipSchema = z.object({
  split: z.enum(['train', 'test']),
  video: z.string().min(1),
  fps: z.number().positive(),
  frame_count: z.number().int().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  labels: z.array(binary),
  intervals: z.array(z.tuple([intN, intN])),
  mask_video: z.string().min(1).optional(),
  mask_frames: z.array(intN).optional(),
  boxes: z.record(z.string(), z.array(z.array(z.number()).min(4))).optional(),
});
const RootSchema = z.object({
  dataset: z.string(),
  schema_version: z.literal(1),
  frame_index_base: z.literal(0),
  totals: z
    .object({
      train_clips: intN,
      train_frames: intN,
      test_clips: intN,
      test_frames: intN,
      test_anomalous_frames: intN,
    })
    .partial()
    .optional(),
  clips: z.record(z.string(), ClipSchema),
});

function invalid(file: string, msg: string): VigilError {
  return new VigilError('invalid_input', `${file}: ${msg}`, { file });
}

function requireFile(p: string, what: string): void {
  let ok = false;
  try {
    ok = statSync(p).isFile();
  } catch {
    ok = false;
  }
  if (!ok) throw new VigilError('not_found', `${what} not found: ${p}`, { path: p });
}

/**
 * Reads and validates `<dir>/ground_truth.json` (schema v1). Errors: 'not_found' for a missing file, video or
 * mask video; 'invalid_input' for malformed JSON, another schema_version, a field of the wrong type, labels
 * whose length differs from frame_count, intervals that disagree with the labels, frames out of range, or
 * totals that disagree with the clips.
 */
export function loadGroundTruth(dir: string): GroundTruth {
  const root = path.resolve(dir);
  const file = path.join(root, GROUND_TRUTH_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new VigilError('not_found', `Ground truth not found: ${file}`, { path: file });
    throw new VigilError('invalid_input', `Cannot read ${file}: ${(e as Error).message}`, { path: file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid(file, `not valid JSON (${(e as Error).message}).`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid(file, 'top level must be a JSON object.');
  const version = (json as { schema_version?: unknown }).schema_version;
  if (version !== GROUND_TRUTH_SCHEMA_VERSION) {
    throw invalid(file, `schema_version is ${JSON.stringify(version)}; only schema_version ${GROUND_TRUTH_SCHEMA_VERSION} is supported.`);
  }
  const parsed = RootSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    const more = parsed.error.issues.length > 5 ? ` (+${parsed.error.issues.length - 5} more)` : '';
    throw invalid(file, `does not match schema v1: ${issues.join('; ')}${more}.`);
  }
  const doc = parsed.data;
  const names = Object.keys(doc.clips).sort();
  if (names.length === 0) throw invalid(file, 'lists no clips.');

  const clips: GtClip[] = names.map((name) => {
    const c = doc.clips[name];
    const where = `clip ${name}`;
    if (c.labels.length !== c.frame_count) {
      throw invalid(file, `${where}: labels has ${c.labels.length} entries but frame_count is ${c.frame_count}.`);
    }
    const labels = Uint8Array.from(c.labels);
    const runs = labelsToIntervals(labels);
    const intervals = c.intervals.map(([s, e]) => [s, e] as [number, number]);
    if (JSON.stringify(runs) !== JSON.stringify(intervals)) {
      throw invalid(file, `${where}: intervals ${JSON.stringify(intervals)} disagree with the abnormal runs of labels ${JSON.stringify(runs)}.`);
    }
    const inRange = (f: number, field: string): void => {
      if (f >= c.frame_count) throw invalid(file, `${where}: ${field} names frame ${f}, but the clip has ${c.frame_count} frames.`);
    };
    const maskFrames = c.mask_frames ?? [];
    maskFrames.forEach((f) => inRange(f, 'mask_frames'));
    let boxes: Map<number, Box[]>;
    try {
      boxes = ped2BoxesToRegions(c.boxes ?? {});
    } catch (e) {
      throw invalid(file, `${where}: ${(e as Error).message}`);
    }
    for (const f of boxes.keys()) inRange(f, 'boxes');
    const videoPath = path.resolve(root, c.video);
    requireFile(videoPath, `Video of ${where}`);
    const maskVideoPath = c.mask_video ? path.resolve(root, c.mask_video) : null;
    if (maskVideoPath) requireFile(maskVideoPath, `Mask video of ${where}`);
    return {
      name,
      split: c.split,
      videoPath,
      fps: c.fps,
      frameCount: c.frame_count,
      width: c.width,
      height: c.height,
      labels,
      intervals,
      boxes,
      maskVideoPath,
      maskFrames,
    };
  });

  const train = clips.filter((c) => c.split === 'train');
  const test = clips.filter((c) => c.split === 'test');
  const sum = (cs: GtClip[], f: (c: GtClip) => number): number => cs.reduce((a, c) => a + f(c), 0);
  const totals = {
    trainClips: train.length,
    trainFrames: sum(train, (c) => c.frameCount),
    testClips: test.length,
    testFrames: sum(test, (c) => c.frameCount),
    testAnomalousFrames: sum(test, (c) => c.labels.reduce((a, v) => a + v, 0)),
  };
  const declared = doc.totals ?? {};
  const check: [keyof typeof declared, number][] = [
    ['train_clips', totals.trainClips],
    ['train_frames', totals.trainFrames],
    ['test_clips', totals.testClips],
    ['test_frames', totals.testFrames],
    ['test_anomalous_frames', totals.testAnomalousFrames],
  ];
  for (const [key, actual] of check) {
    const d = declared[key];
    if (d !== undefined && d !== actual) throw invalid(file, `totals.${key} is ${d}, but the clips add up to ${actual}.`);
  }
  return { dir: root, dataset: doc.dataset, schemaVersion: 1, clips, totals };
}

export interface ReadMaskOptions {
  signal?: AbortSignal;
  /** When given, a video decoding to a different number of frames is an error. */
  expectedFrames?: number;
}

async function probeSize(file: string, signal?: AbortSignal): Promise<{ width: number; height: number }> {
  const run = await runTool(
    resolveFfprobe().path,
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file],
    { signal },
  );
  const m = /^(\d+),(\d+)/.exec(run.stdout.trim());
  if (run.code !== 0 || !m) {
    throw new VigilError('unsupported_media', `Cannot read mask video ${file}: ${shortToolReason(run.stderr, file) || 'no video stream'}.`);
  }
  return { width: Number(m[1]), height: Number(m[2]) };
}

/**
 * Decodes a mask video to 8-bit gray frames (width × height bytes each, row-major; 255 = anomalous in the
 * Ped2 masks) with ffmpeg, one frame at a time: backpressure keeps at most a pipe's worth of frames in memory.
 * The video must already be width × height (masks are never rescaled: rescaling would blur their edges).
 * Stopping the iteration early or aborting kills ffmpeg.
 */
export async function* readMaskFrames(
  maskVideoPath: string,
  width: number,
  height: number,
  opts: ReadMaskOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new VigilError('invalid_input', `readMaskFrames: width and height must be positive integers (got ${width}×${height}).`);
  }
  requireFile(maskVideoPath, 'Mask video');
  throwIfAborted(opts.signal);
  const size = await probeSize(maskVideoPath, opts.signal);
  if (size.width !== width || size.height !== height) {
    throw new VigilError(
      'invalid_input',
      `Mask video ${maskVideoPath} is ${size.width}×${size.height}, expected ${width}×${height}.`,
    );
  }
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-i', maskVideoPath, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'];
  const child = spawn(resolveFfmpeg().path, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-16384);
  });
  const ended = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  const onAbort = (): void => {
    child.kill('SIGKILL');
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const frameBytes = width * height;
  let frame = new Uint8Array(frameBytes);
  let fill = 0;
  let count = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - fill, chunk.length - off);
        frame.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === frameBytes) {
          throwIfAborted(opts.signal);
          count++;
          yield frame;
          frame = new Uint8Array(frameBytes);
          fill = 0;
        }
      }
    }
    const end = await ended;
    throwIfAborted(opts.signal);
    if (end.error) throw new VigilError('internal', `Could not start ffmpeg: ${end.error.message}`);
    if (end.code !== 0) {
      throw new VigilError('unsupported_media', `ffmpeg failed to decode mask video ${maskVideoPath}: ${shortToolReason(stderr, maskVideoPath)}`);
    }
    if (fill !== 0) {
      throw new VigilError('unsupported_media', `Mask video ${maskVideoPath} ended inside a frame (${fill} of ${frameBytes} bytes).`);
    }
    if (opts.expectedFrames !== undefined && count !== opts.expectedFrames) {
      throw new VigilError(
        'unsupported_media',
        `Mask video ${maskVideoPath} decoded to ${count} frames, expected ${opts.expectedFrames}.`,
      );
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
